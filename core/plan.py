"""What the guard decided for one message: a :class:`Plan` of actions and the reasons."""

from __future__ import annotations

__all__ = ("Plan", "ScheduledAction", "SkipReason", "Violation")

import dataclasses
import datetime
import enum
import typing

from spamguard.core import actions as _actions

if typing.TYPE_CHECKING:
    from spamguard.core.actions import Action


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
    """The same message (same id and content) was processed before."""
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

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        data = dataclasses.asdict(self)
        data["message_ids"] = list(self.message_ids)
        return data


class ScheduledAction(typing.NamedTuple):
    """An action to carry out later: ``(run_at, action)``; unpacks like a tuple."""

    run_at: datetime.datetime
    """When the action is due."""
    action: Action
    """What to do then (an unban, a role removal)."""

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        return {"run_at": self.run_at.isoformat(), "action": _actions.action_to_dict(self.action)}

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, typing.Any]) -> ScheduledAction:
        """Rebuild from :meth:`to_dict`'s output."""
        return cls(
            datetime.datetime.fromisoformat(data["run_at"]),
            _actions.action_from_dict(data["action"]),
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
    """What to do later, as ``(run_at, action)``: the undo of temporary punishments."""
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
