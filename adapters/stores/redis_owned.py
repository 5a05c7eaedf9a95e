"""The guild-owned Redis store: each process decides its own guilds from memory, and
writes them behind to Redis for another process to take over.

Discord sends all of a guild's events on one shard, and a process owns fixed shards: two
processes never see one guild's events at once, except while shards move (a restart,
resharding, a failover). So a process keeps the guilds it receives events of in its own
memory, decides their messages and joins there (in-memory speed: no round trip per
message), and

- **writes them behind**: every ``write_interval`` seconds (default 1.0), when a shard is
  released, and at :meth:`RedisStore.close`, each changed guild's part (its members,
  windows, counters and clean marks: :mod:`~spamguard.core.engine.guild_state`) is written
  to ``<prefix>:{g:<guild_id>}:part``, batched and pipelined
  (:mod:`~spamguard.adapters.stores.redis_write_behind`);
- **takes guilds over**: the first event of a guild it does not hold loads the guild's
  part first, and the process becomes the guild's owner; events of that guild arriving
  meanwhile wait for the one load (:mod:`~spamguard.adapters.stores.redis_takeover`);
- **is fenced**: a guild's owner key holds the token of the process that took it over
  last, and a write of any other process is refused: that process logs it, forgets the
  guild and loads it again at its next event there. Two processes never both write a
  guild;
- **lets shards go**: :meth:`RedisStore.release` (called by the runtime when a shard
  stops or moves) writes the lost guilds, then forgets them.

Scheduled actions (the undo of a TEMPBAN, a timer) are not kept in memory: they go to
Redis at once, as in the consistent store, claimed under a lease and acknowledged once
carried out (:mod:`~spamguard.adapters.stores.redis_scheduled`).

What a crash (SIGKILL, power loss) loses: at most the last ``write_interval`` seconds of
its guilds' counters, windows and escalation ladders; never a scheduled undo. Redis down:
decisions go on from memory; the guilds to write wait in a bounded queue (``max_queued``
guilds; past it the one queued longest ago is dropped, logged and counted in
:attr:`RedisStore.dropped_writes`) and are written when Redis is back. A guild whose
stored part does not load is set aside (``<key>:bad:...``, logged once, counted in
:attr:`RedisStore.corrupt_guilds` and ``bad_keys``) and taken over as new.

Limits, by design: AutoMod executions (``Guard.record_automod_execution``) are counted in
the process's memory without queueing the guild (they reach Redis with its next write); a
plugin's :class:`~spamguard.core.events.GuildTimer` claimed by another process than the
guild's owner takes the guild over there (the owner loads it back at its next event).
"""

from __future__ import annotations

__all__ = ("DEFAULT_WRITE_INTERVAL", "RedisStore")

import asyncio
import logging
import secrets
import typing

from spamguard.adapters.stores.redis_base import RedisBase, check_seconds, check_whole
from spamguard.adapters.stores.redis_scheduled import DEFAULT_CLAIM_LEASE
from spamguard.adapters.stores.redis_takeover import Takeover
from spamguard.adapters.stores.redis_write_behind import WriteBehind, encode_part
from spamguard.core.engine.guild_state import drop_guilds, guild_parts

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.adapters.stores.redis_connection import Client
    from spamguard.core.engine import Guard
    from spamguard.core.events import MemberEvent
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan

_LOGGER = logging.getLogger("spamguard.store.redis")

DEFAULT_WRITE_INTERVAL: typing.Final = 1.0
"""Seconds between two writes of the changed guilds: what a crash can lose at most."""


