"""Message logs: the JSON-lines format ``spamguard replay`` reads (a replay's summary is in
:mod:`spamguard.reporting.replay`).

The log format
==============

A log is a UTF-8 text file with one JSON object per line (`JSON Lines
<https://jsonlines.org/>`_), one message per line, in the order the bot received them.
Lines are processed in file order (never sorted). Blank lines are ignored. Two shapes of
line are understood.

**The spamguard shape** names the fields of :class:`spamguard.core.Message`::

    {"guild_id": 1, "channel_id": 10, "author_id": 100, "content": "hi",
     "created_at": "2024-05-01T12:00:00.250Z"}

Required:

``guild_id``
    the guild's id, or ``null`` for a direct message (always skipped).
``channel_id``, ``author_id``
    ids.
``created_at``
    when the message was sent: an ISO 8601 date-time (``2024-05-01T12:00:00Z``,
    ``2024-05-01T14:00:00+02:00``; without an offset it is taken as UTC) or a number of
    POSIX seconds, from 1970-01-01 to before 9000-01-01 (the core's bounds,
    :data:`spamguard.core.messages.EARLIEST_TIME` and ``LATEST_TIME``).

Optional, with their defaults:

``id``
    the message's snowflake; when missing, one is made from ``created_at`` and the line
    number. Two lines with the same id are a redelivery (same content) or an edit.
``content`` (``""``), ``author_name``, ``guild_name``, ``channel_name`` (``""``)
    text.
``author_is_bot``, ``author_is_admin``, ``author_can_manage_messages``, ``author_is_owner``,
``mentions_everyone`` (``false``)
    booleans.
``author_role_ids``, ``mention_ids``, ``role_mention_ids`` (``[]``)
    lists of ids.
``attachment_count``, ``sticker_count``, ``embed_count`` (``0``)
    counts.
``attachments`` (``[]``)
    the attached files, each an object with ``filename`` and ``size`` (bytes), and
    optionally ``content_type``, ``width`` and ``height`` (as Discord's attachment
    objects have them); ``attachment_count`` is at least their number.
``sticker_ids`` (``[]``)
    the stickers' ids; ``sticker_count`` is at least their number.
``forwarded`` (``false``)
    whether the message forwards another (its text and files are then already in
    ``content`` and ``attachments``).
``category_id``, ``parent_id`` (``null``)
    the channel's category; a thread's parent channel.
``edited_at``
    for an edit: when it was edited (the decision time); the line repeats the message's
    ``id`` and ``created_at`` with the new ``content``.

Ids may be JSON numbers or strings of digits (Discord's own JSON uses strings). Any other
key is an error, so a misspelt field is reported rather than silently ignored.

**Discord's message object**, as the REST API returns it or a gateway ``MESSAGE_CREATE``
carries it in ``d``, is recognised by its ``author`` object: ``id``, ``channel_id``,
``guild_id``, ``timestamp``, ``edited_timestamp``, ``content``, ``author`` (``id``, ``bot``,
``global_name``/``username``), ``member.roles``, ``mentions``, ``mention_roles``,
``mention_everyone``, ``attachments``, ``sticker_items``, ``embeds`` and a forward's
``message_snapshots`` (their ``content``, ``attachments`` and ``sticker_items`` count as
the message's, as the adapters read them) are read; other keys are ignored. REST messages
carry no ``guild_id``: add it to each line.

Member joins and leaves are lines too (``"type": "member_join"`` or ``"member_leave"``,
see :mod:`spamguard.reporting.member_logs`); a message line may say ``"type": "message"``.

A line that is not valid JSON, not an object, or has a missing or malformed field is a
:class:`LogError` naming its line number and the field.
"""

from __future__ import annotations

__all__ = (
    "LogError",
    "LogRecord",
    "MemberRecord",
    "iter_log",
    "parse_line",
    "read_log",
)

import dataclasses
import datetime
import difflib
import json
import pathlib
import sys
import typing

