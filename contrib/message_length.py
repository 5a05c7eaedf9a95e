"""Message length: one message longer (or with more lines) than the guild allows.

Configured under ``extensions.message_length``::

    extensions:
      message_length:
        max_length: 1500    # characters; a longer message is a violation
        max_lines: 30       # optional: lines (newlines + 1); off when absent
        punishment: NONE    # the violation still counts for escalation
        delete: true        # delete the message
        enabled: true

Unlike the core's ``max_characters`` (a total over a window), this looks at one message.
The violation is named ``message_length``; its ``count`` is the length (or line count)
and its ``limit`` the configured maximum.
"""

from __future__ import annotations

__all__ = ("MessageLength", "MessageLengthSettings", "plugin")

import dataclasses
import typing

from spamguard.contrib.plans import delete_when_fired
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

NAME = "message_length"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageLengthSettings:
    """The guild's ``extensions.message_length`` settings."""

    max_length: int = 1500
    """The longest message allowed, in characters."""
    max_lines: int | None = None
    """The most lines allowed; None: no line limit."""
    punishment: Punishment = Punishment.NONE
    """What the member gets besides the deletion."""
    delete: bool = True
    """Delete the message."""

    @classmethod
    def parse(cls, data: object) -> MessageLengthSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.message_length.<field>``.
        """
        fields = ("max_length", "max_lines", "punishment", "delete", "enabled")
        reader = SettingsReader(NAME, data, fields)
        defaults = cls()
        settings = cls(
            max_length=reader.integer("max_length", defaults.max_length),
            max_lines=reader.optional_integer("max_lines"),
            punishment=reader.punishment("punishment", defaults.punishment),
            delete=reader.boolean("delete", defaults.delete),
        )
        enabled = reader.boolean("enabled", True)
        reader.finish()
        return settings if enabled else None


class MessageLength:
    """The ``message_length`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, MessageLengthSettings.parse)

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation] | None:
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        content = message.content
        count, limit = len(content), settings.max_length
        if count <= limit and settings.max_lines is not None:
            count, limit = content.count("\n") + 1, settings.max_lines
        if count <= limit:
            return None
        return [
            Violation(
                check=NAME,
                count=count,
                limit=limit,
                interval=0.0,
                message_ids=(message.id,),
                scope=str(Scope.USER),
                punishment=str(settings.punishment),
            )
        ]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        return delete_when_fired(
            plan, message, NAME, self.settings, policy, reason="spamguard: message too long"
        )


plugin = MessageLength()
"""The instance the ``message_length`` entry point registers."""
