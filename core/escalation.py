"""The escalation ladder, as a table: which punishment a member's next violation gets."""

from __future__ import annotations

__all__ = ("next_step",)

import typing

from spamguard.core.policy import Counting, Punishment

if typing.TYPE_CHECKING:
    from spamguard.core.policy import Escalation
    from spamguard.core.state import MemberState


def next_step(ladder: Escalation, member: MemberState, count: int) -> tuple[Punishment, int]:
    """The ladder's punishment for the member's next incident, and its duration (s).

    ``count`` is the violation's count (the largest when several checks fired), read only
    with discord-anti-spam's counting. See :class:`~spamguard.core.policy.Escalation`; the
    counters are updated by the guard once the final punishment is known.
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
