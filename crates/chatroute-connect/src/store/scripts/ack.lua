-- ack: an entry's work is done, if the worker holds the lease.
-- KEYS[1] the lease, KEYS[2] the inbox stream; ARGV[1] the worker,
-- ARGV[2] the consumer group, ARGV[3] the entry id.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[2], ARGV[3])
return 1
