"""``cases`` and ``case``: a member's cases, one case, in a few lines each."""

from __future__ import annotations

__all__ = ("case_answer", "cases_answer")

import typing

from spamguard.moderation.answers import Answer
from spamguard.reporting.describe import describe_violation

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.cases import Case, CaseAction

_UNDO: typing.Final = {
    "none": "",
    "scheduled": "undo scheduled {at}",
    "done": "undone {at}",
    "failed": "its undo FAILED {at}",
    "cancelled": "undo cancelled",
    "pardoned": "pardoned",
}


def _time(case: Case) -> str:
    return f"{case.opened_at:%Y-%m-%d %H:%M} UTC"


def _undo(case: Case) -> str:
    text = _UNDO.get(str(case.undo), str(case.undo))
    at = "" if case.undo_at is None else f"at {case.undo_at:%Y-%m-%d %H:%M} UTC"
    text = text.format(at=at).strip()
    if case.pardoned_by is not None:
        text = f"pardoned by moderator {case.pardoned_by}"
    return text


def _summary(case: Case) -> str:
    """``#12 2024-05-01 12:00 UTC: TIMEOUT (max_messages 3/3 in 10s), undone``."""
    checks = ", ".join(describe_violation(v) for v in case.violations[:3])
    if len(case.violations) > 3:
        checks += f", +{len(case.violations) - 3}"
    parts = [f"{case.label} {_time(case)}: {case.punishment}"]
    if checks:
        parts[0] += f" ({checks})"
    if case.dry_run:
        parts.append("dry run")
    undo = _undo(case)
    if undo:
        parts.append(undo)
    return ", ".join(parts)


def _action_line(action: CaseAction) -> str:
    summary = action.summary or action.kind
    if action.dry_run:
        state = "dry run, not sent"
    elif action.skipped:
        state = f"skipped ({action.detail})" if action.detail else "skipped"
    elif action.ok:
        state = "done"
    else:
        state = f"FAILED: {action.failure or 'error'}"
        if action.detail:
            state += f" ({action.detail})"
    return f"- {summary}: {state}"


async def cases_answer(runtime: Runtime, guild_id: int, user_id: int, limit: int) -> Answer:
    """The member's newest cases, one line each.

    ``data``: ``guild_id``, ``user_id``, ``cases`` (each :meth:`Case.to_dict
    <spamguard.core.cases.Case.to_dict>`).
    """
    cases = await runtime.cases.of_member(guild_id, user_id, limit=limit)
    data = {"guild_id": guild_id, "user_id": user_id, "cases": [c.to_dict() for c in cases]}
    if not cases:
        return Answer(
            ok=True,
            text=f"Member {user_id} has no case in this server.",
            data=data,
        )
    lines = [f"Cases of member {user_id}, newest first ({len(cases)}):"]
    lines.extend(f"- {_summary(case)}" for case in cases)
    return Answer(ok=True, text="\n".join(lines), data=data)


async def case_answer(runtime: Runtime, guild_id: int, number: int) -> Answer:
    """One case in full: member, violations, actions and outcomes, excerpts, undo.

    ``data``: ``guild_id``, ``number``, ``case`` (None: not kept).
    """
    case = await runtime.cases.get(guild_id, number)
    if case is None:
        return Answer(
            ok=False,
            text=f"There is no case #{number} in this server (or it is no longer kept).",
            data={"guild_id": guild_id, "number": number, "case": None},
        )
    who = "the whole server" if case.user_id is None else f"member {case.user_id}"
    lines = [
        f"Case {case.label}: {who}, {case.punishment}" + (" (dry run)" if case.dry_run else "")
    ]
    lines.append(f"Opened {_time(case)}, last change {case.updated_at:%Y-%m-%d %H:%M:%S} UTC")
    if case.violations:
        lines.append("Violations:")
        lines.extend(f"- {describe_violation(v)}" for v in case.violations)
    if case.actions:
        lines.append("Actions:")
        lines.extend(_action_line(a) for a in case.actions)
    if case.channel_ids:
        lines.append("Channels: " + ", ".join(f"<#{c}>" for c in case.channel_ids))
    if case.excerpts:
        lines.append("Messages:")
        lines.extend(f"> {excerpt}" for excerpt in case.excerpts)
    undo = _undo(case)
    if undo:
        lines.append(f"Undo: {undo}")
    return Answer(
        ok=True,
        text="\n".join(lines),
        data={"guild_id": guild_id, "number": number, "case": case.to_dict()},
    )
