-- save_dialog: writes a dialog's record if the worker holds the lease.
-- KEYS[1] the lease, KEYS[2] the dialogs hash; ARGV[1] the worker,
-- ARGV[2] the dialog's key, ARGV[3] its record (JSON).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
