"""Cases: what spamguard did to a member for one incident, as frozen values.

A :class:`Case` gathers an incident's violations, the actions carried out and how each
turned out (:class:`CaseAction`), excerpts of the offending messages and the state of the
punishment's undo (:class:`UndoState`). Its ``number`` is the guild's next case number,
given by the store that keeps it (never reused); 0 while no store numbered it.

Cases are made and joined by :mod:`spamguard.core.case_drafts`; stores keep them as
:meth:`Case.to_dict` data (versioned, :data:`CASE_VERSION`), and :meth:`Case.from_dict`
refuses data that does not fit with a :class:`~spamguard.core.errors.SnapshotError` naming
the field. Every part is bounded (the ``MAX_CASE_*`` limits of
:mod:`~spamguard.core.case_drafts`), so a flood makes one case of a bounded size.
"""

from __future__ import annotations

__all__ = (
    "CASE_VERSION",
    "Case",
    "CaseAction",
    "CaseChange",
    "CaseUpdate",
    "UndoState",
)

import dataclasses
import datetime
import enum
import math
import typing

from spamguard.core.errors import SnapshotError
from spamguard.core.plan import Violation

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

CASE_VERSION: typing.Final = 1
"""The version :meth:`Case.to_dict` writes and :meth:`Case.from_dict` reads."""


class UndoState(enum.StrEnum):
    """Where the undo of a case's temporary punishment stands."""

    NONE = "none"
    """Nothing to undo (a kick, a permanent ban, a timeout Discord lifts by itself)."""
    SCHEDULED = "scheduled"
    """The unban or role removal is scheduled for ``undo_at``."""
    DONE = "done"
    """The scheduled undo ran."""
    FAILED = "failed"
    """The scheduled undo ran and failed (the member may still be banned or muted)."""
    CANCELLED = "cancelled"
    """The scheduled undo was cancelled (taken out of the store) without a pardon."""
    PARDONED = "pardoned"
    """A moderator pardoned the member: what the case held was lifted, its undo cancelled."""


