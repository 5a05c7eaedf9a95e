"""The runtime's case recorder: every incident becomes a numbered case in the store.

After the runtime carried a plan out, :meth:`CaseRecorder.record` turns a plan with
violations and actions into a case: a later plan of the same member within the guild's
``incident_window`` of the case's last update joins that case (more violations, deletions,
a stronger punishment), any other opens a new one with the guild's next number
(:class:`~spamguard.adapters.stores.CaseBook`). The undo state follows the punishment: a
scheduled unban or role removal that runs (or fails) moves it (:meth:`~CaseRecorder.undo_ran`),
and so do a pardon and a cancelled undo.

Subscribers (:meth:`~CaseRecorder.subscribe`) receive each change as a frozen
:class:`~spamguard.core.cases.CaseUpdate`. Nothing here raises into the bot: a store that
fails leaves the case unnumbered (``#?``, numbered when a later plan joins it and the store
is back), logged and counted in :attr:`CaseRecorder.failures`.
"""

from __future__ import annotations

__all__ = ("CaseRecorder", "CaseSubscriber")

import asyncio
import inspect
import logging
import typing

from spamguard.core.case_drafts import draft_case, join_cases, with_undo
from spamguard.core.cases import CaseChange, CaseUpdate, UndoState

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Sequence

    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.adapters.stores.base import CaseBook
    from spamguard.core.cases import Case
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan, ScheduledAction

_LOGGER = logging.getLogger("spamguard.runtime.cases")

CaseSubscriber = typing.Callable[[CaseUpdate], object]
"""A subscriber: called with each update; a coroutine function's calls run as tasks."""

UNDO_KINDS: typing.Final = frozenset({"unban", "remove_role", "remove_timeout"})
"""Scheduled action kinds that undo a case's punishment."""

_HOLDING: typing.Final = frozenset({UndoState.SCHEDULED, UndoState.FAILED})
"""Undo states of a case whose punishment may still hold."""

_MAX_OPEN: typing.Final = 10_000
"""Open cases remembered per process before those past their window are forgotten."""


