-- mark_writing: these notes are being written, if the worker holds the
-- lease. KEYS[1] the lease, KEYS[2] the notes being written (set);
-- ARGV[1] the worker, ARGV[2..] the notes' keys.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
for i = 2, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