from spamguard.core import Attachment, Message, MessageError, SpamguardError
from spamguard.core.message_parts import attachment_from_payload, kept, parts_from_payload
from spamguard.core.messages import check_time
from spamguard.reporting.member_logs import MEMBER_TYPES, MemberRecord, Readers, member_record

if typing.TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator, Mapping


_DISCORD_EPOCH_MS = 1_420_070_400_000

_BOOL_FIELDS = (
    "author_is_bot",
    "author_is_admin",
    "author_can_manage_messages",
    "author_is_owner",
    "mentions_everyone",
    "forwarded",
)
_COUNT_FIELDS = ("attachment_count", "sticker_count", "embed_count")
_ID_LIST_FIELDS = ("author_role_ids", "mention_ids", "role_mention_ids", "sticker_ids")
_TEXT_FIELDS = ("content", "author_name", "guild_name", "channel_name")
_OPTIONAL_ID_FIELDS = ("category_id", "parent_id")
_DESCRIBED = frozenset({"filename", "size"})
_KEYS = (
    "id",
    "guild_id",
    "channel_id",
    "author_id",
    "created_at",
    "edited_at",
    *_TEXT_FIELDS,
    *_BOOL_FIELDS,
    *_ID_LIST_FIELDS,
    *_COUNT_FIELDS,
    *_OPTIONAL_ID_FIELDS,
    "attachments",
)


class LogError(SpamguardError, ValueError):
    """One line of a message log cannot be read.

    ``str(error)`` is ``source:line: field: problem``, ready to show a user.
    """

    def __init__(self, line: int, field: str, problem: str, *, source: str = "") -> None:
        self.line = line
        """The 1-based line number."""
        self.field = field
        """The offending field, or ``""`` when the whole line is wrong."""
        self.problem = problem
        """What is wrong and what is expected."""
        self.source = source
        """The log's name (its path), when known."""
        where = f"{source}:{line}" if source else f"line {line}"
        what = f"{field}: {problem}" if field else problem
        super().__init__(f"{where}: {what}")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class LogRecord:
    """One message read from a log."""

    line: int
    """The 1-based line number it came from."""
    message: Message
    """The message, ready for :meth:`spamguard.core.Guard.process`."""
    now: datetime.datetime
    """The decision time: ``edited_at`` for an edit, else the message's ``created_at``."""


