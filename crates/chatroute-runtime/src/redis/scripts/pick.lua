-- A pick (see `state`): KEYS 11 the cursor, 12 the client's key; ARGV 3
-- whether there is a deal (0/1), 4 the deal, 5 the owner preferred ("" for
-- none), 6 whether to remember the client (0/1), 7 for how long (s), 8
-- the reply timer (ms; 0: no timer), 9 whether a deal nobody can take
-- waits (0/1), 10 the channel, then the rules over the cycle. Answers
-- `employee:position`, `employee:-1` for a deal decided before or the
-- preferred owner, or "" for nobody.
local has_deal, deal, prefer, channel = ARGV[3] == '1', ARGV[4], ARGV[5], ARGV[10]
if has_deal then
  local owner = redis.call('HGET', OWNERS, deal)
  if owner then return owner .. ':-1' end
end
local skip, cycle, caps = rules(11)
local function give(who, pos)
  if has_deal then
    open_deal(deal, who)
    dequeue(deal)
  end
  if ARGV[6] == '1' then redis.call('SET', KEYS[12], who, 'EX', ARGV[7]) end
  if has_deal and ARGV[8] ~= '0' then start_timer(deal, channel, who, NOW + tonumber(ARGV[8])) end
  return who .. ':' .. pos
end
if prefer ~= '' and cannot_take(true, caps, prefer) == nil then return give(prefer, -1) end
local who, pos = take_next(cycle, function(w) return cannot_take(skip, caps, w) == nil end)
if who then return give(who, pos) end
if has_deal and ARGV[9] == '1' then enqueue(deal, channel, NOW, queue(channel)) end
return ''
