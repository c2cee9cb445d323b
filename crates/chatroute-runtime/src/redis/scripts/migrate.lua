-- KEYS a v1 key, its v2 name: renamed (value and expiry kept) unless the
-- v2 name exists (0); 2: the key is gone (it expired since the scan). On
-- one node only: the names are in different slots.
if redis.call('EXISTS', KEYS[1]) == 0 then return 2 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
