"""Honeypot channels: whoever posts where no human has a reason to post is punished at once.

A channel named like ``#dont-post-here`` (readable by everyone, explained in its topic) is
only ever written in by bots and taken-over accounts spraying every channel they see.
Configured under ``extensions.honeypot``::

    extensions:
      honeypot:
        channels: [123456789012345678]  # required: the honeypot channels (their threads too)
        punishment: SOFTBAN       # SOFTBAN, BAN, KICK or TIMEOUT
        delete_message_seconds: 86400  # history a SOFTBAN or BAN purges (0 to 604800)
        punishment_duration: 86400  # seconds, for TIMEOUT (at most 28 days)
        delete: true              # delete the message posted there
        dm: null                  # true: the built-in DM; or a template (text or embed)
        enabled: true

A SOFTBAN bans the member with ``delete_message_seconds`` of history deleted, then lifts the
ban as soon as it succeeded: a kick that also purges the last day of messages, the right
answer to a taken-over human account (they can rejoin once they have it back). The
exemptions (admins, members who can manage messages, ignored roles and users) apply as to
every check; a honeypot channel must not be in ``ignore.channels``, or nothing posted there
is seen. The violation is named ``honeypot``.
"""

from __future__ import annotations

__all__ = ("Honeypot", "HoneypotSettings", "plugin")

import dataclasses
import typing

from spamguard.contrib.account_notice import with_account_dm
from spamguard.contrib.plans import fired, with_deleted
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.core.actions import MAX_BAN_DELETE_SECONDS
from spamguard.core.context import NO_MESSAGES, CheckNeeds
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

NAME = "honeypot"

PUNISHMENTS = (Punishment.SOFTBAN, Punishment.BAN, Punishment.KICK, Punishment.TIMEOUT)
"""What ``punishment`` may be."""

DEFAULT_DM = (
    "Your account posted in a channel of $GUILDNAME that no member posts in, as taken-over "
    "accounts do, and received a $PUNISHMENT. If that was not you, change your password and "
    "turn on two-factor authentication."
)
"""The DM sent with ``dm: true``."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class HoneypotSettings:
    """The guild's ``extensions.honeypot`` settings."""

    channels: frozenset[int]
    """The honeypot channels; a thread counts when its parent is one."""
    punishment: Punishment = Punishment.SOFTBAN
    """One of :data:`PUNISHMENTS`."""
    delete_message_seconds: int = 86_400
    """History a SOFTBAN or BAN deletes, seconds (Discord allows at most 604800)."""
    punishment_duration: int = 86_400
    """Seconds, for TIMEOUT (at most 28 days)."""
    delete: bool = True
    """Delete the message posted in the honeypot."""
    dm: typing.Any = None
    """The DM template sent before the punishment, or None."""

    @classmethod
    def parse(cls, data: object) -> HoneypotSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.honeypot.<field>``.
        """
        fields = (
            "channels",
            "punishment",
            "delete_message_seconds",
            "punishment_duration",
            "delete",
            "dm",
            "enabled",
        )
        reader = SettingsReader(NAME, data, fields)
        defaults = cls(channels=frozenset())
        channels = reader.ids("channels")
        if not channels and not reader.issues:
            reader.add("channels", "must list at least one channel id (the honeypot)")
        punishment = reader.punishment("punishment", defaults.punishment, PUNISHMENTS)
        settings = cls(
            channels=channels,
            punishment=punishment,
            delete_message_seconds=reader.integer(
                "delete_message_seconds",
                defaults.delete_message_seconds,
                minimum=0,
                maximum=MAX_BAN_DELETE_SECONDS,
            ),
            punishment_duration=reader.punishment_duration(
                "punishment_duration", defaults.punishment_duration, punishment
            ),
            delete=reader.boolean("delete", defaults.delete),
            dm=reader.template("dm", DEFAULT_DM),
        )
        enabled = reader.boolean("enabled", True)
        reader.finish()
        return settings if enabled else None


class Honeypot:
    """The ``honeypot`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME
    after_invoke_needs_violations: typing.ClassVar[bool] = True
    """Its ``spamguard_after_invoke`` only amends plans where its own check fired."""

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, HoneypotSettings.parse)

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_declare_needs(self, policy: GuildPolicy) -> CheckNeeds:
        # Only the honeypot channels: every other message costs this plugin nothing.
        settings = self.settings.get(policy)
        return NO_MESSAGES if settings is None else CheckNeeds(channels=settings.channels)

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation] | None:
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        channels = settings.channels
        if (
            message.channel_id not in channels
            and getattr(message, "parent_id", None) not in channels
        ):
            return None
        return [
            Violation(
                check=NAME,
                count=1,
                limit=1,
                interval=0.0,
                message_ids=(message.id,),
                scope=str(Scope.USER),
                punishment=str(settings.punishment),
                punishment_duration=settings.punishment_duration,
                delete_message_seconds=settings.delete_message_seconds,
            )
        ]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        violation = fired(plan, NAME) if plan.violations else None
        settings = self.settings.get(policy) if violation is not None else None
        if violation is None or settings is None:
            return None
        amended = plan
        if settings.delete:
            amended = with_deleted(amended, message, reason="spamguard: honeypot channel")
        # Once per incident: a second message right after the punishment gets no second DM.
        if settings.dm is not None and plan.punishment != "NONE":
            amended = with_account_dm(amended, message, settings.dm, violation)
        return None if amended is plan else amended


plugin = Honeypot()
"""The instance the ``honeypot`` entry point registers."""
