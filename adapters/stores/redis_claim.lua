-- Claim one bucket's due scheduled actions under a lease, and take back those whose lease
-- ran out (claimed by a process that died before acknowledging them).
-- KEYS: scheduled, claimed; ARGV: now (due time, POSIX seconds), batch size, lease (ms)
-- Returns {due, reclaimed}. Leases run on the server's clock: processes' clocks may differ.
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local deadline = clock + tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', clock, 'LIMIT', 0, ARGV[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local leased = {}
for _, item in ipairs(expired) do
  leased[#leased + 1] = deadline
  leased[#leased + 1] = item
end
for _, item in ipairs(due) do
  leased[#leased + 1] = deadline
  leased[#leased + 1] = item
end
if #leased > 0 then redis.call('ZADD', KEYS[2], unpack(leased)) end
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return {due, expired}
