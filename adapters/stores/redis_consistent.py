"""The consistent Redis store: every message decided against Redis, under locks.

For the rare deployment that does not partition its events by guild (any process may see
any guild's messages); a sharded bot wants the guild-owned store
(:mod:`~spamguard.adapters.stores.redis_owned`, ``RedisStore``), which decides from memory.

Install with ``pip install 'spamguard[redis]'`` (redis-py's asyncio client). The
connection URL comes from the ``url`` argument, else the policy's ``store: {url: ...}``,
else the environment variable ``SPAMGUARD_REDIS_URL``.

How one message is decided (two round trips, each one ``EVALSHA`` of a Lua script):

1. **load**: the script takes the message's locks, trims the message's windows by time
   and returns them, the member's state and recent messages, and the clean marks of
   every message in them;
2. the guard decides locally on exactly that state (:meth:`spamguard.core.Guard.process_slice`):
   the decision is the core's own code, not a copy of it in Lua;
3. **save**: the script applies what changed (new window entries, the member's state,
   new clean marks), sets TTLs and releases the locks. The plan's undos are not written
   here: the runtime hands each one to :meth:`ConsistentRedisStore.schedule` once its punishment
   succeeded.

The keys (``<prefix>:{g:<guild_id>}:...``: windows, the member's state and recent messages,
clean marks, locks; ``<prefix>:{s:<bucket>}:...`` for scheduled actions) are described in
:mod:`~spamguard.adapters.stores.redis_layout`; the scripts are the ``redis_*.lua`` files
of this package (:mod:`~spamguard.adapters.stores.redis_scripts`). Scheduled actions are
claimed under a lease and acknowledged once carried out
(:mod:`~spamguard.adapters.stores.redis_scheduled`), so each is carried out once across
processes, also when the process that claimed it dies.

Two processes, one decision: a message's load takes its member's lock (plus the channel's
or the guild's for checks of those scopes) and its save releases them, so messages handled
by several processes are decided one after the other, exactly as one process would decide
them (:mod:`~spamguard.adapters.stores.redis_locks`).

Redis Cluster works unchanged: the store sees at the first contact that the URL's server
is a cluster node and uses a cluster client (every script touches one slot; see
:mod:`~spamguard.adapters.stores.redis_connection`).

Failures are never raised into the bot's event loop. Redis unreachable, timing out or
answering an error: the message gets an empty plan (it is not punished), the error is
logged and counted in :attr:`ConsistentRedisStore.failures`. After a failure the store answers
empty plans at once for ``retry_interval`` seconds (so an outage costs no per-message
timeout), then tries Redis again; the client reconnects by itself and the store logs when
Redis is back. Scheduled actions that could not be written are kept in memory and written
at the next successful call (:mod:`~spamguard.adapters.stores.redis_connection`).

One unreadable key is not an outage: a member key that does not decode, a window or
recent-messages entry that does not parse, or a key holding another Redis type (also
``<prefix>:scheduled``) is renamed ``<key>:bad:<UTC time>-<random>`` (kept, with its TTL,
for inspection), logged and counted in :attr:`ConsistentRedisStore.bad_keys`; that part of the state
starts anew and everyone else is decided as before.

Limits, by design:

- a ``guild``-scoped check takes the guild's lock for every message of the guild, so that
  guild's messages are decided one at a time across all processes (member-scoped checks,
  the default, only serialise each member's own messages);
- windows are ordered by ``created_at`` (the in-memory guard keeps them in the same order);
- windows that plugins open through ``CheckContext.window`` (not the member's texts of
  ``CheckContext.texts``: a window of the policy's, kept in Redis) and events decided outside
  :meth:`ConsistentRedisStore.process` and :meth:`ConsistentRedisStore.handle_event`
  (``Guard.record_automod_execution``) use the deciding process's own guard state, not
  Redis; a join's ``JoinContext.member_joined_at`` knows the joiner's own join only;
- every join of a guild takes the guild's lock and rewrites the guild's join windows (one
  JSON value, at most ``MAX_ENTRIES`` entries a window): a join flood is decided one join
  at a time across processes;
- a scheduled action claimed by a process that dies before acknowledging it is carried
  out by another process once its lease ends (``claim_lease``, 60 s): that late, and
  twice if the dead process had carried it out already (see
  :mod:`~spamguard.adapters.stores.redis_scheduled`);
"""

from __future__ import annotations

__all__ = ("DEFAULT_MAX_CLEAN_MARKS", "ENV_URL", "ConsistentRedisStore", "StoreConfigError")

import json
import logging
import secrets
import typing

from spamguard.adapters.stores.base import StoreConfigError
from spamguard.adapters.stores.redis_base import ENV_URL, RedisBase, check_seconds, check_whole
from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS, Client
from spamguard.adapters.stores.redis_joins import MemberEvents
from spamguard.adapters.stores.redis_layout import decode_load, message_keys, save_changes
from spamguard.adapters.stores.redis_locks import LockBusyError, MessageLocks
from spamguard.adapters.stores.redis_scheduled import DEFAULT_CLAIM_LEASE
from spamguard.adapters.stores.redis_scripts import SAVE
from spamguard.core.errors import SnapshotError
from spamguard.core.plan import Plan

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core.engine import Guard
    from spamguard.core.events import MemberEvent
    from spamguard.core.messages import MessageLike

_LOGGER = logging.getLogger("spamguard.store.redis")

DEFAULT_MAX_CLEAN_MARKS: typing.Final = 100_000
"""Cleaned-message ids a guild's ``cleaned`` set keeps at most by default: a hundred
members' worth of the in-memory guard's :data:`~spamguard.core.engine.members.MAX_CLEAN_MARKS`
(about 10 MB of Redis memory at the most)."""


