"""``MaxMessageLimiter``: 1.9.1's hard cap on the messages a member sends in a channel,
decided by spamguard's ``max_messages`` check.

The plugin runs a small :class:`~spamguard.core.engine.guard.Guard` of its own (kept apart
from the handler's, so a capped member does not climb the handler's warn/kick/ban ladder):
one rule ``max_messages: {count: hard_cap, interval, scope: user_channel}`` with a
5-minute ``TIMEOUT``. :meth:`MaxMessageLimiter.do_punishment` carries that plan out through
the handler's library adapter; override it to punish otherwise.
"""

from __future__ import annotations

__all__ = ("MaxMessageLimiter",)

import logging
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.antispam.dataclasses import Member
from spamguard.core.engine import Guard
from spamguard.core.plan import Plan
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.contrib.antispam.handler import AntiSpamHandler

_LOGGER = logging.getLogger(__name__)

TIMEOUT_SECONDS = 300
"""How long a capped member is timed out (1.9.1: 5 minutes)."""


class MaxMessageLimiter(BasePlugin):
    """Times out members who send ``hard_cap`` messages in one channel within
    ``message_interval``.

    Args:
        handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
        hard_cap: messages within ``message_interval`` that make a punishment (inclusive).
        message_interval: milliseconds; defaults to the handler's ``message_interval``.
    """

    def __init__(
        self, handler: AntiSpamHandler, hard_cap: int = 50, message_interval: int | None = None
    ) -> None:
        super().__init__(is_pre_invoke=False)
        self.handler = handler
        self.hard_cap = hard_cap
        self.message_interval = message_interval or handler.options.message_interval
        rule = {
            "punishment": "TIMEOUT",
            "punishment_duration": TIMEOUT_SECONDS,
            "max_messages": {
                "count": hard_cap,
                "interval": self.message_interval / 1000,
                "scope": "user_channel",
            },
        }
        document = {
            "spam": {"levels": {0: rule}},
            "ignore_bots": False,
            "exempt_admins": False,
            "notices": {"warn": None, "punishment": None, "dm": None, "failed": None},
        }
        self.guard = Guard(Policy.from_dict(document))
        """The guard that counts the messages."""
        self.plan: Plan | None = None
        """The plan of the message that reached the cap (what :meth:`do_punishment` carries
        out)."""

    async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> str | None:
        """Count the message; at the cap, :meth:`do_punishment` (returns None), else
        ``"Under hard cap"``."""
        core_message = self.handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            return "Under hard cap"
        plan = self.guard.process(core_message)
        if not plan.violations:
            return "Under hard cap"
        self.plan = plan
        member = Member(id=core_message.author_id, guild_id=core_message.guild_id)
        await self.do_punishment(member, message)
        return None

    async def do_punishment(self, member: Member, message: typing.Any) -> None:
        """Punish a member at the cap: by default the 5-minute timeout of :attr:`plan`,
        carried out by the library's adapter. Override it to punish otherwise."""
        if self.plan is not None:
            await self.handler.carry_out(self.plan)
            _LOGGER.info("Timed out Member(id=%s) in Guild(id=%s)", member.id, member.guild_id)
