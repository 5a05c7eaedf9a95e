"""Guild timers falling due: the plan of a :class:`~spamguard.core.events.GuildTimer`.

A plugin sets a timer by returning ``ScheduledAction(at, GuildTimer(...))`` from a guild
hook; the runtime keeps it in its store and, when it is due, hands it to
:meth:`Guard.handle <spamguard.core.engine.guard.Guard.handle>`, which comes here: the
``spamguard_guild_timer`` hooks of every plugin see it with a
:class:`~spamguard.core.context.TimerContext` (the guild's policy, the timer's time, the
plugin's guild windows, the same ones its join hook opens), and their results make the
plan, exactly as a join's do (:func:`~spamguard.core.engine.joins.plan_of_results`).
"""

from __future__ import annotations

__all__ = ("handle_guild_timer",)

import typing

from spamguard.core.context import TimerContext
from spamguard.core.engine.joins import guild_windows, plan_of_results
from spamguard.core.messages import check_time

if typing.TYPE_CHECKING:
    from spamguard.core.engine.guard import Guard
    from spamguard.core.events import GuildTimer
    from spamguard.core.plan import Plan


def handle_guild_timer(guard: Guard, timer: GuildTimer) -> Plan:
    """The plan of ``timer`` falling due, decided at its ``at`` (never the clock).

    Raises:
        MessageError: ``timer.at`` is naive or out of range.
    """
    check_time("at", timer.at)
    guild_id = timer.guild_id
    policy = guard.policy_for(guild_id)
    state = guard.state
    ts = timer.at.timestamp()
    state.count(guild_id, "guild_timers")

    def context_for(plugin: str) -> TimerContext:
        window = guild_windows(state, plugin, guild_id, ts)
        return TimerContext(timer=timer, policy=policy, now=timer.at, _window=window)

    found = guard.hooks.guild_timer(timer, policy, context_for)
    return plan_of_results(found, "spamguard_guild_timer", guild_id, None, timer.at, policy.dry_run)
