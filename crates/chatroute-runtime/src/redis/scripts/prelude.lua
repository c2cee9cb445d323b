-- What every script starts with: the account's deal book and the
-- functions the in-memory state has under the same names (`AccountBook`,
-- `TimerBook`, `MemoryState` in `state/memory/`; `tests/agreement.rs`
-- holds both to the same answers). KEYS 1 to 4 are the unavailable set, the open counts, the
-- deal owners and the deals' due times, 5 to 10 the unanswered deals'
-- due times and timers, the waiting deals of the previous queue layout
-- (moved into the channels' queues by the first `due`), each waiting deal's
-- channel, the events, and the set of channels with a queue (each queue
-- is that key, `:`, the channel; `:due` after it, its due deals) (`Call`
-- in `scripts.rs`); a script's own keys
-- follow. ARGV 1 the time (ms; empty: the server's clock, `TIME`, which
-- every instance then shares) and 2 a deal's lifetime (ms). Deals past
-- their time are closed first (64 at most a call, so a backlog drains over
-- a few calls). `rules(at)` reads the rules from ARGV at `at`: skip (0/1),
-- n, the n handles, m, m (handle, limit) pairs, k, then the k handles
-- outside their hours; `cannot_take` answers nil, 'F' (at capacity,
-- whatever the availability) or 'U' (unavailable or out of hours, and
-- skipped).
local UNAVAILABLE, OPEN, OWNERS, DUE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local REPLY_DUE, TIMERS, OLD_WAITING, WAITING_CH, EVENTS, QUEUES = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local NOW = tonumber(ARGV[1])
if not NOW then
  local t = redis.call('TIME')
  NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local DEAL_TTL = tonumber(ARGV[2])
local function record(kind, deal, channel, from, to)
  return redis.call('XADD', EVENTS, 'MAXLEN', '~', '10000', '*', 'type', kind, 'deal', deal, 'channel', channel,
    'from', from, 'to', to, 'at', NOW)
end
-- A channel's queues, by the order deals came in: new deals nobody could
-- take, and due deals nobody could take over (`:due`).
local function queue(channel) return QUEUES .. ':' .. channel end
local function stuck_queue(channel) return QUEUES .. ':' .. channel .. ':due' end
local function enqueue(deal, channel, at, q)
  if redis.call('HSETNX', WAITING_CH, deal, channel) == 0 then return end
  local last = redis.call('ZRANGE', q, -1, -1, 'WITHSCORES')
  local score = at
  if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 1 end
  redis.call('ZADD', q, score, deal)
  redis.call('SADD', QUEUES, channel)
end
local function dequeue(deal)
  local channel = redis.call('HGET', WAITING_CH, deal)
  if not channel then return end
  redis.call('HDEL', WAITING_CH, deal)
  redis.call('ZREM', queue(channel), deal)
  redis.call('ZREM', stuck_queue(channel), deal)
  if redis.call('EXISTS', queue(channel), stuck_queue(channel)) == 0 then redis.call('SREM', QUEUES, channel) end
end
local function stop_timer(deal)
  redis.call('ZREM', REPLY_DUE, deal)
  redis.call('HDEL', TIMERS, deal)
end
local function forget(deal)
  stop_timer(deal)
  dequeue(deal)
end
-- The first member from the cursor (KEYS[11]) of whom `ok` holds, each
-- asked once; the cursor moves past it. Nil when nobody is.
local function take_next(cycle, ok)
  local n, seen = #cycle, {}
  local start = tonumber(redis.call('GET', KEYS[11]) or '0')
  for k = 0, n - 1 do
    local pos = start + k
    local who = cycle[(pos % n) + 1]
    if seen[who] == nil then seen[who] = ok(who) end
    if seen[who] then
      redis.call('SET', KEYS[11], pos + 1)
      return who, pos
    end
  end
  return nil, nil
end
local function start_timer(deal, channel, who, due)
  redis.call('ZADD', REPLY_DUE, due, deal)
  redis.call('HSET', TIMERS, deal, channel .. '\t0\t' .. who .. '\t' .. who)
end
-- A timer's channel, count, owner and who had the deal (a set).
local function read_timer(timer)
  local channel, count, owner, had = string.match(timer, '^([^\t]*)\t(%d+)\t([^\t]*)\t(.*)$')
  local before = {}
  for h in string.gmatch(had, '[^,]+') do before[h] = true end
  return channel, tonumber(count), owner, before, had
end
local function close_deal(deal)
  local who = redis.call('HGET', OWNERS, deal)
  forget(deal)
  redis.call('ZREM', DUE, deal)
  if not who then return nil end
  redis.call('HDEL', OWNERS, deal)
  if tonumber(redis.call('HGET', OPEN, who) or '0') > 0 then redis.call('HINCRBY', OPEN, who, -1) end
  return who
end
-- Closes the deals whose life ended (64 at most a call).
local function expire()
  for _, deal in ipairs(redis.call('ZRANGEBYSCORE', DUE, '-inf', NOW, 'LIMIT', 0, 64)) do close_deal(deal) end
end
expire()
local function open_deal(deal, who)
  redis.call('HSET', OWNERS, deal, who)
  redis.call('HINCRBY', OPEN, who, 1)
  redis.call('ZADD', DUE, NOW + DEAL_TTL, deal)
end
-- Passes an open deal with a timer to `who` (the open count moves with
-- it): its timer due again after `after` ms, or stopped at the cap; the
-- event. The twin: `MemoryState::pass`.
local function pass(deal, timer, who, after, cap)
  local channel, count, from, _, had = read_timer(timer)
  redis.call('HSET', OWNERS, deal, who)
  if tonumber(redis.call('HGET', OPEN, from) or '0') > 0 then redis.call('HINCRBY', OPEN, from, -1) end
  redis.call('HINCRBY', OPEN, who, 1)
  forget(deal)
  count = count + 1
  if count < cap then
    redis.call('ZADD', REPLY_DUE, NOW + after, deal)
    redis.call('HSET', TIMERS, deal, channel .. '\t' .. count .. '\t' .. who .. '\t' .. had .. ',' .. who)
  end
  return record('reassigned', deal, channel, from, who)
end
local AWAY = {}
local function rules(at)
  local n = tonumber(ARGV[at + 1])
  local handles = {}
  for i = 1, n do handles[i] = ARGV[at + 1 + i] end
  local m = tonumber(ARGV[at + 2 + n])
  local caps = {}
  for i = 1, m do caps[ARGV[at + 2 + n + 2 * i - 1]] = tonumber(ARGV[at + 2 + n + 2 * i]) end
  local k_at = at + 3 + n + 2 * m
  for i = 1, tonumber(ARGV[k_at]) do AWAY[ARGV[k_at + i]] = true end
  return ARGV[at] == '1', handles, caps
end
local function cannot_take(skip, caps, who)
  if caps[who] and tonumber(redis.call('HGET', OPEN, who) or '0') >= caps[who] then return 'F' end
  if skip and (AWAY[who] or redis.call('SISMEMBER', UNAVAILABLE, who) == 1) then return 'U' end
  return nil
end
