"""Guild tasks that must run in one process at a time across every process sharing a
Redis (:meth:`RedisBase.exclusive <spamguard.adapters.stores.redis_base.RedisBase.exclusive>`),
such as bringing a guild's AutoMod rules in line with the policy.

A task holds ``<prefix>:{g:<guild_id>}:lock:task:<purpose>`` (``SET NX PX`` with a random
token, in the guild's cluster slot) while it runs, and deletes it after (only while it
still holds its token). A process that finds the key taken leaves the task to its holder.
The key expires after ``ttl`` seconds, so a process that dies mid-task blocks the task no
longer than that. While Redis is unavailable the task runs (fails open): two processes
could then run it at once.
"""

from __future__ import annotations

__all__ = ("DEFAULT_TASK_TTL", "GuildTasks")

import contextlib
import logging
import secrets
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_layout import as_milliseconds, guild_base
from spamguard.adapters.stores.redis_scripts import RELEASE

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from spamguard.adapters.stores.redis_connection import RedisConnection

_LOGGER = logging.getLogger("spamguard.store.redis")

DEFAULT_TASK_TTL: typing.Final = 60.0
"""Seconds a guild task's lock lives at most (a dead holder's lock frees itself then)."""


class GuildTasks:
    """Per-guild task locks of one key prefix, over ``connection``."""

    def __init__(
        self, connection: RedisConnection, prefix: str, *, ttl: float = DEFAULT_TASK_TTL
    ) -> None:
        self._connection = connection
        self.prefix = prefix
        self.ttl = ttl

    def key(self, guild_id: int, purpose: str) -> str:
        """The lock of ``purpose`` in guild ``guild_id``."""
        return f"{guild_base(self.prefix, guild_id)}:lock:task:{purpose}"

    @contextlib.asynccontextmanager
    async def exclusive(self, guild_id: int, purpose: str) -> AsyncIterator[bool]:
        """Hold the task's lock for the block; yields whether this process runs the task
        (False: another process holds it now). Never raises a Redis error."""
        key = self.key(guild_id, purpose)
        token = secrets.token_hex(8)
        taken = await self._take(key, token, purpose)
        if taken is False:
            _LOGGER.debug("%s of guild %s runs in another process now", purpose, guild_id)
            yield False
            return
        try:
            yield True
        finally:
            if taken:
                await self._release(key, token)

    async def _take(self, key: str, token: str, purpose: str) -> bool | None:
        """Whether the lock was taken; None when Redis could not tell (fail open)."""
        connection = self._connection
        if not connection.available():
            connection.skipped(f"taking the lock of {purpose}")
            return None
        try:
            client = await connection.ready()
            connection.round_trips += 1
            taken = await client.set(key, token, nx=True, px=int(as_milliseconds(self.ttl)))
        except BACKEND_ERRORS as exc:
            connection.failed(f"taking the lock of {purpose}", exc)
            return None
        connection.recovered()
        return bool(taken)

    async def _release(self, key: str, token: str) -> None:
        try:
            await self._connection.run(RELEASE, (key,), (token,))
        except BACKEND_ERRORS as exc:
            _LOGGER.warning(
                "could not release %s (%s: %s); it expires within %gs",
                key,
                type(exc).__name__,
                exc,
                self.ttl,
            )
