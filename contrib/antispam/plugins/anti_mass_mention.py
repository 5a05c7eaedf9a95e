"""``AntiMassMention``: 1.9.1's mass-mention plugin, decided by spamguard's ``mass_mention``
check.

The plugin runs a small :class:`~spamguard.core.engine.guard.Guard` of its own whose policy
holds only the ``mass_mention`` extension (``per_message``, ``total``, ``interval``, no
punishment), so spamguard's core counts the mentions. Like 1.9.1 it punishes nobody: it
returns a :class:`MassMentionPunishment` for you to act on (in
``payload.pre_invoke_extensions["AntiMassMention"]``).
"""

from __future__ import annotations

__all__ = ("AntiMassMention", "MassMentionPunishment")

import dataclasses
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.mass_mention import MassMention
from spamguard.core.engine import Guard
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.contrib.antispam.handler import AntiSpamHandler


@dataclasses.dataclass(kw_only=True)
class MassMentionPunishment:
    """Someone should be punished for mentions (you make these only in tests)."""

    member_id: int
    guild_id: int
    channel_id: int
    is_overall_punishment: bool
    """True: ``total_mentions_before_punishment`` reached within ``time_period``; False:
    ``min_mentions_per_message`` in this one message."""


class AntiMassMention(BasePlugin):
    """Reports members who mention too many people, in one message or over a period.

    Args:
        bot: your bot.
        handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
        total_mentions_before_punishment: mentions within ``time_period`` that make a
            punishment (inclusive).
        time_period: the period, in milliseconds.
        min_mentions_per_message: mentions in one message that make a punishment
            (inclusive).

    Raises:
        ValueError: ``min_mentions_per_message`` above the total, or a period below 1.
    """

    def __init__(
        self,
        bot: object,
        handler: AntiSpamHandler,
        *,
        total_mentions_before_punishment: int = 10,
        time_period: int = 15000,
        min_mentions_per_message: int = 5,
    ) -> None:
        super().__init__()
        if min_mentions_per_message > total_mentions_before_punishment:
            msg = (
                "Expected `min_mentions_per_message` to be less then or equal to "
                "`total_mentions_before_punishment`"
            )
            raise ValueError(msg)
        if time_period < 1:
            msg = "Expected `time_period` to be positive"
            raise ValueError(msg)
        self.bot = bot
        self.handler = handler
        self.min_mentions_per_message = min_mentions_per_message
        self.total_mentions_before_punishment = total_mentions_before_punishment
        self.time_period = time_period
        settings = {
            "per_message": min_mentions_per_message,
            "total": total_mentions_before_punishment,
            "interval": time_period / 1000,
            "punishment": "NONE",
            "delete": False,
        }
        document = {
            "spam": {"levels": {0: {"punishment": "NONE"}}},
            "ignore_bots": False,
            "exempt_admins": False,
            "extensions": {"mass_mention": settings},
        }
        self.guard = Guard(Policy.from_dict(document), plugins=[MassMention()])
        """The guard that counts the mentions."""

    async def propagate(
        self, message: typing.Any, data: CorePayload | None = None
    ) -> dict[str, str] | MassMentionPunishment:
        """Count the message's mentions: a :class:`MassMentionPunishment`, or
        ``{"action": "No action taken"}``."""
        core_message = self.handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            return {"action": "No action taken"}
        plan = self.guard.process(core_message)
        if not plan.violations:
            return {"action": "No action taken"}
        return MassMentionPunishment(
            member_id=core_message.author_id,
            guild_id=core_message.guild_id,
            channel_id=core_message.channel_id,
            is_overall_punishment=plan.violations[0].interval > 0,
        )