class ConsistentRedisStore(RedisBase):
    """Decides every message against the state in Redis, under locks, so that any process
    sharing the prefix may decide any message: for the rare deployment that does not
    partition its events by guild (a sharded bot wants the guild-owned
    :class:`~spamguard.adapters.stores.redis_owned.RedisStore`).

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
        claim_lease: seconds a claimed scheduled action is reserved for the process that
            claimed it: if that process does not acknowledge it (:meth:`done`) by then, the
            next process that looks claims and carries it out again.
        client: a ready ``redis.asyncio.Redis``, or ``redis.asyncio.RedisCluster`` for a
            cluster (``decode_responses=True``), instead of a URL; the store does not close
            it. (From a URL the store finds out itself whether the server is a cluster
            node.)
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
        claim_lease: float = DEFAULT_CLAIM_LEASE,
        client: Client | None = None,
    ) -> None:
        super().__init__(
            url,
            prefix=prefix,
            timeout=timeout,
            retry_interval=retry_interval,
            client=client,
            claim_lease=claim_lease,
        )
        check_seconds("ConsistentRedisStore", lock_timeout=lock_timeout)
        check_whole("ConsistentRedisStore", max_clean_marks=max_clean_marks)
        self.lock_timeout = lock_timeout
        self.ttl_slack = ttl_slack
        self.max_clean_marks = max_clean_marks
        self._locks = MessageLocks(self._connection, lock_timeout)
        self._members = MemberEvents(
            self._connection,
            self._locks,
            prefix,
            ttl_slack=ttl_slack,
            max_clean_marks=max_clean_marks,
        )

    @property
    def lock_waits(self) -> int:
        """Loads retried because another process held a lock."""
        return self._locks.waits

    # -- connection ---------------------------------------------------------------------

    async def open(self, guard: Guard) -> None:
        """Connect and load the scripts. An unreachable Redis is logged and counted (the
        store keeps trying), not raised.

        Raises:
            StoreConfigError: no URL anywhere, or a URL redis-py cannot use.
        """
        await self._connect(guard)

    async def close(self) -> None:
        """Write scheduled actions and acknowledgements still held in memory (if Redis is
        back) and disconnect."""
        await self._disconnect()

    # -- messages ---------------------------------------------------------------------------

    def _empty_plan(self, guard: Guard, message: MessageLike) -> Plan:
        return Plan(
            message_id=message.id,
            guild_id=message.guild_id,
            user_id=message.author_id,
            channel_id=message.channel_id,
            dry_run=guard.policy_for(message.guild_id).dry_run,
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
        spot = guard.footprint(message)
        if spot is None:
            return guard.process(message)
        if not self._connection.available():
            self._connection.skipped("a message")
            return self._empty_plan(guard, message)
        keys = message_keys(self.prefix, spot)
        now_ts = message.created_at.timestamp()
        token = secrets.token_hex(8)
        async with self._locks.held_here(keys.locks):
            try:
                await self._locks.release_stale()
                reply = await self._locks.load(spot, keys, token, message.id, now_ts)
            except LockBusyError as exc:
                self._connection.failures += 1
                _LOGGER.error("message %s failed open: %s", message.id, exc)
                return self._empty_plan(guard, message)
            except BACKEND_ERRORS as exc:
                # The script may still run (a timeout): free its locks once Redis answers.
                self._locks.may_be_held(keys, token)
                self._connection.failed("load", exc)
                return self._empty_plan(guard, message)
            self._connection.recovered()
            try:
                state, before, unreadable = decode_load(spot, keys, reply)
                if unreadable:
                    await self._connection.set_aside(
                        dict.fromkeys(unreadable, ""),
                        unreadable,
                        "its part of the state starts anew",
                    )
                plan, after = guard.process_slice(message, state)
            except BACKEND_ERRORS as exc:
                self._locks.may_be_held(keys, token)
                self._connection.failed("setting aside unreadable keys", exc)
                return self._empty_plan(guard, message)
            except (SnapshotError, ValueError, KeyError, TypeError, IndexError) as exc:
                await self._locks.unlock_quietly(keys, token)
                self._connection.failed("decoding the stored state", exc)
                return self._empty_plan(guard, message)
            except BaseException:
                # A plugin raised: free the locks now rather than after lock_timeout.
                await self._locks.unlock_quietly(keys, token)
                raise
            changes = save_changes(
                guard,
                spot,
                now_ts,
                before,
                after,
                ttl_slack=self.ttl_slack,
                max_clean_marks=self.max_clean_marks,
            )
            try:
                await self._connection.run(
                    SAVE,
                    (*keys.locks, keys.member, keys.recent, keys.cleaned, *keys.windows),
                    (token, str(len(keys.locks)), json.dumps(changes, separators=(",", ":"))),
                )
            except BACKEND_ERRORS as exc:
                self._locks.may_be_held(keys, token)
                self._connection.failed("save", exc)
                return self._empty_plan(guard, message)
        return plan

    async def release(self, lost: Callable[[int], bool]) -> None:
        """Nothing to hand over: every decision's state is in Redis already."""

    # -- member events -----------------------------------------------------------------------

    async def handle_event(self, guard: Guard, event: MemberEvent) -> Plan:
        """Decide a member joining or leaving with ``guard`` against the state in Redis (the
        member's join time, the guild's join windows: see
        :mod:`~spamguard.adapters.stores.redis_joins`), and save the result. On any Redis
        failure: an empty plan, logged and counted."""
        return await self._members.handle(guard, event)
