"""What ``AntiSpamHandler.propagate`` reports: 1.9.1's ``CorePayload`` from a plan."""

from __future__ import annotations

__all__ = ("NO_PUNISH_STATUS", "RESULT_FLAGS", "new_payload", "punished_payload")

import typing

from spamguard.contrib.antispam.dataclasses import CorePayload

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.plan import Plan

RESULT_FLAGS: Mapping[str, tuple[str, str]] = {
    "WARN": ("member_was_warned", "Member was warned"),
    "TIMEOUT": ("member_was_timed_out", "Member was timed out"),
    "KICK": ("member_was_kicked", "Member was kicked"),
    "BAN": ("member_was_banned", "Member was banned"),
}
"""A punishment -> the CorePayload flag it sets and 1.9.1's status."""

NO_PUNISH_STATUS = "Member should be punished, however, was not due to no_punish being True"


def new_payload(status: str, plan: Plan | None, counters: Mapping[str, int]) -> CorePayload:
    """A payload that reports nothing punished, with the member's ``counters``."""
    return CorePayload(
        member_status=status,
        member_warn_count=counters.get("warn_count", 0),
        # discord-anti-spam counted bans as kicks.
        member_kick_count=counters.get("kick_count", 0) + counters.get("ban_count", 0),
        plan=plan,
    )


def punished_payload(payload: CorePayload, plan: Plan, *, no_punish: bool) -> CorePayload:
    """Mark ``payload`` for a plan with violations: punishable, and what was done."""
    payload.member_should_be_punished_this_message = True
    if no_punish:
        payload.member_status = NO_PUNISH_STATUS
    flag = RESULT_FLAGS.get(plan.punishment)
    if flag is not None:
        setattr(payload, flag[0], True)
        payload.member_status = flag[1]
    return payload
