"""A state store in Redis, shared by the processes of a sharded or multi-process bot.

Install with ``pip install 'spamguard[redis]'`` (redis-py's asyncio client). The
connection URL comes from the ``url`` argument, else the policy's ``store: {url: ...}``,
else the environment variable ``SPAMGUARD_REDIS_URL``.

How one message is decided (two round trips, each one ``EVALSHA`` of a Lua script):

1. **load**: the script takes the message's locks, trims the message's windows by time
   and returns them, the member's state and recent messages, and the clean marks of
   every message in them;
2. the guard decides locally on exactly that state (:func:`spamguard.core.shard.decide`):
   the decision is the core's own code, not a copy of it in Lua;
3. **save**: the script applies what changed (new window entries, the member's state,
   new clean marks), sets TTLs and releases the locks. The plan's undos are not written
   here: the runtime hands each one to :meth:`RedisStore.schedule` once its punishment
   succeeded.

Keys are prefixed and guild-scoped (``<prefix>:g:<guild_id>:...``):

``w:<check>:<scope tag>:<ids>``
    a window: a sorted set scored by ``created_at``, one member per message
    (``id|channel|author|amount|text``, unique by message id, so two messages of the same
    millisecond never collide and a redelivery adds nothing). Trimmed to the window's
    horizon at each load, capped at :data:`~spamguard.core.windows.MAX_ENTRIES`, and given
    a TTL of the horizon (plus ``ttl_slack``) at each write: Redis memory is bounded by
    the windows.
``r:<user_id>``
    the member's recent messages (``id|channel|checksum`` by time), which make a
    redelivered message (same id, same content) a no-op and an edited one a replacement.
``m:<user_id>``
    the member's escalation counters and open incident (JSON), absent while at defaults;
    kept while counters matter (forever without an escalation ``decay``, like the
    in-memory guard), else for the policy's horizon.
``cleaned``
    ids already put in a delete action, so no message is deleted twice; by the message's
    time, cut to the horizon and to the newest ``max_clean_marks`` at each write.
``lock:u:<user_id>``, ``lock:c:<channel_id>``, ``lock:g``
    locks held from load to save (see below).

Scheduled actions live in ``<prefix>:scheduled``, a sorted set by due time; a Lua script
claims the due ones (read and remove in one step), so each goes to exactly one process
even with several polling.

Two processes, one decision: a message's load takes its member's lock, plus the channel's
when the guild's policy has a ``channel``-scoped check and the guild's for a
``guild``-scoped one, all or none in one atomic step; save releases them. Everything a
decision reads is covered by the locks it holds, so messages handled by several processes
are decided one after the other, exactly as one process would decide them in the order
they took the locks. A process that finds a lock taken waits (1 ms, doubling to 50 ms)
and loads again: only then does a message cost more than two round trips. Within one
process the same locks are taken as asyncio locks first, so its own messages queue
without polling Redis. A lock expires after ``lock_timeout`` seconds, so a crashed
process blocks nobody for longer.

Failures are never raised into the bot's event loop. Redis unreachable, timing out or
answering an error: the message gets an empty plan (it is not punished), the error is
logged and counted in :attr:`RedisStore.failures`. After a failure the store answers
empty plans at once for ``retry_interval`` seconds (so an outage costs no per-message
timeout), then tries Redis again; the client reconnects by itself and the store logs when
Redis is back. Scheduled actions that could not be written are kept in memory and written
at the next successful call. A load that timed out may still run on the server later and
take its locks; the store frees them at its next successful call rather than letting the
member wait for ``lock_timeout``.

One unreadable key is not an outage: a member key that does not decode, a window or
recent-messages entry that does not parse, or a key holding another Redis type (also
``<prefix>:scheduled``) is renamed ``<key>:bad:<UTC time>-<random>`` (kept, with its TTL,
for inspection), logged and counted in :attr:`RedisStore.bad_keys`; that part of the state
starts anew and everyone else is decided as before.

Limits, by design:

- a ``guild``-scoped check takes the guild's lock for every message of the guild, so that
  guild's messages are decided one at a time across all processes (member-scoped checks,
  the default, only serialise each member's own messages);
- windows are ordered by ``created_at`` (the in-memory guard keeps them in the same order);
- windows that plugins open through ``CheckContext.window`` and events decided outside
  :meth:`RedisStore.process` (``Guard.record_automod_execution``) use the deciding
  process's own guard state, not Redis;
- scheduled actions are taken out of Redis when claimed: one whose process dies between
  claiming and carrying it out is lost, and so is one whose claim reply is lost to a
  broken connection;
- Redis Cluster is not supported (the scripts touch one guild's keys and the scheduled
  set, which would sit in different slots).
"""

