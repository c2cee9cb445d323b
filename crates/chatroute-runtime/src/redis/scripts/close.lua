-- ARGV 3 the deal: its owner (or ""), its count down.
return close_deal(ARGV[3]) or ''
