-- Write a guild's part behind, fenced: only its owner writes it. A guild without an owner
-- (never taken, or Redis lost its data) is claimed by the writer.
-- KEYS: owner, part; ARGV: this process's token, the part's JSON ('' deletes the part).
-- Returns 'ok', or the token of the process that took the guild over (nothing written).
local owner = false
if redis.call('TYPE', KEYS[1]).ok == 'string' then owner = redis.call('GET', KEYS[1]) end
if owner and owner ~= ARGV[1] then return owner end
if not owner then redis.call('SET', KEYS[1], ARGV[1]) end
if ARGV[2] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[2]) end
return 'ok'
