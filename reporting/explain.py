"""Why a message was (or was not) punished: every check's count against its limit.

An :class:`Explainer` wraps a :class:`~spamguard.core.Guard`. It processes messages like
the guard and, for a message it is asked to explain, measures right after the decision
what every check of every applying rule counted in its window: the numbers the guard
compared with the limits. Its bookkeeping of incidents comes from the plans alone.
"""

from __future__ import annotations

__all__ = ("Explainer", "explanation_of", "measure")

import datetime
import typing

from spamguard.core import Counting
from spamguard.core.engine import AMOUNT
from spamguard.core.incident_tracker import IncidentTracker, OpenIncident, worst_punishment
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow
from spamguard.reporting.describe import SKIP_REASONS, format_seconds
from spamguard.reporting.explanation import CheckMeasure, Explanation, MeasureStatus

if typing.TYPE_CHECKING:
    from spamguard.core import CheckConfig, Guard, GuildPolicy, MessageLike, Plan, RuleConfig


def _measure_check(
    guard: Guard,
    message: MessageLike,
    rule: RuleConfig,
    check: CheckConfig,
    now_ts: float,
    text: str | None,
    until: float | None,
) -> CheckMeasure:
    punishment = str(check.punishment or rule.punishment)
    base: dict[str, typing.Any] = {
        "rule": rule.key,
        "check": check.name,
        "scope": str(check.scope),
        "interval": check.interval,
        "limit": check.count,
        "punishment": punishment,
    }
    # The guard says where a check counts (nowhere in a channel it leaves out); its state
    # holds the window. tests/testing_kit checks (with hypothesis) that these numbers
    # equal the violations' for any traffic.
    key = guard.window_key(rule, check, message)
    if key is None:
        return CheckMeasure(**base, count=0, adds=0, status=MeasureStatus.WHITELISTED)
    window = guard.state.window(key)
    cutoff = now_ts - check.interval
    if check.name == "max_duplicates":
        text = normalise(message.content) if text is None else text
        adds = 1 if text else 0
        count = 0
        if isinstance(window, DuplicateWindow) and text:
            similar = window.similar_texts(text, check.accuracy)
            if until is None:
                count = window.count_in(similar, cutoff)
            else:
                count = sum(1 for e in window.entries_in(similar, cutoff) if e.ts <= until)
    else:
        adds = AMOUNT[check.name](message)
        if window is None:
            count = 0
        elif until is None:
            count = window.total_since(cutoff)
        else:
            count = sum(e.amount for e in window.entries_since(cutoff) if e.ts <= until)
    if not adds:
        status = MeasureStatus.NOT_COUNTED
    elif count >= check.count:
        status = MeasureStatus.FIRED
    else:
        status = MeasureStatus.UNDER_LIMIT
    return CheckMeasure(**base, count=count, adds=adds, status=status)


def measure(
    guard: Guard,
    message: MessageLike,
    now: datetime.datetime | None = None,
    *,
    later: bool = False,
    policy: GuildPolicy | None = None,
) -> tuple[CheckMeasure, ...]:
    """Every built-in check of every rule that applies to ``message``'s author.

    Call it right after ``guard.process(message, now=now)`` decided the message: the
    windows then hold exactly what the decision saw. With ``later``, the decision was
    made earlier and other messages may have come since: only the entries up to ``now``
    count (those the windows still hold). ``policy``: the guild's policy the decision
    was made with (default: the guard's now).
    """
    when = message.created_at if now is None else now
    if policy is None:
        policy = guard.policy_for(message.guild_id)
    now_ts = when.timestamp()
    text = None
    until = now_ts if later else None
    new = guard.is_new_member(message, now=now)
    return tuple(
        _measure_check(guard, message, rule, check, now_ts, text, until)
        for rule in policy.rules_for(message.author_role_ids, new=new)
        for check in rule.checks
    )


def _rules_not_applying(
    policy: GuildPolicy, role_ids: frozenset[int], *, new: bool
) -> tuple[tuple[str, str], ...]:
    applying = {rule.key for rule in policy.rules_for(role_ids, new=new)}
    new_members = policy.new_members
    if new and new_members is not None:
        level, whose = new_members.level, "the author is a new member: its level is"
    else:
        level, whose = policy.level_of(role_ids), "the author's level is"
    out: list[tuple[str, str]] = []
    for rule_level, rule in policy.levels:
        if rule.key not in applying:
            out.append((rule.key, f"{whose} {level}, above {rule_level}"))
    for key, rule in policy.roles:
        if rule.key not in applying:
            out.append((rule.key, f"the author does not have role {key}"))
    return tuple(out)


