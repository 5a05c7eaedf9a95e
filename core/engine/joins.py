"""Members joining and leaving: what the guard records of them and the plan of a join.

A :class:`~spamguard.core.events.MemberJoin` records when the member joined (its
``joined_at``, read by the policy's ``new_members``) and asks the
``spamguard_check_member_join`` hooks what to do; a
:class:`~spamguard.core.events.MemberLeave` forgets that time and does nothing punitive.

Joins are decided once: the gateway replays events after a resume, and the same member
joining again with no leave in between, or with a join older than the last leave seen
(clocks of two shards disagree), is skipped as redelivered. The guard keeps a member's
join and leave times :data:`JOIN_MEMORY` seconds at least (longer when ``new_members``
reads them), so a replay within that time does nothing twice.
"""

from __future__ import annotations

__all__ = (
    "JOIN_MEMORY",
    "decide_join",
    "decide_leave",
    "decide_member_slice",
    "guild_windows",
    "handle_member_event",
    "join_window_key",
    "joins_history",
    "plan_of_results",
)

import datetime
import logging
import typing

from spamguard.core.actions import SetIncidentActions, is_action
from spamguard.core.context import JoinContext
from spamguard.core.engine.compiled_policy import skip_ignored, skip_member
from spamguard.core.engine.state import GuardState, window_data
from spamguard.core.errors import ScheduleError
from spamguard.core.events import MemberJoin
from spamguard.core.messages import check_time
from spamguard.core.plan import (
    ScheduledAction,
    SkipReason,
    Violation,
    build_plan,
    check_run_at,
)

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.core.actions import Action
    from spamguard.core.engine.guard import Guard
    from spamguard.core.engine.state import WindowKey
    from spamguard.core.events import MemberEvent, MemberLeave
    from spamguard.core.plan import Plan
    from spamguard.core.plugins import Hooks
    from spamguard.core.policy import GuildPolicy, Policy
    from spamguard.core.windows import SumWindow

_LOGGER = logging.getLogger("spamguard.engine.joins")

JOIN_MEMORY: typing.Final = 300.0
"""Seconds a member's join and leave times are kept at least: how long a replayed join
(a gateway resume delivers the events missed while disconnected, within minutes) is
recognised. Longer would hold every joiner of a flood (10k a minute) for longer."""

_UTC = datetime.UTC


def join_window_key(plugin: str, name: str, guild_id: int) -> WindowKey:
    """The key of the guild-wide join window ``name`` of ``plugin`` (see
    :meth:`JoinContext.window <spamguard.core.context.JoinContext.window>`)."""
    return (f"join:{plugin}:{name}", "g", guild_id)


def joins_history(policy: Policy) -> float:
    """Seconds the members' join and leave times are worth keeping under ``policy``: the
    longest ``new_members.joined_within`` of any guild, and :data:`JOIN_MEMORY` at least."""
    longest = JOIN_MEMORY
    for guild in (policy.base, *policy.guilds.values()):
        new_members = guild.new_members
        if new_members is not None and new_members.joined_within is not None:
            longest = max(longest, new_members.joined_within)
    return longest


def handle_member_event(guard: Guard, event: MemberJoin | MemberLeave) -> Plan:
    """What :meth:`Guard.handle <spamguard.core.engine.guard.Guard.handle>` does with a
    member joining (:func:`decide_join`) or leaving (:func:`decide_leave`).

    Raises:
        MessageError: the event's time is naive or out of range.
    """
    policy = guard.policy_for(event.guild_id)
    if isinstance(event, MemberJoin):
        plan = decide_join(guard.state, guard.hooks, policy, event, guard.self_id)
        guard.count_event(event.joined_at)
    else:
        plan = decide_leave(guard.state, policy, event)
        guard.count_event(event.at)
    return plan


def decide_join(
    state: GuardState,
    hooks: Hooks,
    policy: GuildPolicy,
    join: MemberJoin,
    self_id: int | None,
) -> Plan:
    """The plan of ``join`` under its guild's ``policy``; ``state`` records the join.

    Raises:
        MessageError: ``join.joined_at`` is naive or out of range.
    """
    check_time("joined_at", join.joined_at)
    guild_id, user_id = join.guild_id, join.user_id
    skip = skip_member(guild_id, user_id, join.bot, policy, self_id) or skip_ignored(
        user_id, join.role_ids, policy
    )
    ts = join.joined_at.timestamp()
    if skip is None:
        member = state.member(guild_id, user_id)
        if member is not None and (
            member.joined_at is not None or (member.left_at is not None and ts <= member.left_at)
        ):
            skip = SkipReason.REDELIVERED
    if skip is not None:
        state.count(guild_id, f"skipped:{skip}")
        return build_plan(None, guild_id, user_id, None, policy.dry_run, skip)
    state.count(guild_id, "member_joins")
    state.member_of(guild_id, user_id).joined_at = ts
    now = join.joined_at

    def context_for(plugin: str) -> JoinContext:
        window = guild_windows(state, plugin, guild_id, ts)
        return JoinContext(join=join, policy=policy, now=now, _window=window, _joined_at=joined)

    def joined(other: int) -> datetime.datetime | None:
        member = state.member(guild_id, other)
        if member is None or member.joined_at is None:
            return None
        return datetime.datetime.fromtimestamp(member.joined_at, tz=_UTC)

    found = hooks.check_member_join(join, policy, context_for)
    return plan_of_results(
        found, "spamguard_check_member_join", guild_id, user_id, now, policy.dry_run
    )


