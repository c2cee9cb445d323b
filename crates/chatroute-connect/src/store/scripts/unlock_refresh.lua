-- unlock_refresh: gives an account's refresh lock back, if the worker
-- still has it. KEYS[1] the lock; ARGV[1] the worker.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