def explanation_of(
    guard: Guard,
    message: MessageLike,
    plan: Plan,
    *,
    now: datetime.datetime,
    policy: GuildPolicy,
    counters_before: dict[str, int],
    counters_after: dict[str, int],
    open_incident: tuple[datetime.datetime, str] | None,
    later: bool = False,
) -> Explanation:
    """The explanation of ``plan``, the guard's decision on ``message`` at ``now`` with
    ``policy``: the measures of its checks (see :func:`measure`; ``later``: the decision
    was made earlier), the rules, the author's counters around it and the reason."""
    new = guard.is_new_member(message, now=now)
    measures = (
        ()
        if plan.skipped_reason is not None
        else measure(guard, message, now, later=later, policy=policy)
    )
    incident = None if open_incident is None else OpenIncident(*open_incident)
    return Explanation(
        message=message,
        plan=plan,
        now=now,
        measures=measures,
        rules=tuple(r.key for r in policy.rules_for(message.author_role_ids, new=new)),
        rules_not_applying=_rules_not_applying(policy, message.author_role_ids, new=new),
        counters_before=counters_before,
        counters_after=counters_after,
        open_incident=incident,
        incident_window=policy.incident_window,
        reason=_reason(plan, policy, measures, incident, counters_before),
    )


def _reason(
    plan: Plan,
    policy: GuildPolicy,
    measures: tuple[CheckMeasure, ...],
    incident: OpenIncident | None,
    counters: dict[str, int],
) -> str:
    if plan.skipped_reason is not None:
        return SKIP_REASONS.get(str(plan.skipped_reason), f"skipped: {plan.skipped_reason}")
    if not plan.violations:
        counted = [m for m in measures if m.status is not MeasureStatus.WHITELISTED]
        closest = max(counted, key=lambda m: m.ratio, default=None)
        if closest is None:
            return "Not punished: no check ran."
        return (
            "Not punished: no check reached its limit; the closest was "
            f"{closest.check} at {closest.count}/{closest.limit} in {format_seconds(closest.interval)}."
        )
    asked = worst_punishment(v.punishment for v in plan.violations)
    checks = ", ".join(sorted({v.check for v in plan.violations}))
    ladder = policy.escalation
    given = plan.punishment
    if given != "NONE":
        if incident is not None:
            return (
                f"The incident still open (last violation {incident.last_violation.isoformat()}, "
                f"within incident_window {format_seconds(policy.incident_window)}) was punished "
                f"with {incident.punishment}; {checks} asked for the more severe {given}, so it "
                "was upgraded."
            )
        if given == asked:
            return f"{checks} fired and the policy asks for {given}."
        counts = ", ".join(f"{k}={v}" for k, v in counters.items() if k != "violations")
        return (
            f"{checks} fired; the policy asks for {asked} and the escalation ladder's next step "
            f"is {given} (counters before: {counts})."
        )
    if incident is not None:
        return (
            f"{checks} fired, but the incident opened by an earlier violation is still open "
            f"(last violation {incident.last_violation.isoformat()}, incident_window "
            f"{format_seconds(policy.incident_window)}) and was already punished with "
            f"{incident.punishment}: a punishment is upgraded, never repeated, so this "
            + (
                "violation only cleans."
                if any(a.kind == "delete" for a in plan.actions)
                else "violation does nothing more."
            )
        )
    if ladder is not None and ladder.counting is Counting.VIOLATION_COUNT and asked == "NONE":
        top = max(v.count for v in plan.violations)
        return (
            f"{checks} fired, the policy asks for no punishment and the escalation ladder "
            f"gives none: the count {top} is below warn_threshold {ladder.warn_threshold}."
        )
    return f"{checks} fired, but the policy's punishment for it is NONE."


class Explainer:
    """Processes messages with a guard and explains any of them on request.

    Use :meth:`process` for messages you only want decided, :meth:`explain` for one you
    want explained (it is decided too: call exactly one of the two per message).
    """

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        """The guard deciding the messages."""
        self._incidents = IncidentTracker()

    def process(self, message: MessageLike, *, now: datetime.datetime | None = None) -> Plan:
        """Decide ``message`` (like :meth:`Guard.process`), keeping track of incidents."""
        when = message.created_at if now is None else now
        policy = self.guard.policy_for(message.guild_id)
        open_ = self._incidents.open_incident(message, when, policy)
        plan = self.guard.process(message, now=now)
        self._incidents.observe(message, plan, when, open_)
        return plan

    def explain(self, message: MessageLike, *, now: datetime.datetime | None = None) -> Explanation:
        """Decide ``message`` and explain the decision."""
        when = message.created_at if now is None else now
        policy = self.guard.policy_for(message.guild_id)
        guild_id = message.guild_id or 0
        before = self.guard.member_counters(guild_id, message.author_id)
        open_ = self._incidents.open_incident(message, when, policy)
        plan = self.guard.process(message, now=now)
        self._incidents.observe(message, plan, when, open_)
        return explanation_of(
            self.guard,
            message,
            plan,
            now=when,
            policy=policy,
            counters_before=before,
            counters_after=self.guard.member_counters(guild_id, message.author_id),
            open_incident=open_,
        )
