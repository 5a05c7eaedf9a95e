-- Apply one decision's changes, set TTLs and release the locks.
-- KEYS: locks..., member, recent, cleaned, windows...
-- ARGV: token, lock count, changes (JSON; every number a string: ids exceed Lua's doubles)
local nlocks = tonumber(ARGV[2])
local p = cjson.decode(ARGV[3])
local function apply(cmd, key, list)
  if not list then return end
  for start = 1, #list, 500 do
    local chunk = {}
    for i = start, math.min(start + 499, #list) do chunk[#chunk + 1] = list[i] end
    redis.call(cmd, key, unpack(chunk))
  end
end
local function update(key, d)
  if not d then return end
  apply('ZREM', key, d.rem)
  if d.add and #d.add > 0 then
    apply('ZADD', key, d.add)
    if d.cut then redis.call('ZREMRANGEBYSCORE', key, '-inf', d.cut) end
    if d.keep then redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(d.keep) + 1)) end
    redis.call('PEXPIRE', key, d.ttl)
  end
end
if p.m then
  local key = KEYS[nlocks + 1]
  if p.m == '' then redis.call('DEL', key)
  elseif p.mttl == '0' then redis.call('SET', key, p.m)
  else redis.call('SET', key, p.m, 'PX', p.mttl) end
end
update(KEYS[nlocks + 2], p.r)
update(KEYS[nlocks + 3], p.c)
if p.w then
  for w, d in ipairs(p.w) do update(KEYS[nlocks + 3 + w], d) end
end
for i = 1, nlocks do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
