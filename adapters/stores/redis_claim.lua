-- Take the due scheduled actions out of the set (read and remove in one step).
-- KEYS: scheduled; ARGV: now, batch size
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
