"""Which guilds a process decides: the gateway shards it runs.

Discord sends every event of a guild on one shard, ``(guild_id >> 22) % shard_count``, and
a process runs a fixed set of shards, so two processes never see one guild's events at
once but while shards move (a restart, resharding, a failover). A guild-owned store
decides a guild from its own memory and writes it behind to Redis; when the process loses
a shard, :meth:`Runtime.shard_lost <spamguard.adapters.runtime.Runtime.shard_lost>` asks
the store to flush, then forget, that shard's guilds (``Store.release``), so the process
that runs the shard next loads them from Redis.

Each adapter reads its library's shard information (hikari's ``GatewayBot.shards`` and
``shard_count``, the discord.py family's ``shard_ids``/``shard_id`` and ``shard_count``)
into a :class:`ShardOwnership`; a bot that is not sharded owns every guild
(:data:`EVERY_GUILD`).
"""

from __future__ import annotations

__all__ = ("EVERY_GUILD", "ShardOwnership", "ShardWatch", "shard_of")

import dataclasses
import logging
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from spamguard.adapters.runtime.runtime import Runtime

_LOGGER = logging.getLogger("spamguard.runtime.shards")


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends ``guild_id``'s events on, with ``shard_count`` shards."""
    return (guild_id >> 22) % shard_count


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ShardOwnership:
    """The shards one process runs, out of how many the bot has.

    Raises:
        ValueError: ``shard_count`` is below 1, or a shard id is outside
            ``range(shard_count)``.
    """

    shard_count: int
    """How many shards the bot has in all (1: not sharded)."""
    shard_ids: frozenset[int]
    """The shards this process runs."""

    def __post_init__(self) -> None:
        if self.shard_count < 1:
            msg = f"shard_count must be at least 1, got {self.shard_count}"
            raise ValueError(msg)
        outside = sorted(i for i in self.shard_ids if not 0 <= i < self.shard_count)
        if outside:
            msg = f"shard ids {outside} are outside range({self.shard_count})"
            raise ValueError(msg)

    @classmethod
    def of(cls, shard_ids: Iterable[int] | None, shard_count: int | None) -> ShardOwnership:
        """What a library says about a bot: its shard ids and count, either None (or a
        count of 0) while the bot is not sharded, or before it learnt them from Discord:
        then the bot owns every guild (:data:`EVERY_GUILD`); ids None with a count: every
        shard of that count."""
        if not shard_count:
            return EVERY_GUILD
        ids = range(shard_count) if shard_ids is None else shard_ids
        return cls(shard_count=shard_count, shard_ids=frozenset(int(i) for i in ids))

    def shard_of(self, guild_id: int) -> int:
        """The shard ``guild_id``'s events arrive on."""
        return shard_of(guild_id, self.shard_count)

    def owns(self, guild_id: int) -> bool:
        """Whether this process runs the shard of ``guild_id``."""
        return (guild_id >> 22) % self.shard_count in self.shard_ids

    def describe(self) -> str:
        """``"shards [0, 2] of 4"``, for logs."""
        return f"shards {sorted(self.shard_ids)} of {self.shard_count}"


EVERY_GUILD: typing.Final = ShardOwnership(shard_count=1, shard_ids=frozenset({0}))
"""A bot that is not sharded: one shard, so every guild."""


class ShardWatch:
    """A runtime's shards: which it runs, and letting the store go of the guilds of a shard
    it loses (:attr:`Runtime.shard_watch <spamguard.adapters.runtime.Runtime.shard_watch>`).

    Never raises: a store that fails to let go is logged and counted
    (``stats.errors``). While the runtime is stopped there is nothing to let go of (its
    store is closed, which flushed everything).
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.ownership: ShardOwnership = EVERY_GUILD
        """The shards this process runs, as the adapter read them from its library."""

    async def own(self, ownership: ShardOwnership) -> None:
        """Note the shards this process runs now (the adapter reads them at start); when
        that drops shards it ran (resharding), the store lets go of their guilds."""
        before, self.ownership = self.ownership, ownership
        if ownership == before:
            return
        _LOGGER.info("spamguard: this process runs %s", ownership.describe())
        await self._release(lambda guild_id: not ownership.owns(guild_id), ownership.describe())

    async def lost(self, shard_id: int, shard_count: int) -> None:
        """Shard ``shard_id`` of ``shard_count`` stopped or disconnected here: the store
        flushes, then forgets, its guilds (``Store.release``), since another process may run
        it next; if it comes back here, each guild loads again with its next event."""
        self._runtime.stats.shards_lost += 1
        try:
            gone = ShardOwnership(shard_count=shard_count, shard_ids=frozenset({shard_id}))
        except ValueError:
            self._runtime.stats.malformed += 1
            _LOGGER.warning("spamguard ignored lost shard %r of %r", shard_id, shard_count)
            return
        _LOGGER.info("spamguard: shard %d of %d was lost here", shard_id, shard_count)
        await self._release(gone.owns, f"shard {shard_id} of {shard_count}")

    async def _release(self, lost: Callable[[int], bool], what: str) -> None:
        if not self._runtime.started:
            return
        try:
            await self._runtime.store.release(lost)
        except Exception:
            self._runtime.stats.errors += 1
            _LOGGER.exception("spamguard's store failed to let go of the guilds of %s", what)
