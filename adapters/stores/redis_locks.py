"""The locks of :class:`~spamguard.adapters.stores.redis_consistent.ConsistentRedisStore`: two processes,
one decision.

A message's load takes its member's lock, plus the channel's when the guild's policy has a
``channel``-scoped check and the guild's for a ``guild``-scoped one, all or none in one
atomic step; save releases them. Everything a decision reads is covered by the locks it
holds, so messages handled by several processes are decided one after the other, exactly
as one process would decide them in the order they took the locks. A process that finds a
lock taken waits (1 ms, doubling to 50 ms) and loads again: only then does a message cost
more than two round trips. Within one process the same locks are taken as asyncio locks
first, so its own messages queue without polling Redis. A lock expires after
``lock_timeout`` seconds, so a crashed process blocks nobody for longer.

A load that timed out may still run on the server later and take its locks; the store
frees them at its next successful call rather than letting the member wait for
``lock_timeout``.
"""

from __future__ import annotations

__all__ = ("LockBusyError", "MessageLocks")

import asyncio
import contextlib
import typing
import weakref

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS, loop_time
from spamguard.adapters.stores.redis_layout import as_milliseconds, as_score
from spamguard.adapters.stores.redis_scripts import LOAD, SAVE
from spamguard.core.windows import MAX_ENTRIES

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.adapters.stores.redis_layout import Keys
    from spamguard.core.engine import Footprint


class LockBusyError(Exception):
    """Another process held a lock for longer than the store waits."""


class MessageLocks:
    """The locks of the messages one store decides, in this process and in Redis."""

    def __init__(self, connection: RedisConnection, lock_timeout: float) -> None:
        self._connection = connection
        self.lock_timeout = lock_timeout
        self.waits = 0
        """Loads retried because another process held a lock."""
        self._stale: dict[str, tuple[Keys, float]] = {}
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def held_here(self, names: Sequence[str]) -> AsyncIterator[None]:
        """Hold this process's asyncio locks of ``names`` (sorted: no two messages wait
        on each other in a cycle)."""
        async with contextlib.AsyncExitStack() as stack:
            for name in names:
                lock = self._local.get(name)
                if lock is None:
                    lock = self._local[name] = asyncio.Lock()
                await stack.enter_async_context(lock)
            yield

    async def load(
        self, spot: Footprint, keys: Keys, token: str, message_id: int, now_ts: float
    ) -> typing.Any:
        """Take ``keys.locks`` under ``token`` and load the state (the load script's
        reply); a key of the wrong type (the script fails on it, for every message of the
        member) is set aside and the load runs once more.

        Raises:
            LockBusyError: another process held a lock for ``lock_timeout``.
        """

        def expected() -> dict[str, str]:
            types = dict.fromkeys(keys.locks, "string")
            types[keys.member] = "string"
            for key in (keys.recent, keys.cleaned, *keys.windows):
                types[key] = "zset"
            return types

        return await self._connection.set_aside_wrong_types(
            lambda: self._load_locked(spot, keys, token, message_id, now_ts),
            expected,
            "its part of the state starts anew",
        )

    async def _load_locked(
        self, spot: Footprint, keys: Keys, token: str, message_id: int, now_ts: float
    ) -> typing.Any:
        args = (
            token,
            as_milliseconds(self.lock_timeout),
            str(len(keys.locks)),
            as_score(now_ts - spot.horizon),
            str(message_id),
            str(MAX_ENTRIES),
            *(as_score(now_ts - spec.horizon) for spec in spot.windows),
        )
        all_keys = (*keys.locks, keys.member, keys.recent, keys.cleaned, *keys.windows)
        deadline = loop_time() + self.lock_timeout
        pause = 0.001
        while True:
            reply = await self._connection.run(LOAD, all_keys, args)
            if reply[0] == 1:
                return reply
            self.waits += 1
            if loop_time() >= deadline:
                msg = f"locks {', '.join(keys.locks)} held elsewhere for over {self.lock_timeout}s"
                raise LockBusyError(msg)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    def may_be_held(self, keys: Keys, token: str) -> None:
        """A load or save under ``token`` failed: it may still have taken its locks (a
        timed-out script can run after all); free them at :meth:`release_stale`."""
        self._stale[token] = (keys, loop_time())

    async def unlock(self, keys: Keys, token: str) -> None:
        """Release the locks ``token`` holds (the save script with no changes)."""
        await self._connection.run(
            SAVE,
            (*keys.locks, keys.member, keys.recent, keys.cleaned),
            (token, str(len(keys.locks)), "{}"),
        )

    async def unlock_quietly(self, keys: Keys, token: str) -> None:
        """:meth:`unlock`; on a failure, leave it to :meth:`release_stale`."""
        try:
            await self.unlock(keys, token)
        except BACKEND_ERRORS:
            self.may_be_held(keys, token)

    async def release_stale(self) -> None:
        """Free the locks of loads and saves that failed, which would block their member
        for ``lock_timeout``."""
        if not self._stale:
            return
        expired = loop_time() - self.lock_timeout
        for token, (keys, since) in list(self._stale.items()):
            if since > expired:  # older ones have expired in Redis by now
                await self.unlock(keys, token)
            del self._stale[token]
