-- A claim (see `state::Claiming`): KEYS 11 the claim; ARGV 3 the employee,
-- 4 the claim's ttl (s), 5 checked (0/1), 6 assign_anyway (0/1), 7
-- counted (0/1: the deal counts open), 8 the deal, then the rules over the
-- group. Answers `W<winner>`, `U`/`F` for a refused claimant, `H<owner>`
-- for a deal held by another. One deal, one owner: a deal another
-- channel gave someone is theirs; one waiting on another channel waits
-- no more.
local winner = redis.call('GET', KEYS[11])
if winner then return 'W' .. winner end
local who, deal = ARGV[3], ARGV[8]
if ARGV[5] == '1' then
  local skip, group, caps = rules(9)
  local why = cannot_take(skip, caps, who)
  if why then
    local anyway = ARGV[6] == '1' and skip and cannot_take(false, caps, who) == nil
    for i = 1, #group do
      if anyway and cannot_take(skip, caps, group[i]) == nil then anyway = false end
    end
    if not anyway then return why end
  end
end
local owner = redis.call('HGET', OWNERS, deal)
if owner and owner ~= who then return 'H' .. owner end
if not owner and ARGV[7] == '1' then open_deal(deal, who) end
dequeue(deal)
redis.call('SET', KEYS[11], who, 'EX', ARGV[4])
return 'W' .. who
