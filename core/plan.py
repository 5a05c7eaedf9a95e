"""What the guard decided for one message: a :class:`Plan` of actions and the reasons."""

from __future__ import annotations

__all__ = (
    "Plan",
    "ScheduledAction",
    "SkipReason",
    "Violation",
    "build_plan",
    "build_violation",
    "check_run_at",
)

import dataclasses
import datetime
import enum
import math
import typing

from spamguard.core import actions as _actions
from spamguard.core.errors import ScheduleError

if typing.TYPE_CHECKING:
    from spamguard.core.actions import Action
    from spamguard.core.events import GuildTimer


class SkipReason(enum.StrEnum):
    """Why a message was not checked at all."""

    DM = "dm"
    """Direct messages are never moderated."""
    SELF = "self"
    """The bot's own message."""
    BOT = "bot"
    """Another bot's message while ``ignore_bots`` is on."""
    IGNORED_GUILD = "ignored_guild"
    IGNORED_CHANNEL = "ignored_channel"
    IGNORED_CATEGORY = "ignored_category"
    IGNORED_USER = "ignored_user"
    IGNORED_ROLE = "ignored_role"
    OWNER = "owner"
    """The guild owner is exempt while ``exempt_admins`` is on."""
    ADMIN = "admin"
    """Administrators are exempt while ``exempt_admins`` is on."""
    MANAGE_MESSAGES = "manage_messages"
    """Members who can manage messages are exempt while ``exempt_admins`` is on."""
    NO_RULES = "no_rules"
    """No level or role configuration applies to this member."""
    REDELIVERED = "redelivered"
    """The same message (same id and content), or the same join, was processed before."""
    VETOED = "vetoed"
    """A plugin's pre-invoke hook stopped the message."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One check that fired."""

    check: str
    """The check's name, e.g. ``max_messages`` or a plugin check's name."""
    count: int
    """What was counted inside the window, the current message included."""
    limit: int
    """The configured ``count`` that was reached."""
    interval: float
    """The window's length in seconds."""
    message_ids: tuple[int, ...]
    """The messages that contributed to ``count``, oldest first."""
    scope: str = "user"
    """The window's scope: ``user``, ``user_channel``, ``channel`` or ``guild``."""
    punishment: str = "NONE"
    """The punishment the configuration asks for on this check."""
    punishment_duration: int | None = None
    """A plugin's own duration for ``punishment`` (TIMEOUT, TEMPMUTE, TEMPBAN), seconds;
    None: the first applicable rule's ``punishment_duration`` (300 without a rule). The
    plugin validates it (a TIMEOUT lasts at most 28 days)."""
    delete_message_seconds: int | None = None
    """A plugin's own history to delete with a BAN, TEMPBAN or SOFTBAN, seconds (0 to
    604800); None: the policy's ``ban_delete_message_seconds`` or
    ``softban_delete_message_seconds``."""

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form (the two plugin overrides only when set)."""
        data = dataclasses.asdict(self)
        data["message_ids"] = list(self.message_ids)
        for name in ("punishment_duration", "delete_message_seconds"):
            if data[name] is None:
                del data[name]
        return data


def check_run_at(run_at: object) -> None:
    """Refuse a ``run_at`` that is not a timezone-aware datetime (a naive one cannot be
    compared with the scheduler's clock).

    Raises:
        ScheduleError: naming the value and the fix.
    """
    if not isinstance(run_at, datetime.datetime):
        msg = f"ScheduledAction.run_at must be a datetime.datetime, got {run_at!r}"
        raise ScheduleError(msg)
    if run_at.tzinfo is None or run_at.utcoffset() is None:
        msg = (
            f"ScheduledAction.run_at must be timezone-aware, got {run_at.isoformat()!r}; "
            "e.g. datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)"
        )
        raise ScheduleError(msg)


class ScheduledAction(typing.NamedTuple):
    """An action to carry out later, e.g. the undo of a temporary punishment.

    An undo the guard proposes names the punishment it undoes (``undoes``) and how long
    that punishment lasts (``duration``): it is kept only once that punishment succeeded,
    and then falls due ``duration`` seconds after the punishment completed (see
    :meth:`after` and :meth:`Plan.undos_of`). A refused or failed punishment has no undo,
    and a slow one (a long rate limit) still lasts its whole duration.

    ``run_at`` must be timezone-aware: where a scheduled action enters (a store's or the
    guard's ``schedule``, :meth:`from_dict`) a naive one is refused with
    :class:`~spamguard.core.errors.ScheduleError`.
    """

    run_at: datetime.datetime
    """When the action is due (for a proposed undo: if its punishment completed at once)."""
    action: Action | GuildTimer
    """What to do then (an unban, a role removal), or a plugin's
    :class:`~spamguard.core.events.GuildTimer`, handed back to the guard as an event."""
    undoes: Action | None = None
    """The punishment this action undoes (the ban of an unban, the role given by the
    role removal), or None for an action kept as it is."""
    duration: float = 0.0
    """Seconds from the punishment's completion to the undo (with ``undoes``)."""

    def after(self, completed_at: datetime.datetime) -> ScheduledAction:
        """This undo as kept once its punishment completed at ``completed_at``: due
        ``duration`` seconds later, tied to nothing any more."""
        return ScheduledAction(
            completed_at + datetime.timedelta(seconds=self.duration), self.action
        )

    def concerns(self, guild_id: int, user_id: int) -> bool:
        """Whether the action is on that member of that guild (an unban, a role removal:
        what a pardon cancels); a guild's timer or a notice's deletion is on no member."""
        action = self.action
        return (
            getattr(action, "guild_id", None) == guild_id
            and getattr(action, "user_id", None) == user_id
        )

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        data: dict[str, typing.Any] = {
            "run_at": self.run_at.isoformat(),
            "action": _actions.action_to_dict(self.action),
        }
        if self.undoes is not None:
            data["undoes"] = _actions.action_to_dict(self.undoes)
            data["duration"] = self.duration
        return data

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, typing.Any]) -> ScheduledAction:
        """Rebuild from :meth:`to_dict`'s output.

        Raises:
            ScheduleError: ``run_at`` is not a timezone-aware ISO 8601 time, or
                ``duration`` is not a finite number of seconds >= 0.
            ValueError: an action is unknown or malformed.
        """
        raw = data["run_at"]
        if not isinstance(raw, str):
            msg = f"ScheduledAction.run_at must be an ISO 8601 string, got {raw!r}"
            raise ScheduleError(msg)
        try:
            run_at = datetime.datetime.fromisoformat(raw)
        except ValueError as exc:
            msg = f"ScheduledAction.run_at is not an ISO 8601 time: {raw!r}"
            raise ScheduleError(msg) from exc
        check_run_at(run_at)
        undoes = data.get("undoes")
        duration = data.get("duration", 0.0)
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int | float)
            or not math.isfinite(duration)
            or duration < 0
        ):
            # A NaN or negative duration would only fail later, when the undo is kept.
            msg = (
                "ScheduledAction.duration must be a finite number of seconds >= 0, "
                f"got {duration!r}"
            )
            raise ScheduleError(msg)
        return cls(
            run_at,
            _actions.action_from_dict(data["action"]),
            None if undoes is None else _actions.action_from_dict(undoes),
            float(duration),
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The outcome of processing one message.

    ``bool(plan)`` is true when there is anything to carry out now or later.
    """

    message_id: int | None = None
    """The message this plan answers."""
    guild_id: int | None = None
    user_id: int | None = None
    channel_id: int | None = None
    actions: tuple[Action, ...] = ()
    """What to do now, in execution order."""
    scheduled: tuple[ScheduledAction, ...] = ()
    """What to do later: the undo of temporary punishments, each kept only once the
    punishment it undoes succeeded (see :meth:`undos_of`)."""
    violations: tuple[Violation, ...] = ()
    """The checks that fired."""
    skipped_reason: SkipReason | None = None
    """Why the message was not checked, or ``None`` when it was."""
    punishment: str = "NONE"
    """The punishment this plan carries out (``NONE`` when merged into an open incident)."""
    on_failure: tuple[Action, ...] = ()
    """Notices to carry out if a punishment in ``actions`` fails (the "failed to punish" text)."""
    dry_run: bool = False
    """True when the policy is in dry-run: report the plan, carry nothing out."""

    def __bool__(self) -> bool:
        return bool(self.actions or self.scheduled)

    def undos_of(
        self, action: Action, completed_at: datetime.datetime
    ) -> tuple[ScheduledAction, ...]:
        """What to keep once ``action`` of this plan succeeded at ``completed_at``: the
        scheduled undos of that punishment, each due its duration after ``completed_at``."""
        return tuple(item.after(completed_at) for item in self.scheduled if item.undoes == action)

    def undos_after(self, completed_at: datetime.datetime) -> tuple[ScheduledAction, ...]:
        """Every scheduled action to keep when all of this plan's actions succeeded at
        ``completed_at`` (a simulated world, a test): :meth:`undos_of` each action, then
        :meth:`unconditional`."""
        return (
            *(undo for action in self.actions for undo in self.undos_of(action, completed_at)),
            *self.unconditional(),
        )

    def unconditional(self) -> tuple[ScheduledAction, ...]:
        """The scheduled actions tied to no punishment: kept once the plan was carried out,
        whatever its actions' outcome."""
        return tuple(item for item in self.scheduled if item.undoes is None)

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form, for logs, replays and ``--json`` output."""
        return {
            "message_id": self.message_id,
            "guild_id": self.guild_id,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "actions": [_actions.action_to_dict(a) for a in self.actions],
            "scheduled": [s.to_dict() for s in self.scheduled],
            "violations": [v.to_dict() for v in self.violations],
            "skipped_reason": None if self.skipped_reason is None else str(self.skipped_reason),
            "punishment": self.punishment,
            "on_failure": [_actions.action_to_dict(a) for a in self.on_failure],
            "dry_run": self.dry_run,
        }


# -- fast construction for the guard's hot path --------------------------------------------
#
# Kept for speed: Plan(...) and Violation(...) here instead cost 21,100 more instructions
# per message (+34%) on the comparable policy, pure (callgrind, issue 21).
# A frozen dataclass's __init__ sets every field through object.__setattr__, once per
# message. build_plan and build_violation fill an unfrozen twin class with the same slots
# (plain attribute stores) and then turn it into the frozen class by assigning __class__,
# which CPython allows between classes of the same slot layout. The result is an ordinary
# Plan (or Violation), equal to one built by __init__. Both are for the core's engine, not
# for users; the checks below fail at import if the classes drift apart.


class _PlanFields:
    __slots__ = Plan.__slots__


class _ViolationFields:
    __slots__ = Violation.__slots__


_new = object.__new__
if tuple(f.name for f in dataclasses.fields(Plan)) != (
    "message_id",
    "guild_id",
    "user_id",
    "channel_id",
    "actions",
    "scheduled",
    "violations",
    "skipped_reason",
    "punishment",
    "on_failure",
    "dry_run",
) or tuple(f.name for f in dataclasses.fields(Violation)) != (
    "check",
    "count",
    "limit",
    "interval",
    "message_ids",
    "scope",
    "punishment",
    "punishment_duration",
    "delete_message_seconds",
):  # pragma: no cover - a guard against editing the classes without the helpers below
    msg = "Plan's or Violation's fields changed: update build_plan and build_violation"
    raise AssertionError(msg)


def build_plan(
    message_id: int | None,
    guild_id: int | None,
    user_id: int | None,
    channel_id: int | None,
    dry_run: bool,
    skipped_reason: SkipReason | None = None,
    actions: tuple[Action, ...] = (),
    scheduled: tuple[ScheduledAction, ...] = (),
    violations: tuple[Violation, ...] = (),
    punishment: str = "NONE",
    on_failure: tuple[Action, ...] = (),
) -> Plan:
    """``Plan(...)`` with the same fields, built without the dataclass __init__."""
    plan: typing.Any = _new(_PlanFields)
    plan.message_id = message_id
    plan.guild_id = guild_id
    plan.user_id = user_id
    plan.channel_id = channel_id
    plan.actions = actions
    plan.scheduled = scheduled
    plan.violations = violations
    plan.skipped_reason = skipped_reason
    plan.punishment = punishment
    plan.on_failure = on_failure
    plan.dry_run = dry_run
    plan.__class__ = Plan
    return plan  # type: ignore[no-any-return]


def build_violation(
    check: str,
    count: int,
    limit: int,
    interval: float,
    message_ids: tuple[int, ...],
    scope: str,
    punishment: str,
) -> Violation:
    """``Violation(...)`` with the same fields, built without the dataclass __init__."""
    violation: typing.Any = _new(_ViolationFields)
    violation.check = check
    violation.count = count
    violation.limit = limit
    violation.interval = interval
    violation.message_ids = message_ids
    violation.scope = scope
    violation.punishment = punishment
    violation.punishment_duration = None
    violation.delete_message_seconds = None
    violation.__class__ = Violation
    return violation  # type: ignore[no-any-return]


# Fail at import, not on the first message, if the layouts ever stop matching.
build_plan(None, None, None, None, False)
build_violation("", 0, 0, 0.0, (), "", "")
