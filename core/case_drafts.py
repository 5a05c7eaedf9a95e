"""Making and joining cases: pure functions over :mod:`spamguard.core.cases`' values.

A runtime turns a carried out plan into a draft (:func:`draft_case`), folds a later plan of
the same incident into the member's open case (:func:`join_cases`) and moves the undo state
(:func:`with_undo`). Every part of a case is bounded by the limits below, so a 1,000-message
flood makes one case of the same size as a 100-message one.
"""

from __future__ import annotations

__all__ = (
    "MAX_CASE_ACTIONS",
    "MAX_CASE_CHANNELS",
    "MAX_CASE_MESSAGES",
    "MAX_CASE_VIOLATIONS",
    "MAX_EXCERPT",
    "MAX_EXCERPTS",
    "MAX_VIOLATION_MESSAGES",
    "case_action",
    "draft_case",
    "excerpt",
    "join_cases",
    "summarize",
    "summarize_deletion",
    "with_undo",
)

import dataclasses
import datetime
import typing

from spamguard.core.cases import Case, CaseAction, UndoState
from spamguard.core.policy.model import SEVERITY
from spamguard.core.templates import defuse

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from spamguard.core.actions import Action
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan, Violation
    from spamguard.core.policy.automod import AutomodChange

MAX_CASE_VIOLATIONS: typing.Final = 25
"""Distinct violations (check and scope) a case keeps; a check firing again keeps its
highest count."""
MAX_CASE_ACTIONS: typing.Final = 50
"""Actions a case keeps (deletions of one channel with the same outcome fold into one)."""
MAX_CASE_MESSAGES: typing.Final = 50
"""Message ids a case keeps (the newest)."""
MAX_VIOLATION_MESSAGES: typing.Final = 10
"""Message ids a case keeps per violation (the newest; the case's own list has more)."""
MAX_CASE_CHANNELS: typing.Final = 25
"""Channel ids a case keeps (the first)."""
MAX_EXCERPTS: typing.Final = 5
"""Excerpts of offending messages a case keeps (the first, without repeats)."""
MAX_EXCERPT: typing.Final = 200
"""Characters of one excerpt (longer text ends with ``…``)."""


def excerpt(text: str) -> str:
    """``text`` as a case keeps it: on one line, defused (no mention can ping), at most
    :data:`MAX_EXCERPT` characters."""
    line = " ".join(text.split())
    if len(line) > MAX_EXCERPT:
        line = line[: MAX_EXCERPT - 1] + "…"
    return defuse(line)


def _time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def summarize(action: Action | AutomodChange, count: int = 1) -> str:
    """What ``action`` does, in words, for a case (``count``: messages of a deletion)."""
    kind = action.kind
    if kind == "delete":
        return summarize_deletion(count, getattr(action, "channel_id", None))
    until = getattr(action, "until", None)
    if kind == "timeout" and until is not None:
        return f"timeout until {_time(until)}"
    role = getattr(action, "role_id", None)
    if kind == "add_role":
        return f"gave role {role}"
    if kind == "remove_role":
        return f"took role {role}"
    if kind == "ban":
        seconds = getattr(action, "delete_message_seconds", 0)
        return f"ban (deleting {seconds}s of messages)" if seconds else "ban"
    if kind == "send":
        return f"notice in channel {getattr(action, 'channel_id', None)}"
    if kind == "dm":
        return "direct message to the member"
    return kind.replace("_", " ")


def summarize_deletion(count: int, channel_id: int | None) -> str:
    """``deleted 5 messages in channel 50``."""
    noun = "message" if count == 1 else "messages"
    return f"deleted {count} {noun} in channel {channel_id}"


def case_action(outcome: ActionOutcome) -> CaseAction:
    """A case's record of one carried out action."""
    action = outcome.action
    message_ids = getattr(action, "message_ids", None)
    count = len(message_ids) if isinstance(message_ids, tuple) else 1
    channel = getattr(action, "channel_id", None)
    return CaseAction(
        kind=action.kind,
        ok=outcome.ok,
        failure=None if outcome.failure is None else str(outcome.failure),
        detail=outcome.detail,
        dry_run=outcome.dry_run,
        skipped=outcome.skipped,
        at=outcome.at,
        summary=summarize(action, count),
        channel_id=channel if isinstance(channel, int) else None,
        count=count,
    )


def _undo_at(plan: Plan, outcomes: Iterable[ActionOutcome]) -> datetime.datetime | None:
    """When the earliest undo of a punishment that succeeded falls due (None: none)."""
    due = [
        undo.run_at
        for outcome in outcomes
        if outcome.ok and not outcome.dry_run and not outcome.skipped and outcome.at is not None
        for undo in plan.undos_of(outcome.action, outcome.at)  # type: ignore[arg-type]
    ]
    return min(due) if due else None


