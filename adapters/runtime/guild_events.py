"""The runtime's events other than messages: members joining and leaving, guild timers
falling due, and Discord's native AutoMod (its executions, and syncing the rules the
policy's ``automod:`` section asks for).

:class:`GuildEvents` is owned by the :class:`~spamguard.adapters.runtime.runtime.Runtime`
as ``runtime.guild_events``; the runtime's ``handle_member_event``, ``handle_member``,
``handle_automod_event``, ``handle_automod`` and ``sync_automod`` hand their events to it.
Each event is converted (an exception counts as a malformed event), decided under the
member's lock (the one the member's messages take) and its plan carried out. Nothing
raises into the bot.
"""

from __future__ import annotations

__all__ = ("GuildEvents",)

import logging
import typing

from spamguard.adapters.runtime.automod import RepeatFilter, RuleSync

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable

    from spamguard.adapters.runtime.automod import FetchRules
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.events import AutomodExecution, MemberEvent, MemberJoin, MemberLeave
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan

_LOGGER = logging.getLogger("spamguard.runtime")

_Event = typing.TypeVar("_Event")


class GuildEvents:
    """Member events, guild timers and AutoMod for one runtime.

    Args:
        runtime: the runtime whose guard decides, whose store keeps the state and whose
            execution carries the plans out.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._automod_repeats = RepeatFilter()
        self._automod_sync = RuleSync(runtime)

    def _converted(
        self, convert: Callable[[datetime.datetime], _Event], what: str
    ) -> _Event | None:
        """``convert`` given the receive time; None, counted and logged, when it raises."""
        try:
            return convert(self._runtime.clock())
        except Exception:
            self._runtime.stats.malformed += 1
            _LOGGER.warning("spamguard dropped a malformed %s", what, exc_info=True)
            return None

    async def handle_automod_event(
        self, convert: Callable[[datetime.datetime], AutomodExecution]
    ) -> Plan | None:
        """See :meth:`Runtime.handle_automod_event
        <spamguard.adapters.runtime.runtime.Runtime.handle_automod_event>`."""
        execution = self._converted(convert, "AutoMod execution")
        return None if execution is None else await self.handle_automod(execution)

    async def handle_member_event(
        self, convert: Callable[[datetime.datetime], MemberJoin | MemberLeave | None]
    ) -> Plan | None:
        """See :meth:`Runtime.handle_member_event
        <spamguard.adapters.runtime.runtime.Runtime.handle_member_event>`."""
        event = self._converted(convert, "member event")
        return None if event is None else await self.handle_member(event)

    async def handle_member(self, event: MemberEvent) -> Plan | None:
        """See :meth:`Runtime.handle_member
        <spamguard.adapters.runtime.runtime.Runtime.handle_member>`."""
        runtime = self._runtime
        if not runtime.started:
            runtime.drop("a member event")
            return None
        try:
            # The member's lock is the one their messages take (Runtime.handle).
            async with runtime.member_locks.hold((event.guild_id, getattr(event, "user_id", 0))):
                plan = await runtime.store.handle_event(runtime.guard, event)
            await runtime.carry_out(plan)
        except Exception:
            runtime.stats.errors += 1
            _LOGGER.exception("spamguard failed to handle a member event")
            return None
        return plan

    async def handle_automod(self, execution: AutomodExecution) -> Plan | None:
        """See :meth:`Runtime.handle_automod
        <spamguard.adapters.runtime.runtime.Runtime.handle_automod>`."""
        runtime = self._runtime
        if not runtime.started:
            runtime.drop("an AutoMod execution")
            return None
        if self._automod_repeats.repeated(execution):
            return None
        try:
            async with runtime.member_locks.hold((execution.guild_id, execution.user_id)):
                plan = runtime.guard.record_automod_execution(execution)
            runtime.modlog.automod(execution, plan)
            await runtime.carry_out(plan)
        except Exception:
            runtime.stats.errors += 1
            _LOGGER.exception("spamguard failed to handle an AutoMod execution")
            return None
        return plan

    async def sync_automod(
        self, guild_id: int, fetch_rules: FetchRules
    ) -> tuple[ActionOutcome, ...]:
        """See :meth:`Runtime.sync_automod
        <spamguard.adapters.runtime.runtime.Runtime.sync_automod>`."""
        return await self._automod_sync.sync(guild_id, fetch_rules)
