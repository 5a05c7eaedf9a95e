"""Write-behind of the guild-owned Redis store: held guilds' parts written now and then.

Every event of a guild queues the guild (once, however many events). Every
``write_interval`` seconds (and when a shard is released, and at close) the queued guilds'
parts (:func:`~spamguard.core.engine.guild_state.guild_parts`, taken in one pass over the
guard's state) are written, ``batch_size`` guilds per pipeline: one round trip per batch.

Each write is fenced (``redis_write.lua``): it is refused when another process took the
guild over since (its token in the guild's owner key), and the caller's ``refused``
callback drops the guild from memory. A guild whose owner key is gone (never taken, or
Redis lost its data in a restart) is claimed by the writer.

While Redis is down the queue waits: it holds guild ids (a held guild's part is taken from
memory when written, so its newest state is what catches up), at most ``max_queued``; past
that the guild queued longest ago is dropped, logged and counted (its changes reach Redis
only if it changes again before this process stops). A released guild's part is taken
when it is released and waits in the queue as text.
"""

from __future__ import annotations

__all__ = ("WriteBehind",)

import asyncio
import contextlib
import json
import logging
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_layout import guild_base
from spamguard.adapters.stores.redis_scripts import WRITE
from spamguard.core.engine.guild_state import guild_parts

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.core.engine import Guard

_LOGGER = logging.getLogger("spamguard.store.redis")


def owner_key(prefix: str, guild_id: int) -> str:
    """The guild's owner key: the token of the process that holds it."""
    return f"{guild_base(prefix, guild_id)}:owner"


def part_key(prefix: str, guild_id: int) -> str:
    """The guild's part (JSON, see :mod:`~spamguard.core.engine.guild_state`)."""
    return f"{guild_base(prefix, guild_id)}:part"


def encode_part(part: Mapping[str, typing.Any]) -> str:
    """A guild part as the text stored ('' for a guild holding nothing: no key at all)."""
    if not (part["members"] or part["windows"] or part["counters"]):
        return ""
    return json.dumps(part, separators=(",", ":"))


