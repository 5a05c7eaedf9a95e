-- Rename keys holding the wrong type to <key>:bad:<suffix>, in the key's Redis Cluster
-- slot: a key without a hash tag becomes {<key>}:bad:<suffix> (its tag: the whole key).
-- KEYS: keys to look at; ARGV: name suffix, then per key the type it must hold ('' for
-- any: set it aside whatever it holds). Returns key, new name, type found, per key moved.
local moved = {}
for i = 1, #KEYS do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind ~= 'none' and kind ~= ARGV[i + 1] then
    local bad = KEYS[i] .. ':bad:' .. ARGV[1]
    if not string.find(KEYS[i], '{[^}]+}') then bad = '{' .. KEYS[i] .. '}:bad:' .. ARGV[1] end
    redis.call('RENAME', KEYS[i], bad)
    moved[#moved + 1] = KEYS[i]
    moved[#moved + 1] = bad
    moved[#moved + 1] = kind
  end
end
return moved