class CaseChange(enum.StrEnum):
    """What happened to a case (:attr:`CaseUpdate.change`)."""

    OPENED = "opened"
    UPDATED = "updated"
    """A later plan of the same incident joined it (or the store numbered it late)."""
    UNDONE = "undone"
    """Its scheduled undo ran (``undo`` is ``done`` or ``failed``) or was cancelled."""
    PARDONED = "pardoned"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CaseAction:
    """One action of a case and how it turned out."""

    kind: str
    """The action's kind (``delete``, ``timeout``, ``ban``, ``send``, ...)."""
    ok: bool
    """True when Discord accepted it (or it was only reported: ``dry_run``, ``skipped``)."""
    failure: str | None = None
    """Why it failed (a :class:`~spamguard.core.outcomes.FailureKind` value), if it did."""
    detail: str = ""
    """The refusal's reason or Discord's error text."""
    dry_run: bool = False
    """Only reported: the guild is in dry run."""
    skipped: bool = False
    """Not sent: its precondition no longer held (``detail`` says why)."""
    at: datetime.datetime | None = None
    """When it finished."""
    summary: str = ""
    """What it did, in words (``timeout until 2024-01-01 00:10 UTC``, ``deleted 5
    messages in channel 50``)."""
    channel_id: int | None = None
    """The channel of a deletion or a notice."""
    count: int = 1
    """How many messages a deletion took (several deletions of one channel fold into one)."""

    def folds_with(self, other: CaseAction) -> bool:
        """Whether ``other`` is a deletion of the same channel with the same outcome."""
        return (
            self.kind == other.kind == "delete"
            and self.channel_id == other.channel_id
            and (self.ok, self.failure, self.dry_run, self.skipped)
            == (other.ok, other.failure, other.dry_run, other.skipped)
        )

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        data = dataclasses.asdict(self)
        data["at"] = _time_out(self.at)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, typing.Any], path: str = "action") -> CaseAction:
        """Rebuild from :meth:`to_dict`'s output.

        Raises:
            SnapshotError: a field is missing or of the wrong kind (the message names it).
        """
        _mapping(data, path)
        return cls(
            kind=_get(data, path, "kind", str, "a string"),
            ok=_get(data, path, "ok", bool, "true or false"),
            failure=_get_or_none(data, path, "failure", str, "a string or null"),
            detail=_get(data, path, "detail", str, "a string"),
            dry_run=_get(data, path, "dry_run", bool, "true or false"),
            skipped=_get(data, path, "skipped", bool, "true or false"),
            at=_time_in(data, path, "at", optional=True),
            summary=_get(data, path, "summary", str, "a string"),
            channel_id=_id_in(data, path, "channel_id", optional=True),
            count=_id_in(data, path, "count"),
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One incident of one member: what fired, what was done, how it turned out."""

    guild_id: int
    number: int = 0
    """The guild's case number (from 1, never reused); 0 while no store numbered it (the
    store was unavailable: shown as ``#?``)."""
    user_id: int | None = None
    """The member, or None for a guild-wide case (a raid's lockdown)."""
    opened_at: datetime.datetime
    updated_at: datetime.datetime
    """When a plan last joined the case, or its undo state last changed."""
    violations: tuple[Violation, ...] = ()
    """The checks that fired, one per check and scope (the highest count)."""
    actions: tuple[CaseAction, ...] = ()
    """The actions carried out, in order."""
    punishment: str = "NONE"
    """The strongest punishment of the incident (``TIMEOUT``, ``TEMPBAN``, ...)."""
    dry_run: bool = False
    """Only reported: nothing was carried out."""
    message_ids: tuple[int, ...] = ()
    """The offending messages (the newest :data:`MAX_CASE_MESSAGES`)."""
    channel_ids: tuple[int, ...] = ()
    """The channels they were posted in."""
    excerpts: tuple[str, ...] = ()
    """The start of the first offending messages: defused (no mention can ping), on one
    line, at most :data:`MAX_EXCERPT` characters each."""
    undo: UndoState = UndoState.NONE
    """Where the undo of a temporary punishment stands."""
    undo_at: datetime.datetime | None = None
    """When the scheduled undo is (or was) due."""
    pardoned_by: int | None = None
    """The moderator who pardoned the member."""

    @property
    def label(self) -> str:
        """``#12``, or ``#?`` for a case no store numbered."""
        return f"#{self.number}" if self.number else "#?"

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form, versioned (:data:`CASE_VERSION`)."""
        return {
            "version": CASE_VERSION,
            "guild_id": self.guild_id,
            "number": self.number,
            "user_id": self.user_id,
            "opened_at": _time_out(self.opened_at),
            "updated_at": _time_out(self.updated_at),
            "violations": [violation.to_dict() for violation in self.violations],
            "actions": [action.to_dict() for action in self.actions],
            "punishment": self.punishment,
            "dry_run": self.dry_run,
            "message_ids": list(self.message_ids),
            "channel_ids": list(self.channel_ids),
            "excerpts": list(self.excerpts),
            "undo": str(self.undo),
            "undo_at": _time_out(self.undo_at),
            "pardoned_by": self.pardoned_by,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, typing.Any], path: str = "case") -> Case:
        """Rebuild from :meth:`to_dict`'s output.

        Raises:
            SnapshotError: another version, or a field missing or of the wrong kind (the
                message names it, e.g. ``case.actions[2].ok``).
        """
        _mapping(data, path)
        version = data.get("version")
        if version != CASE_VERSION:
            _refuse(f"{path}.version", f"{CASE_VERSION} (this spamguard's case version)", version)
        undo = _get(data, path, "undo", str, "a string")
        if undo not in UndoState.__members__.values():
            _refuse(f"{path}.undo", "one of " + ", ".join(UndoState), undo)
        return cls(
            guild_id=_id_in(data, path, "guild_id"),
            number=_id_in(data, path, "number"),
            user_id=_id_in(data, path, "user_id", optional=True),
            opened_at=_time_in(data, path, "opened_at"),
            updated_at=_time_in(data, path, "updated_at"),
            violations=tuple(
                _violation(item, f"{path}.violations[{index}]")
                for index, item in enumerate(_list(data, path, "violations"))
            ),
            actions=tuple(
                CaseAction.from_dict(item, f"{path}.actions[{index}]")
                for index, item in enumerate(_list(data, path, "actions"))
            ),
            punishment=_get(data, path, "punishment", str, "a string"),
            dry_run=_get(data, path, "dry_run", bool, "true or false"),
            message_ids=_ids(data, path, "message_ids"),
            channel_ids=_ids(data, path, "channel_ids"),
            excerpts=tuple(
                _checked(item, f"{path}.excerpts[{index}]", str, "a string")
                for index, item in enumerate(_list(data, path, "excerpts"))
            ),
            undo=UndoState(undo),
            undo_at=_time_in(data, path, "undo_at", optional=True),
            pardoned_by=_id_in(data, path, "pardoned_by", optional=True),
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CaseUpdate:
    """What a case recorder's subscribers receive."""

    case: Case
    """The case as it is now."""
    change: CaseChange
    """What happened to it (a string: ``opened``, ``updated``, ``undone``, ``pardoned``)."""


# -- reading data back ------------------------------------------------------------------------


def _refuse(path: str, expected: str, value: object) -> typing.NoReturn:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    msg = f"case field {path}: must be {expected}, got {shown}"
    raise SnapshotError(msg)


def _mapping(data: object, path: str) -> None:
    if not isinstance(data, dict):
        _refuse(path, "an object", data)


_T = typing.TypeVar("_T")


def _checked(value: object, path: str, kind: type[_T], expected: str) -> _T:
    # bool is an int: an int field never takes true/false, a bool field never takes 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        _refuse(path, expected, value)
    return value


def _field(data: Mapping[str, typing.Any], path: str, name: str, expected: str) -> object:
    if name not in data:
        _refuse(f"{path}.{name}", expected, "nothing")
    return data[name]


def _get(data: Mapping[str, typing.Any], path: str, name: str, kind: type[_T], expected: str) -> _T:
    return _checked(_field(data, path, name, expected), f"{path}.{name}", kind, expected)


def _get_or_none(
    data: Mapping[str, typing.Any], path: str, name: str, kind: type[_T], expected: str
) -> _T | None:
    value = _field(data, path, name, expected)
    return None if value is None else _checked(value, f"{path}.{name}", kind, expected)


def _id_in(
    data: Mapping[str, typing.Any], path: str, name: str, *, optional: bool = False
) -> typing.Any:
    expected = "a whole number >= 0" + (" or null" if optional else "")
    value = _get_or_none(data, path, name, int, expected)
    if value is None and optional:
        return None
    if value is None or value < 0:
        _refuse(f"{path}.{name}", expected, value)
    return value


def _list(data: Mapping[str, typing.Any], path: str, name: str) -> list[typing.Any]:
    return _get(data, path, name, list, "a list")


def _ids(data: Mapping[str, typing.Any], path: str, name: str) -> tuple[int, ...]:
    items = _list(data, path, name)
    for index, item in enumerate(items):
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            _refuse(f"{path}.{name}[{index}]", "a whole number >= 0", item)
    return tuple(items)


def _time_out(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _time_in(
    data: Mapping[str, typing.Any], path: str, name: str, *, optional: bool = False
) -> typing.Any:
    raw = _get_or_none(data, path, name, str, "an ISO 8601 time with its offset")
    if raw is None and optional:
        return None
    try:
        value = datetime.datetime.fromisoformat(raw) if raw is not None else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        _refuse(f"{path}.{name}", "an ISO 8601 time with its offset", raw)
    return value


def _violation(data: object, path: str) -> Violation:
    _mapping(data, path)
    fields = typing.cast("Mapping[str, typing.Any]", data)
    interval = fields.get("interval")
    if (
        not isinstance(interval, (int, float))
        or isinstance(interval, bool)
        or not math.isfinite(interval)
    ):
        _refuse(f"{path}.interval", "a number of seconds", interval)
    return Violation(
        check=_get(fields, path, "check", str, "a string"),
        count=_id_in(fields, path, "count"),
        limit=_id_in(fields, path, "limit"),
        interval=float(interval),
        message_ids=_ids(fields, path, "message_ids"),
        scope=_get(fields, path, "scope", str, "a string"),
        punishment=_get(fields, path, "punishment", str, "a string"),
        punishment_duration=_id_in(fields, path, "punishment_duration", optional=True)
        if "punishment_duration" in fields
        else None,
        delete_message_seconds=_id_in(fields, path, "delete_message_seconds", optional=True)
        if "delete_message_seconds" in fields
        else None,
    )
