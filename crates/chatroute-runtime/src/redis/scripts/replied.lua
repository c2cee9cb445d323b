-- ARGV 3 the deal: its timer stopped (a due deal waiting to be taken over
-- waits no more); 1 if it had one.
local had = redis.call('HEXISTS', TIMERS, ARGV[3]) == 1
if had then forget(ARGV[3]) end
return had and '1' or '0'
