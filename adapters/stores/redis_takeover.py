"""Takeover in the guild-owned Redis store: loading a guild this process does not hold.

The first event of a guild the process does not hold runs ``redis_take.lua``: the process
becomes the guild's owner (its token in ``<prefix>:{g:<id>}:owner``, which fences the
previous owner's writes) and reads the guild's part, which replaces what the guard holds of
the guild. Events of the guild that arrive meanwhile wait for that one load.

- No part in Redis: the guild is new.
- A part that does not load (not JSON, another version, a malformed field, a key of
  another type): the key is set aside as ``<key>:bad:<UTC time>-<random>`` (logged once,
  counted in ``bad_keys`` and :attr:`Takeover.corrupt`) and the guild starts as new.
- Redis unavailable: the guild is decided from memory as it is; its first write later
  claims it when no other process owns it, else is refused (the guild is then dropped and
  loaded again at its next event).
"""

from __future__ import annotations

__all__ = ("Takeover",)

import asyncio
import json
import logging
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_scripts import TAKE
from spamguard.adapters.stores.redis_write_behind import owner_key, part_key
from spamguard.core.errors import SnapshotError

if typing.TYPE_CHECKING:
    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.core.engine import Guard

_LOGGER = logging.getLogger("spamguard.store.redis")


class Takeover:
    """The guilds this process holds, and their loads (see the module)."""

    def __init__(self, connection: RedisConnection, prefix: str, token: str) -> None:
        self._connection = connection
        self._prefix = prefix
        self._token = token
        self.held: set[int] = set()
        """Guilds this process decides from its memory."""
        self.loads = 0
        """Guild loads that reached Redis."""
        self.taken_over = 0
        """Loads of a guild another process owned before."""
        self.corrupt = 0
        """Loads that found a guild's stored state unreadable (the guild started as new)."""
        self._loading: dict[int, asyncio.Task[None]] = {}

    async def hold(self, guard: Guard, guild_id: int) -> None:
        """Load ``guild_id`` into ``guard`` unless held already; concurrent callers for one
        guild share one load (a cancelled caller does not cancel it)."""
        task = self._loading.get(guild_id)
        if task is None:
            task = asyncio.create_task(self._load(guard, guild_id))
            self._loading[guild_id] = task
            task.add_done_callback(lambda _done: self._loading.pop(guild_id, None))
        await asyncio.shield(task)

    async def _load(self, guard: Guard, guild_id: int) -> None:
        connection = self._connection
        if not connection.available():
            _LOGGER.debug("Redis unavailable: guild %s decided from memory as it is", guild_id)
            self.held.add(guild_id)
            return
        keys = (owner_key(self._prefix, guild_id), part_key(self._prefix, guild_id))
        try:
            part, kind, previous = await connection.run(TAKE, keys, (self._token,))
        except BACKEND_ERRORS as exc:
            connection.failed(f"taking guild {guild_id} over", exc)
            self.held.add(guild_id)
            return
        connection.recovered()
        self.loads += 1
        if previous is not None and previous != self._token:
            self.taken_over += 1
            _LOGGER.info("took guild %s over from another process", guild_id)
        problem = None
        if kind not in ("string", "none"):
            problem = f"a {kind} where a string belongs"
        elif part is None:
            guard.drop_guild(guild_id)
        else:
            try:
                guard.load_guild(guild_id, json.loads(part))
            except (ValueError, SnapshotError) as exc:  # JSONDecodeError is a ValueError
                problem = str(exc)
        if problem is not None:
            await self._set_aside(guard, guild_id, keys[1], problem)
        self.held.add(guild_id)

    async def _set_aside(self, guard: Guard, guild_id: int, key: str, problem: str) -> None:
        """The guild's stored state does not load: keep it aside, start the guild anew."""
        self.corrupt += 1
        guard.drop_guild(guild_id)
        consequence = f"guild {guild_id} was taken over as new"
        try:
            await self._connection.set_aside({key: ""}, {key: problem}, consequence)
        except BACKEND_ERRORS as exc:
            _LOGGER.error(
                "unreadable Redis key %s (%s), not set aside (%s: %s); %s",
                key,
                problem,
                type(exc).__name__,
                exc,
                consequence,
            )

    def release(self, guild_ids: set[int]) -> None:
        """This process no longer holds ``guild_ids``."""
        self.held -= guild_ids