from __future__ import annotations

__all__ = ("DEFAULT_MAX_CLEAN_MARKS", "ENV_URL", "RedisStore", "StoreConfigError")

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import math
import os
import secrets
import typing
import weakref

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import NoScriptError, RedisError, ResponseError
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "RedisStore needs redis-py: pip install 'spamguard[redis]'"
    raise ImportError(msg) from exc

from spamguard.core import shard
from spamguard.core.errors import SnapshotError, SpamguardError
from spamguard.core.plan import Plan, ScheduledAction, check_run_at
from spamguard.core.policy import Scope
from spamguard.core.snapshot import check_member
from spamguard.core.state import MemberState
from spamguard.core.windows import MAX_ENTRIES

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Sequence

    from spamguard.core.guard import Guard
    from spamguard.core.messages import MessageLike

_LOGGER = logging.getLogger("spamguard.store.redis")

ENV_URL = "SPAMGUARD_REDIS_URL"
"""The environment variable read for the connection URL when neither the argument nor
the policy gives one."""

_BACKEND_ERRORS = (RedisError, OSError, TimeoutError)
_T = typing.TypeVar("_T")
_DEFAULT_MEMBER = {k: v for k, v in MemberState().to_dict().items() if k != "recent"}
_CLAIM_BATCH = 500
DEFAULT_MAX_CLEAN_MARKS: typing.Final = 100_000
"""Cleaned-message ids a guild's ``cleaned`` set keeps at most by default: a hundred
members' worth of the in-memory guard's :data:`~spamguard.core.state.MAX_CLEAN_MARKS`
(about 10 MB of Redis memory at the most)."""

# KEYS: locks..., member, recent, cleaned, windows...
# ARGV: token, lock ms, lock count, recent cutoff, message id, max entries, window cutoffs...
_LOAD = """
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
"""

# KEYS: locks..., member, recent, cleaned, windows...
# ARGV: token, lock count, changes (JSON; every number a string: ids exceed Lua's doubles)
_SAVE = """
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
"""

# KEYS: keys to look at; ARGV: name suffix, then per key the type it must hold ('' for
# any: set it aside whatever it holds). Returns key, new name, type found, per key moved.
_SET_ASIDE = """
local moved = {}
for i = 1, #KEYS do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind ~= 'none' and kind ~= ARGV[i + 1] then
    local bad = KEYS[i] .. ':bad:' .. ARGV[1]
    redis.call('RENAME', KEYS[i], bad)
    moved[#moved + 1] = KEYS[i]
    moved[#moved + 1] = bad
    moved[#moved + 1] = kind
  end
end
return moved
"""

# KEYS: scheduled; ARGV: now, batch size
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


class StoreConfigError(SpamguardError, ValueError):
    """A state store is configured wrongly (no or a bad connection URL)."""


class _LockBusyError(Exception):
    """Another process held a lock for longer than the store waits."""


class _Script:
    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


class _Keys(typing.NamedTuple):
    locks: tuple[str, ...]
    member: str
    recent: str
    cleaned: str
    windows: tuple[str, ...]


def _score(value: float) -> str:
    return repr(float(value))


def _ms(seconds: float) -> str:
    return str(max(1, math.ceil(seconds * 1000)))


def _encode_item(item: ScheduledAction) -> str:
    return json.dumps(item.to_dict(), sort_keys=True, separators=(",", ":"))


def _encode_entry(entry: Sequence[typing.Any]) -> str:
    _ts, mid, channel, author, amount, text = entry
    return f"{mid}|{channel}|{author}|{amount}|{text}"


