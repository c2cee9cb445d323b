-- lease: takes or renews an account's worker lease.
-- KEYS[1] the lease, KEYS[2] the inbox stream; ARGV[1] the worker,
-- ARGV[2] the lease (ms), ARGV[3] the consumer group. 1 when held.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM')
return 1
