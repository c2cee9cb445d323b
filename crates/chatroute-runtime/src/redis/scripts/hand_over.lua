-- A deal handed to someone by a person (the twin of `AccountBook::hand_over`):
-- KEYS 11 the client's key; ARGV 3 the deal, 4 its new owner, 5 whether
-- to remember the client (0/1), 6 for how long (s). An open deal's count
-- moves to the new owner, a waiting deal opens for them; either way its
-- timer stops and it leaves its queue. A deal already theirs, or unknown,
-- is left alone. Answers who had it ("" for nobody).
local deal, who = ARGV[3], ARGV[4]
local previous = redis.call('HGET', OWNERS, deal)
if previous and previous ~= who then
  redis.call('HSET', OWNERS, deal, who)
  if tonumber(redis.call('HGET', OPEN, previous) or '0') > 0 then redis.call('HINCRBY', OPEN, previous, -1) end
  redis.call('HINCRBY', OPEN, who, 1)
  forget(deal)
elseif not previous and redis.call('HEXISTS', WAITING_CH, deal) == 1 then
  forget(deal)
  open_deal(deal, who)
end
if ARGV[5] == '1' then redis.call('SET', KEYS[11], who, 'EX', ARGV[6]) end
return previous or ''
