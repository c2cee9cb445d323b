-- Gives a waiting deal of the channel to the next member who can take it
-- (see `MemoryState::drain_plan`): the oldest due deal (of 64) someone who has
-- not had it can take over, else the oldest new deal. KEYS 11 the cursor;
-- ARGV 3 the channel, 4 the timer (ms; 0: none), 5 the cap, then the
-- rules over the cycle. Answers the event's id, or "".
local channel, after, cap = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local skip, cycle, caps = rules(6)
local function ok(w) return cannot_take(skip, caps, w) == nil end
for _, deal in ipairs(redis.call('ZRANGE', stuck_queue(channel), 0, 63)) do
  local owner = redis.call('HGET', OWNERS, deal)
  local timer = redis.call('HGET', TIMERS, deal)
  local timed_owner, before
  if timer then _, _, timed_owner, before = read_timer(timer) end
  local everyone = true
  if before then for _, m in ipairs(cycle) do if not before[m] then everyone = false end end end
  if not owner or timed_owner ~= owner or after == 0 or everyone then
    forget(deal)
  else
    local who = take_next(cycle, function(w) return not before[w] and ok(w) end)
    if who then return pass(deal, timer, who, after, cap) end
  end
end
while true do
  local deal = redis.call('ZRANGE', queue(channel), 0, 0)[1]
  if not deal then return '' end
  if redis.call('HEXISTS', OWNERS, deal) == 1 then
    dequeue(deal)
  else
    local who = take_next(cycle, ok)
    if not who then return '' end
    dequeue(deal)
    open_deal(deal, who)
    if after ~= 0 then start_timer(deal, channel, who, NOW + after) end
    return record('assigned', deal, channel, '', who)
  end
end
