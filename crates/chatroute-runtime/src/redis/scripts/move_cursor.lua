-- KEYS cursor; ARGV from, to: moves the cursor if it is still at `from`.
if tonumber(redis.call('GET', KEYS[1]) or '0') == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
