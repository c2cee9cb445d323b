-- ARGV 3 on: the rules over the members. "1"/"0" per member.
local skip, members, caps = rules(3)
local out = ''
for i = 1, #members do
  out = out .. (cannot_take(skip, caps, members[i]) == nil and '1' or '0')
end
return out
