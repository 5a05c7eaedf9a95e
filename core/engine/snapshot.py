"""The layout of a guard's snapshot as data, and its validation.

A snapshot comes back from a file or a shared store written by another process, another
version or a hand: before any of it reaches the guard, :func:`check_snapshot` walks it
against the tables below and raises :class:`~spamguard.core.errors.SnapshotError` naming
the first field that does not fit (``members[3].state.last_violation: must be POSIX
seconds or null, got 'yesterday'``). Keys a table does not name are left alone.
"""

from __future__ import annotations

__all__ = (
    "GUILD_PART_FIELDS",
    "MEMBER_FIELDS",
    "SNAPSHOT_FIELDS",
    "check_guild_part",
    "check_member",
    "check_snapshot",
)

import collections.abc
import math
import typing

from spamguard.core.errors import SnapshotError
from spamguard.core.plan import ScheduledAction

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

Shape = typing.Callable[[typing.Any, str], None]
"""Checks one value found at a path; raises :class:`SnapshotError` when it does not fit."""


def _refuse(path: str, expected: str, value: object) -> typing.NoReturn:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    msg = f"snapshot field {path}: must be {expected}, got {shown}"
    raise SnapshotError(msg)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(expected: str, test: Callable[[typing.Any], bool]) -> Shape:
    def check(value: typing.Any, path: str) -> None:
        if not test(value):
            _refuse(path, expected, value)

    return check


def _optional(shape: Shape, expected: str) -> Shape:
    def check(value: typing.Any, path: str) -> None:
        if value is not None:
            try:
                shape(value, path)
            except SnapshotError:
                _refuse(path, expected, value)

    return check


def _list_of(item: Shape) -> Shape:
    def check(value: typing.Any, path: str) -> None:
        if not isinstance(value, list):
            _refuse(path, "a list", value)
        for index, element in enumerate(value):
            item(element, f"{path}[{index}]")

    return check


def _row(*columns: tuple[str, Shape]) -> Shape:
    """A fixed-length list whose columns have names (used in the paths)."""
    names = ", ".join(name for name, _shape in columns)

    def check(value: typing.Any, path: str) -> None:
        if not isinstance(value, list) or len(value) != len(columns):
            _refuse(path, f"a list of {len(columns)} ([{names}])", value)
        for (name, shape), element in zip(columns, value, strict=True):
            shape(element, f"{path}.{name}")

    return check


def _record(fields: Mapping[str, tuple[Shape, bool]]) -> Shape:
    """An object with these fields (``name -> (shape, required)``)."""

    def check(value: typing.Any, path: str) -> None:
        if not isinstance(value, collections.abc.Mapping):
            _refuse(path or "<snapshot>", "an object", value)
        prefix = f"{path}." if path else ""
        for name, (shape, required) in fields.items():
            if name in value:
                shape(value[name], prefix + name)
            elif required:
                _refuse(prefix + name, "present", "nothing")

    return check


def _mapping_of(key: Shape, item: Shape) -> Shape:
    def check(value: typing.Any, path: str) -> None:
        if not isinstance(value, dict):
            _refuse(path, "an object", value)
        for name, element in value.items():
            key(name, f"{path} key")
            item(element, f"{path}.{name}")

    return check


def _scheduled(value: typing.Any, path: str) -> None:
    if not isinstance(value, dict):
        _refuse(path, "an object ({run_at, action})", value)
    try:
        ScheduledAction.from_dict(value)
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"snapshot field {path}: not a scheduled action ({exc})"
        raise SnapshotError(msg) from exc


def _window_key(value: typing.Any, path: str) -> None:
    if not (
        isinstance(value, list)
        and len(value) >= 3
        and all(isinstance(part, str) for part in value[:2])
        and all(isinstance(part, str) or _is_int(part) for part in value[2:])
    ):
        _refuse(path, "a list [window name, scope tag, guild id, ids...]", value)


_ID = _scalar("an integer id", _is_int)
_COUNT = _scalar("a whole number >= 0", lambda v: _is_int(v) and v >= 0)
_INT = _scalar("an integer", _is_int)
_TIME = _scalar("POSIX seconds (a finite number)", _is_number)
_SECONDS = _scalar("seconds (a finite number >= 0)", lambda v: _is_number(v) and v >= 0)
_TEXT = _scalar("a string", lambda v: isinstance(v, str))
# ASCII only: str.isdigit() also takes superscripts like "²", which int() refuses.
_INT_TEXT = _scalar(
    "a guild id as a string", lambda v: isinstance(v, str) and v.isascii() and v.isdigit()
)
_KIND = _scalar('"text" or "sum"', lambda v: v in ("text", "sum"))
_OPTIONAL_TIME = _optional(_TIME, "POSIX seconds or null")
_BOOL = _scalar("true or false", lambda v: isinstance(v, bool))
_OPTIONAL_BOOL = _optional(_BOOL, "true, false or null")

