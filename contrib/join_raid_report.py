"""The action that reports a join raid's start or end (:mod:`spamguard.contrib.join_raid`)."""

from __future__ import annotations

__all__ = ("JoinRaidReport",)

import dataclasses
import datetime
import typing

from spamguard.core import actions as act


@act.register_action
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JoinRaidReport:
    """A raid's start or end, as an action the runtime reports without a request.

    Every adapter's runtime reports it through ``spamguard_report_outcome`` (``ok``, no
    request sent: ``report_only``), so listeners of that hook learn of each start and end,
    lockdown or not; dry runs, replays and ``explain`` show it with the plan.
    """

    kind: typing.ClassVar[str] = "join_raid"
    report_only: typing.ClassVar[bool] = True
    """Carried out by reporting it: no request."""
    guild_id: int
    started: bool
    """True for the start of raid mode, False for its end."""
    at: datetime.datetime
    """When raid mode started (the join that started it) or ended (``quiet`` after its last join)."""
    joins: int = 0
    """How many joins started it (0 for an end)."""
    reason: str = ""
    """What was seen, in words."""

    def describe(self) -> str:
        """The report in a few words (``spamguard replay``, ``explain``)."""
        if self.started:
            return f"join raid started ({self.reason})"
        return f"join raid over ({self.reason})"
