-- Load one message's state and take its locks (all or none).
-- KEYS: locks..., member, recent, cleaned, windows...
-- ARGV: token, lock ms, lock count, recent cutoff, message id, max entries, window cutoffs...
-- Returns {0} when another token holds a lock, else
-- {1, member, recent, windows, cleaned}.
local nlocks = tonumber(ARGV[3])
for i = 1, nlocks do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[1] then return {0} end
end
for i = 1, nlocks do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
local member = redis.call('GET', KEYS[nlocks + 1])
local recent_key = KEYS[nlocks + 2]
redis.call('ZREMRANGEBYSCORE', recent_key, '-inf', ARGV[4])
local recent = redis.call('ZRANGE', recent_key, 0, -1, 'WITHSCORES')
local seen, ids = {[ARGV[5]] = true}, {ARGV[5]}
local function collect(list)
  for i = 1, #list, 2 do
    local id = string.match(list[i], '^[^|]+')
    if not seen[id] then seen[id] = true; ids[#ids + 1] = id end
  end
end
collect(recent)
local windows, keep = {}, -(tonumber(ARGV[6]) + 1)
for w = 1, #KEYS - nlocks - 3 do
  local key = KEYS[nlocks + 3 + w]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[6 + w])
  redis.call('ZREMRANGEBYRANK', key, 0, keep)
  local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  collect(entries)
  windows[w] = entries
end
local cleaned = {}
for start = 1, #ids, 500 do
  local chunk = {}
  for i = start, math.min(start + 499, #ids) do chunk[#chunk + 1] = ids[i] end
  local scores = redis.call('ZMSCORE', KEYS[nlocks + 3], unpack(chunk))
  for i = 1, #chunk do
    if scores[i] then cleaned[#cleaned + 1] = chunk[i]; cleaned[#cleaned + 1] = scores[i] end
  end
end
return {1, member, recent, windows, cleaned}