MEMBER_FIELDS: Mapping[str, tuple[Shape, bool]] = {
    "warn_count": (_COUNT, True),
    "timeout_count": (_COUNT, True),
    "kick_count": (_COUNT, True),
    "ban_count": (_COUNT, True),
    "violations": (_COUNT, True),
    "last_violation": (_OPTIONAL_TIME, True),
    "incident_until": (_OPTIONAL_TIME, True),
    "incident_severity": (_COUNT, True),
    "cleaned": (_list_of(_ID), True),
    "recent": (
        _list_of(_row(("id", _ID), ("ts", _TIME), ("channel_id", _ID), ("checksum", _INT))),
        True,
    ),
    # Optional: snapshots from before joins were tracked have neither.
    "joined_at": (_OPTIONAL_TIME, False),
    "left_at": (_OPTIONAL_TIME, False),
}
"""One member's state (:meth:`~spamguard.core.engine.members.MemberState.to_dict`): field ->
(shape, required)."""

_check_member = _record(MEMBER_FIELDS)

_ENTRY = _row(
    ("ts", _TIME),
    ("id", _ID),
    ("channel_id", _ID),
    ("author_id", _ID),
    ("amount", _INT),
    ("text", _TEXT),
)

SNAPSHOT_FIELDS: Mapping[str, tuple[Shape, bool]] = {
    "members": (
        _list_of(_row(("guild_id", _ID), ("user_id", _ID), ("state", _check_member))),
        True,
    ),
    "windows": (
        _list_of(
            _row(
                ("key", _window_key),
                ("kind", _KIND),
                ("horizon", _SECONDS),
                ("entries", _list_of(_ENTRY)),
            )
        ),
        True,
    ),
    "cleaned": (_list_of(_row(("id", _ID), ("ts", _TIME))), True),
    "scheduled": (_list_of(_scheduled), True),
    "counters": (_mapping_of(_INT_TEXT, _mapping_of(_TEXT, _COUNT)), True),
    "processed": (_COUNT, False),
    "next_prune": (_COUNT, False),
    # Optional: snapshots from before moderators could turn dry run on or off have none.
    "dry_run_overrides": (_mapping_of(_INT_TEXT, _BOOL), False),
}
"""A whole :meth:`~spamguard.core.engine.state.GuardState.snapshot` besides its ``version``: field ->
(shape, required)."""

_check_snapshot = _record(SNAPSHOT_FIELDS)

GUILD_PART_FIELDS: Mapping[str, tuple[Shape, bool]] = {
    "guild_id": (_ID, True),
    "members": SNAPSHOT_FIELDS["members"],
    "windows": SNAPSHOT_FIELDS["windows"],
    "cleaned": SNAPSHOT_FIELDS["cleaned"],
    "counters": (_mapping_of(_TEXT, _COUNT), True),
    "dry_run": (_OPTIONAL_BOOL, False),
}
"""One guild's part of the state (:func:`~spamguard.core.engine.guild_state.guild_part`)
besides its ``version``: field -> (shape, required)."""

_check_guild_part = _record(GUILD_PART_FIELDS)


def check_member(data: object, path: str = "member") -> None:
    """Refuse one member's state that does not fit :data:`MEMBER_FIELDS`.

    Raises:
        SnapshotError: naming the field (under ``path``) and what it must be.
    """
    _check_member(data, path)


def check_snapshot(data: object) -> None:
    """Refuse a snapshot that does not fit :data:`SNAPSHOT_FIELDS` (its ``version`` is
    checked by :meth:`~spamguard.core.engine.state.GuardState.restore`).

    Raises:
        SnapshotError: naming the field and what it must be.
    """
    _check_snapshot(data, "")


def check_guild_part(data: object) -> None:
    """Refuse a guild's part that does not fit :data:`GUILD_PART_FIELDS` (its ``version``
    and whose guild each row is are checked by
    :func:`~spamguard.core.engine.guild_state.load_guild`).

    Raises:
        SnapshotError: naming the field and what it must be.
    """
    _check_guild_part(data, "")
