-- enqueue: queues each piece of work whose mark was not seen, with its
-- mark. KEYS[1] the inbox stream, KEYS[2..n+1] the marks; ARGV[1] the
-- marks' lifetime (s), ARGV[2] the consumer group, ARGV[3..n+2] the work
-- (JSON). Returns how many were new.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[2], '0', 'MKSTREAM')
end
local new = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'm', ARGV[i + 1])
    new = new + 1
  end
end
return new