def guild_windows(
    state: GuardState, plugin: str, guild_id: int, ts: float
) -> Callable[[str, float, bool], SumWindow]:
    """The opener of ``plugin``'s guild windows at POSIX time ``ts`` (``JoinContext.window``,
    ``TimerContext.window``)."""

    def window(name: str, interval: float, text: bool) -> SumWindow:
        return state.open_window(join_window_key(plugin, name, guild_id), interval, text, ts)

    return window


def plan_of_results(
    found: Iterable[object],
    hook: str,
    guild_id: int,
    user_id: int | None,
    now: datetime.datetime,
    dry_run: bool,
) -> Plan:
    """The plan of what a guild hook's plugins returned: actions (each once, in order; a
    :class:`~spamguard.core.actions.SetIncidentActions` clamped to 24 hours after ``now``),
    violations and scheduled actions (timers); anything else is logged and ignored."""
    actions: list[Action] = []
    scheduled: list[ScheduledAction] = []
    violations: list[Violation] = []
    for item in found:
        if isinstance(item, Violation):
            # What a plugin found (a raid's start), for dry runs, replays and explain.
            violations.append(item)
        elif isinstance(item, ScheduledAction):
            if not _schedulable(item, hook):
                continue
            if item not in scheduled:
                scheduled.append(item)
        elif not is_action(item):
            _LOGGER.error("a %s hook returned %r, not an action; ignored", hook, item)
        else:
            action = typing.cast("Action", item)
            if isinstance(action, SetIncidentActions):
                # Discord answers 400 to a pause ending more than 24 h ahead: cut here,
                # where the plan is made, so the lockdown happens (for the day Discord allows).
                action = action.clamped(now)
            if action not in actions:
                actions.append(action)
    return build_plan(
        None,
        guild_id,
        user_id,
        None,
        dry_run,
        None,
        tuple(actions),
        tuple(scheduled),
        tuple(violations),
    )


def _schedulable(item: ScheduledAction, hook: str) -> bool:
    """Whether a plugin's scheduled action can be kept (a timezone-aware ``run_at``); a
    plugin's mistake is logged, not raised into the event loop."""
    try:
        check_run_at(item.run_at)
    except ScheduleError:
        _LOGGER.exception("a %s hook returned an unusable scheduled action; ignored", hook)
        return False
    return True


def decide_leave(state: GuardState, policy: GuildPolicy, leave: MemberLeave) -> Plan:
    """The (empty) plan of ``leave``; ``state`` forgets when the member joined and notes
    when it left.

    Raises:
        MessageError: ``leave.at`` is naive or out of range.
    """
    check_time("at", leave.at)
    guild_id, user_id = leave.guild_id, leave.user_id
    state.count(guild_id, "member_leaves")
    member = state.member_of(guild_id, user_id)
    member.joined_at = None
    ts = leave.at.timestamp()
    if member.left_at is None or ts > member.left_at:
        member.left_at = ts
    return build_plan(None, guild_id, user_id, None, policy.dry_run)


def _join_windows(state: GuardState, guild_id: int) -> dict[WindowKey, SumWindow]:
    return {
        key: window
        for key, window in state.windows.items()
        if len(key) == 3
        and key[1] == "g"
        and key[2] == guild_id
        and str(key[0]).startswith("join:")
    }


def _exchange(state: GuardState, member_key: tuple[int, int], part: GuardState) -> GuardState:
    """Put ``part``'s member and join windows of the member's guild in place of
    ``state``'s; return a state holding the ones taken out."""
    taken = GuardState()
    member = state.members.pop(member_key, None)
    if member is not None:
        taken.members[member_key] = member
    member = part.members.get(member_key)
    if member is not None:
        state.members[member_key] = member
    for key, window in _join_windows(state, member_key[0]).items():
        taken.windows[key] = window
        del state.windows[key]
    state.windows.update(_join_windows(part, member_key[0]))
    return taken


def decide_member_slice(
    guard: Guard, event: MemberEvent, part: Mapping[str, typing.Any]
) -> tuple[Plan, dict[str, typing.Any]]:
    """Decide a member event (or a guild timer: member 0) as if ``part`` held the whole
    of what it reads: the member's state and its guild's join windows
    (:meth:`GuardState.slice`'s format, ``members`` and ``windows``; missing parts are
    empty). For a store shared by processes, like
    :meth:`Guard.process_slice <spamguard.core.engine.guard.Guard.process_slice>`.

    Returns:
        The plan, and the member (if any is left) and the guild's join windows after the
        decision, in the same format.

    Raises:
        SnapshotError: ``part`` is malformed (the guard is then left unchanged).
        MessageError: the event's time is naive or out of range.
    """
    member_key = (event.guild_id, getattr(event, "user_id", 0))
    loaded = GuardState.from_slice(part)
    state = guard.state
    own = _exchange(state, member_key, loaded)
    try:
        plan = guard.handle(event)
    finally:
        after = _exchange(state, member_key, own)
    member = after.members.get(member_key)
    return plan, {
        "members": [] if member is None else [[*member_key, member.to_dict()]],
        "windows": [window_data(key, window) for key, window in after.windows.items()],
    }
