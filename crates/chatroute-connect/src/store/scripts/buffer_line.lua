-- buffer_line: adds a line to a period's note, if the worker holds the
-- lease. KEYS[1] the lease, KEYS[2] the notes' due times (sorted set),
-- KEYS[3] the notes' headers (hash), KEYS[4] the note's lines (list);
-- ARGV[1] the worker, ARGV[2] the note's key, ARGV[3] when it is due
-- (ms), ARGV[4] its header (JSON), ARGV[5] the line (JSON).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
redis.call('RPUSH', KEYS[4], ARGV[5])
redis.call('HSETNX', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[2])
return 1
