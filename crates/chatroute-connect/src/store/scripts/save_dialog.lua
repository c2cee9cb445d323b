-- save_dialog: writes a dialog's record, and its deal's way back to it,
-- if the worker holds the lease. KEYS[1] the lease, KEYS[2] the dialogs
-- hash, KEYS[3] the deals hash (deal -> dialog); ARGV[1] the worker,
-- ARGV[2] the dialog's key, ARGV[3] its record (JSON), ARGV[4] its deal
-- ("" for none).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[2])
end
return 1
