"""Deciding one message: the path from a message to its plan, as a function of (state,
message, policy).

:func:`decide_message` reads and changes only the :class:`GuardState` it is given; the
policy comes worked out (:class:`CompiledPolicy`), plugins through their hooks.
"""

from __future__ import annotations

__all__ = ("HookUse", "decide_message")

import typing
from zlib import crc32

from spamguard.core.context import build_check_context
from spamguard.core.engine import counting, incidents
from spamguard.core.plan import SkipReason, build_plan
from spamguard.core.policy import Scope
from spamguard.core.windows import DuplicateWindow

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from spamguard.core.engine.compiled_policy import CompiledPolicy
    from spamguard.core.engine.state import GuardState
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.plugins import Hooks

_SKIPPED: Mapping[SkipReason, str] = {reason: f"skipped:{reason}" for reason in SkipReason}
"""The counter of each skip reason."""
_REDELIVERED: typing.Final = _SKIPPED[SkipReason.REDELIVERED]
_USER: typing.Final = Scope.USER


class HookUse:
    """The plugin hooks, and which of the per-message ones any plugin implements (asked
    once when plugins change, not per message)."""

    __slots__ = ("after", "after_quiet", "hooks", "pre")

    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks
        self.pre = hooks.has("spamguard_pre_invoke")
        self.after = hooks.has("spamguard_after_invoke")
        self.after_quiet = hooks.after_invoke_without_violations()
        """Some ``spamguard_after_invoke`` reads plans without violations too (else the
        hook is called only for plans holding violations)."""


def decide_message(
    state: GuardState,
    compiled: CompiledPolicy,
    message: MessageLike,
    now: datetime.datetime | None,
    self_id: int | None,
    uses: HookUse,
) -> Plan:
    """The plan for ``message`` under ``compiled`` (its guild's policy), decided at ``now``
    (None: its ``created_at``) by the bot ``self_id``; ``state`` is changed as the
    decision says (windows, member, clean marks, counters).

    In the order of :mod:`spamguard.core.engine.guard`'s docstring: exemptions and
    vetoes, redeliveries and edits, counting, plugin checks, the incident.
    """
    policy = compiled.policy
    guild_id = message.guild_id
    created_at = message.created_at
    when = created_at if now is None else now
    author_id = message.author_id
    skip = compiled.skip_reason(message, self_id)
    if skip is None:
        if compiled.new_members is None:
            applying = compiled.applying(message.author_role_ids)
        else:
            new = compiled.is_new(state, message, when.timestamp())
            applying = compiled.applying(message.author_role_ids, new)
        rules = applying.rules
        if not rules and compiled.checks is None:
            skip = SkipReason.NO_RULES
        elif uses.pre:
            veto = uses.hooks.pre_invoke(message, policy, when)
            if veto is not None:
                skip = veto if isinstance(veto, SkipReason) else SkipReason.VETOED
    if skip is not None:
        state.count(guild_id, _SKIPPED[skip])
        return build_plan(message.id, guild_id, author_id, message.channel_id, policy.dry_run, skip)

    assert guild_id is not None  # a DM is skipped above
    stats = state.counters_of(guild_id)
    member = state.member_of(guild_id, author_id)
    message_id = message.id
    channel_id = message.channel_id
    ts = created_at.timestamp()
    checksum = crc32(message.content.encode("utf-8", "surrogatepass"))
    previous = member.remember(message_id, ts, channel_id, checksum)
    if previous is not None and previous[2] == checksum:
        stats[_REDELIVERED] = stats.get(_REDELIVERED, 0) + 1
        return build_plan(
            message_id, guild_id, author_id, channel_id, policy.dry_run, SkipReason.REDELIVERED
        )
    stats["messages"] = stats.get("messages", 0) + 1

    now_ts = ts if now is None else now.timestamp()
    fired = counting.record_and_check(
        state, compiled, applying, message, ts, now_ts, previous is not None
    )
    checks = compiled.checks
    if checks is not None and (checks.everywhere or checks.reach(channel_id, message.parent_id)):
        # The member's texts, recorded above when the message has any; plugins' own
        # windows are kept in ``state`` under ``plugin:<name>``.
        slot = compiled.texts
        texts = None
        if slot is not None and checks.keep_texts:
            key = counting.window_key(slot.window_name, _USER, guild_id, channel_id, author_id)
            found = state.windows.get(key)
            texts = found if isinstance(found, DuplicateWindow) else None
        context = build_check_context(message, policy, when, now_ts, state, texts)
        violations = uses.hooks.check_message(message, context, checks)
        if violations:
            fired.extend(counting.plugin_fired(violations, message, member, rules))
    if fired:
        plan = incidents.decide(state, message, policy, member, fired, when, now_ts, ts, self_id)
    else:
        plan = build_plan(message_id, guild_id, author_id, channel_id, policy.dry_run)
    if uses.after and (uses.after_quiet or plan.violations):
        plan = uses.hooks.after_invoke(message, plan, policy)
    return plan