class WriteBehind:
    """The queue of guilds to write, and the writes (see the module).

    Args:
        connection: the store's connection.
        prefix: the store's key prefix.
        token: this process's owner token.
        max_queued: guilds queued at most (the oldest dropped past it).
        batch_size: guilds written per pipeline.
        refused: called with a guild's id when another process took it over.
    """

    def __init__(
        self,
        connection: RedisConnection,
        prefix: str,
        token: str,
        *,
        max_queued: int,
        batch_size: int,
        refused: Callable[[int], None],
    ) -> None:
        self._connection = connection
        self._prefix = prefix
        self._token = token
        self.max_queued = max_queued
        self.batch_size = batch_size
        self._refused = refused
        self.queue: dict[int, str | None] = {}
        """Guild id -> None (write the held guild's part from memory) or a released
        guild's part as text; oldest first."""
        self.written = 0
        """Guild parts written so far."""
        self.dropped = 0
        """Queued writes dropped because the queue was full."""
        self._dropped_unsaid = 0
        self._in_flight = 0
        self._lock = asyncio.Lock()

    @property
    def waiting(self) -> int:
        """Guilds queued or being written now."""
        return len(self.queue) + self._in_flight

    def mark(self, guild_id: int) -> None:
        """Queue a held guild whose state changed (its part is taken when written)."""
        queue = self.queue
        if guild_id in queue:
            if queue[guild_id] is not None:
                queue[guild_id] = None  # released, then held again: memory is newest
            return
        queue[guild_id] = None
        if len(queue) > self.max_queued:
            self._drop_oldest()

    def release(self, parts: Mapping[int, str]) -> None:
        """Queue the final parts of guilds this process no longer holds."""
        for guild_id, text in parts.items():
            self.queue.pop(guild_id, None)
            self.queue[guild_id] = text
        while len(self.queue) > self.max_queued:
            self._drop_oldest()

    def forget(self, guild_id: int) -> None:
        """Take a guild out of the queue (another process holds it now)."""
        self.queue.pop(guild_id, None)

    def _drop_oldest(self) -> None:
        oldest = next(iter(self.queue))
        del self.queue[oldest]
        self.dropped += 1
        if not self._dropped_unsaid:
            _LOGGER.warning(
                "Redis store write-behind queue full (%d guilds): dropped the write of guild "
                "%s queued longest ago; its changes reach Redis only if it changes again",
                self.max_queued,
                oldest,
            )
        self._dropped_unsaid += 1

    async def flush(self, guard: Guard, *, force: bool = False) -> bool:
        """Write every queued guild; True when the queue is empty after. Never raises a
        backend error: a failure puts the unwritten guilds back (oldest first), logged and
        counted. Without ``force``, nothing is tried while the connection is down."""
        async with self._lock:
            if not self.queue:
                return True
            connection = self._connection
            if not connection.connected or (not force and not connection.available()):
                return False
            taken, self.queue = self.queue, {}
            live = [g for g, text in taken.items() if text is None]
            parts = guild_parts(guard.state, live) if live else {}
            items = [
                (g, encode_part(parts[g]) if text is None else text) for g, text in taken.items()
            ]
            self._in_flight = len(items)
            try:
                return await self._write_all(items, taken)
            finally:
                self._in_flight = 0

    async def _write_all(
        self, items: Sequence[tuple[int, str]], taken: Mapping[int, str | None]
    ) -> bool:
        """Write ``items`` batch by batch; on a failure put the unwritten ones back."""
        connection = self._connection
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            try:
                replies = await self._write(batch)
            except BACKEND_ERRORS as exc:
                self._put_back(taken, items[start:])
                connection.failed("writing guild state behind", exc)
                return False
            connection.recovered()
            failed = self._settle(batch, replies)
            if failed:
                self._put_back(taken, [*failed, *items[start + self.batch_size :]])
                return False
        if self._dropped_unsaid and not self.queue:
            _LOGGER.warning(
                "Redis store write-behind caught up; %d queued guild write(s) were "
                "dropped meanwhile (queue full)",
                self._dropped_unsaid,
            )
            self._dropped_unsaid = 0
        return not self.queue

    async def _write(self, batch: Sequence[tuple[int, str]]) -> list[typing.Any]:
        """One pipeline of fenced writes (the scripts loaded once more when Redis lost
        them)."""
        prefix, token = self._prefix, self._token
        return await self._connection.batch(
            [
                (
                    "evalsha",
                    (
                        WRITE.sha,
                        2,
                        owner_key(prefix, guild_id),
                        part_key(prefix, guild_id),
                        token,
                        text,
                    ),
                )
                for guild_id, text in batch
            ]
        )

    def _settle(
        self, batch: Sequence[tuple[int, str]], replies: Sequence[typing.Any]
    ) -> list[tuple[int, str]]:
        """Count the writes done, hand the refused ones to ``refused``; the failed ones."""
        failed: list[tuple[int, str]] = []
        for (guild_id, text), reply in zip(batch, replies, strict=True):
            if reply == "ok":
                self.written += 1
            elif isinstance(reply, Exception):
                _LOGGER.error("writing guild %s behind failed: %s", guild_id, reply)
                failed.append((guild_id, text))
            else:
                _LOGGER.warning(
                    "guild %s was taken over by another process: not written; this process "
                    "forgets it (and loads it again at its next event here)",
                    guild_id,
                )
                self._refused(guild_id)
        if failed:
            self._connection.failures += len(failed)
        return failed

    def _put_back(
        self, taken: Mapping[int, str | None], unwritten: Sequence[tuple[int, str]]
    ) -> None:
        """Queue ``unwritten`` again ahead of what was queued since, as they were taken."""
        newer, self.queue = self.queue, {}
        for guild_id, _text in unwritten:
            self.queue[guild_id] = taken[guild_id]
        for guild_id, text in newer.items():
            if guild_id in self.queue:
                self.queue.pop(guild_id)
            self.queue[guild_id] = text
        while len(self.queue) > self.max_queued:
            self._drop_oldest()

    async def run(self, guard: Guard, interval: float) -> None:
        """Flush every ``interval`` seconds until cancelled (never raises otherwise)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush(guard)
            except Exception:  # a bug must not end the write-behind for good
                _LOGGER.exception("Redis store write-behind failed")

    @staticmethod
    async def stop(task: asyncio.Task[None] | None) -> None:
        """Cancel a :meth:`run` task and wait for it."""
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
