"""Members' incidents as their plans show them, for the explain tools.

An explanation says whether an incident was still open when a message came (and how it was
punished so far): the guard keeps that in its state, but a tool explaining a decision
afterwards, or beside the guard (``spamguard explain``, a runtime's recent decisions),
follows the plans instead with an :class:`IncidentTracker`.
"""

from __future__ import annotations

__all__ = ("IncidentTracker", "OpenIncident", "worst_punishment")

import datetime
import typing

from spamguard.core.policy import SEVERITY, Punishment

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy


class OpenIncident(typing.NamedTuple):
    """A member's incident: its last violation and the punishment it got so far."""

    last_violation: datetime.datetime
    punishment: str


def worst_punishment(punishments: Iterable[str]) -> str:
    """The most severe of ``punishments`` (names; unknown ones are left out), ``NONE`` for
    none."""
    best = Punishment.NONE
    for name in punishments:
        try:
            value = Punishment(name.upper())
        except ValueError:
            continue
        if SEVERITY[value] > SEVERITY[best]:
            best = value
    return str(best)


class IncidentTracker:
    """The incidents of members as their plans show them (kept for the newest ``limit``
    members; None: all)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._incidents: dict[tuple[int | None, int], OpenIncident] = {}

    def open_incident(
        self, message: MessageLike, when: datetime.datetime, policy: GuildPolicy
    ) -> OpenIncident | None:
        """The author's incident still open at ``when`` (within the policy's
        ``incident_window`` of its last violation), or None."""
        incident = self._incidents.get((message.guild_id, message.author_id))
        if incident is None:
            return None
        ends = incident.last_violation + datetime.timedelta(seconds=policy.incident_window)
        return incident if when < ends else None

    def observe(
        self, message: MessageLike, plan: Plan, when: datetime.datetime, open_: OpenIncident | None
    ) -> None:
        """Note ``plan``, decided at ``when``, ``open_`` the incident open before it."""
        if not plan.violations:
            return
        previous = "NONE" if open_ is None else open_.punishment
        key = (message.guild_id, message.author_id)
        incidents = self._incidents
        incidents.pop(key, None)  # the newest last, for the limit below
        incidents[key] = OpenIncident(when, worst_punishment((previous, plan.punishment)))
        if self.limit is not None and len(incidents) > self.limit:
            del incidents[next(iter(incidents))]

    def forget(self, guild_id: int, user_id: int) -> None:
        """Forget the member's incident (a moderator pardoned the member)."""
        self._incidents.pop((guild_id, user_id), None)
