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

__all__ = ("JOIN_MEMORY", "decide_join", "decide_leave", "join_window_key", "joins_history")

import datetime
import logging
import typing

from spamguard.core.actions import SetIncidentActions, is_action
from spamguard.core.context import JoinContext
from spamguard.core.engine.compiled_policy import skip_ignored, skip_member
from spamguard.core.messages import check_time
from spamguard.core.plan import SkipReason, build_plan

if typing.TYPE_CHECKING:
    from spamguard.core.actions import Action
    from spamguard.core.engine.state import GuardState, WindowKey
    from spamguard.core.events import MemberJoin, MemberLeave
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
    """Seconds the members' join and leave times are worth keeping under ``policy``."""
    del policy
    return JOIN_MEMORY


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
        def window(name: str, interval: float, text: bool) -> SumWindow:
            return state.open_window(join_window_key(plugin, name, guild_id), interval, text, ts)

        return JoinContext(join=join, policy=policy, now=now, _window=window, _joined_at=joined)

    def joined(other: int) -> datetime.datetime | None:
        member = state.member(guild_id, other)
        if member is None or member.joined_at is None:
            return None
        return datetime.datetime.fromtimestamp(member.joined_at, tz=_UTC)

    actions: list[Action] = []
    for action in hooks.check_member_join(join, policy, context_for):
        if not is_action(action):
            _LOGGER.error(
                "a spamguard_check_member_join hook returned %r, not an action; ignored", action
            )
            continue
        if isinstance(action, SetIncidentActions):
            action = action.clamped(now)  # noqa: PLW2901
        if action not in actions:
            actions.append(action)
    return build_plan(None, guild_id, user_id, None, policy.dry_run, None, tuple(actions))


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
