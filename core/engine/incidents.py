"""Incidents and escalation: from a message's violations to its punishment and plan.

The first violation opens an *incident*: the member is punished (the most severe
punishment asked for, and the escalation ladder's step when configured). While the
incident is open (``incident_window`` seconds after the last violation) further violations
only clean, unless they ask for a strictly more severe punishment. The ladder itself is a
table (:func:`next_step`).
"""

from __future__ import annotations

__all__ = ("automod_incident", "decide", "next_step")

import operator
import typing

from spamguard.core import actions as act
from spamguard.core import templates
from spamguard.core.engine.cleaning import clean
from spamguard.core.engine.counting import Fired
from spamguard.core.engine.members import COUNTER_OF, DryRunState
from spamguard.core.messages import Message
from spamguard.core.plan import Plan, Violation, build_plan
from spamguard.core.policy import SEVERITY, Counting, Punishment
from spamguard.core.policy.punishments import PunishmentActions, punishment_actions

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core.engine.members import MemberState
    from spamguard.core.engine.state import GuardState
    from spamguard.core.events import AutomodExecution
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import Escalation, GuildPolicy

_NO_PUNISHMENT = PunishmentActions()
_VIOLATION = operator.attrgetter("violation")


def next_step(ladder: Escalation, member: MemberState, count: int) -> tuple[Punishment, int]:
    """The ladder's punishment for the member's next incident, and its duration (s).

    ``count`` is the violation's count (the largest when several checks fired), read only
    with discord-anti-spam's counting. See :class:`~spamguard.core.policy.Escalation`; the
    counters are updated by :func:`decide` once the final punishment is known.
    """
    if member.warn_count < ladder.kick_threshold and member.kick_count < ladder.ban_threshold:
        if ladder.counting is Counting.INCIDENTS or count >= ladder.warn_threshold:
            return Punishment.WARN, 0
        return Punishment.NONE, 0
    if member.timeout_count < ladder.timeout_threshold:
        step = member.timeout_count + 1
        return Punishment.TIMEOUT, ladder.timeout_duration * step * step
    if member.kick_count < ladder.ban_threshold:
        return Punishment.KICK, 0
    return Punishment.BAN, 0


def _dry_run(state: GuardState, guild_id: int) -> DryRunState:
    """The guild's dry-run state, begun from the real clean marks when missing."""
    dry = state.dry.get(guild_id)
    if dry is None:
        dry = state.dry[guild_id] = DryRunState(dict(state.cleaned))
    return dry


