"""``pardon``: forgive a member, and undo what spamguard did to it and still holds."""

from __future__ import annotations

__all__ = ("pardon_answer",)

import dataclasses
import logging
import typing

from spamguard.core.actions import MAX_TIMEOUT, RemoveRole, RemoveTimeout, Unban
from spamguard.core.cases import UndoState
from spamguard.core.events import MemberPardon
from spamguard.moderation.answers import Answer

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.actions import Action
    from spamguard.core.cases import Case
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import ScheduledAction

_LOGGER = logging.getLogger("spamguard.moderation")

_STILL_HOLDING: typing.Final = frozenset({UndoState.NONE, UndoState.SCHEDULED, UndoState.FAILED})
"""A case in these undo states may still hold its punishment (not undone, not pardoned)."""

_CASES_READ: typing.Final = 25


def _held(case: Case, kind: str) -> bool:
    """Whether the case carried out an action of ``kind`` (for real) that may still hold."""
    return (
        case.undo in _STILL_HOLDING
        and case.pardoned_by is None
        and any(a.kind == kind and a.ok and not a.dry_run and not a.skipped for a in case.actions)
    )


def _undos(
    runtime: Runtime,
    guild_id: int,
    user_id: int,
    cases: tuple[Case, ...],
    cancelled: tuple[ScheduledAction, ...],
    now: datetime.datetime,
    reason: str,
) -> list[Action]:
    """What to carry out now: the cancelled undos (an unban, a role removal), the end of a
    timeout a case gave within Discord's 28 days, the mute role a case gave for good."""
    # The scheduled undo, now, with the pardon as its audit-log reason.
    actions: list[Action] = [
        dataclasses.replace(item.action, reason=reason)
        for item in cancelled
        if isinstance(item.action, Unban | RemoveRole)
    ]
    recent = [case for case in cases if now - case.updated_at < MAX_TIMEOUT]
    if any(_held(case, "timeout") for case in recent):
        actions.append(RemoveTimeout(guild_id=guild_id, user_id=user_id, reason=reason))
    mute_role = runtime.guard.policy_for(guild_id).mute_role_id
    if (
        mute_role is not None
        and any(_held(case, "add_role") for case in cases)
        and not any(a.kind == "remove_role" for a in actions)
    ):
        actions.append(
            RemoveRole(guild_id=guild_id, user_id=user_id, role_id=mute_role, reason=reason)
        )
    return actions


def _outcome_line(outcome: ActionOutcome) -> str:
    what = {
        "unban": "ban lifted (its scheduled unban cancelled)",
        "remove_role": "mute role taken back",
        "remove_timeout": "timeout ended",
    }.get(outcome.action.kind, outcome.action.kind)
    if outcome.ok:
        return f"- {what}: done"
    failure = outcome.failure.value if outcome.failure is not None else "error"
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return f"- {what}: FAILED, {failure}{detail}"


async def pardon_answer(runtime: Runtime, guild_id: int, user_id: int, moderator_id: int) -> Answer:
    """Forgive the member (see :meth:`Moderation.pardon
    <spamguard.moderation.operations.Moderation.pardon>`).

    ``data``: ``guild_id``, ``user_id``, ``moderator_id``, ``found`` (False: nothing to
    pardon), ``counters_before``, ``cancelled`` (the scheduled actions taken out, as
    :meth:`~spamguard.core.plan.ScheduledAction.to_dict`), ``actions`` (``[{"kind", "ok",
    "failure", "detail"}]``), ``cases`` (the numbers marked pardoned), ``kept`` (what a
    pardon does not undo: ``ban``, ``kick``).
    """
    if not runtime.started:
        return Answer(
            ok=False,
            text="spamguard is not running (its state store is not open): nothing can be "
            "pardoned now. Try again once it runs (see `status`).",
            data={"guild_id": guild_id, "user_id": user_id, "found": False, "started": False},
        )
    guard = runtime.guard
    now = runtime.clock()
    reason = f"spamguard: pardoned by moderator {moderator_id}"
    counters = guard.member_counters(guild_id, user_id)
    cases = await runtime.cases.of_member(guild_id, user_id, limit=_CASES_READ)
    # The state first, under the member's lock: its next message starts from nothing.
    await runtime.handle_member(
        MemberPardon(guild_id=guild_id, user_id=user_id, at=now, moderator_id=moderator_id)
    )
    runtime.decisions.forget_incident(guild_id, user_id)
    cancelled = await runtime.store.cancel_scheduled(guild_id, user_id)
    outcomes = [
        await runtime.run_action(action, guild_id=guild_id)
        for action in _undos(runtime, guild_id, user_id, cases, cancelled, now, reason)
    ]
    pardoned = await runtime.cases.pardon(guild_id, user_id, moderator_id=moderator_id)
    unbanned = any(o.action.kind == "unban" for o in outcomes)
    kept = [
        kind
        for kind in ("ban", "kick")
        if any(_held(case, kind) for case in cases) and not (kind == "ban" and unbanned)
    ]
    data = {
        "guild_id": guild_id,
        "user_id": user_id,
        "moderator_id": moderator_id,
        "counters_before": counters,
        "cancelled": [item.to_dict() for item in cancelled],
        "actions": [
            {
                "kind": o.action.kind,
                "ok": o.ok,
                "failure": None if o.failure is None else o.failure.value,
                "detail": o.detail,
            }
            for o in outcomes
        ],
        "cases": [case.number for case in pardoned if case.number],
        "kept": kept,
    }
    _LOGGER.info(
        "moderator %s pardoned member %s in guild %s (%d cases, %d undos)",
        moderator_id,
        user_id,
        guild_id,
        len(pardoned),
        len(outcomes),
    )
    if not cases and not cancelled and not any(counters.values()):
        return Answer(
            ok=False,
            text=f"Member {user_id} has no case in this server and spamguard holds nothing "
            "against them: there is nothing to pardon.",
            data={**data, "found": False},
        )
    lines = [f"Pardoned member {user_id}:"]
    had = ", ".join(f"{k.removesuffix('_count')} {v}" for k, v in counters.items() if v)
    lines.append(
        "- escalation ladder and counters reset"
        + (f" (it had: {had})" if had else "")
        + ", open incident closed"
    )
    lines.extend(_outcome_line(outcome) for outcome in outcomes)
    if "ban" in kept:
        lines.append("- a ban without an end stays: unban by hand if you mean it")
    if "kick" in kept:
        lines.append("- a kick cannot be undone: the member may join again with an invite")
    numbers = [case.label for case in pardoned if case.number]
    if numbers:
        lines.append("Cases marked pardoned: " + ", ".join(numbers))
    return Answer(
        ok=all(o.ok for o in outcomes), text="\n".join(lines), data={**data, "found": True}
    )
