"""One guild's part of a :class:`~spamguard.core.engine.state.GuardState`, as plain data.

Discord sends a guild's events on one shard, and a process owns fixed shards: a store can
keep each guild in the memory of the process that owns it, and write the guild's part to a
shared tier (Redis) now and then, for another process to load when the shard moves. The
part holds the guild's members, its windows (a window's key names its guild: ``key[2]``,
plugin and join windows too), its counters, and the clean marks of the messages in those
(a mark only matters while its message is in a window or among a member's recent ones)::

    {"version": 1, "guild_id": 42, "members": [[guild_id, user_id, member]],
     "windows": [[key, kind, horizon, entries]], "cleaned": [[message_id, ts]],
     "counters": {"messages": 3, ...}, "dry_run": null}

``dry_run`` is a moderator's override of the policy's dry run in the guild (true or false;
null: none), so it moves with the guild when another process takes it over.

Scheduled actions are not part of it: a store keeps them apart (they must run once
whichever process holds the guild). The dry run's state is not either (like a snapshot,
a guild taken over in dry run starts again from the real state).
"""

from __future__ import annotations

__all__ = (
    "GUILD_PART_VERSION",
    "drop_guild",
    "drop_guilds",
    "guild_part",
    "guild_parts",
    "held_guilds",
    "load_guild",
)

import collections.abc
import typing

from spamguard.core.engine.members import MemberState
from spamguard.core.engine.snapshot import check_guild_part
from spamguard.core.engine.state import window_data, window_from_data
from spamguard.core.errors import SnapshotError

if typing.TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from spamguard.core.engine.state import GuardState, WindowKey
    from spamguard.core.windows import SumWindow

GUILD_PART_VERSION: typing.Final = 1
"""Bumped whenever a guild part's layout changes; :func:`load_guild` refuses other versions."""


def _guild_of_window(key: WindowKey) -> object:
    return key[2] if len(key) > 2 else None  # (name, scope tag, guild id, ...)


def _message_ids(members: Collection[MemberState], windows: Collection[SumWindow]) -> set[int]:
    """The ids of the messages these members and windows remember."""
    ids: set[int] = set()
    for member in members:
        ids.update(member.recent)
        ids.update(member.cleaned)
    for window in windows:
        ids.update(window.message_ids)
    return ids


def guild_parts(state: GuardState, guild_ids: Collection[int]) -> dict[int, dict[str, typing.Any]]:
    """:func:`guild_part` of each of ``guild_ids`` (one pass over the state for all)."""
    wanted = set(guild_ids)
    members: dict[int, list[tuple[int, MemberState]]] = {g: [] for g in wanted}
    windows: dict[int, list[tuple[WindowKey, SumWindow]]] = {g: [] for g in wanted}
    for (g, u), member in state.members.items():
        if g in wanted:
            members[g].append((u, member))
    for key, window in state.windows.items():
        owner = _guild_of_window(key)
        if isinstance(owner, int) and owner in wanted:
            windows[owner].append((key, window))
    cleaned = state.cleaned
    parts: dict[int, dict[str, typing.Any]] = {}
    for g in wanted:
        ids = _message_ids([m for _u, m in members[g]], [w for _k, w in windows[g]])
        parts[g] = {
            "version": GUILD_PART_VERSION,
            "guild_id": g,
            "members": [[g, u, m.to_dict()] for u, m in members[g]],
            "windows": [window_data(key, window) for key, window in windows[g]],
            "cleaned": [[mid, ts] for mid, ts in cleaned.items() if mid in ids],
            "counters": dict(state.counters.get(g, {})),
            "dry_run": state.dry_run_overrides.get(g),
        }
    return parts


def guild_part(state: GuardState, guild_id: int) -> dict[str, typing.Any]:
    """What ``state`` holds of one guild as JSON-serialisable data (see :func:`load_guild`):
    its members, windows, counters and the clean marks of their messages."""
    return guild_parts(state, (guild_id,))[guild_id]


def held_guilds(state: GuardState) -> set[int]:
    """The guilds ``state`` holds anything of (a member, a window, counters or a dry-run
    override)."""
    held = {g for g, _u in state.members}
    for key in state.windows:
        owner = _guild_of_window(key)
        if isinstance(owner, int):
            held.add(owner)
    held.update(g for g in state.counters if g)
    held.update(state.dry_run_overrides)
    return held


def drop_guilds(state: GuardState, guild_ids: Collection[int]) -> None:
    """:func:`drop_guild` for each of ``guild_ids`` (one pass over the state for all)."""
    wanted = set(guild_ids)
    if not wanted:
        return
    dropped_members = [state.members.pop(k) for k in [k for k in state.members if k[0] in wanted]]
    dropped_windows = [
        state.windows.pop(k) for k in [k for k in state.windows if _guild_of_window(k) in wanted]
    ]
    ids = _message_ids(dropped_members, dropped_windows)
    if ids:
        state.cleaned = {mid: ts for mid, ts in state.cleaned.items() if mid not in ids}
    for g in wanted:
        state.counters.pop(g, None)
        state.dry.pop(g, None)
        state.dry_run_overrides.pop(g, None)


def drop_guild(state: GuardState, guild_id: int) -> None:
    """Forget everything ``state`` holds of one guild: members, windows, counters, the
    clean marks of its messages, its dry run and a dry-run override. Scheduled actions
    stay."""
    drop_guilds(state, (guild_id,))


def _refuse(field: str, guild_id: int, value: object) -> typing.NoReturn:
    msg = f"guild part field {field}: must belong to guild {guild_id}, got {value!r}"
    raise SnapshotError(msg)


def load_guild(state: GuardState, guild_id: int, data: Mapping[str, typing.Any]) -> None:
    """Replace what ``state`` holds of one guild with a :func:`guild_part`'s data.

    Raises:
        SnapshotError: ``data`` is of another version, of another guild, or malformed (the
            message names the field); ``state`` is then left unchanged.
    """
    if not isinstance(data, collections.abc.Mapping):
        msg = f"a guild part must be a JSON object, got {type(data).__name__}"
        raise SnapshotError(msg)
    if data.get("version") != GUILD_PART_VERSION:
        msg = f"guild part version {data.get('version')!r} is not {GUILD_PART_VERSION}"
        raise SnapshotError(msg)
    check_guild_part(data)
    if data["guild_id"] != guild_id:
        _refuse("guild_id", guild_id, data["guild_id"])
    members: dict[tuple[int, int], MemberState] = {}
    windows: dict[WindowKey, SumWindow] = {}
    try:
        for index, (g, u, member) in enumerate(data["members"]):
            if g != guild_id:
                _refuse(f"members[{index}].guild_id", guild_id, g)
            members[(g, u)] = MemberState.from_dict(member)
        for index, (key, kind, horizon, entries) in enumerate(data["windows"]):
            if key[2] != guild_id:
                _refuse(f"windows[{index}].key", guild_id, key)
            windows[tuple(key)] = window_from_data(kind, float(horizon), entries)
        cleaned = {int(mid): float(ts) for mid, ts in data["cleaned"]}
        counters = {str(k): int(v) for k, v in data["counters"].items()}
        dry_run = data.get("dry_run")
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"malformed guild part: {exc!r}"
        raise SnapshotError(msg) from exc
    drop_guild(state, guild_id)
    state.members.update(members)
    state.windows.update(windows)
    state.cleaned.update(cleaned)
    if counters:
        state.counters[guild_id] = counters
    if dry_run is not None:
        state.dry_run_overrides[guild_id] = bool(dry_run)
