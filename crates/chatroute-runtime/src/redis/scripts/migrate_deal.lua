-- KEYS a v1 deal key; ARGV the deal, the time and lifetime (ms): the
-- owner moved into the deal book, due a lifetime from now. 2: the key is
-- gone (it expired since the scan).
local who = redis.call('GET', KEYS[1])
if not who then return 2 end
if redis.call('HSETNX', KEYS[2], ARGV[1], who) == 0 then return 0 end
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('DEL', KEYS[1])
return 1
