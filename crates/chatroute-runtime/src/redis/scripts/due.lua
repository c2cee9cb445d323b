-- ARGV 3 at most: the channels with waiting deals (tab-separated), then
-- the due deals and their channels, lines of the deal, a tab and the
-- channel. Waiting deals of the previous layout (one queue for the
-- account) move into their channels' queues first, in their order.
if redis.call('EXISTS', OLD_WAITING) == 1 then
  local old = redis.call('ZRANGE', OLD_WAITING, 0, -1, 'WITHSCORES')
  redis.call('DEL', OLD_WAITING)
  for i = 1, #old, 2 do
    local channel = redis.call('HGET', WAITING_CH, old[i])
    if channel then
      redis.call('HDEL', WAITING_CH, old[i])
      enqueue(old[i], channel, tonumber(old[i + 1]), queue(channel))
    end
  end
end
local out = { table.concat(redis.call('SMEMBERS', QUEUES), '\t') }
for _, deal in ipairs(redis.call('ZRANGEBYSCORE', REPLY_DUE, '-inf', NOW, 'LIMIT', 0, tonumber(ARGV[3]))) do
  local timer = redis.call('HGET', TIMERS, deal)
  out[#out + 1] = deal .. '\t' .. (timer and string.match(timer, '^([^\t]*)') or '')
end
return table.concat(out, '\n')