class CaseRecorder:
    """Records one runtime's incidents as cases (created by the runtime: ``runtime.cases``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.failures = 0
        """Cases that could not be recorded or numbered (each one logged)."""
        self._open: dict[tuple[int, int | None], Case] = {}
        self._locks: dict[tuple[int, int | None], asyncio.Lock] = {}
        self._subscribers: list[CaseSubscriber] = []
        self._tasks: set[asyncio.Task[object]] = set()
        self._fallback: CaseBook | None = None

    @property
    def book(self) -> CaseBook:
        """The store's cases (a store without ``cases``, written before them, gets an
        in-memory book of the process)."""
        book = getattr(self.runtime.store, "cases", None)
        if book is None:
            if self._fallback is None:
                from spamguard.adapters.stores.memory_cases import MemoryCaseBook

                self._fallback = MemoryCaseBook()
            book = self._fallback
        return typing.cast("CaseBook", book)

    # -- subscribers -----------------------------------------------------------------------

    def subscribe(self, callback: CaseSubscriber) -> Callable[[], None]:
        """Call ``callback`` with every :class:`~spamguard.core.cases.CaseUpdate` from now
        on; returns a function that unsubscribes it. An exception from a subscriber is
        logged, never raised; a coroutine function's calls run as tasks beside the runtime
        (a subscriber never delays punishing)."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _tell(self, case: Case, change: CaseChange) -> None:
        update = CaseUpdate(case=case, change=change)
        for callback in tuple(self._subscribers):
            try:
                result = callback(update)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._finished)
            except Exception:
                _LOGGER.exception("a case subscriber failed on case %s", case.label)

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("a case subscriber failed", exc_info=task.exception())

    # -- recording -------------------------------------------------------------------------

    async def record(
        self,
        plan: Plan,
        outcomes: Sequence[ActionOutcome],
        message: MessageLike | None = None,
    ) -> Case | None:
        """Open or join the member's case for a carried out plan with violations and
        actions (``message``: the offending message, for its excerpt); the case as now
        kept, None for a plan that is no incident or when recording failed (logged,
        counted). Never raises."""
        if not plan.violations or not plan.actions or plan.guild_id is None:
            return None
        try:
            return await self._record(plan, outcomes, message)
        except Exception:
            self.failures += 1
            _LOGGER.exception("spamguard could not record the case of plan %s", plan.message_id)
            return None

    async def _record(
        self, plan: Plan, outcomes: Sequence[ActionOutcome], message: MessageLike | None
    ) -> Case:
        guild_id = typing.cast("int", plan.guild_id)
        key = (guild_id, plan.user_id)
        now = self.runtime.clock()
        content = getattr(message, "content", None) if message is not None else None
        draft = draft_case(
            plan, outcomes, at=now, content=content if isinstance(content, str) else None
        )
        async with self._lock(key):
            current = await self._current(key, now)
            if current is None:
                case = await self.book.open(draft)
                change = CaseChange.OPENED
            else:
                case = join_cases(current, draft)
                case = await self._keep(case)
                change = CaseChange.UPDATED
            if not case.number:
                self.failures += 1
                _LOGGER.warning(
                    "spamguard's store could not number the case of member %s in guild %s; "
                    "it is reported as #?",
                    plan.user_id,
                    guild_id,
                )
            self._remember(key, case)
        self._tell(case, change)
        return case

    def _lock(self, key: tuple[int, int | None]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def _window(self, guild_id: int) -> float:
        return self.runtime.guard.policy.for_guild(guild_id).incident_window

    async def _current(self, key: tuple[int, int | None], now: datetime.datetime) -> Case | None:
        """The member's case still open at ``now``: this process's, else the store's newest
        (another process of a sharded bot may have opened it)."""
        guild_id, user_id = key
        case = self._open.get(key)
        if case is None and user_id is not None:
            newest = await self.book.of_member(guild_id, user_id, limit=1)
            case = newest[0] if newest else None
        if case is None or case.pardoned_by is not None:
            return None
        if (now - case.updated_at).total_seconds() > self._window(guild_id):
            self._open.pop(key, None)
            return None
        return case

    async def _keep(self, case: Case) -> Case:
        """Save a joined case; one no store numbered yet is opened now (numbered late)."""
        if case.number:
            await self.book.save(case)
            return case
        return await self.book.open(case)

    def _remember(self, key: tuple[int, int | None], case: Case) -> None:
        self._open[key] = case
        lock = self._locks.get(key)
        if lock is not None and not lock.locked():
            del self._locks[key]
        if len(self._open) > _MAX_OPEN:
            now = self.runtime.clock()
            for old_key, old in list(self._open.items()):
                if (now - old.updated_at).total_seconds() > self._window(old.guild_id):
                    del self._open[old_key]

    # -- the undo --------------------------------------------------------------------------

    async def undo_ran(self, item: ScheduledAction, outcome: ActionOutcome) -> Case | None:
        """A scheduled action ran: when it undoes a member's punishment (an unban, a role
        removal), that member's newest case with a scheduled undo moves to ``done`` (or
        ``failed``); the case, or None. Never raises."""
        action = item.action
        guild_id = getattr(action, "guild_id", None)
        user_id = getattr(action, "user_id", None)
        if action.kind not in UNDO_KINDS or guild_id is None or user_id is None:
            return None
        state = UndoState.DONE if outcome.ok else UndoState.FAILED
        changed = await self._move(
            guild_id, user_id, {UndoState.SCHEDULED}, state, CaseChange.UNDONE, newest_only=True
        )
        return changed[0] if changed else None

    async def pardon(
        self, guild_id: int, user_id: int, *, moderator_id: int | None
    ) -> tuple[Case, ...]:
        """A moderator pardoned the member (the caller lifted what held and cancelled the
        scheduled undos): every case of the member whose punishment may still hold
        (undo ``scheduled`` or ``failed``), and the newest case, become ``pardoned`` by
        ``moderator_id``; the next plan of the member opens a new case. Returns the
        changed cases (empty: the member has none). Never raises."""
        return await self._move(
            guild_id,
            user_id,
            _HOLDING,
            UndoState.PARDONED,
            CaseChange.PARDONED,
            moderator_id=moderator_id,
        )

    async def undo_cancelled(self, guild_id: int, user_id: int) -> tuple[Case, ...]:
        """The member's scheduled undos were taken out of the store without a pardon: their
        cases with a scheduled undo become ``cancelled``. Returns them. Never raises."""
        return await self._move(
            guild_id, user_id, {UndoState.SCHEDULED}, UndoState.CANCELLED, CaseChange.UNDONE
        )

    async def _move(
        self,
        guild_id: int,
        user_id: int,
        states: typing.AbstractSet[UndoState],
        to: UndoState,
        change: CaseChange,
        *,
        newest_only: bool = False,
        moderator_id: int | None = None,
    ) -> tuple[Case, ...]:
        key: tuple[int, int | None] = (guild_id, user_id)
        changed: list[Case] = []
        try:
            async with self._lock(key):
                now = self.runtime.clock()
                cases = list(await self.book.of_member(guild_id, user_id))
                held = self._open.get(key)
                if held is not None and not held.number:
                    cases.insert(0, held)  # an unnumbered case lives only here
                pardon = to is UndoState.PARDONED
                for index, case in enumerate(cases):
                    newest = index == 0 and pardon and case.pardoned_by is None
                    if case.undo not in states and not newest:
                        continue
                    moved = with_undo(case, to, at=now, pardoned_by=moderator_id)
                    if case.number:
                        await self.book.save(moved)
                    changed.append(moved)
                    if newest_only:
                        break
                if pardon:
                    self._open.pop(key, None)
                elif changed and held is not None:
                    self._open[key] = next(
                        (c for c in changed if c.number == held.number), self._open[key]
                    )
        except Exception:
            self.failures += 1
            _LOGGER.exception(
                "spamguard could not update the cases of member %s in guild %s", user_id, guild_id
            )
            return ()
        for case in changed:
            self._tell(case, change)
        return tuple(changed)

    # -- reading ---------------------------------------------------------------------------

    async def of_member(self, guild_id: int, user_id: int, *, limit: int = 25) -> tuple[Case, ...]:
        """The member's newest cases, newest first (empty when the store failed)."""
        try:
            return await self.book.of_member(guild_id, user_id, limit=limit)
        except Exception:
            self.failures += 1
            _LOGGER.exception("spamguard could not read the cases of member %s", user_id)
            return ()

    async def get(self, guild_id: int, number: int) -> Case | None:
        """The guild's case ``number`` (None: not kept, or the store failed)."""
        try:
            return await self.book.get(guild_id, number)
        except Exception:
            self.failures += 1
            _LOGGER.exception("spamguard could not read case #%s of guild %s", number, guild_id)
            return None
