"""The library-agnostic runtime every adapter shares.

An adapter converts its library's events into core values and gives the runtime an
:class:`~spamguard.adapters.runtime.execution.ActionExecutor` that performs one action with
the library's API. The runtime does the rest, the same way for every library:

- decisions go through the state store, serialised per member, so concurrent messages of
  one member never double-punish;
- plans are carried out by :mod:`~spamguard.adapters.runtime.execution` (punishments
  first, deletions gathered per channel by the
  :class:`~spamguard.adapters.runtime.deletions.DeletionQueue`, undos kept once their
  punishment succeeded);
- the author of a message whose plan has actions is noted
  (:class:`~spamguard.adapters.runtime.hierarchy.RecentMembers`): the hierarchy check
  reads the member's roles from the event instead of asking Discord;
- the store keeps scheduled actions (undos, deletion of a notice after ``delete_after``)
  and the :class:`~spamguard.adapters.runtime.scheduler.Scheduler` carries them out when
  due;
- member joins and leaves, guild timers and AutoMod executions go to
  :class:`~spamguard.adapters.runtime.guild_events.GuildEvents` (same member locks);
- the adapter tells it which gateway shards the process runs and when one is lost
  (:mod:`~spamguard.adapters.runtime.shards`): the store lets go of that shard's guilds;
- nothing ever raises into the bot's event loop.
"""

from __future__ import annotations

__all__ = ("Runtime",)

import asyncio
import datetime
import logging
import time
import typing

from spamguard.adapters.runtime.cases import CaseRecorder
from spamguard.adapters.runtime.decisions import RecentDecisions
from spamguard.adapters.runtime.deletions import DeletionQueue
from spamguard.adapters.runtime.execution import Execution
from spamguard.adapters.runtime.guild_events import GuildEvents
from spamguard.adapters.runtime.hierarchy import RecentMembers
from spamguard.adapters.runtime.member_locks import MemberLocks
from spamguard.adapters.runtime.modlog import ModLogPoster
from spamguard.adapters.runtime.policy_source import PolicyReload
from spamguard.adapters.runtime.requests import utcnow
from spamguard.adapters.runtime.scheduler import Scheduler
from spamguard.adapters.runtime.shards import ShardWatch
from spamguard.adapters.runtime.stats import RuntimeStats
from spamguard.core.outcomes import ActionOutcome
from spamguard.core.plan import ScheduledAction, check_run_at

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.adapters.runtime.automod import FetchRules
    from spamguard.adapters.runtime.execution import ActionExecutor
    from spamguard.adapters.runtime.policy_source import ReloadResult
    from spamguard.adapters.stores.base import Store
    from spamguard.core.actions import Action
    from spamguard.core.engine import Guard
    from spamguard.core.events import AutomodExecution, MemberEvent, MemberJoin, MemberLeave
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy.automod import AutomodChange

_LOGGER = logging.getLogger("spamguard.runtime")


