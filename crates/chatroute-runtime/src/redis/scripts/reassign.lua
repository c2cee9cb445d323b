-- Passes a due deal on (see `AssignmentState::reassign`): KEYS 11 the
-- cursor; ARGV 3 the deal, 4 the cap, 5 the timer (ms), then the rules
-- over the cycle. Nobody to take it over: it leaves the due set and, its
-- timer kept, waits in its channel's queue of due deals (when everyone of
-- the cycle has had it, it stays). Answers the event's id, or "".
local deal = ARGV[3]
local due = redis.call('ZSCORE', REPLY_DUE, deal)
if not due or tonumber(due) > NOW then return '' end
local timer, owner = redis.call('HGET', TIMERS, deal), redis.call('HGET', OWNERS, deal)
if not timer or not owner then forget(deal) return '' end
local channel, _, _, before = read_timer(timer)
local skip, cycle, caps = rules(6)
local who = take_next(cycle, function(w) return not before[w] and cannot_take(skip, caps, w) == nil end)
if not who then
  local everyone = true
  for _, m in ipairs(cycle) do if not before[m] then everyone = false end end
  if everyone then stop_timer(deal) return '' end
  redis.call('ZREM', REPLY_DUE, deal)
  enqueue(deal, channel, NOW, stuck_queue(channel))
  return ''
end
return pass(deal, timer, who, tonumber(ARGV[5]), tonumber(ARGV[4]))