class _Bad(Exception):
    """A field is malformed (turned into a :class:`LogError` with the line number)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.field = field
        self.problem = problem


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _id(field: str, value: object) -> int:
    # Snowflakes are 64-bit; the length test keeps int() within Python's digit limit.
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
        raise _Bad(
            field, f"must be an id (a positive integer or a string of digits), got {_show(value)}"
        )
    return value


def _optional_id(field: str, value: object) -> int | None:
    return None if value is None else _id(field, value)


def _time(field: str, value: object) -> datetime.datetime:
    parsed: datetime.datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            parsed = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            raise _Bad(field, f"is not a usable POSIX time, got {_show(value)}") from None
    elif isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            # A time without an offset is taken as UTC: Discord's clock.
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)
    if parsed is not None:
        try:
            check_time(field, parsed)
        except MessageError as error:
            raise _Bad(field, error.problem) from None
        return parsed
    raise _Bad(
        field,
        'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z" or POSIX seconds, '
        f"got {_show(value)}",
    )


def _text(field: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad(field, f"must be a string, got {_show(value)}")
    return value


def _bool(field: str, value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Bad(field, f"must be true or false, got {_show(value)}")
    return value


def _count(field: str, value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(field, f"must be a count (an integer >= 0), got {_show(value)}")
    return value


def _ids(field: str, value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Bad(field, f"must be a list of ids, got {_show(value)}")
    return tuple(_id(f"{field}.{index}", item) for index, item in enumerate(value))


def _snowflake(created_at: datetime.datetime, line: int) -> int:
    """A snowflake whose time is ``created_at``; the line number keeps it unique."""
    ms = max(0, int(created_at.timestamp() * 1000) - _DISCORD_EPOCH_MS)
    return (ms << 22) | (line & 0x3FFFFF) or 1


def _missing(field: str) -> typing.NoReturn:
    raise _Bad(field, "is required")


def _required(data: Mapping[str, typing.Any], field: str) -> typing.Any:
    if field not in data:
        raise _Bad(field, "is required")
    return data[field]


def _from_spamguard_shape(data: Mapping[str, typing.Any], line: int) -> LogRecord:
    for key in data:
        if key not in _KEYS:
            hint = difflib.get_close_matches(str(key), _KEYS, n=1)
            suggestion = f"did you mean {hint[0]!r}? " if hint else ""
            raise _Bad(str(key), f"unknown field; {suggestion}allowed: {', '.join(_KEYS)}")
    created_at = _time("created_at", _required(data, "created_at"))
    raw_id = data.get("id")
    files = _attachments(data.get("attachments"))
    fields: dict[str, typing.Any] = {
        **{name: _text(name, data.get(name)) for name in _TEXT_FIELDS},
        **{name: _bool(name, data.get(name)) for name in _BOOL_FIELDS},
        **{name: _count(name, data.get(name)) for name in _COUNT_FIELDS},
        **{name: _optional_id(name, data.get(name)) for name in _OPTIONAL_ID_FIELDS},
    }
    # Past the files kept, the count still counts them all.
    fields["attachment_count"] = max(fields["attachment_count"], len(files))
    message = Message(
        id=_snowflake(created_at, line) if raw_id is None else _id("id", raw_id),
        guild_id=_optional_id("guild_id", _required(data, "guild_id")),
        channel_id=_id("channel_id", _required(data, "channel_id")),
        author_id=_id("author_id", _required(data, "author_id")),
        created_at=created_at,
        author_role_ids=frozenset(_ids("author_role_ids", data.get("author_role_ids"))),
        mention_ids=_ids("mention_ids", data.get("mention_ids")),
        role_mention_ids=_ids("role_mention_ids", data.get("role_mention_ids")),
        sticker_ids=_ids("sticker_ids", data.get("sticker_ids")),
        attachments=kept(files),
        **fields,
    )
    edited = data.get("edited_at")
    now = created_at if edited is None else _time("edited_at", edited)
    return LogRecord(line=line, message=message, now=now)


def _attachments(value: object) -> tuple[Attachment, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Bad("attachments", f"must be a list of attachments, got {_show(value)}")
    try:
        return tuple(
            attachment_from_payload(item, f"attachments.{i}") for i, item in enumerate(value)
        )
    except MessageError as error:
        raise _Bad(error.field, error.problem) from None


def _length(field: str, value: object) -> int:
    if value is None:
        return 0
    if not isinstance(value, list):
        raise _Bad(field, f"must be a list, got {_show(value)}")
    return len(value)


def _from_discord_shape(data: Mapping[str, typing.Any], line: int) -> LogRecord:
    author = data["author"]
    member = data.get("member") or {}
    if not isinstance(member, dict):
        raise _Bad("member", f"must be an object, got {_show(member)}")
    mentions = data.get("mentions") or []
    if not isinstance(mentions, list) or not all(isinstance(m, dict) for m in mentions):
        raise _Bad("mentions", f"must be a list of user objects, got {_show(mentions)}")
    created_at = _time("timestamp", _required(data, "timestamp"))
    edited = data.get("edited_timestamp")
    # An attachment object without a name or size (a trimmed log) is counted, with no
    # metadata to compare: it never looks like another message's file.
    files = data.get("attachments")
    described = files
    undescribed = 0
    if isinstance(files, list):
        described = [f for f in files if not isinstance(f, dict) or f.keys() >= _DESCRIBED]
        undescribed = len(files) - len(described)
    try:
        content, attachments, count, sticker_ids, forwarded = parts_from_payload(
            {**data, "attachments": described}
        )
    except MessageError as error:
        raise _Bad(error.field, error.problem) from None
    message = Message(
        id=_id("id", _required(data, "id")),
        guild_id=_optional_id("guild_id", _required(data, "guild_id")),
        channel_id=_id("channel_id", _required(data, "channel_id")),
        author_id=_id("author.id", author["id"]) if "id" in author else _missing("author.id"),
        content=content,
        created_at=created_at,
        author_is_bot=_bool("author.bot", author.get("bot")),
        author_role_ids=frozenset(_ids("member.roles", member.get("roles"))),
        mention_ids=tuple(
            _id(f"mentions.{index}.id", m.get("id")) for index, m in enumerate(mentions)
        ),
        role_mention_ids=_ids("mention_roles", data.get("mention_roles")),
        mentions_everyone=_bool("mention_everyone", data.get("mention_everyone")),
        attachments=attachments,
        attachment_count=count + undescribed,
        sticker_ids=sticker_ids,
        forwarded=forwarded,
        embed_count=_length("embeds", data.get("embeds")),
        author_name=_text(
            "author.global_name", author.get("global_name") or author.get("username")
        ),
    )
    now = created_at if edited is None else _time("edited_timestamp", edited)
    return LogRecord(line=line, message=message, now=now)


_READERS = Readers(
    id=_id, time=_time, text=_text, boolean=_bool, ids=_ids, bad=_Bad, required=_required
)
"""The field readers above, for member lines (:mod:`~spamguard.reporting.member_logs`)."""


def _record(data: dict[str, typing.Any], line: int) -> LogRecord | MemberRecord:
    kind = data.get("type")
    if kind in MEMBER_TYPES:
        return member_record(data, line, _READERS)
    if kind == "message":
        del data["type"]
    elif isinstance(kind, str):  # (a number: Discord's own message type)
        allowed = ", ".join(("message", *MEMBER_TYPES))
        raise _Bad("type", f"must be one of {allowed}, got {_show(kind)}")
    if isinstance(data.get("author"), dict):
        return _from_discord_shape(data, line)
    return _from_spamguard_shape(data, line)


def parse_line(text: str, line: int = 1, *, source: str = "") -> LogRecord | MemberRecord | None:
    """Read one line of a log (a message, or a member joining or leaving); ``None`` for a
    blank line.

    Raises:
        LogError: the line is not valid JSON, not an object, or a field is wrong.
    """
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: {exc.msg} (column {exc.colno})"
        raise LogError(line, "", problem, source=source) from None
    except RecursionError:
        raise LogError(
            line, "", "not valid JSON: nested too deeply to read", source=source
        ) from None
    except ValueError:  # the only other: an integer longer than int() reads
        digits = sys.get_int_max_str_digits()
        problem = f"not valid JSON: a number of more than {digits} digits"
        raise LogError(line, "", problem, source=source) from None
    if not isinstance(data, dict):
        raise LogError(line, "", f"must be a JSON object, got {_show(data)}", source=source)
    try:
        return _record(data, line)
    except _Bad as bad:
        raise LogError(line, bad.field, bad.problem, source=source) from None
    except ValueError as exc:  # Message's own checks
        raise LogError(line, "", str(exc), source=source) from None


def iter_log(
    lines: Iterable[str], *, source: str = ""
) -> Iterator[LogRecord | MemberRecord | LogError]:
    """Read a log line by line, yielding each record or, for a bad line, its error.

    Nothing is raised for a bad line: the caller decides whether to skip it or stop.
    """
    for number, text in enumerate(lines, start=1):
        try:
            record = parse_line(text, number, source=source)
        except LogError as error:
            yield error
            continue
        if record is not None:
            yield record


def read_log(
    path: str | os.PathLike[str], *, skip_errors: bool = False
) -> Iterator[LogRecord | MemberRecord]:
    """The records of the log file at ``path``, in file order.

    Args:
        path: a JSON-lines log (see the module documentation for the format).
        skip_errors: leave bad lines out instead of raising.

    Raises:
        LogError: a bad line (unless ``skip_errors``).
        OSError: the file cannot be read.
    """
    source = str(path)
    with pathlib.Path(path).open(encoding="utf-8") as lines:
        for item in iter_log(lines, source=source):
            if isinstance(item, LogError):
                if skip_errors:
                    continue
                raise item
            yield item
