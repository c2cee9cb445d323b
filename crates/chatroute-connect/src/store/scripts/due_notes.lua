-- due_notes: the notes due. KEYS[1] the notes' due times, KEYS[2] their
-- headers, KEYS[3] the notes being written (set); ARGV[1] the time (ms),
-- ARGV[2] how many at most, ARGV[3] the prefix of a note's lines' key.
-- Answers, per note: its key, its header, whether it is being written
-- (0/1), its lines.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local notes = {}
for i, key in ipairs(due) do
  local meta = redis.call('HGET', KEYS[2], key) or ''
  local writing = redis.call('SISMEMBER', KEYS[3], key)
  notes[i] = { key, meta, writing, redis.call('LRANGE', ARGV[3] .. key, 0, -1) }
end
return notes
