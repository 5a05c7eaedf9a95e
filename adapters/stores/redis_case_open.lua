-- Open a case: the guild's next number (INCR: atomic across processes, never reused), the
-- case kept under it, the guild's oldest case forgotten past the retention, the member's
-- index updated (newest numbers only, lapsing a while after the member's last case).
-- KEYS[1] the guild's case counter, KEYS[2] the guild's cases (hash: number -> JSON),
-- KEYS[3] the member's index (sorted set of numbers by number; absent for a case without
-- a member). ARGV[1] the case as JSON (its number is the hash field), ARGV[2] cases kept
-- per guild, ARGV[3] numbers kept per member, ARGV[4] the member index's TTL (ms).
-- Returns the number.
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
