"""``Stats``: 1.9.1's statistics plugin, counting what the handler propagates."""

from __future__ import annotations

__all__ = ("Stats",)

import logging
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.contrib.antispam.handler import AntiSpamHandler

_LOGGER = logging.getLogger(__name__)


class Stats(BasePlugin):
    """Counts propagate calls, plugin calls, and per guild and member the messages seen and
    punished (1.9.1's ``data`` layout). Register it with ``handler.register_plugin``; the
    handler also counts here the messages each pre-invoke plugin cancelled.

    Args:
        anti_spam_handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
    """

    injectable_nonce = "Issa me, Mario!"
    """1.9.1's marker of this plugin (the handler looks for it)."""

    def __init__(self, anti_spam_handler: AntiSpamHandler) -> None:
        super().__init__(is_pre_invoke=False)
        self.handler = anti_spam_handler
        self.data: dict[str, typing.Any] = {
            "pre_invoke_calls": {},
            "after_invoke_calls": {},
            "propagate_calls": 0,
            "guilds": {},
            "members": {},
        }
        """``pre_invoke_calls``/``after_invoke_calls`` (plugin name -> ``{"calls": n}``),
        ``propagate_calls``, ``guilds`` (id -> ``calls``, ``total_messages_punished``),
        ``members`` (id -> ``calls``, ``times_punished``)."""

    async def propagate(
        self, message: typing.Any, data: CorePayload | None = None
    ) -> dict[str, str]:
        """Count one propagated message (``data``: the handler's payload)."""
        for key, plugins in (
            ("pre_invoke_calls", self.handler.pre_invoke_plugins),
            ("after_invoke_calls", self.handler.after_invoke_plugins),
        ):
            for name in plugins:
                calls = self.data[key].setdefault(name, {})
                calls["calls"] = calls.get("calls", 0) + 1
        self.data["propagate_calls"] += 1
        core_message = self.handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            return {"status": "Updated stats!"}
        guild = self.data["guilds"].setdefault(
            core_message.guild_id, {"calls": 0, "total_messages_punished": 0}
        )
        member = self.data["members"].setdefault(
            core_message.author_id, {"calls": 0, "times_punished": 0}
        )
        guild["calls"] += 1
        member["calls"] += 1
        if data is not None and data.member_should_be_punished_this_message:
            guild["total_messages_punished"] += 1
            member["times_punished"] += 1
        return {"status": "Updated stats!"}

    def record_cancelled(self, plugin_name: str) -> None:
        """Count a message a pre-invoke plugin cancelled (``cancel_next_invocation_calls``)."""
        calls = self.data["pre_invoke_calls"].setdefault(plugin_name, {})
        calls["cancel_next_invocation_calls"] = calls.get("cancel_next_invocation_calls", 0) + 1

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """The counters (``data``)."""
        return self.data

    @classmethod
    async def load_from_dict(
        cls, anti_spam_handler: AntiSpamHandler, data: dict[str, typing.Any]
    ) -> Stats:
        """A Stats plugin with saved counters."""
        plugin = cls(anti_spam_handler)
        plugin.data = data
        return plugin
