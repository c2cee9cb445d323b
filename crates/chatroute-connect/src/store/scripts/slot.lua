-- slot: one request in the account's sliding window, on Redis's clock,
-- for the worker holding the lease (renewed: no request leaves a worker
-- that lost it). KEYS[1] the window (sorted set), KEYS[2] the lease;
-- ARGV[1] requests in it at most, ARGV[2] a member unique to this
-- request, ARGV[3] the window (ms), ARGV[4] the worker, ARGV[5] the lease
-- (ms). 0 when taken, else how many milliseconds until the oldest
-- request leaves the window.
if redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return redis.error_reply('LEASE lost')
end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2 * window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
