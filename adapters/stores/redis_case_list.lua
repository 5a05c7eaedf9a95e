-- A member's newest cases. KEYS[1] the guild's cases (hash: number -> JSON), KEYS[2] the
-- member's index (sorted set of numbers); ARGV[1] how many at most.
-- Returns number, JSON, number, JSON, ... newest first (numbers past the retention left out).
local numbers = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
if #numbers == 0 then
  return {}
end
local rows = redis.call('HMGET', KEYS[1], unpack(numbers))
local found = {}
for index, number in ipairs(numbers) do
  if rows[index] then
    found[#found + 1] = number
    found[#found + 1] = rows[index]
  end
end
return found
