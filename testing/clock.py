"""A simulation's clock: seconds from its start, where the next message goes, what a run
already decided."""

from __future__ import annotations

__all__ = ("SimClock",)

import datetime

from spamguard.testing.world import SimulationError


class SimClock:
    """Where a :class:`~spamguard.testing.Simulation` is in time.

    Args:
        start: the datetime of ``at=0`` (timezone-aware).
        gap: seconds between two messages when no time is given.
    """

    __slots__ = ("decided_until", "gap", "latest", "start")

    def __init__(self, start: datetime.datetime, gap: float) -> None:
        self.start = start
        """The datetime of ``at=0``."""
        self.gap = gap
        """Seconds between two messages when no time is given."""
        self.latest = 0.0
        """Seconds from the start to the latest queued message (or wait)."""
        self.decided_until: float | None = None
        """Seconds up to which a run decided every message; nothing may be queued before."""

    def wait(self, seconds: float) -> float:
        """Move :attr:`latest` on by ``seconds``; returns it.

        Raises:
            SimulationError: ``seconds`` is negative.
        """
        if seconds < 0:
            msg = f"wait() takes seconds >= 0, got {seconds}"
            raise SimulationError(msg)
        self.latest += seconds
        return self.latest

    def seconds(self, at: float | datetime.datetime) -> float:
        """``at`` (seconds, or a timezone-aware datetime) as seconds from the start.

        Raises:
            SimulationError: a naive datetime.
        """
        if isinstance(at, datetime.datetime):
            if at.tzinfo is None:
                msg = "at= must be timezone-aware, e.g. tzinfo=datetime.UTC"
                raise SimulationError(msg)
            return (at - self.start).total_seconds()
        return float(at)

    def place(self, at: float | datetime.datetime | None, after: float | None) -> float:
        """When a new message goes: ``at``, else ``after`` (default :attr:`gap`) seconds
        after the latest; it becomes the latest when later.

        Raises:
            SimulationError: both given, or a time a run already decided.
        """
        if at is not None and after is not None:
            msg = "give at= or after=, not both"
            raise SimulationError(msg)
        seconds = (
            self.latest + (self.gap if after is None else after) if at is None else self.seconds(at)
        )
        if self.decided_until is not None and seconds < self.decided_until:
            msg = (
                f"a message at t={seconds:g}s comes before t={self.decided_until:g}s, "
                "which run() already decided; queue messages in the future of the last run"
            )
            raise SimulationError(msg)
        self.latest = max(self.latest, seconds)
        return seconds

    def decided(self, end: float) -> None:
        """A run decided everything up to ``end`` seconds."""
        self.decided_until = max(self.decided_until or end, end)
        self.latest = max(self.latest, end)

    def time_of(self, at: float) -> datetime.datetime:
        """The datetime ``at`` seconds after the start."""
        return self.start + datetime.timedelta(seconds=at)
