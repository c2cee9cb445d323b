-- notes_written: these notes are in amoCRM, if the worker holds the
-- lease: forgotten. KEYS[1] the lease, KEYS[2] the notes' due times,
-- KEYS[3] their headers, KEYS[4] the notes being written; ARGV[1] the
-- worker, ARGV[2] the prefix of a note's lines' key, ARGV[3..] the keys.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
for i = 3, #ARGV do
  local key = ARGV[i]
  redis.call('DEL', ARGV[2] .. key)
  redis.call('ZREM', KEYS[2], key)
  redis.call('HDEL', KEYS[3], key)
  redis.call('SREM', KEYS[4], key)
end
return 1