class RedisStore(RedisBase):
    """Decides each guild in the process that holds it, and writes it behind to Redis.

    Args:
        url: ``redis://`` or ``rediss://`` URL (``unix://`` works too); default: the
            policy's ``store.url``, then ``$SPAMGUARD_REDIS_URL``.
        prefix: first part of every key, to share one Redis between bots.
        timeout: seconds a Redis call may take before it counts as failed.
        retry_interval: after a failure, seconds during which Redis is not tried again.
        write_interval: seconds between two writes of the changed guilds (what a crash
            can lose at most).
        max_queued: guilds waiting to be written at most while Redis is down (the one
            queued longest ago is dropped past it).
        batch_size: guilds written per pipeline (one round trip each).
        claim_lease: seconds a claimed scheduled action is reserved for the process that
            claimed it: unacknowledged (:meth:`done`) by then, another process claims it.
        client: a ready ``redis.asyncio.Redis`` (``decode_responses=True``) instead of a
            URL; the store does not close it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = "spamguard",
        timeout: float = 1.0,
        retry_interval: float = 1.0,
        write_interval: float = DEFAULT_WRITE_INTERVAL,
        max_queued: int = 100_000,
        batch_size: int = 500,
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
        check_seconds("RedisStore", write_interval=write_interval)
        check_whole("RedisStore", max_queued=max_queued, batch_size=batch_size)
        self.write_interval = write_interval
        self.token = secrets.token_hex(8)
        """This store's owner token: what fences other processes' writes of its guilds."""
        self._connection.while_down = "deciding from memory, writing behind when it is back"
        self._takeover = Takeover(self._connection, prefix, self.token)
        self._held = self._takeover.held
        self._refusals = 0
        self._writes = WriteBehind(
            self._connection,
            prefix,
            self.token,
            max_queued=max_queued,
            batch_size=batch_size,
            refused=self._refused,
        )
        self._guard: Guard | None = None
        self._writer: asyncio.Task[None] | None = None

    # -- counters -----------------------------------------------------------------------------

    @property
    def held_guilds(self) -> frozenset[int]:
        """The guilds this process decides from its memory now."""
        return frozenset(self._held)

    @property
    def queued_writes(self) -> int:
        """Guilds waiting to be written (queued, or being written now)."""
        return self._writes.waiting

    @property
    def written(self) -> int:
        """Guild parts written so far."""
        return self._writes.written

    @property
    def dropped_writes(self) -> int:
        """Queued guild writes dropped because the queue was full (while Redis was down)."""
        return self._writes.dropped

    @property
    def loads(self) -> int:
        """Guild takeovers that reached Redis (one per guild a process begins to hold)."""
        return self._takeover.loads

    @property
    def corrupt_guilds(self) -> int:
        """Takeovers that found a guild's stored state unreadable and began it as new."""
        return self._takeover.corrupt

    @property
    def refused_writes(self) -> int:
        """Writes refused because another process had taken the guild over."""
        return self._refusals

    # -- lifecycle ----------------------------------------------------------------------------

    async def open(self, guard: Guard) -> None:
        """Connect, load the scripts and start the write-behind. An unreachable Redis is
        logged and counted (decisions go on from memory), not raised.

        Raises:
            StoreConfigError: no URL anywhere, or a URL redis-py cannot use.
        """
        await self._connect(guard)
        self._guard = guard
        if self._writer is None:
            self._writer = asyncio.create_task(self._writes.run(guard, self.write_interval))

    async def close(self) -> None:
        """Stop the write-behind, write every changed guild one last time (tried even
        while Redis counts as down) and disconnect. Guilds that could not be written are
        logged."""
        await WriteBehind.stop(self._writer)
        self._writer = None
        guard = self._guard
        written = guard is None or await self._writes.flush(guard, force=True)
        if not written:
            _LOGGER.error(
                "closing with %d guild(s) not written to Redis: their changes since the "
                "last write are lost",
                len(self._writes.queue),
            )
        await self._disconnect()

    async def flush(self) -> bool:
        """Write every changed guild now; True when nothing is left to write. Never raises
        a backend error (a failure is logged and counted)."""
        if self._guard is None:
            return True
        return await self._writes.flush(self._guard)

    async def release(self, lost: Callable[[int], bool]) -> None:
        """Write, then forget, every held guild for which ``lost(guild_id)`` is true (its
        shard moved to another process). While Redis is down their parts wait in the queue
        and are written when it is back, unless another process took them over since."""
        guard = self._guard
        gone = {guild_id for guild_id in self._held if lost(guild_id)}
        if guard is None or not gone:
            return
        parts = guild_parts(guard.state, gone)
        self._takeover.release(gone)
        drop_guilds(guard.state, gone)
        self._writes.release({g: encode_part(part) for g, part in parts.items()})
        _LOGGER.info("released %d guild(s) whose shards moved away", len(gone))
        await self._writes.flush(guard)

    def _refused(self, guild_id: int) -> None:
        """Another process took ``guild_id`` over: forget it here."""
        self._refusals += 1
        if guild_id in self._held:
            self._held.discard(guild_id)
            if self._guard is not None:
                self._guard.drop_guild(guild_id)
        self._writes.forget(guild_id)

    # -- events -------------------------------------------------------------------------------

    async def process(self, guard: Guard, message: MessageLike) -> Plan:
        """Decide ``message`` with ``guard`` from memory (the guild loaded first when this
        process does not hold it) and queue the guild to be written."""
        guild_id = message.guild_id
        if guild_id is None:
            return guard.process(message)
        if guild_id not in self._held:
            await self._takeover.hold(guard, guild_id)
        plan = guard.process(message)
        self._writes.mark(guild_id)
        return plan

    async def handle_event(self, guard: Guard, event: MemberEvent) -> Plan:
        """Decide a member joining or leaving, or a guild timer, with ``guard`` from memory
        (the guild loaded first when this process does not hold it) and queue the guild to
        be written."""
        guild_id = event.guild_id
        if guild_id not in self._held:
            await self._takeover.hold(guard, guild_id)
        plan = guard.handle(event)
        self._writes.mark(guild_id)
        return plan
