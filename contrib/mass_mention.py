"""Mass mentions: too many people or roles pinged in one message, or within a window.

Configured under ``extensions.mass_mention`` (``{}`` takes every default)::

    extensions:
      mass_mention:
        per_message: 5      # unique users + roles in one message
        total: 10           # unique users + roles per message, summed over the window
        interval: 15        # seconds
        punishment: TIMEOUT # NONE, WARN, MUTE, TEMPMUTE, TIMEOUT, KICK, BAN, TEMPBAN
        delete: true        # delete the offending message
        enabled: true

A message counts each mentioned user and role once (Discord already folds repeated user
mentions; role mentions are folded here), and ``@everyone``/``@here`` as one more. The violation is named ``mass_mention``; one
message yields at most one violation, the per-message one when both limits are reached.
"""

from __future__ import annotations

__all__ = ("MassMention", "MassMentionSettings", "plugin")

import dataclasses
import typing

from spamguard.contrib.plans import delete_when_fired
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope
from spamguard.core.text import pings_everyone
from spamguard.core.windows import Entry

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

NAME = "mass_mention"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MassMentionSettings:
    """The guild's ``extensions.mass_mention`` settings."""

    per_message: int = 5
    """Unique users plus roles in one message from which it is a violation."""
    total: int = 10
    """Unique mentions per message, summed over ``interval``, from which it is a violation."""
    interval: float = 15.0
    """The window for ``total``, seconds."""
    punishment: Punishment = Punishment.TIMEOUT
    """What the member gets (the rule's ``punishment_duration`` applies)."""
    delete: bool = True
    """Delete the message that reached a limit."""

    @classmethod
    def parse(cls, data: object) -> MassMentionSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.mass_mention.<field>``.
        """
        fields = ("per_message", "total", "interval", "punishment", "delete", "enabled")
        reader = SettingsReader(NAME, data, fields)
        defaults = cls()
        settings = cls(
            per_message=reader.integer("per_message", defaults.per_message),
            total=reader.integer("total", defaults.total),
            interval=reader.seconds("interval", defaults.interval),
            punishment=reader.punishment("punishment", defaults.punishment),
            delete=reader.boolean("delete", defaults.delete),
        )
        enabled = reader.boolean("enabled", True)
        if settings.per_message > settings.total:
            reader.add(
                "per_message",
                f"must not exceed total ({settings.total}), got {settings.per_message}",
            )
        reader.finish()
        return settings if enabled else None


def mention_count(message: MessageLike) -> int:
    """Unique users plus unique roles the message mentions, plus one for ``@everyone`` or
    ``@here`` (pinged, or only written by a member who may not ping everyone)."""
    everyone = message.mentions_everyone or pings_everyone(message.content)
    return len(set(message.mention_ids)) + len(set(message.role_mention_ids)) + int(everyone)


class MassMention:
    """The ``mass_mention`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, MassMentionSettings.parse)

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
        amount = mention_count(message)
        window = context.window(NAME, interval=settings.interval, scope=Scope.USER)
        # An edit replaces the message's contribution instead of adding a second one.
        if not window.replace(message.id, amount) and amount:
            window.add(
                Entry(
                    message.created_at.timestamp(),
                    message.id,
                    message.channel_id,
                    message.author_id,
                    amount,
                )
            )
        if amount >= settings.per_message:
            return [
                Violation(
                    check=NAME,
                    count=amount,
                    limit=settings.per_message,
                    interval=0.0,
                    message_ids=(message.id,),
                    scope=str(Scope.USER),
                    punishment=str(settings.punishment),
                )
            ]
        cutoff = context.now.timestamp() - settings.interval
        total = window.total_since(cutoff)
        if not amount or total < settings.total:
            return None
        return [
            Violation(
                check=NAME,
                count=total,
                limit=settings.total,
                interval=settings.interval,
                message_ids=tuple(entry.message_id for entry in window.entries_since(cutoff)),
                scope=str(Scope.USER),
                punishment=str(settings.punishment),
            )
        ]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        return delete_when_fired(
            plan, message, NAME, self.settings, policy, reason="spamguard: mass mention"
        )


plugin = MassMention()
"""The instance the ``mass_mention`` entry point registers."""