class Runtime:
    """Runs a guard against one bot: decisions, execution, scheduled actions.

    Args:
        guard: the decision maker.
        executor: the library's action executor.
        store: where state lives (default: the Redis store the policy names, else an
            in-memory store).
        action_timeout: seconds each action may take before it counts as failed; None
            (the default): no deadline, an action waits behind the library's rate-limit
            handling for as long as Discord asks.
        poll_interval: longest sleep of the scheduler between two looks at the store.
        stop_timeout: seconds :meth:`stop` waits for pending deletions to be sent, for the
            scheduler, then for the store to close, before it gives up on each with a
            warning.
        clock: the wall clock (injectable for tests).
        delete_window: seconds the deletions of one channel gather before they are sent.
        max_pending_deletions: most message ids waiting for deletion per guild; past it the
            oldest are dropped with a warning (counted in ``stats.deletions_dropped``).
        recent_members: where the authors of messages that led to a plan are noted (the
            executor asks it before the API).
    """

    def __init__(
        self,
        guard: Guard,
        executor: ActionExecutor,
        *,
        store: Store | None = None,
        action_timeout: float | None = None,
        poll_interval: float = 1.0,
        stop_timeout: float = 5.0,
        clock: Callable[[], datetime.datetime] = utcnow,
        delete_window: float = 0.5,
        max_pending_deletions: int = 10_000,
        recent_members: RecentMembers | None = None,
    ) -> None:
        if store is None and guard.policy.store_url is not None:
            # The policy names a shared store (``store: {url: redis://..., mode: ...}``).
            from spamguard.adapters.store_redis import redis_store_for

            store = redis_store_for(guard.policy.store_mode)
        elif store is None:
            from spamguard.adapters.stores.memory import MemoryStore

            store = MemoryStore()
        self.guard = guard
        self.executor = executor
        self.store = store
        self.action_timeout = action_timeout
        self.poll_interval = poll_interval
        self.stop_timeout = stop_timeout
        self.clock = clock
        self.stats = RuntimeStats()
        self.execution = Execution(self)
        """Carries the plans out."""
        self.deletions = DeletionQueue(
            self.execution.execute,
            window=delete_window,
            limit=max_pending_deletions,
            stats=self.stats,
        )
        """Where every deletion waits to leave with others of its channel."""
        self.recent_members = recent_members if recent_members is not None else RecentMembers()
        """The authors of messages that led to a plan lately, with their roles."""
        self.decisions = RecentDecisions()
        """The newest messages decided, with what explaining each decision needs."""
        self.policy_reload = PolicyReload(None)
        """Where the policy came from (``policy_reload.source``), to read it again."""
        self.member_locks = MemberLocks()
        """The per-member locks every event of a member is decided under."""
        self.scheduler = Scheduler(self)
        """Carries the scheduled actions out when due."""
        self.cases = CaseRecorder(self)
        """Records each incident as a numbered case in the store (subscribe to follow)."""
        self.shard_watch = ShardWatch(self)
        """The shards this process runs (``shard_watch.ownership``), and letting go of the
        guilds of a shard it loses."""
        self.modlog = ModLogPoster(self)
        """The moderators' log channels (the policy's ``modlog:``)."""
        self.guild_events = GuildEvents(self)
        """Handles member events, guild timers and AutoMod."""
        self._started = False
        self._drop_logged = False
        self._start_failure_logged = False
        self._life_cycle = asyncio.Lock()

    # -- life cycle ------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether :meth:`start` succeeded (and :meth:`stop` has not been called since)."""
        return self._started

    async def start(self) -> None:
        """Open the store (restoring saved state) and start the scheduler.

        The runtime counts as started only once the store is open: when opening fails the
        error is raised, the runtime stays stopped (events are dropped, see
        :attr:`RuntimeStats.not_started`) and the next call tries to open the store again.
        Concurrent calls share one attempt.

        Raises:
            Exception: whatever the store's ``open`` raised, e.g.
                :class:`~spamguard.core.SnapshotError` for an unreadable snapshot.
        """
        async with self._life_cycle:
            if self._started:
                return
            await self.store.open(self.guard)
            self.modlog.subscribe()
            self.scheduler.start()
            self._started = True
            self._drop_logged = False
            self._start_failure_logged = False

    async def stop(self) -> None:
        """Send the pending deletions, stop the scheduler and close the store (saving what
        must survive a restart).

        Returns within about three times :attr:`stop_timeout` whatever Discord and the store
        do: deletions not sent in time are dropped with a warning, and a scheduler that does
        not end in time (a store call that ignores cancellation) or a store that does not
        close in time is left behind with a warning.
        """
        async with self._life_cycle:
            if not self._started:
                return
            self._started = False
            try:
                async with asyncio.timeout(self.stop_timeout):
                    await self.deletions.flush()
            except TimeoutError:
                _LOGGER.warning(
                    "spamguard could not send %d pending deletions within %gs; stopped "
                    "without them",
                    self.deletions.pending,
                    self.stop_timeout,
                )
                self.deletions.abandon()
            await self.scheduler.stop()
            await self.modlog.close()
            try:
                async with asyncio.timeout(self.stop_timeout):
                    await self.store.close()
            except TimeoutError:
                _LOGGER.warning(
                    "spamguard's store did not close within %gs; stopped without it",
                    self.stop_timeout,
                )

    # -- shards ----------------------------------------------------------------------------

    async def shard_lost(self, shard_id: int, shard_count: int) -> None:
        """A gateway shard of this process stopped or disconnected: the store flushes, then
        forgets, that shard's guilds (:meth:`ShardWatch.lost
        <spamguard.adapters.runtime.shards.ShardWatch.lost>`); never raises."""
        await self.shard_watch.lost(shard_id, shard_count)

    # -- events ----------------------------------------------------------------------------

    async def handle_event(self, convert: Callable[[], MessageLike | None]) -> Plan | None:
        """Convert a library event with ``convert`` and handle the message; never raises.

        ``convert`` returns None for events that are not guild messages; an exception from
        it counts as a malformed event.
        """
        try:
            message = convert()
        except Exception:
            self.stats.malformed += 1
            _LOGGER.warning("spamguard dropped a malformed message event", exc_info=True)
            return None
        if message is None:
            return None
        return await self.handle(message)

    async def handle_automod_event(
        self, convert: Callable[[datetime.datetime], AutomodExecution]
    ) -> Plan | None:
        """Convert a library's AutoMod execution event with ``convert`` (given the time it
        is received at: the event carries none) and handle it; never raises. An exception
        from ``convert`` counts as a malformed event."""
        return await self.guild_events.handle_automod_event(convert)

    async def handle_member_event(
        self, convert: Callable[[datetime.datetime], MemberJoin | MemberLeave | None]
    ) -> Plan | None:
        """Convert a library's member join or removal event with ``convert`` (given the time
        it is received at) and handle it; never raises. ``convert`` returns None for an event
        to leave alone; an exception from it counts as a malformed event."""
        return await self.guild_events.handle_member_event(convert)

    async def handle_member(self, event: MemberEvent) -> Plan | None:
        """Decide a member joining or leaving, or a plugin's guild timer falling due (through
        the store, under the member's lock; a timer's member is 0) and carry out the plan;
        never raises. Nothing is done (and None returned) while the
        runtime is not started."""
        return await self.guild_events.handle_member(event)

    def start_failed(self, error: BaseException | None = None) -> None:
        """Count a failed :meth:`start` and log it: ``error``, else the exception being
        handled (call it from the ``except`` block).

        The adapters retry the start at each event: the first failure since the runtime
        last started is logged with its traceback, later ones at debug level, so a store
        that never opens does not log a traceback per message.
        """
        self.stats.errors += 1
        level = logging.DEBUG if self._start_failure_logged else logging.ERROR
        self._start_failure_logged = True
        _LOGGER.log(
            level,
            "spamguard could not start (its store did not open); events are dropped and the "
            "start is retried at the next one",
            exc_info=error if error is not None else True,
        )

    def drop(self, what: str) -> None:
        """Count and log an event (``what``) dropped because the runtime is not started
        (every entry point of events calls it: messages here, the others in
        :class:`~spamguard.adapters.runtime.guild_events.GuildEvents`)."""
        self.stats.not_started += 1
        # Once per stopped period at warning level: a store that never opens would else
        # log every message.
        level = logging.DEBUG if self._drop_logged else logging.WARNING
        self._drop_logged = True
        _LOGGER.log(level, "spamguard is not started (its store is not open); %s dropped", what)

    async def handle(self, message: MessageLike) -> Plan | None:
        """Decide one message and carry out its plan; never raises. Nothing is done (and
        None returned) while the runtime is not started."""
        if not self._started:
            self.drop(f"message {getattr(message, 'id', '?')}")
            return None
        try:
            hooks = self.guard.hooks
            # The performance counter is read only while a plugin listens.
            timed = hooks.reports_decisions
            async with self.member_locks.hold((message.guild_id, message.author_id)):
                self.stats.messages += 1
                before = self.decisions.before(self.guard, message)
                started = time.perf_counter() if timed else 0.0
                plan = await self.store.process(self.guard, message)
                seconds = time.perf_counter() - started if timed else 0.0
                self.decisions.record(self.guard, message, plan, before)
            if timed:
                hooks.report_decision(plan, seconds)
            if plan and message.guild_id is not None:
                # The hierarchy check of the plan's punishment reads the author from here.
                self.recent_members.note(
                    message.guild_id,
                    message.author_id,
                    message.author_role_ids,
                    is_administrator=message.author_is_admin,
                )
                self.modlog.saw(message, plan)
            await self.carry_out(plan, message)
        except Exception:
            self.stats.errors += 1
            _LOGGER.exception("spamguard failed to handle message %s", getattr(message, "id", "?"))
            return None
        return plan

    async def handle_automod(self, execution: AutomodExecution) -> Plan | None:
        """Count a native AutoMod execution and carry out what it leads to; never raises.

        The events Discord sends for the other actions of the same trigger are dropped
        (see :data:`~spamguard.adapters.runtime.automod.AUTOMOD_REPEAT_WINDOW`). Nothing is
        done while the runtime is not started.
        """
        return await self.guild_events.handle_automod(execution)

    async def sync_automod(
        self, guild_id: int, fetch_rules: FetchRules
    ) -> tuple[ActionOutcome, ...]:
        """Make the guild's native AutoMod rules match the policy's ``automod:`` section.

        ``fetch_rules`` lists the guild's rules as Discord's JSON. Only rules spamguard owns
        (name prefix) are created, edited or deleted; a second run changes nothing, and
        one guild is synced once at a time. Never raises: a failed listing is logged and
        counted.
        """
        return await self.guild_events.sync_automod(guild_id, fetch_rules)

    # -- policy ----------------------------------------------------------------------------

    async def reload_policy(self) -> ReloadResult:
        """Read the policy again from where it came from and use it when it is valid
        (:class:`~spamguard.adapters.runtime.policy_source.PolicyReload`); an invalid one
        is reported with every problem and the policy in use stays. Never raises."""
        return await self.policy_reload.reload(self.guard)

    # -- execution -------------------------------------------------------------------------

    async def carry_out(
        self, plan: Plan, message: MessageLike | None = None
    ) -> tuple[ActionOutcome, ...]:
        """Carry out a plan's actions (:meth:`Execution.carry_out
        <spamguard.adapters.runtime.execution.Execution.carry_out>`), then record the
        incident as a case (:meth:`CaseRecorder.record
        <spamguard.adapters.runtime.cases.CaseRecorder.record>`; ``message``: the one
        decided, for its excerpt); never raises."""
        outcomes = await self.execution.carry_out(plan)
        if plan.violations and plan.actions:
            await self.cases.record(plan, outcomes, message)
        return outcomes

    async def schedule(self, items: tuple[ScheduledAction, ...] | list[ScheduledAction]) -> None:
        """Hand scheduled actions to the store and wake the scheduler.

        Raises:
            spamguard.core.ScheduleError: an item's ``run_at`` is timezone-naive.
        """
        for item in items:
            check_run_at(item.run_at)
        await self.store.schedule(items)
        self.scheduler.wake()

    async def run_action(
        self, action: Action | AutomodChange, *, guild_id: int | None, dry_run: bool = False
    ) -> ActionOutcome:
        """Carry out one action and report its outcome (:meth:`Execution.run_action
        <spamguard.adapters.runtime.execution.Execution.run_action>`); never raises."""
        return await self.execution.run_action(action, guild_id=guild_id, dry_run=dry_run)

    async def run_due(self) -> int:
        """Carry out every scheduled action due now; returns how many ran."""
        return await self.scheduler.run_due()
