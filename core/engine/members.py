"""What the guard remembers per member (:class:`MemberState`) and per guild in dry run
(:class:`DryRunState`), and their plain-data form; parts of the
:class:`~spamguard.core.engine.state.GuardState`."""

from __future__ import annotations

__all__ = ("COUNTER_OF", "MAX_CLEAN_MARKS", "MAX_RECENT", "DryRunState", "MemberState")

import itertools
import operator
import typing

from spamguard.core.policy import Punishment

MAX_RECENT: typing.Final = 256
"""Recent messages kept per member at most (the newest arrivals), whatever the policy's
horizon: a member's flood cannot grow its state without limit. They serve to recognise
redeliveries and edits, and as the history custom checks read."""

MAX_CLEAN_MARKS: typing.Final = 1000
"""Clean marks (ids of messages already put in a delete action) the guard keeps per member
it holds, on top of their time limit: when the marks pass this many times the members
held by a quarter, the oldest are dropped down to it. As many as a window holds entries
(``windows.MAX_ENTRIES``): a member's own windows never hold more of its messages."""

# What each final punishment adds to the member's counters.
COUNTER_OF: dict[Punishment, str] = {
    Punishment.WARN: "warn_count",
    Punishment.TIMEOUT: "timeout_count",
    Punishment.TEMPMUTE: "timeout_count",
    Punishment.MUTE: "timeout_count",
    Punishment.KICK: "kick_count",
    Punishment.SOFTBAN: "kick_count",
    Punishment.BAN: "ban_count",
    Punishment.TEMPBAN: "ban_count",
}


class MemberState:
    """One member of one guild: escalation counters, the open incident, recent messages."""

    __slots__ = (
        "ban_count",
        "cleaned",
        "incident_severity",
        "incident_until",
        "joined_at",
        "kick_count",
        "last_violation",
        "left_at",
        "newest",
        "recent",
        "timeout_count",
        "unordered",
        "violations",
        "warn_count",
    )

    def __init__(self) -> None:
        self.warn_count = 0
        self.timeout_count = 0
        self.kick_count = 0
        self.ban_count = 0
        self.violations = 0
        """Violations that opened an incident."""
        self.last_violation: float | None = None
        """POSIX seconds of the last violation."""
        self.incident_until: float | None = None
        """The open incident ends then (POSIX seconds); None when there is none."""
        self.incident_severity = 0
        """Severity of the punishment already given in the open incident."""
        self.cleaned: set[int] = set()
        """Ids already put in a delete action, so a message is never deleted twice."""
        self.recent: dict[int, tuple[float, int, int]] = {}
        """message id -> (POSIX seconds, channel id, content checksum) of recent messages,
        in arrival order."""
        self.newest = float("-inf")
        """The latest time in ``recent`` so far (not snapshotted: derived from it)."""
        self.unordered = False
        """Whether ``recent``'s arrival order may differ from time order (a late delivery);
        while it does not, :meth:`forget_before` stops at the first message it keeps."""
        self.joined_at: float | None = None
        """When the guard saw the member join (POSIX seconds), None when it did not or the
        member left since."""
        self.left_at: float | None = None
        """When the guard last saw the member leave (POSIX seconds): a join from before it
        arriving late is not a new join."""

    def remember(
        self, message_id: int, ts: float, channel_id: int, checksum: int
    ) -> tuple[float, int, int] | None:
        """Note a message (sent at ``ts``, its content's ``checksum``) among the recent ones.

        Returns what was noted of the same id before (an edit, or a redelivery when the
        checksum is the same: then nothing changes), or None for a new message.
        """
        recent = self.recent
        previous = recent.get(message_id)
        if previous is None:
            if ts < self.newest:
                self.unordered = True
            else:
                self.newest = ts
            recent[message_id] = (ts, channel_id, checksum)
            if len(recent) > MAX_RECENT:
                # The oldest arrival goes: a flood cannot grow a member without limit.
                del recent[next(iter(recent))]
        elif previous[2] != checksum:
            if previous[0] != ts:
                self.unordered = True
            recent[message_id] = (ts, channel_id, checksum)
        return previous

    def reset_counters(self) -> None:
        """Forget escalation (the ladder starts again)."""
        self.warn_count = self.timeout_count = self.kick_count = self.ban_count = 0
        self.violations = 0

    def copy_ladder(self) -> MemberState:
        """A new state holding this one's escalation counters and incident, no messages."""
        copy = MemberState()
        copy.warn_count = self.warn_count
        copy.timeout_count = self.timeout_count
        copy.kick_count = self.kick_count
        copy.ban_count = self.ban_count
        copy.violations = self.violations
        copy.last_violation = self.last_violation
        copy.incident_until = self.incident_until
        copy.incident_severity = self.incident_severity
        return copy

    def is_idle(self, horizon: float, joins_horizon: float | None = None) -> bool:
        """Nothing worth keeping: no counters, no open incident, no message after
        ``horizon``, no join nor leave after ``joins_horizon`` (default: ``horizon``)."""
        joins = horizon if joins_horizon is None else joins_horizon
        if (self.joined_at is not None and self.joined_at > joins) or (
            self.left_at is not None and self.left_at > joins
        ):
            return False
        return (
            not (
                self.warn_count
                or self.timeout_count
                or self.kick_count
                or self.ban_count
                or self.violations
            )
            and (self.incident_until is None or self.incident_until <= horizon)
            and all(ts <= horizon for ts, _channel, _crc in self.recent.values())
        )

    def forget_before(self, horizon: float) -> None:
        """Drop recent messages at or before ``horizon`` and the clean marks that went with them."""
        recent = self.recent
        if self.unordered:
            old = [mid for mid, (ts, _channel, _crc) in recent.items() if ts <= horizon]
        else:
            old = []
            for mid, (ts, _channel, _crc) in recent.items():
                if ts > horizon:
                    break
                old.append(mid)
        for message_id in old:
            del recent[message_id]
            self.cleaned.discard(message_id)
        if self.cleaned:
            self.cleaned &= recent.keys()
        if self.unordered:
            self._check_order()

    def _check_order(self) -> None:
        times = [ts for ts, _channel, _crc in self.recent.values()]
        self.unordered = any(map(operator.gt, times, itertools.islice(times, 1, None)))
        self.newest = max(times, default=float("-inf"))

    def to_dict(self) -> dict[str, typing.Any]:
        """Plain data for snapshots."""
        data: dict[str, typing.Any] = {
            "warn_count": self.warn_count,
            "timeout_count": self.timeout_count,
            "kick_count": self.kick_count,
            "ban_count": self.ban_count,
            "violations": self.violations,
            "last_violation": self.last_violation,
            "incident_until": self.incident_until,
            "incident_severity": self.incident_severity,
            "cleaned": sorted(self.cleaned),
            "recent": [[mid, ts, ch, crc] for mid, (ts, ch, crc) in self.recent.items()],
        }
        # Only when known: a member's data (and a snapshot without joins) stays as it was
        # before joins were tracked.
        if self.joined_at is not None:
            data["joined_at"] = self.joined_at
        if self.left_at is not None:
            data["left_at"] = self.left_at
        return data

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, typing.Any]) -> MemberState:
        """Rebuild from :meth:`to_dict`."""
        state = cls()
        state.warn_count = int(data["warn_count"])
        state.timeout_count = int(data["timeout_count"])
        state.kick_count = int(data["kick_count"])
        state.ban_count = int(data["ban_count"])
        state.violations = int(data["violations"])
        state.last_violation = _seconds(data["last_violation"])
        state.incident_until = _seconds(data["incident_until"])
        state.incident_severity = int(data["incident_severity"])
        state.cleaned = {int(i) for i in data["cleaned"]}
        state.recent = {
            int(mid): (float(ts), int(ch), int(crc)) for mid, ts, ch, crc in data["recent"]
        }
        state.joined_at = _seconds(data.get("joined_at"))
        state.left_at = _seconds(data.get("left_at"))
        state._check_order()
        return state


