"""Values adapters report back to the core and to plugins: how an action turned out.

(What happened on Discord, such as an AutoMod execution, is an event: :mod:`spamguard.core.events`.)"""

from __future__ import annotations

__all__ = ("ActionOutcome", "FailureKind")

import dataclasses
import datetime
import enum
import typing

from spamguard.core import actions as _actions

if typing.TYPE_CHECKING:
    from spamguard.core.actions import Action
    from spamguard.core.policy.automod import AutomodChange


class FailureKind(enum.StrEnum):
    """Why an action could not be carried out."""

    FORBIDDEN = "forbidden"
    """Missing permission (HTTP 403)."""
    NOT_FOUND = "not_found"
    """The message, member or channel is gone (HTTP 404)."""
    RATE_LIMITED = "rate_limited"
    """Rate limited for longer than the action's deadline (HTTP 429)."""
    SERVER_ERROR = "server_error"
    """Discord failed (HTTP 5xx)."""
    TIMEOUT = "timeout"
    """The action's deadline passed."""
    HIERARCHY = "hierarchy"
    """Refused before any request: the target is the owner, an administrator, or not below the bot's top role."""
    DROPPED = "dropped"
    """Never sent: the runtime's queue for the guild was full and dropped it, the oldest of
    its kind (deletions only; logged as a warning)."""
    ERROR = "error"
    """Anything else (reported with the exception's text)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ActionOutcome:
    """The result of carrying out one action."""

    action: Action | AutomodChange
    """What was attempted."""
    ok: bool
    """True when Discord accepted it."""
    failure: FailureKind | None = None
    """Why it failed, when it did."""
    detail: str = ""
    """The error's text, for logs."""
    guild_id: int | None = None
    at: datetime.datetime | None = None
    """When it finished (adapter's clock)."""
    dry_run: bool = False
    """True when the action was only reported, not carried out."""
    skipped: bool = False
    """True when nothing was sent because the action's precondition no longer held (with
    ``ok``: nothing failed): a lockdown's lift whose guild shows other incident actions
    than spamguard set (a moderator changed them), ``detail`` says so."""

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        return {
            "action": _actions.action_to_dict(self.action),
            "ok": self.ok,
            "failure": None if self.failure is None else str(self.failure),
            "detail": self.detail,
            "guild_id": self.guild_id,
            "at": None if self.at is None else self.at.isoformat(),
            "dry_run": self.dry_run,
            "skipped": self.skipped,
        }
