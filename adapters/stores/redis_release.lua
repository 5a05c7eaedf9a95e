-- Release a lock this holder took: delete it only while it holds the holder's token.
-- KEYS: the lock; ARGV: the token. Returns 1 if released, 0 if another holds it (or none).
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
