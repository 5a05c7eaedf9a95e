"""Message builders shared by the core and contrib tests (pure values, no library)."""

from __future__ import annotations

import datetime
import itertools
import typing

from spamguard.core import AutomodExecution, Message

__all__ = ("Messages",)


class Messages:
    """Builds messages with increasing ids; ``t`` is seconds after :attr:`T0`."""

    T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    GUILD = 1000
    OTHER_GUILD = 1001
    CHANNEL = 2000
    OTHER_CHANNEL = 2001
    USER = 3000
    OTHER_USER = 3001

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def at(self, seconds: float) -> datetime.datetime:
        """``T0`` plus ``seconds``."""
        return self.T0 + datetime.timedelta(seconds=seconds)

    def __call__(self, content: str = "hello", *, t: float = 0.0, **fields: typing.Any) -> Message:
        values: dict[str, typing.Any] = {
            "id": next(self._ids),
            "guild_id": self.GUILD,
            "channel_id": self.CHANNEL,
            "author_id": self.USER,
            "content": content,
            "created_at": self.at(t),
        }
        values.update(fields)
        return Message(**values)

    def automod_execution(self, *, t: float = 0.0, **fields: typing.Any) -> AutomodExecution:
        """AutoMod's keyword rule 77 blocked a message of :attr:`USER` in :attr:`CHANNEL`,
        ``t`` seconds after :attr:`T0`."""
        values: dict[str, typing.Any] = {
            "guild_id": self.GUILD,
            "user_id": self.USER,
            "rule_id": 77,
            "rule_trigger_type": 1,
            "action_type": 1,
            "at": self.at(t),
            "channel_id": self.CHANNEL,
            "content": "discord.gg/abc",
            "rule_name": "invites",
        }
        values.update(fields)
        return AutomodExecution(**values)