def draft_case(
    plan: Plan,
    outcomes: Sequence[ActionOutcome],
    *,
    at: datetime.datetime,
    content: str | None = None,
) -> Case:
    """An unnumbered case for a carried out ``plan`` (``outcomes`` as the runtime reported
    them) at time ``at``; ``content`` is the offending message's text, if known."""
    undo_at = _undo_at(plan, outcomes)
    message_ids: list[int] = []
    for violation in plan.violations:
        # Within a flood a window holds every message so far: only the newest can be kept.
        message_ids.extend(violation.message_ids[-MAX_CASE_MESSAGES:])
    if plan.message_id is not None:
        message_ids.append(plan.message_id)
    return Case(
        guild_id=plan.guild_id or 0,
        user_id=plan.user_id,
        opened_at=at,
        updated_at=at,
        violations=_violations((), plan.violations),
        actions=_actions((), (case_action(outcome) for outcome in outcomes)),
        punishment=plan.punishment,
        dry_run=plan.dry_run,
        message_ids=_newest((), message_ids),
        channel_ids=() if plan.channel_id is None else (plan.channel_id,),
        excerpts=(excerpt(content),) if content and content.strip() else (),
        undo=UndoState.NONE if undo_at is None else UndoState.SCHEDULED,
        undo_at=undo_at,
    )


def join_cases(case: Case, later: Case) -> Case:
    """``case`` with a later plan of the same incident (``later``, a draft) folded in:
    more violations, actions and messages, the stronger punishment, the later undo."""
    undo, undo_at = case.undo, case.undo_at
    if later.undo is UndoState.SCHEDULED:
        undo, undo_at = later.undo, later.undo_at
    punishment = case.punishment
    if SEVERITY.get(later.punishment, 0) > SEVERITY.get(punishment, 0):  # type: ignore[call-overload]
        punishment = later.punishment
    excerpts = list(case.excerpts)
    for text in later.excerpts:
        if text not in excerpts and len(excerpts) < MAX_EXCERPTS:
            excerpts.append(text)
    channels = list(case.channel_ids)
    for channel in later.channel_ids:
        if channel not in channels and len(channels) < MAX_CASE_CHANNELS:
            channels.append(channel)
    return dataclasses.replace(
        case,
        updated_at=later.updated_at,
        violations=_violations(case.violations, later.violations),
        actions=_actions(case.actions, later.actions),
        punishment=punishment,
        dry_run=case.dry_run and later.dry_run,
        message_ids=_newest(case.message_ids, later.message_ids),
        channel_ids=tuple(channels),
        excerpts=tuple(excerpts),
        undo=undo,
        undo_at=undo_at,
    )


def with_undo(
    case: Case, undo: UndoState, *, at: datetime.datetime, pardoned_by: int | None = None
) -> Case:
    """``case`` with its undo state moved to ``undo`` at ``at`` (and the moderator who
    pardoned, for :attr:`UndoState.PARDONED`)."""
    return dataclasses.replace(
        case,
        undo=undo,
        updated_at=at,
        pardoned_by=pardoned_by if pardoned_by is not None else case.pardoned_by,
    )


def _newest(kept: tuple[int, ...], more: Iterable[int]) -> tuple[int, ...]:
    seen = set(kept)
    merged = list(kept)
    for value in more:
        if value not in seen:
            seen.add(value)
            merged.append(value)
    return tuple(merged[-MAX_CASE_MESSAGES:])


def _violations(kept: tuple[Violation, ...], more: Iterable[Violation]) -> tuple[Violation, ...]:
    """One violation per (check, scope): the highest count; at most the first
    :data:`MAX_CASE_VIOLATIONS` distinct ones, each with its newest message ids."""
    merged = {(v.check, v.scope): v for v in kept}
    for violation in more:
        key = (violation.check, violation.scope)
        known = merged.get(key)
        if known is None and len(merged) >= MAX_CASE_VIOLATIONS:
            continue
        if known is None or violation.count >= known.count:
            bounded = violation
            if len(violation.message_ids) > MAX_VIOLATION_MESSAGES:
                bounded = dataclasses.replace(
                    violation, message_ids=violation.message_ids[-MAX_VIOLATION_MESSAGES:]
                )
            merged[key] = bounded
    return tuple(merged.values())


def _actions(kept: tuple[CaseAction, ...], more: Iterable[CaseAction]) -> tuple[CaseAction, ...]:
    """``kept`` then ``more``, a deletion folded into the last one of its channel with the
    same outcome; at most :data:`MAX_CASE_ACTIONS` (the first: the punishment comes early)."""
    merged = list(kept)
    for action in more:
        for index in range(len(merged) - 1, -1, -1):
            known = merged[index]
            if known.folds_with(action):
                count = known.count + action.count
                merged[index] = dataclasses.replace(
                    known,
                    count=count,
                    at=action.at or known.at,
                    summary=summarize_deletion(count, known.channel_id),
                )
                break
        else:
            if len(merged) < MAX_CASE_ACTIONS:
                merged.append(action)
    return tuple(merged)
