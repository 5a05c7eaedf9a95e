"""What both Redis stores share: settings, the connection, opening and the scheduled actions.

:class:`RedisBase` checks the settings every Redis store takes, resolves the URL at
:meth:`~RedisBase.open` (the argument, the policy's ``store.url``, ``$SPAMGUARD_REDIS_URL``),
loads the Lua scripts, keeps the guilds' cases
(:class:`~spamguard.adapters.stores.redis_cases.RedisCaseBook`), keeps scheduled actions in the
:class:`~spamguard.adapters.stores.redis_scheduled.ScheduledSet` (claimed by one process
whichever holds the guild) and runs a guild's exclusive tasks
(:mod:`~spamguard.adapters.stores.redis_tasks`).
"""

from __future__ import annotations

__all__ = ("ENV_URL", "RedisBase", "check_seconds")

import logging
import os
import typing

from spamguard.adapters.stores.base import StoreConfigError
from spamguard.adapters.stores.redis_cases import RedisCaseBook
from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS, Client, RedisConnection
from spamguard.adapters.stores.redis_scheduled import DEFAULT_CLAIM_LEASE, ScheduledSet
from spamguard.adapters.stores.redis_tasks import GuildTasks

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence
    from contextlib import AbstractAsyncContextManager

    from spamguard.core.engine import Guard
    from spamguard.core.plan import ScheduledAction

_LOGGER = logging.getLogger("spamguard.store.redis")

ENV_URL = "SPAMGUARD_REDIS_URL"
"""The environment variable read for the connection URL when neither the argument nor
the policy gives one."""


def check_seconds(owner: str, **values: float) -> None:
    """Refuse settings that are not a positive number of seconds.

    Raises:
        StoreConfigError: naming the first such setting.
    """
    for name, value in values.items():
        if isinstance(value, bool) or not (isinstance(value, (int, float)) and value > 0):
            msg = f"{owner} {name} must be a positive number of seconds, got {value!r}"
            raise StoreConfigError(msg)


def check_whole(owner: str, **values: int) -> None:
    """Refuse settings that are not a positive whole number.

    Raises:
        StoreConfigError: naming the first such setting.
    """
    for name, value in values.items():
        if isinstance(value, bool) or not (isinstance(value, int) and value > 0):
            msg = f"{owner} {name} must be a positive whole number, got {value!r}"
            raise StoreConfigError(msg)


class RedisBase:
    """The connection, settings and scheduled actions of a Redis store (see the module)."""

    def __init__(
        self,
        url: str | None,
        *,
        prefix: str,
        timeout: float,
        retry_interval: float,
        client: Client | None,
        claim_lease: float = DEFAULT_CLAIM_LEASE,
    ) -> None:
        name = type(self).__name__
        check_seconds(name, timeout=timeout, retry_interval=retry_interval, claim_lease=claim_lease)
        if not prefix or any(c.isspace() for c in prefix):
            msg = f"{name} prefix must be a non-empty string without spaces, got {prefix!r}"
            raise StoreConfigError(msg)
        self.url = url
        """The URL in use (resolved at :meth:`open`)."""
        self.prefix = prefix
        """First part of every key."""
        self.timeout = timeout
        self.retry_interval = retry_interval
        self._connection = RedisConnection(
            timeout=timeout, retry_interval=retry_interval, client=client
        )
        self._scheduled = ScheduledSet(self._connection, prefix, lease=claim_lease)
        self._tasks = GuildTasks(self._connection, prefix)
        self.cases = RedisCaseBook(self._connection, prefix)
        """The guilds' cases (:mod:`~spamguard.adapters.stores.redis_cases`)."""

    @property
    def failures(self) -> int:
        """Redis operations that failed so far (each one logged)."""
        return self._connection.failures

    @property
    def round_trips(self) -> int:
        """Commands and pipelines sent to Redis so far (each one round trip)."""
        return self._connection.round_trips

    @property
    def bad_keys(self) -> int:
        """Keys set aside because they could not be read."""
        return self._connection.bad_keys

    @property
    def reclaimed(self) -> int:
        """Scheduled actions claimed again because their lease ran out unacknowledged."""
        return self._scheduled.reclaimed

    @property
    def client(self) -> Client:
        """The redis-py client."""
        return self._connection.client

    async def _connect(self, guard: Guard) -> None:
        """Make the client (from the resolved URL) and load the scripts; an unreachable
        Redis is logged and counted (the store keeps trying), not raised.

        Raises:
            StoreConfigError: no URL anywhere, or a URL redis-py cannot use.
        """
        connection = self._connection
        if not connection.connected:
            url = self.url or guard.policy.store_url or os.environ.get(ENV_URL)
            if not url:
                name = type(self).__name__
                msg = (
                    f"{name} needs a Redis URL: pass {name}(url=...), set "
                    f"store: {{url: redis://host:6379/0}} in the policy, or set ${ENV_URL}"
                )
                raise StoreConfigError(msg)
            connection.connect(url)
            self.url = url
        try:
            await connection.prepare()
            await self._scheduled.move_legacy()
        except BACKEND_ERRORS as exc:
            connection.failed("connect", exc)
        else:
            connection.recovered()

    async def _disconnect(self) -> None:
        """Write scheduled actions and acknowledgements still held in memory (if Redis is
        back) and disconnect."""
        if not self._connection.connected:
            return
        await self._scheduled.close()
        await self._connection.close()

    def exclusive(self, guild_id: int, purpose: str) -> AbstractAsyncContextManager[bool]:
        """Hold the guild's ``purpose`` task across processes for the block: yields whether
        this process runs it (see :mod:`~spamguard.adapters.stores.redis_tasks`)."""
        return self._tasks.exclusive(guild_id, purpose)

    # -- scheduled actions -------------------------------------------------------------------

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """Keep scheduled actions in Redis until due (the runtime passes an undo once its
        punishment succeeded). On failure they are kept in memory and written at the next
        call that reaches Redis.

        Raises:
            spamguard.core.ScheduleError: an item's ``run_at`` is timezone-naive (nothing
                of this call is kept).
        """
        await self._scheduled.schedule(items)

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """Claim every scheduled action due at ``now``, earliest first, under a lease of
        ``claim_lease`` seconds: each is handed to one caller across processes, and handed
        out again (with those due) if it is not acknowledged with :meth:`done` within its
        lease. On failure: nothing (the actions stay in Redis for the next call)."""
        return await self._scheduled.claim_due(now)

    async def done(self, items: Sequence[ScheduledAction]) -> None:
        """Acknowledge claimed actions that were carried out: they leave Redis for good. On
        failure they are kept in memory and acknowledged at the next call that reaches
        Redis."""
        await self._scheduled.done(items)

    async def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due (None: nothing scheduled). While Redis
        is unavailable: ``retry_interval`` from now, so the caller asks again soon."""
        return await self._scheduled.next_due()

    async def cancel_scheduled(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """Take the member's pending scheduled actions out of Redis (its guild's bucket) and
        out of those held in memory, and return them, earliest first; one claimed by a
        process already is left to it. While Redis is unavailable: only those held in memory
        (the failure logged and counted)."""
        return await self._scheduled.cancel(guild_id, user_id)
