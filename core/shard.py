"""Deciding one message against a slice of state kept elsewhere (a store shared by processes).

A store that several processes share (Redis) cannot keep a whole guard in memory. Each
message's decision reads only a small part of the state, the message's :class:`Footprint`:
its member's state, the windows its guild's checks count in, and the clean marks of the
messages in those windows. The store loads that part, :func:`decide` runs the guard's own
:meth:`~spamguard.core.guard.Guard.process` on exactly that part, and hands back the plan
and the part as the message left it, for the store to save.

The exchange format is the guard's snapshot format (see
:meth:`~spamguard.core.guard.Guard.snapshot`), restricted to one message's footprint::

    {"members": [[guild_id, user_id, member]], "windows": [[key, kind, horizon, entries]],
     "cleaned": [[message_id, ts]]}

A decision schedules nothing: its plan only proposes undos, which the runtime hands to the
store once their punishment succeeded.

Nothing here re-implements a check: the decision is the guard's, on a guard whose state
is, for the length of one synchronous call, exactly the slice.
"""

from __future__ import annotations

__all__ = ("Footprint", "WindowSpec", "decide", "footprint")

import dataclasses
import typing

from spamguard.core.errors import SnapshotError
from spamguard.core.snapshot import check_member
from spamguard.core.state import MemberState
from spamguard.core.windows import DuplicateWindow, Entry, SumWindow

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from spamguard.core.guard import Guard
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import Scope


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class WindowSpec:
    """One sliding window a message is counted in."""

    key: tuple[typing.Any, ...]
    """The guard's key of the window, e.g. ``("max_messages", "u", guild_id, user_id)``:
    the check's name, then the scope's tag and ids (see ``SCOPE_KEY`` in the guard)."""
    scope: Scope
    """Whose messages share the window."""
    horizon: float
    """Seconds of history the window keeps (the longest interval any rule reads from it)."""
    text: bool
    """A duplicate (text) window rather than a running total."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Footprint:
    """The state one message's decision reads and writes."""

    guild_id: int
    user_id: int
    channel_id: int
    windows: tuple[WindowSpec, ...]
    """The built-in checks' windows of the guild's policy, for this message's scopes."""
    horizon: float
    """Seconds of history the guild's policy can look at: how long a member's recent
    messages and the clean marks are worth keeping."""


def footprint(guard: Guard, message: MessageLike) -> Footprint | None:
    """What ``message``'s decision reads, or None when it is decided without any state.

    None means the guard skips the message before looking at state (a DM, the bot
    itself, an ignored author or place, an exempt member, no rule for the member): the
    caller can call ``guard.process(message)`` directly, with no store round trip.
    """
    guild_id = message.guild_id
    if guild_id is None:
        return None
    policy = guard.policy.for_guild(guild_id)
    # The guard's own exemption code answers; plugin vetoes still run inside decide().
    if guard._skip_reason(message, policy) is not None:
        return None
    if not policy.rules_for(message.author_role_ids) and not guard._has_checks:
        return None
    return Footprint(
        guild_id=guild_id,
        user_id=message.author_id,
        channel_id=message.channel_id,
        windows=tuple(
            WindowSpec(key=key, scope=scope, horizon=horizon, text=text)
            for key, scope, horizon, text in guard.windows_of(message)
        ),
        horizon=guard._compile(policy).horizon,
    )


def _window(kind: str, horizon: float, entries: typing.Iterable[typing.Any]) -> SumWindow:
    window = DuplicateWindow(horizon) if kind == "text" else SumWindow(horizon)
    for raw in entries:
        window.add(Entry.from_list(raw))
    return window


def decide(
    guard: Guard,
    message: MessageLike,
    state: Mapping[str, typing.Any],
    *,
    now: datetime.datetime | None = None,
) -> tuple[Plan, dict[str, typing.Any]]:
    """Decide ``message`` with ``guard`` as if ``state`` were the guard's whole state.

    Args:
        guard: the deciding guard: its policy, plugins and counters (``stats()``) are used.
            Its own member, window and clean state is set aside for the call and put back
            after, so a guard can serve a shared store and keep plugin windows of its own.
        message: the message.
        state: the message's footprint in the exchange format (missing parts are empty).
        now: the decision time (default: the message's ``created_at``).

    Returns:
        The plan, and the footprint after the decision in the exchange format: every
        window of the footprint (possibly empty), the member (if it exists) and every
        clean mark.

    Raises:
        SnapshotError: ``state`` is malformed.
    """
    spot = footprint(guard, message)
    if spot is None:
        return guard.process(message, now=now), {}
    member_key = (spot.guild_id, spot.user_id)
    specs = {spec.key: spec for spec in spot.windows}
    try:
        loaded_windows = {
            tuple(key): _window(kind, float(horizon), entries)
            for key, kind, horizon, entries in state.get("windows", ())
        }
        loaded_members = {}
        for index, (g, u, data) in enumerate(state.get("members", ())):
            check_member(data, f"members[{index}].state")
            loaded_members[(int(g), int(u))] = MemberState.from_dict(data)
        loaded_cleaned = {int(mid): float(ts) for mid, ts in state.get("cleaned", ())}
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"malformed state slice: {exc!r}"
        raise SnapshotError(msg) from exc

    windows, members = guard._windows, guard._members
    own_windows = {key: windows.pop(key) for key in specs if key in windows}
    own_member = members.pop(member_key, None)
    own_cleaned = guard._cleaned
    windows.update(loaded_windows)
    member = loaded_members.get(member_key)
    if member is not None:
        members[member_key] = member
    guard._cleaned = loaded_cleaned
    try:
        plan = guard.process(message, now=now)
    finally:
        after_windows = {key: windows.pop(key, None) for key in specs.keys() | loaded_windows}
        after_member = members.pop(member_key, None)
        after_cleaned = guard._cleaned
        windows.update(own_windows)
        if own_member is not None:
            members[member_key] = own_member
        guard._cleaned = own_cleaned

    out_windows = []
    for key, spec in specs.items():
        window = after_windows.get(key)
        out_windows.append(
            [
                list(key),
                "text" if spec.text else "sum",
                spec.horizon if window is None else window.horizon,
                [] if window is None else [e.to_list() for e in window.entries],
            ]
        )
    return plan, {
        "members": []
        if after_member is None
        else [[spot.guild_id, spot.user_id, after_member.to_dict()]],
        "windows": out_windows,
        "cleaned": [[mid, ts] for mid, ts in after_cleaned.items()],
    }
