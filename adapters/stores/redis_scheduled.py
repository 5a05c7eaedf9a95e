"""The scheduled actions of :class:`~spamguard.adapters.stores.redis_store.RedisStore`.

They live in ``<prefix>:scheduled``, a sorted set by due time; a Lua script claims the due
ones (read and remove in one step), so each goes to exactly one process even with several
polling. Actions that could not be written are kept in memory and written at the next call
that reaches Redis.
"""

from __future__ import annotations

__all__ = ("CLAIM_BATCH", "ScheduledSet")

import contextlib
import datetime
import logging
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_layout import as_score, decode_items, encode_item
from spamguard.adapters.stores.redis_scripts import CLAIM
from spamguard.core.plan import check_run_at

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.core.plan import ScheduledAction

_LOGGER = logging.getLogger("spamguard.store.redis")
_T = typing.TypeVar("_T")

CLAIM_BATCH: typing.Final = 500
"""Actions one run of the claim script takes at most (it runs until a batch is short)."""


class ScheduledSet:
    """The scheduled actions' sorted set of one prefix, over ``connection``."""

    def __init__(self, connection: RedisConnection, key: str) -> None:
        self._connection = connection
        self.key = key
        """The sorted set's key, ``<prefix>:scheduled``."""
        self._unsent: dict[str, ScheduledAction] = {}

    async def _on_key(self, call: Callable[[], Awaitable[_T]]) -> _T:
        """``call()`` on the set; when the key holds another type, set it aside first."""
        consequence = "new scheduled actions go to a new set"
        return await self._connection.set_aside_wrong_types(
            call, lambda: {self.key: "zset"}, consequence
        )

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """See :meth:`RedisStore.schedule <spamguard.adapters.stores.redis_store.RedisStore.schedule>`."""
        for item in items:
            check_run_at(item.run_at)
        for item in items:
            self._unsent[encode_item(item)] = item
        if not self._unsent:
            return
        connection = self._connection
        if not connection.available():
            connection.skipped("scheduling")
            return
        try:
            await self._flush_unsent()
        except BACKEND_ERRORS as exc:
            connection.failed("schedule", exc)
        else:
            connection.recovered()

    async def _flush_unsent(self) -> None:
        batch = dict(self._unsent)
        mapping = {encoded: item.run_at.timestamp() for encoded, item in batch.items()}
        self._connection.round_trips += 1
        await self._on_key(lambda: self._connection.client.zadd(self.key, mapping))
        for encoded in batch:
            self._unsent.pop(encoded, None)

    async def close(self) -> None:
        """Write the actions still held in memory (if Redis is back); log those that stay
        unwritten."""
        if self._unsent and self._connection.available():
            with contextlib.suppress(*BACKEND_ERRORS):
                await self._flush_unsent()
        if self._unsent:
            _LOGGER.error(
                "closing with %d scheduled action(s) not written to Redis: %s",
                len(self._unsent),
                [item.to_dict() for item in self._unsent.values()],
            )

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """See :meth:`RedisStore.claim_due <spamguard.adapters.stores.redis_store.RedisStore.claim_due>`."""
        connection = self._connection
        if not connection.available():
            connection.skipped("claiming scheduled actions")
            return ()
        claimed: list[ScheduledAction] = []
        try:
            if self._unsent:
                await self._flush_unsent()
            while True:
                batch = await self._on_key(
                    lambda: connection.run(
                        CLAIM, (self.key,), (as_score(now.timestamp()), str(CLAIM_BATCH))
                    )
                )
                claimed.extend(decode_items(batch))
                if len(batch) < CLAIM_BATCH:
                    break
        except BACKEND_ERRORS as exc:
            connection.failed("claim", exc)
        else:
            connection.recovered()
        return tuple(sorted(claimed, key=lambda item: item.run_at))

    async def next_due(self) -> datetime.datetime | None:
        """See :meth:`RedisStore.next_due <spamguard.adapters.stores.redis_store.RedisStore.next_due>`."""
        connection = self._connection
        retry = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
            seconds=connection.retry_interval
        )
        if not connection.available():
            return retry
        try:
            connection.round_trips += 1
            first = typing.cast(
                "list[str]",
                await self._on_key(lambda: connection.client.zrange(self.key, 0, 0)),
            )
        except BACKEND_ERRORS as exc:
            connection.failed("next_due", exc)
            return retry
        connection.recovered()
        times = [item.run_at for item in (*decode_items(first), *self._unsent.values())]
        return min(times, default=None)
