-- replay: queues every dead letter's work again.
-- KEYS[1] the dead letters (list of JSON), KEYS[2] the inbox stream.
-- Returns how many.
local letters = redis.call('LRANGE', KEYS[1], 0, -1)
for _, raw in ipairs(letters) do
  local letter = cjson.decode(raw)
  redis.call('XADD', KEYS[2], '*', 'm', cjson.encode(letter.work))
end
redis.call('DEL', KEYS[1])
return #letters
