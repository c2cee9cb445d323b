-- save_events_cursor: moves the cursor of runtime events queued as work,
-- if the worker holds the lease. KEYS[1] the lease, KEYS[2] the cursor;
-- ARGV[1] the worker, ARGV[2] the last event queued.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