def decide(
    state: GuardState,
    message: MessageLike,
    policy: GuildPolicy,
    member: MemberState,
    fired: list[Fired],
    when: datetime.datetime,
    now_ts: float,
    ts: float,
    self_id: int | None,
) -> Plan:
    """The plan for ``fired``, decided at ``when`` (``now_ts`` in POSIX seconds) about
    ``message``, sent at ``ts``, by the bot ``self_id``; in dry run, on the guild's
    :class:`DryRunState` instead of ``member``'s ladder and the real clean marks."""
    guild_id: int = message.guild_id  # type: ignore[assignment]
    dry: DryRunState | None = None
    if policy.dry_run:
        dry = _dry_run(state, guild_id)
        member = dry.ladder(message.author_id, member)
    elif state.dry:
        state.dry.pop(guild_id, None)  # a real decision: dry run has ended here
    stats = state.counters_of(guild_id)
    for item in fired:
        key = f"check:{item.violation.check}"
        stats[key] = stats.get(key, 0) + 1
    # The most severe punishment asked for (the first of equals, as max() picks) and
    # the highest count.
    worst = fired[0]
    top_count = worst.violation.count
    if len(fired) > 1:
        worst_key = (SEVERITY[worst.punishment], worst.duration)
        for item in fired:
            key_of = (SEVERITY[item.punishment], item.duration)
            if key_of > worst_key:
                worst, worst_key = item, key_of
            top_count = max(top_count, item.violation.count)
    punishment, duration = worst.punishment, worst.duration
    ladder = policy.escalation
    if (
        ladder is not None
        and ladder.decay is not None
        and member.last_violation is not None
        and now_ts - member.last_violation >= ladder.decay
    ):
        member.reset_counters()
    incident_open = member.incident_until is not None and now_ts < member.incident_until
    # With a ladder the counters are its position: they climb by the ladder's step even
    # when the rule's own punishment is more severe (else a harsh rule freezes the
    # ladder). Without one they count the punishments given, for $WARNCOUNT/$KICKCOUNT.
    counted = Punishment.NONE
    if not incident_open:
        member.incident_severity = 0
        if ladder is not None:
            step, step_duration = next_step(ladder, member, top_count)
            counted = step
            if SEVERITY[step] > SEVERITY[punishment]:
                punishment, duration = step, step_duration
    if SEVERITY[punishment] <= member.incident_severity:
        punishment = Punishment.NONE
    if ladder is None:
        counted = punishment
    if counted is not Punishment.NONE:
        counter = COUNTER_OF[counted]
        setattr(member, counter, getattr(member, counter) + 1)
    if punishment is not Punishment.NONE:
        member.incident_severity = SEVERITY[punishment]
    member.last_violation = now_ts
    # A violation the ladder lets pass (discord-anti-spam's counting: a count below
    # warn_threshold) that nothing else punishes opens no incident, so the bigger one
    # right after is still warned.
    if incident_open or ladder is None or punishment is not Punishment.NONE:
        if not incident_open:
            member.violations += 1
            stats["incidents"] = stats.get("incidents", 0) + 1
        member.incident_until = now_ts + policy.incident_window

    if len(fired) == 1 and fired[0].rule is not None and not fired[0].rule.clean:
        deletes: tuple[act.DeleteMessages, ...] = ()  # what clean() would answer
    else:
        deletes = clean(state, message, fired, now_ts, when, guild_id, ts, dry)
    if punishment is Punishment.NONE:
        # Merged into the open incident (the common case inside a flood): no notice
        # to render, nothing to carry out beyond the clean.
        carried = _NO_PUNISHMENT
    else:
        violation = worst.violation
        values = templates.variables(
            message,
            now=when,
            bot_id=self_id,
            warn_count=member.warn_count,
            kick_count=member.kick_count,
            violation=violation.check,
            count=violation.count,
            limit=violation.limit,
            punishment=str(punishment),
        )
        reason = (
            f"spamguard: {violation.check} "
            f"({violation.count}/{violation.limit} in {violation.interval:g}s)"
        )
        dms = any(f.rule is not None and f.rule.punishment_dms for f in fired)
        # A plugin's own history to purge goes with its own punishment, not the ladder's.
        purge = violation.delete_message_seconds if punishment is worst.punishment else None
        carried = punishment_actions(
            punishment,
            policy=policy,
            message=message,
            now=when,
            duration=duration,
            reason=reason,
            values=values,
            dms=dms,
            delete_message_seconds=purge,
        )
    actions = (*deletes, *carried.actions) if carried.actions else deletes
    for action in actions:
        key = f"action:{action.kind}"
        stats[key] = stats.get(key, 0) + 1
    # The undos are proposals: whoever carries the plan out keeps each one only once
    # its punishment succeeded (Plan.undos_of), never here.
    return build_plan(
        message.id,
        guild_id,
        message.author_id,
        message.channel_id,
        policy.dry_run,
        None,
        actions,
        carried.scheduled,
        tuple(map(_VIOLATION, fired)),
        str(punishment),
        carried.on_failure,
    )


def automod_incident(
    state: GuardState, policy: GuildPolicy, execution: AutomodExecution, self_id: int | None
) -> Plan:
    """The plan for a native AutoMod execution counted as a violation of its member (the
    ladder's step, or an open incident's upgrade); nothing to clean, as AutoMod blocked
    the message."""
    assert execution.channel_id is not None  # the guard counts only those with a channel
    member = state.member_of(execution.guild_id, execution.user_id)
    # A stand-in message: AutoMod blocked the real one, so there may be none.
    stand_in = Message(
        id=execution.message_id or 0,
        guild_id=execution.guild_id,
        channel_id=execution.channel_id,
        author_id=execution.user_id,
        content=execution.content,
        created_at=execution.at,
    )
    violation = Violation(
        check=f"automod:{execution.rule_name or execution.rule_id}",
        count=1,
        limit=1,
        interval=0.0,
        message_ids=(),
        scope="user",
        punishment="NONE",
    )
    fired = [Fired(None, violation, [], Punishment.NONE, 0)]
    at = execution.at.timestamp()
    plan = decide(state, stand_in, policy, member, fired, execution.at, at, at, self_id)
    return Plan(
        message_id=execution.message_id,
        guild_id=execution.guild_id,
        user_id=execution.user_id,
        channel_id=execution.channel_id,
        dry_run=policy.dry_run,
        actions=tuple(a for a in plan.actions if a.kind != "delete"),
        scheduled=plan.scheduled,
        violations=plan.violations,
        punishment=plan.punishment,
        on_failure=plan.on_failure,
    )
