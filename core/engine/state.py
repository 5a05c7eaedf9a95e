"""Everything a guard remembers between events, as one value: :class:`GuardState`.

A guard's decision is a function of (state, event, policy): the state holds the members
(escalation counters, open incidents, recent messages), the sliding windows of the checks,
the clean marks (messages already put in a delete action), the scheduled actions and the
counters. It turns into plain data and back (:meth:`GuardState.snapshot`,
:meth:`GuardState.restore`), and so does the part one message's decision reads, its
:class:`Footprint` (:meth:`GuardState.slice`, :meth:`GuardState.from_slice`): what a store
shared by several processes (Redis) loads and saves around each message.

The slice format is the snapshot format restricted to one message's footprint::

    {"members": [[guild_id, user_id, member]], "windows": [[key, kind, horizon, entries]],
     "cleaned": [[message_id, ts]]}
"""

from __future__ import annotations

__all__ = (
    "PRUNE_EVERY",
    "SNAPSHOT_VERSION",
    "Footprint",
    "GuardState",
    "WindowKey",
    "WindowSpec",
    "window_data",
    "window_from_data",
)

import collections.abc
import dataclasses
import typing

from spamguard.core.engine.counting import window_key
from spamguard.core.engine.members import MemberState
from spamguard.core.engine.scheduler import Schedule
from spamguard.core.engine.snapshot import check_member, check_snapshot
from spamguard.core.errors import SnapshotError
from spamguard.core.plan import ScheduledAction
from spamguard.core.policy import Scope  # at run time: a compiled dataclass's field type
from spamguard.core.windows import DuplicateWindow, Entry, SumWindow

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from spamguard.core.engine.members import DryRunState
    from spamguard.core.messages import MessageLike

SNAPSHOT_VERSION: typing.Final = 1
"""Bumped whenever the snapshot layout changes; restore refuses other versions."""

PRUNE_EVERY: typing.Final = 2048
"""Messages between two sweeps of idle windows and members at least (amortised, O(state)).

A sweep visits every window and member, so with more of them than ``PRUNE_EVERY / 4`` the
next one waits four messages per window and member instead: its cost per message stays
flat however large the state, and nothing outlives its horizon by more than that."""

WindowKey = tuple[typing.Any, ...]
"""A window's key: its name (the check's, see ``window_name``), the scope's tag and the
scope's ids, e.g. ``("max_messages", "u", guild_id, user_id)`` (see ``window_key``)."""

COUNTER_NAMES: typing.Final = (
    "warn_count",
    "timeout_count",
    "kick_count",
    "ban_count",
    "violations",
)
"""A member's escalation counters, as :meth:`GuardState.member_counters` names them."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class WindowSpec:
    """One sliding window a message is counted in."""

    key: WindowKey
    """The guard's key of the window, e.g. ``("max_messages", "u", guild_id, user_id)``:
    the check's name, then the scope's tag and ids."""
    scope: Scope
    """Whose messages share the window."""
    horizon: float
    """Seconds of history the window keeps (the longest interval any rule reads from it)."""
    text: bool
    """A duplicate (text) window rather than a running total."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Footprint:
    """The state one message's decision reads and writes (see :meth:`Guard.footprint
    <spamguard.core.engine.guard.Guard.footprint>`)."""

    guild_id: int
    user_id: int
    channel_id: int
    windows: tuple[WindowSpec, ...]
    """The built-in checks' windows of the guild's policy, for this message's scopes."""
    horizon: float
    """Seconds of history the guild's policy can look at: how long a member's recent
    messages and the clean marks are worth keeping."""


def window_from_data(kind: str, horizon: float, entries: Iterable[typing.Any]) -> SumWindow:
    """A window from snapshot data (see :func:`window_data`)."""
    window = DuplicateWindow(horizon) if kind == "text" else SumWindow(horizon)
    for raw in entries:
        window.add(Entry.from_list(raw))
    return window


def window_data(key: WindowKey, window: SumWindow) -> list[typing.Any]:
    """A window as snapshot data: ``[key, kind, horizon, entries]``."""
    return [
        list(key),
        "text" if isinstance(window, DuplicateWindow) else "sum",
        window.horizon,
        window.rows(),
    ]


