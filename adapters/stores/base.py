"""The state-store seam: where an adapter's runtime keeps the guard's state.

The core decides from state values and never does IO; a store loads and saves those values
around each decision, so the interface is async and lives with the adapters, beside its
implementations: :class:`~spamguard.adapters.stores.memory.MemoryStore` (default,
in-process, optional snapshot file), :class:`~spamguard.adapters.stores.redis_owned.RedisStore`
(guild-owned, written behind to Redis) and
:class:`~spamguard.adapters.stores.redis_consistent.ConsistentRedisStore` (every message
decided against Redis).
"""

from __future__ import annotations

__all__ = ("CASES_PER_GUILD", "CaseBook", "Store", "StoreConfigError")

import typing

from spamguard.core.errors import SpamguardError

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Sequence
    from contextlib import AbstractAsyncContextManager

    from spamguard.core.cases import Case
    from spamguard.core.engine import Guard
    from spamguard.core.events import MemberEvent
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan, ScheduledAction


CASES_PER_GUILD: typing.Final = 5_000
"""Cases a guild keeps in every store: a new case past it forgets the guild's oldest (its
number is still never handed out again)."""


class StoreConfigError(SpamguardError, ValueError):
    """A state store is configured wrongly (no or a bad connection URL)."""


class CaseBook(typing.Protocol):
    """Where a store keeps the guilds' cases (:class:`~spamguard.core.cases.Case`), reached
    as ``store.cases``. Every method is a coroutine and never raises for an unavailable
    backend: it logs, counts (the store's ``failures``) and answers as documented.

    Case numbers are per guild, from 1, handed out atomically across every process sharing
    the store and never reused. Each guild keeps its newest cases only (the store says how
    many, :data:`CASES_PER_GUILD` by default).
    """

    async def open(self, draft: Case) -> Case:
        """Keep a new case: ``draft`` with the guild's next number. On a backend failure:
        ``draft`` as given (number 0, shown as ``#?``), logged and counted."""

    async def save(self, case: Case) -> bool:
        """Keep ``case`` (already numbered) as it is now; False (logged, counted) when the
        backend failed or the case is no longer kept (past the guild's retention)."""

    async def get(self, guild_id: int, number: int) -> Case | None:
        """The guild's case ``number``; None when there is none (never was, or past the
        retention) or the backend failed."""

    async def of_member(self, guild_id: int, user_id: int, *, limit: int = 25) -> tuple[Case, ...]:
        """The member's newest cases in the guild, newest first, at most ``limit``; empty
        when the backend failed."""


class Store(typing.Protocol):
    """What the runtime needs from a state store. Every method is a coroutine.

    A store must never raise into the bot's event loop for an unavailable backend: it
    logs, counts (``failures``) and answers as documented per method (fail-open).
    """

    @property
    def failures(self) -> int:
        """Backend errors so far (each one logged)."""

    @property
    def cases(self) -> CaseBook:
        """The guilds' cases, kept beside the guard's state."""

    async def open(self, guard: Guard) -> None:
        """Connect, and load saved state into ``guard`` (its pending scheduled actions
        included). Called once before the first message."""

    async def close(self) -> None:
        """Save what must survive a restart (the guard's snapshot, for a memory store) and
        disconnect."""

    async def process(self, guard: Guard, message: MessageLike) -> Plan:
        """Decide one message with ``guard`` against the stored state and keep the new state.

        On a backend failure: an empty plan (the message is not punished), logged and
        counted.
        """

    async def handle_event(self, guard: Guard, event: MemberEvent) -> Plan:
        """Decide a member joining or leaving with ``guard`` against the stored state (the
        member's join time, the guild's join windows) and keep the new state.

        On a backend failure: an empty plan, logged and counted.
        """

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """Keep scheduled actions (undo of temporary punishments) until they are due."""

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """Atomically take every scheduled action due at ``now``: each is handed to exactly
        one caller, even with several processes polling. A store shared by processes
        claims under a lease: an action not acknowledged with :meth:`done` before its lease
        ends (its process died) is handed out again."""

    async def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due (None: nothing scheduled)."""

    async def cancel_scheduled(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """Take out the pending scheduled actions on one member (its unban, its mute role's
        removal: see :meth:`ScheduledAction.concerns
        <spamguard.core.plan.ScheduledAction.concerns>`) and return them, earliest first:
        what a pardon carries out at once instead. An action already claimed by a process
        (being carried out now) is not among them. On a backend failure: nothing taken out
        (logged and counted)."""

    def exclusive(self, guild_id: int, purpose: str) -> AbstractAsyncContextManager[bool]:
        """A context that holds the guild's ``purpose`` task for one process at a time
        across every process sharing the store (AutoMod rule provisioning); it yields
        whether this process runs the task (False: another runs it now, leave it). A store
        of one process yields True."""

    async def release(self, lost: Callable[[int], bool]) -> None:
        """Flush, then forget, every held guild for which ``lost(guild_id)`` is true: its
        shard moved to another process, which takes it over from what was flushed. A store
        that holds no guild of its own (memory: nothing to hand over; consistent Redis:
        nothing held between messages) does nothing."""

    async def done(self, items: Sequence[ScheduledAction]) -> None:
        """Acknowledge scheduled actions from :meth:`claim_due` as carried out (the runtime's
        scheduler calls it after each one ran): a store that leases claimed items keeps them
        until then and never hands them out again after; others do nothing."""
