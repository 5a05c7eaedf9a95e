-- Open a case: the guild's next number (INCR: atomic across processes, never reused), the
-- case kept under it, the guild's oldest case forgotten past the retention, the member's
-- index updated (newest numbers only, lapsing a while after the member's last case).
-- KEYS[1] the guild's case counter, KEYS[2] the guild's cases (hash: number -> JSON),
-- KEYS[3] the member's index (sorted set of numbers by number; absent for a case without
-- a member). ARGV[1] the case as JSON (its number is the hash field), ARGV[2] cases kept
-- per guild, ARGV[3] numbers kept per member, ARGV[4] the member index's TTL (ms).
-- Returns the number. A counter that is gone (deleted, evicted, set aside as unreadable)
-- counts on from the highest case kept, so no kept case is overwritten.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local highest = 0
  for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
    local kept = tonumber(field)
    if kept and kept > highest then highest = kept end
  end
  if highest > 0 then redis.call('SET', KEYS[1], highest) end
end
local number = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], number, ARGV[1])
local keep = tonumber(ARGV[2])
if number > keep then
  redis.call('HDEL', KEYS[2], number - keep)
end
if KEYS[3] then
  redis.call('ZADD', KEYS[3], number, number)
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[3]) + 1))
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return number
