-- Save a case as it is now, only while the guild still keeps it (not past the retention).
-- KEYS[1] the guild's cases (hash: number -> JSON); ARGV[1] the number, ARGV[2] the JSON.
-- Returns 1 if saved, 0 if the case is no longer kept.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