def _pairs(flat: Sequence[str]) -> Iterable[tuple[str, float]]:
    return ((flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2))


def _diff(before: dict[str, str], after: dict[str, str], ttl: str) -> dict[str, typing.Any]:
    """Sorted-set changes from member -> score maps: what to add and what to remove."""
    add: list[str] = []
    for member, score in after.items():
        if member not in before:
            add += (score, member)
    return {"add": add, "rem": [m for m in before if m not in after], "ttl": ttl}


class RedisStore:
    """Keeps the guard's state in Redis, shared by every process that uses the same prefix.

    Args:
        url: ``redis://`` or ``rediss://`` URL (``unix://`` works too); default: the
            policy's ``store.url``, then ``$SPAMGUARD_REDIS_URL``.
        prefix: first part of every key, to share one Redis between bots.
        timeout: seconds a Redis call may take before it counts as failed.
        lock_timeout: seconds a message's locks live at most (a crashed process's locks
            free themselves then); also how long a message waits for a busy lock.
        retry_interval: after a failure, seconds during which messages fail open at once
            before Redis is tried again.
        ttl_slack: seconds added to every TTL, for clock skew between processes.
        max_clean_marks: ids of cleaned messages kept per guild at most (the newest;
            each mark also expires with the policy's horizon). A mark only matters while
            its message is still in a window, so a flood's marks past this are dropped
            oldest first rather than held for the whole horizon.
        client: a ready ``redis.asyncio.Redis`` (``decode_responses=True``) instead of a
            URL; the store does not close it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = "spamguard",
        timeout: float = 1.0,
        lock_timeout: float = 5.0,
        retry_interval: float = 1.0,
        ttl_slack: float = 30.0,
        max_clean_marks: int = DEFAULT_MAX_CLEAN_MARKS,
        client: aioredis.Redis | None = None,
    ) -> None:
        for name, value in (
            ("timeout", timeout),
            ("lock_timeout", lock_timeout),
            ("retry_interval", retry_interval),
        ):
            if not value > 0:
                msg = f"RedisStore {name} must be a positive number of seconds, got {value!r}"
                raise StoreConfigError(msg)
        if isinstance(max_clean_marks, bool) or not (
            isinstance(max_clean_marks, int) and max_clean_marks > 0
        ):
            msg = (
                "RedisStore max_clean_marks must be a positive whole number, "
                f"got {max_clean_marks!r}"
            )
            raise StoreConfigError(msg)
        if not prefix or any(c.isspace() for c in prefix):
            msg = f"RedisStore prefix must be a non-empty string without spaces, got {prefix!r}"
            raise StoreConfigError(msg)
        self.url = url
        """The URL in use (resolved at :meth:`open`)."""
        self.prefix = prefix
        self.timeout = timeout
        self.lock_timeout = lock_timeout
        self.retry_interval = retry_interval
        self.ttl_slack = ttl_slack
        self.max_clean_marks = max_clean_marks
        self.failures = 0
        """Operations answered fail-open (an empty plan, nothing claimed) so far."""
        self.round_trips = 0
        """Commands sent to Redis so far (no pipelining: each is one round trip)."""
        self.lock_waits = 0
        """Loads retried because another process held a lock."""
        self.bad_keys = 0
        """Keys set aside because they could not be read (see :meth:`process`)."""
        self._client = client
        self._owns_client = client is None
        self._load = _Script(_LOAD)
        self._save = _Script(_SAVE)
        self._claim = _Script(_CLAIM)
        self._set_aside_script = _Script(_SET_ASIDE)
        self._scheduled_key = f"{prefix}:scheduled"
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._failed_while_down = 0
        self._unsent: dict[str, ScheduledAction] = {}
        self._stale_locks: dict[str, tuple[_Keys, float]] = {}
        self._local_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    # -- connection ---------------------------------------------------------------------

    async def open(self, guard: Guard) -> None:
        """Connect and load the scripts. An unreachable Redis is logged and counted (the
        store keeps trying), not raised.

        Raises:
            StoreConfigError: no URL anywhere, or a URL redis-py cannot use.
        """
        if self._client is None:
            url = self.url or guard.policy.store_url or os.environ.get(ENV_URL)
            if not url:
                msg = (
                    "RedisStore needs a Redis URL: pass RedisStore(url=...), set "
                    f"store: {{url: redis://host:6379/0}} in the policy, or set ${ENV_URL}"
                )
                raise StoreConfigError(msg)
            try:
                self._client = aioredis.Redis.from_url(
                    url,
                    decode_responses=True,
                    socket_timeout=self.timeout,
                    socket_connect_timeout=self.timeout,
                    # One immediate retry when a pooled connection turned out dead (a
                    # restarted server); never on a timeout, which may have run the script.
                    retry=Retry(NoBackoff(), 1, (RedisConnectionError,)),
                )
            except ValueError as exc:
                msg = f"RedisStore url {url!r} is not usable: {exc} (e.g. redis://localhost:6379/0)"
                raise StoreConfigError(msg) from exc
            self.url = url
        try:
            await self._ensure_scripts()
        except _BACKEND_ERRORS as exc:
            self._failed("connect", exc)
        else:
            self._recovered()

    async def close(self) -> None:
        """Write scheduled actions still held in memory (if Redis is back) and disconnect."""
        client = self._client
        if client is None:
            return
        if self._unsent and self._available():
            with contextlib.suppress(*_BACKEND_ERRORS):
                await self._flush_unsent()
        if self._unsent:
            _LOGGER.error(
                "closing with %d scheduled action(s) not written to Redis: %s",
                len(self._unsent),
                [item.to_dict() for item in self._unsent.values()],
            )
        if self._owns_client:
            self._client = None
            with contextlib.suppress(*_BACKEND_ERRORS):
                await client.aclose()

    @property
    def client(self) -> aioredis.Redis:
        """The redis-py client."""
        if self._client is None:
            msg = "RedisStore is not open: call `await store.open(guard)` first"
            raise RuntimeError(msg)
        return self._client

    async def _ensure_scripts(self) -> None:
        self.round_trips += 1
        scripts = (self._load, self._save, self._claim, self._set_aside_script)
        loaded = await self.client.script_exists(*(script.sha for script in scripts))
        for script, present in zip(scripts, loaded, strict=True):
            if not present:
                self.round_trips += 1
                await self.client.script_load(script.source)

    async def _run(self, script: _Script, keys: Sequence[str], args: Sequence[str]) -> typing.Any:
        client = self.client
        self.round_trips += 1
        try:
            return await client.evalsha(script.sha, len(keys), *keys, *args)
        except NoScriptError:
            # The server restarted (or SCRIPT FLUSH): load it once more.
            self.round_trips += 2
            await client.script_load(script.source)
            return await client.evalsha(script.sha, len(keys), *keys, *args)

    # -- failure handling -----------------------------------------------------------------

    def _available(self) -> bool:
        if self._client is None:
            return False
        return self._down_since is None or _clock() >= self._retry_at

    def _failed(self, what: str, exc: BaseException) -> None:
        self.failures += 1
        now = _clock()
        if self._down_since is None:
            self._down_since = now
            self._failed_while_down = 0
            _LOGGER.error(
                "Redis store failed on %s (%s: %s); failing open (messages are not "
                "punished) and retrying every %gs",
                what,
                type(exc).__name__,
                exc,
                self.retry_interval,
            )
        else:
            _LOGGER.error(
                "Redis store still unavailable (%s on %s: %s)", type(exc).__name__, what, exc
            )
        self._failed_while_down += 1
        self._retry_at = now + self.retry_interval

    def _skipped(self, what: str) -> None:
        self.failures += 1
        self._failed_while_down += 1
        _LOGGER.debug("Redis store unavailable: %s failed open", what)

    def _recovered(self) -> None:
        if self._down_since is not None:
            _LOGGER.warning(
                "Redis store reachable again after %.1fs; %d operation(s) failed open meanwhile",
                _clock() - self._down_since,
                self._failed_while_down,
            )
            self._down_since = None

    # -- messages ---------------------------------------------------------------------------

    def _keys(self, spot: shard.Footprint) -> _Keys:
        base = f"{self.prefix}:g:{spot.guild_id}"
        locks = [f"{base}:lock:u:{spot.user_id}"]
        scopes = {spec.scope for spec in spot.windows}
        if Scope.CHANNEL in scopes:
            locks.append(f"{base}:lock:c:{spot.channel_id}")
        if Scope.GUILD in scopes:
            locks.append(f"{base}:lock:g")
        return _Keys(
            locks=tuple(sorted(locks)),
            member=f"{base}:m:{spot.user_id}",
            recent=f"{base}:r:{spot.user_id}",
            cleaned=f"{base}:cleaned",
            # The guard's key is (check, scope tag, guild id, *ids): the guild is in `base`.
            windows=tuple(
                f"{base}:w:" + ":".join(str(part) for part in (spec.key[:2] + spec.key[3:]))
                for spec in spot.windows
            ),
        )

    @contextlib.asynccontextmanager
    async def _locked_here(self, names: Sequence[str]) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for name in names:  # sorted: no two messages wait on each other in a cycle
                lock = self._local_locks.get(name)
                if lock is None:
                    lock = self._local_locks[name] = asyncio.Lock()
                await stack.enter_async_context(lock)
            yield

    def _empty_plan(self, guard: Guard, message: MessageLike) -> Plan:
        return Plan(
            message_id=message.id,
            guild_id=message.guild_id,
            user_id=message.author_id,
            channel_id=message.channel_id,
            dry_run=guard.policy.for_guild(message.guild_id).dry_run,
        )

    async def process(self, guard: Guard, message: MessageLike) -> Plan:
        """Decide ``message`` with ``guard`` against the state in Redis, and save the result.

        A message the guard skips without looking at state (a DM, a bot, an exempt member)
        costs no round trip. On any Redis failure: an empty plan, logged and counted.

        A key this store cannot read (the member's JSON, a window entry, a key of another
        type) is renamed ``<key>:bad:<UTC time>-<random>``, logged and counted in
        :attr:`bad_keys`; what it held starts anew (a bad member key: the member is
        decided as new) and the store does not fail open for it.
        """
        spot = shard.footprint(guard, message)
        if spot is None:
            return guard.process(message)
        if not self._available():
            self._skipped("a message")
            return self._empty_plan(guard, message)
        keys = self._keys(spot)
        now_ts = message.created_at.timestamp()
        token = secrets.token_hex(8)
        async with self._locked_here(keys.locks):
            try:
                if self._stale_locks:
                    await self._release_stale_locks()
                reply = await self._load_readable(spot, keys, token, message.id, now_ts)
            except _LockBusyError as exc:
                self.failures += 1
                _LOGGER.error("message %s failed open: %s", message.id, exc)
                return self._empty_plan(guard, message)
            except _BACKEND_ERRORS as exc:
                # The script may still run (a timeout): free its locks once Redis answers.
                self._stale_locks[token] = (keys, _clock())
                self._failed("load", exc)
                return self._empty_plan(guard, message)
            self._recovered()
            try:
                state, before, unreadable = _decode_load(spot, keys, reply)
                if unreadable:
                    await self._set_aside(
                        dict.fromkeys(unreadable, ""),
                        unreadable,
                        "its part of the state starts anew",
                    )
                plan, after = shard.decide(guard, message, state)
            except _BACKEND_ERRORS as exc:
                self._stale_locks[token] = (keys, _clock())
                self._failed("setting aside unreadable keys", exc)
                return self._empty_plan(guard, message)
            except (SnapshotError, ValueError, KeyError, TypeError, IndexError) as exc:
                await self._unlock_quietly(keys, token)
                self._failed("decoding the stored state", exc)
                return self._empty_plan(guard, message)
            except BaseException:
                # A plugin raised: free the locks now rather than after lock_timeout.
                await self._unlock_quietly(keys, token)
                raise
            changes = self._changes(guard, spot, now_ts, before, after)
            try:
                await self._run(
                    self._save,
                    (*keys.locks, keys.member, keys.recent, keys.cleaned, *keys.windows),
                    (token, str(len(keys.locks)), json.dumps(changes, separators=(",", ":"))),
                )
            except _BACKEND_ERRORS as exc:
                self._stale_locks[token] = (keys, _clock())
                self._failed("save", exc)
                return self._empty_plan(guard, message)
        return plan

    async def _load_readable(
        self, spot: shard.Footprint, keys: _Keys, token: str, message_id: int, now_ts: float
    ) -> typing.Any:
        """:meth:`_load_locked`; a key of the wrong type (the script fails on it, for
        every message of the member) is set aside and the load runs once more."""
        try:
            return await self._load_locked(spot, keys, token, message_id, now_ts)
        except ResponseError as exc:
            if not _wrong_type(exc):
                raise
            expected = dict.fromkeys(keys.locks, "string")
            expected[keys.member] = "string"
            for key in (keys.recent, keys.cleaned, *keys.windows):
                expected[key] = "zset"
            if not await self._set_aside(expected, {}, "its part of the state starts anew"):
                raise
        return await self._load_locked(spot, keys, token, message_id, now_ts)

    async def _set_aside(
        self, expected: dict[str, str], reasons: dict[str, str], consequence: str
    ) -> int:
        """Rename the keys of ``expected`` that do not hold the type it names ('' for any)
        to ``<key>:bad:<UTC time>-<random>``, kept for inspection (with their TTL); log and
        count each one. Returns how many were moved."""
        suffix = (
            datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            + "-"
            + secrets.token_hex(3)
        )
        moved = await self._run(
            self._set_aside_script, tuple(expected), (suffix, *expected.values())
        )
        for index in range(0, len(moved), 3):
            key, bad, kind = moved[index : index + 3]
            self.bad_keys += 1
            reason = reasons.get(key) or f"a {kind} where a {expected[key]} belongs"
            _LOGGER.error(
                "unreadable Redis key %s (%s) set aside as %s; %s",
                key,
                reason,
                bad,
                consequence,
            )
        return len(moved) // 3

    async def _on_scheduled(self, call: Callable[[], typing.Awaitable[_T]]) -> _T:
        """``call()`` on the scheduled set; when that key holds another type (every call
        would fail), set it aside and call once more."""
        try:
            return await call()
        except ResponseError as exc:
            if not _wrong_type(exc):
                raise
            key = self._scheduled_key
            consequence = "new scheduled actions go to a new set"
            if not await self._set_aside({key: "zset"}, {}, consequence):
                raise
        return await call()

    async def _load_locked(
        self, spot: shard.Footprint, keys: _Keys, token: str, message_id: int, now_ts: float
    ) -> typing.Any:
        args = (
            token,
            _ms(self.lock_timeout),
            str(len(keys.locks)),
            _score(now_ts - spot.horizon),
            str(message_id),
            str(MAX_ENTRIES),
            *(_score(now_ts - spec.horizon) for spec in spot.windows),
        )
        all_keys = (*keys.locks, keys.member, keys.recent, keys.cleaned, *keys.windows)
        deadline = _clock() + self.lock_timeout
        pause = 0.001
        while True:
            reply = await self._run(self._load, all_keys, args)
            if reply[0] == 1:
                return reply
            self.lock_waits += 1
            if _clock() >= deadline:
                msg = f"locks {', '.join(keys.locks)} held elsewhere for over {self.lock_timeout}s"
                raise _LockBusyError(msg)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _unlock(self, keys: _Keys, token: str) -> None:
        await self._run(
            self._save,
            (*keys.locks, keys.member, keys.recent, keys.cleaned),
            (token, str(len(keys.locks)), "{}"),
        )

    async def _unlock_quietly(self, keys: _Keys, token: str) -> None:
        try:
            await self._unlock(keys, token)
        except _BACKEND_ERRORS:
            self._stale_locks[token] = (keys, _clock())

    async def _release_stale_locks(self) -> None:
        """Free the locks of loads and saves that failed: a timed-out script may have run
        after all, and its locks would block the member for ``lock_timeout``."""
        expired = _clock() - self.lock_timeout
        for token, (keys, since) in list(self._stale_locks.items()):
            if since > expired:  # older ones have expired in Redis by now
                await self._unlock(keys, token)
            del self._stale_locks[token]

    def _changes(
        self,
        guard: Guard,
        spot: shard.Footprint,
        now_ts: float,
        before: _Before,
        after: dict[str, typing.Any],
    ) -> dict[str, typing.Any]:
        """The save script's argument: what the decision changed, with TTLs."""
        slack = self.ttl_slack
        horizon_ttl = _ms(spot.horizon + slack)
        changes: dict[str, typing.Any] = {}

        member: dict[str, typing.Any] = {}
        recent: dict[str, str] = {}
        for _g, _u, data in after.get("members", ()):
            member = dict(data)
            for mid, ts, channel, crc in member.pop("recent"):
                recent[f"{mid}|{channel}|{crc}"] = _score(ts)
        if member == _DEFAULT_MEMBER:
            member = {}
        encoded = json.dumps(member, sort_keys=True, separators=(",", ":")) if member else ""
        if encoded != before.member:
            changes["m"] = encoded
            changes["mttl"] = self._member_ttl(guard, spot, member)
        changes["r"] = _diff(before.recent, recent, horizon_ttl)

        cleaned: list[str] = []
        for mid, ts in after.get("cleaned", ()):
            if str(mid) not in before.cleaned:
                cleaned += (_score(ts), str(mid))
        if cleaned:
            changes["c"] = {
                "add": cleaned,
                "cut": _score(now_ts - spot.horizon),
                "keep": str(self.max_clean_marks),
                "ttl": horizon_ttl,
            }

        windows = []
        for spec, (_key, _kind, _horizon, entries), old in zip(
            spot.windows, after.get("windows", ()), before.windows, strict=True
        ):
            new = {_encode_entry(entry): _score(entry[0]) for entry in entries}
            windows.append(_diff(old, new, _ms(spec.horizon + slack)))
        changes["w"] = windows
        return changes

    def _member_ttl(
        self, guard: Guard, spot: shard.Footprint, member: dict[str, typing.Any]
    ) -> str:
        """``"0"`` (no TTL) while escalation counters matter with no decay to end them."""
        counters = any(
            member.get(name)
            for name in ("warn_count", "timeout_count", "kick_count", "ban_count", "violations")
        )
        ladder = guard.policy.for_guild(spot.guild_id).escalation
        decay = None if ladder is None else ladder.decay
        if counters and decay is None:
            return "0"
        return _ms(max(spot.horizon, decay or 0) + self.ttl_slack)

    # -- scheduled actions -------------------------------------------------------------------

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """Keep scheduled actions in Redis until due (the runtime passes an undo once its
        punishment succeeded). On failure they are kept in memory and written at the next
        call that reaches Redis.

        Raises:
            spamguard.core.ScheduleError: an item's ``run_at`` is timezone-naive (nothing
                of this call is kept).
        """
        for item in items:
            check_run_at(item.run_at)
        for item in items:
            self._unsent[_encode_item(item)] = item
        if not self._unsent:
            return
        if not self._available():
            self._skipped("scheduling")
            return
        try:
            await self._flush_unsent()
        except _BACKEND_ERRORS as exc:
            self._failed("schedule", exc)
        else:
            self._recovered()

    async def _flush_unsent(self) -> None:
        batch = dict(self._unsent)
        mapping = {encoded: item.run_at.timestamp() for encoded, item in batch.items()}
        self.round_trips += 1
        await self._on_scheduled(lambda: self.client.zadd(self._scheduled_key, mapping))
        for encoded in batch:
            self._unsent.pop(encoded, None)

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """Take every scheduled action due at ``now`` out of Redis, earliest first; each is
        handed to exactly one caller across processes. On failure: nothing (the actions
        stay in Redis for the next call)."""
        if not self._available():
            self._skipped("claiming scheduled actions")
            return ()
        claimed: list[ScheduledAction] = []
        try:
            if self._unsent:
                await self._flush_unsent()
            while True:
                batch = await self._on_scheduled(
                    lambda: self._run(
                        self._claim,
                        (self._scheduled_key,),
                        (_score(now.timestamp()), str(_CLAIM_BATCH)),
                    )
                )
                claimed.extend(_decode_items(batch))
                if len(batch) < _CLAIM_BATCH:
                    break
        except _BACKEND_ERRORS as exc:
            self._failed("claim", exc)
        else:
            self._recovered()
        return tuple(sorted(claimed, key=lambda item: item.run_at))

    async def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due (None: nothing scheduled). While Redis
        is unavailable: ``retry_interval`` from now, so the caller asks again soon."""
        retry = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
            seconds=self.retry_interval
        )
        if not self._available():
            return retry
        try:
            self.round_trips += 1
            first = typing.cast(
                "list[str]",
                await self._on_scheduled(lambda: self.client.zrange(self._scheduled_key, 0, 0)),
            )
        except _BACKEND_ERRORS as exc:
            self._failed("next_due", exc)
            return retry
        self._recovered()
        times = [item.run_at for item in (*_decode_items(first), *self._unsent.values())]
        return min(times, default=None)


class _Before(typing.NamedTuple):
    member: str
    recent: dict[str, str]
    cleaned: frozenset[str]
    windows: tuple[dict[str, str], ...]


def _decode_items(raw: Iterable[str]) -> list[ScheduledAction]:
    items = []
    for encoded in raw:
        try:
            items.append(ScheduledAction.from_dict(json.loads(encoded)))
        except (ValueError, KeyError, TypeError):
            _LOGGER.exception("dropping an unreadable scheduled action from Redis: %r", encoded)
    return items


def _wrong_type(error: BaseException) -> bool:
    return "WRONGTYPE" in str(error)


def _decode_load(
    spot: shard.Footprint, keys: _Keys, reply: Sequence[typing.Any]
) -> tuple[dict[str, typing.Any], _Before, dict[str, str]]:
    """The load script's reply as an exchange-format slice, the raw state it came from,
    and the keys that could not be read (key -> why): each is left out, as if absent."""
    _ok, member_raw, recent_flat, windows_flat, cleaned_flat = reply
    unreadable: dict[str, str] = {}
    member = dict(_DEFAULT_MEMBER)
    if member_raw:
        try:
            stored = json.loads(member_raw)
            if not isinstance(stored, dict):
                msg = f"a JSON object is expected, got {type(stored).__name__}"
                raise SnapshotError(msg)
            member.update(stored)
            check_member({**member, "recent": []}, "member")
        except (ValueError, SnapshotError) as exc:
            unreadable[keys.member] = str(exc)
            member, member_raw = dict(_DEFAULT_MEMBER), ""
    recent_raw = dict(zip(recent_flat[::2], recent_flat[1::2], strict=True))
    recent = []
    try:
        for encoded, score in _pairs(recent_flat):
            mid, channel, crc = encoded.split("|")
            recent.append([int(mid), score, int(channel), int(crc)])
    except ValueError as exc:
        unreadable[keys.recent] = f"an entry is not id|channel|checksum ({exc})"
        recent, recent_raw = [], {}
    member["recent"] = recent
    windows = []
    raw_windows = []
    for spec, key, flat in zip(spot.windows, keys.windows, windows_flat, strict=True):
        entries = []
        raw = dict(zip(flat[::2], flat[1::2], strict=True))
        try:
            for encoded, score in _pairs(flat):
                mid, channel, author, amount, text = encoded.split("|", 4)
                entries.append([score, int(mid), int(channel), int(author), int(amount), text])
        except ValueError as exc:
            unreadable[key] = f"an entry is not id|channel|author|amount|text ({exc})"
            entries, raw = [], {}
        windows.append([list(spec.key), "text" if spec.text else "sum", spec.horizon, entries])
        raw_windows.append(raw)
    cleaned = list(_pairs(cleaned_flat))
    state = {
        "members": [[spot.guild_id, spot.user_id, member]] if member_raw or recent else [],
        "windows": windows,
        "cleaned": [[int(mid), ts] for mid, ts in cleaned],
    }
    before = _Before(
        member=member_raw or "",
        recent=recent_raw,
        cleaned=frozenset(mid for mid, _ts in cleaned),
        windows=tuple(raw_windows),
    )
    return state, before, unreadable


def _clock() -> float:
    return asyncio.get_running_loop().time()