class DryRunState:
    """What one guild's decisions in dry run climb and mark instead of the real state.

    A dry run shows what would have happened, so its ladder climbs; but nothing happened,
    so a later real decision must not read it: it is kept here, apart, and discarded when
    dry run ends. Not snapshotted (a restart in dry run starts again from the real state).
    """

    __slots__ = ("cleaned", "ladders")

    def __init__(self, cleaned: dict[int, float]) -> None:
        self.ladders: dict[int, MemberState] = {}
        """user id -> the member's dry-run ladder (counters and incident, no messages)."""
        self.cleaned = cleaned
        """Clean marks (message id -> POSIX seconds): the real ones as dry run found them,
        then the messages dry run would have deleted."""

    def ladder(self, user_id: int, real: MemberState) -> MemberState:
        """The member's dry-run ladder, a copy of ``real``'s on first use."""
        ladder = self.ladders.get(user_id)
        if ladder is None:
            ladder = self.ladders[user_id] = real.copy_ladder()
        return ladder

    def forget_before(self, horizon: float) -> None:
        """Drop idle ladders and the clean marks at or before ``horizon``."""
        for user_id in [u for u, ladder in self.ladders.items() if ladder.is_idle(horizon)]:
            del self.ladders[user_id]
        if any(ts <= horizon for ts in self.cleaned.values()):
            self.cleaned = {mid: ts for mid, ts in self.cleaned.items() if ts > horizon}

    def is_empty(self) -> bool:
        """Nothing left to keep."""
        return not self.ladders and not self.cleaned


def _seconds(value: typing.Any) -> float | None:
    # Numbers only: a string ("yesterday") would break every later comparison.
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"must be POSIX seconds or null, got {value!r}"
        raise TypeError(msg)
    return float(value)
