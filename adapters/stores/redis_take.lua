-- Take a guild over: become its owner (the fencing token the write script checks) and read
-- its part. KEYS: owner, part; ARGV: this process's token.
-- Returns {part or nil, the part key's type, the previous owner or nil}.
local previous = false
if redis.call('TYPE', KEYS[1]).ok == 'string' then previous = redis.call('GET', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[1])
local kind = redis.call('TYPE', KEYS[2]).ok
local part = false
if kind == 'string' then part = redis.call('GET', KEYS[2]) end
return {part, kind, previous}
