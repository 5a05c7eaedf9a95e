"""Member joins and leaves in a log: the ``member_join`` and ``member_leave`` lines.

A log (:mod:`spamguard.reporting.logs`) may hold, between its messages, one member event a
line, told apart by its ``type``::

    {"type": "member_join", "guild_id": 1, "user_id": 100,
     "joined_at": "2024-05-01T12:00:00Z", "username": "raider", "has_avatar": false}
    {"type": "member_leave", "guild_id": 1, "user_id": 100, "at": "2024-05-01T12:05:00Z"}

``member_join`` requires ``guild_id``, ``user_id`` and ``joined_at`` (the decision time;
times as for messages); optional: ``username`` (``""``), ``global_name`` (``null``),
``has_avatar`` and ``bot`` (``false``), ``role_ids`` (``[]``). ``member_leave`` requires
``guild_id``, ``user_id`` and ``at``. Any other key is an error. A message line may say
``"type": "message"``.
"""

from __future__ import annotations

__all__ = ("MEMBER_TYPES", "MemberRecord", "Readers", "member_line", "member_record")

import dataclasses
import difflib
import typing

from spamguard.core import MemberJoin, MemberLeave

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Mapping


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberRecord:
    """One member joining or leaving, read from a log."""

    line: int
    """The 1-based line number it came from."""
    event: MemberJoin | MemberLeave
    """The event, ready for :meth:`spamguard.core.Guard.handle`."""
    now: datetime.datetime
    """The decision time: the join's ``joined_at``, the leave's ``at``."""


_JOIN_KEYS = (
    "type",
    "guild_id",
    "user_id",
    "joined_at",
    "username",
    "global_name",
    "has_avatar",
    "bot",
    "role_ids",
)
_LEAVE_KEYS = ("type", "guild_id", "user_id", "at")
MEMBER_TYPES: tuple[str, ...] = ("member_join", "member_leave")
"""The ``type`` of a member event's line."""


class Readers(typing.NamedTuple):
    """The field readers of :mod:`~spamguard.reporting.logs` (each raises its error naming
    the field): one way to read an id, a time, a text, a boolean and a list of ids."""

    id: Callable[[str, object], int]
    time: Callable[[str, object], datetime.datetime]
    text: Callable[[str, object], str]
    boolean: Callable[[str, object], bool]
    ids: Callable[[str, object], tuple[int, ...]]
    bad: Callable[[str, str], Exception]
    required: Callable[[Mapping[str, typing.Any], str], typing.Any]


def member_record(data: Mapping[str, typing.Any], line: int, read: Readers) -> MemberRecord:
    """The record of a ``member_join`` or ``member_leave`` line (``data["type"]``)."""
    join = data["type"] == "member_join"
    allowed = _JOIN_KEYS if join else _LEAVE_KEYS
    for key in data:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = f"did you mean {hint[0]!r}? " if hint else ""
            problem = f"unknown field of a {data['type']} line; {suggestion}allowed: "
            raise read.bad(str(key), problem + ", ".join(allowed))
    guild_id = read.id("guild_id", read.required(data, "guild_id"))
    user_id = read.id("user_id", read.required(data, "user_id"))
    event: MemberJoin | MemberLeave
    if join:
        joined_at = read.time("joined_at", read.required(data, "joined_at"))
        global_name = data.get("global_name")
        event = MemberJoin(
            guild_id=guild_id,
            user_id=user_id,
            joined_at=joined_at,
            username=read.text("username", data.get("username")),
            global_name=None if global_name is None else read.text("global_name", global_name),
            has_avatar=read.boolean("has_avatar", data.get("has_avatar")),
            bot=read.boolean("bot", data.get("bot")),
            role_ids=frozenset(read.ids("role_ids", data.get("role_ids"))),
        )
        return MemberRecord(line=line, event=event, now=joined_at)
    at = read.time("at", read.required(data, "at"))
    event = MemberLeave(guild_id=guild_id, user_id=user_id, at=at)
    return MemberRecord(line=line, event=event, now=at)


def member_line(event: MemberJoin | MemberLeave) -> dict[str, typing.Any]:
    """The log line of ``event`` (what :func:`member_record` reads back)."""
    if isinstance(event, MemberLeave):
        return {
            "type": "member_leave",
            "guild_id": event.guild_id,
            "user_id": event.user_id,
            "at": event.at.isoformat(),
        }
    return {
        "type": "member_join",
        "guild_id": event.guild_id,
        "user_id": event.user_id,
        "joined_at": event.joined_at.isoformat(),
        "username": event.username,
        "global_name": event.global_name,
        "has_avatar": event.has_avatar,
        "bot": event.bot,
        "role_ids": sorted(event.role_ids),
    }