class GuardState:
    """A guard's whole memory: members, windows, clean marks, schedule and counters.

    The guard reads and changes it as it decides; everything else reads it through the
    methods below (never its parts' insides), and turns it into plain data and back.
    """

    __slots__ = (
        "cleaned",
        "counters",
        "dry",
        "dry_run_overrides",
        "members",
        "next_prune",
        "processed",
        "schedule",
        "windows",
    )

    def __init__(self) -> None:
        self.members: dict[tuple[int, int], MemberState] = {}
        """(guild id, user id) -> the member's state."""
        self.windows: dict[WindowKey, SumWindow] = {}
        """Window key -> the window (see :data:`WindowKey`)."""
        self.cleaned: dict[int, float] = {}
        """Clean marks: message id -> POSIX seconds of messages put in a delete action
        already, oldest mark first."""
        self.dry: dict[int, DryRunState] = {}
        """Guild id -> what its decisions in dry run climb and mark instead (not part of
        a snapshot: a restart in dry run starts again from the real state)."""
        self.dry_run_overrides: dict[int, bool] = {}
        """Guild id -> dry run on or off as a moderator set it, whatever the policy says
        (see ``Guard.set_dry_run``); part of a snapshot and of the guild's part."""
        self.schedule = Schedule()
        """Scheduled actions kept until due."""
        self.counters: dict[int, dict[str, int]] = {}
        """Guild id (0 for none) -> counter name -> count (see ``Guard.stats``)."""
        self.processed = 0
        """Messages processed so far."""
        self.next_prune = PRUNE_EVERY
        """The count of processed messages at which the next sweep runs."""

    # -- reading --------------------------------------------------------------------------

    def window(self, key: WindowKey) -> SumWindow | None:
        """The window of ``key`` (see :func:`~spamguard.core.engine.counting.window_key`),
        or None when nothing counts in it now."""
        return self.windows.get(key)

    def member(self, guild_id: int, user_id: int) -> MemberState | None:
        """The state of a member, or None for a member the guard holds nothing of."""
        return self.members.get((guild_id, user_id))

    def member_counters(self, guild_id: int, user_id: int, *, dry_run: bool) -> dict[str, int]:
        """A member's escalation counters (zeros for an unknown member); with ``dry_run``,
        those of the member's dry-run ladder when the guild has one."""
        member = self.members.get((guild_id, user_id)) or MemberState()
        dry = self.dry.get(guild_id)
        if dry is not None and dry_run:
            member = dry.ladders.get(user_id, member)
        return {name: getattr(member, name) for name in COUNTER_NAMES}

    def stats(self, guild_id: int | None = None) -> dict[str, int]:
        """The counters of one guild, or summed over all."""
        if guild_id is not None:
            return dict(self.counters.get(guild_id, {}))
        total: dict[str, int] = {}
        for counters in self.counters.values():
            for key, value in counters.items():
                total[key] = total.get(key, 0) + value
        return total

    # -- changing -------------------------------------------------------------------------

    def counters_of(self, guild_id: int | None) -> dict[str, int]:
        """The counters of a guild (0 for none), made when missing."""
        counters = self.counters.get(guild_id or 0)
        if counters is None:
            counters = self.counters[guild_id or 0] = {}
        return counters

    def count(self, guild_id: int | None, key: str, amount: int = 1) -> None:
        """Add ``amount`` to a guild's counter ``key``."""
        counters = self.counters_of(guild_id)
        counters[key] = counters.get(key, 0) + amount

    def member_of(self, guild_id: int, user_id: int) -> MemberState:
        """The state of a member, made when missing."""
        member = self.members.get((guild_id, user_id))
        if member is None:
            member = self.members[(guild_id, user_id)] = MemberState()
        return member

    def open_window(self, key: WindowKey, horizon: float, text: bool, now_ts: float) -> SumWindow:
        """The window of ``key``, made when missing (a duplicate window with ``text``),
        reaching at least ``horizon`` seconds back, its entries older than that at
        ``now_ts`` expired."""
        window = self.windows.get(key)
        if window is None:
            window = self.windows[key] = DuplicateWindow(horizon) if text else SumWindow(horizon)
        elif window.horizon < horizon:
            window.horizon = horizon
        oldest = now_ts - window.horizon
        times = window.times
        if times and times[0] <= oldest:
            window.expire(oldest)
        return window

    def plugin_window(
        self,
        message: MessageLike,
        name: str,
        scope: Scope,
        interval: float,
        text: bool,
        now_ts: float,
    ) -> SumWindow:
        """A plugin check's window ``name`` for ``message``'s ``scope``, opened as
        :meth:`open_window` does (see :meth:`~spamguard.core.context.CheckContext.window`),
        kept under ``plugin:<name>``."""
        key = window_key(
            f"plugin:{name}", scope, message.guild_id, message.channel_id, message.author_id
        )
        return self.open_window(key, interval, text, now_ts)

    def message_history(self, message: MessageLike, seconds: float, now_ts: float) -> list[Entry]:
        """The recent messages of ``message``'s author in its guild over the last
        ``seconds`` before ``now_ts``, oldest first (see
        :meth:`~spamguard.core.context.CheckContext.history`)."""
        guild_id = message.guild_id
        member = None if guild_id is None else self.members.get((guild_id, message.author_id))
        if member is None:
            return []
        cutoff = now_ts - seconds
        author_id = message.author_id
        return [
            Entry(ts, mid, channel, author_id)
            for mid, (ts, channel, _crc) in sorted(member.recent.items(), key=lambda kv: kv[1][0])
            if ts > cutoff
        ]

    def reset_member(
        self, guild_id: int, user_id: int, counters: Iterable[str] | None = None
    ) -> None:
        """Forget a member's escalation counters (only ``counters``, when given) and, without
        ``counters``, its open incident; a dry-run ladder of the member alike.

        Raises:
            ValueError: an unknown counter name.
        """
        members = [self.members.get((guild_id, user_id))]
        dry = self.dry.get(guild_id)
        if dry is not None:
            members.append(dry.ladders.get(user_id))
        if counters is not None:
            names = tuple(counters)
            for name in names:
                if name not in COUNTER_NAMES:
                    msg = f"unknown counter {name!r}; known: {', '.join(COUNTER_NAMES)}"
                    raise ValueError(msg)
            for member in members:
                if member is not None:
                    for name in names:
                        setattr(member, name, 0)
            return
        for member in members:
            if member is not None:
                member.reset_counters()
                member.incident_until = None
                member.incident_severity = 0

    def forget_member_windows(self, guild_id: int, user_id: int) -> int:
        """Drop the windows that count only this member's messages (the ``user`` and
        ``user_channel`` scopes); returns how many. A pardoned member starts again from
        nothing: the messages that fired a check do not fire it again."""
        # ("max_messages", "u", guild_id, user_id), (..., "uc", guild_id, channel_id, user_id)
        keys = [
            key
            for key in self.windows
            if len(key) > 3
            and key[2] == guild_id
            and ((key[1] == "u" and key[3] == user_id) or (key[1] == "uc" and key[-1] == user_id))
        ]
        for key in keys:
            del self.windows[key]
        return len(keys)

    def prune(self, now_ts: float, history: float, joins_history: float = 0.0) -> None:
        """Drop expired window entries, empty windows, idle members and clean marks older
        than ``history`` seconds before ``now_ts`` (the longest the policy looks back); a
        member's join and leave times are kept ``joins_history`` seconds."""
        windows = self.windows
        for key in list(windows):
            window = windows[key]
            cutoff = now_ts - window.horizon
            times = window.times
            if times and times[0] > cutoff:
                continue  # nothing to expire (the common case, checked without a call)
            window.expire(cutoff)
            if not window.times:
                del windows[key]
        horizon = now_ts - history
        members = self.members
        for member_key in list(members):
            member = members[member_key]
            recent = member.recent
            if (
                recent
                and not member.unordered
                and not member.cleaned
                and next(iter(recent.values()))[0] > horizon
            ):
                # Its oldest message is recent: nothing to forget, and not idle.
                continue
            member.forget_before(horizon)
            if member.is_idle(horizon, now_ts - joins_history):
                del members[member_key]
        cleaned = self.cleaned
        if cleaned and min(cleaned.values()) <= horizon:
            # The windows dropped every entry this old above (a window's horizon is
            # at most the policy's), so no sweep mark vouches for a forgotten one.
            self.cleaned = {mid: ts for mid, ts in cleaned.items() if ts > horizon}
        for guild_id in list(self.dry):
            dry = self.dry[guild_id]
            dry.forget_before(horizon)
            if dry.is_empty():
                del self.dry[guild_id]

    # -- plain data -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, typing.Any]:
        """The whole state (but the dry run's) as JSON-serialisable data (see :meth:`restore`)."""
        return {
            "version": SNAPSHOT_VERSION,
            "members": [[g, u, m.to_dict()] for (g, u), m in self.members.items()],
            "windows": [window_data(key, window) for key, window in self.windows.items()],
            "cleaned": [[mid, ts] for mid, ts in self.cleaned.items()],
            "scheduled": [item.to_dict() for item in self.schedule.pending()],
            "counters": {str(g): dict(s) for g, s in self.counters.items()},
            "processed": self.processed,
            "next_prune": self.next_prune,
            "dry_run_overrides": {str(g): on for g, on in self.dry_run_overrides.items()},
        }

    @classmethod
    def restore(cls, snapshot: Mapping[str, typing.Any]) -> GuardState:
        """The state a :meth:`snapshot` holds.

        Raises:
            SnapshotError: a snapshot of another version, or malformed (the message names
                the field, see :mod:`spamguard.core.engine.snapshot`).
        """
        if not isinstance(snapshot, collections.abc.Mapping):
            msg = f"a snapshot must be a JSON object, got {type(snapshot).__name__}"
            raise SnapshotError(msg)
        if snapshot.get("version") != SNAPSHOT_VERSION:
            msg = f"snapshot version {snapshot.get('version')!r} is not {SNAPSHOT_VERSION}"
            raise SnapshotError(msg)
        check_snapshot(snapshot)
        state = cls()
        try:
            for g, u, data in snapshot["members"]:
                state.members[(int(g), int(u))] = MemberState.from_dict(data)
            for key, kind, horizon, entries in snapshot["windows"]:
                state.windows[tuple(key)] = window_from_data(kind, float(horizon), entries)
            state.cleaned = {int(mid): float(ts) for mid, ts in snapshot["cleaned"]}
            for item in snapshot["scheduled"]:
                state.schedule.add(ScheduledAction.from_dict(item))
            state.counters = {
                int(g): {k: int(v) for k, v in s.items()} for g, s in snapshot["counters"].items()
            }
            state.dry_run_overrides = {
                int(g): bool(on) for g, on in snapshot.get("dry_run_overrides", {}).items()
            }
            state.processed = int(snapshot.get("processed", 0))
            state.next_prune = int(
                snapshot.get("next_prune", (state.processed // PRUNE_EVERY + 1) * PRUNE_EVERY)
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"malformed snapshot: {exc!r}"
            raise SnapshotError(msg) from exc
        return state

    @classmethod
    def from_slice(cls, data: Mapping[str, typing.Any]) -> GuardState:
        """A state holding what a slice holds (members, windows, clean marks; missing
        parts are empty), e.g. one message's footprint as a shared store loaded it.

        Raises:
            SnapshotError: ``data`` is malformed.
        """
        state = cls()
        try:
            for key, kind, horizon, entries in data.get("windows", ()):
                state.windows[tuple(key)] = window_from_data(kind, float(horizon), entries)
            for index, (g, u, member) in enumerate(data.get("members", ())):
                check_member(member, f"members[{index}].state")
                state.members[(int(g), int(u))] = MemberState.from_dict(member)
            state.cleaned = {int(mid): float(ts) for mid, ts in data.get("cleaned", ())}
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"malformed state slice: {exc!r}"
            raise SnapshotError(msg) from exc
        return state

    def slice(self, footprint: Footprint) -> dict[str, typing.Any]:
        """The part of this state in ``footprint`` as plain data (see :meth:`from_slice`):
        its member (if held), each of its windows (empty when not held) and every clean mark."""
        member = self.members.get((footprint.guild_id, footprint.user_id))
        windows = []
        for spec in footprint.windows:
            window = self.windows.get(spec.key)
            if window is None:
                windows.append([list(spec.key), "text" if spec.text else "sum", spec.horizon, []])
            else:
                windows.append(window_data(spec.key, window))
        return {
            "members": []
            if member is None
            else [[footprint.guild_id, footprint.user_id, member.to_dict()]],
            "windows": windows,
            "cleaned": [[mid, ts] for mid, ts in self.cleaned.items()],
        }

    def exchange(self, footprint: Footprint, part: GuardState) -> GuardState:
        """Put ``part``'s member, windows and clean marks in ``footprint`` in place of
        this state's, and return a state holding the ones taken out (exchanging them back
        restores this state). Everything else stays: plugins' windows, counters, schedule,
        dry run."""
        taken = GuardState()
        key = (footprint.guild_id, footprint.user_id)
        member = self.members.pop(key, None)
        if member is not None:
            taken.members[key] = member
        member = part.members.get(key)
        if member is not None:
            self.members[key] = member
        for spec in footprint.windows:
            window = self.windows.pop(spec.key, None)
            if window is not None:
                taken.windows[spec.key] = window
            window = part.windows.get(spec.key)
            if window is not None:
                self.windows[spec.key] = window
        taken.cleaned, self.cleaned = self.cleaned, part.cleaned
        return taken
