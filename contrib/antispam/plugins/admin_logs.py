"""``AdminLogs``: 1.9.1's evidence plugin, a transcript of every punishment.

For each punishable message the plugin writes ``<log_location>/<guild>/<member>/<type>/<n>.txt``
(1.9.1's layout and headers) holding the messages that made up the violation, and, when the
guild has a log channel, posts the notice there with the transcript in the text (spamguard's
``SendMessage`` carries no file; the text is cut at Discord's 2000 characters), carried out by
the library's adapter. Times are the messages' own.
"""

from __future__ import annotations

__all__ = ("AdminLogs",)

import logging
import pathlib
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.core import actions as act
from spamguard.core.plan import Plan

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable

    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.contrib.antispam.handler import AntiSpamHandler
    from spamguard.core.messages import MessageLike

_LOGGER = logging.getLogger(__name__)

_TIME = "%I:%M:%S %p, %d/%m/%Y"
_FLAGS = (
    ("member_was_warned", "warn"),
    ("member_was_kicked", "kick"),
    ("member_was_banned", "ban"),
    ("member_was_timed_out", "timeout"),
)


class AdminLogs(BasePlugin):
    """Saves a transcript of every punishment (and posts it in the guild's log channel).

    Args:
        handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
        log_location: the directory for the transcripts (relative to the working directory).
        punishment_type: the type named for punishments the handler did not carry out
            (``no_punish``): a text, or a callable ``(message, payload) -> str``.
        save_all_transcripts: also save transcripts in guilds without a log channel.
    """

    def __init__(
        self,
        handler: AntiSpamHandler,
        log_location: str,
        *,
        punishment_type: str | Callable[[typing.Any, CorePayload], str] | None = None,
        save_all_transcripts: bool = True,
    ) -> None:
        super().__init__(is_pre_invoke=False)
        if handler.options.no_punish:
            _LOGGER.warning(
                "Using this package while in no_punish mode is likely going to cause issues."
            )
        self.handler = handler
        self.path = log_location
        self.save_all_transcripts = save_all_transcripts
        self._punishment_type = punishment_type
        self._recent: dict[tuple[int, int], list[tuple[int, datetime.datetime, str]]] = {}

    def _remember(self, message: MessageLike) -> list[tuple[int, datetime.datetime, str]]:
        key = (typing.cast("int", message.guild_id), message.author_id)
        interval = self.handler.options.message_interval / 1000
        kept = [
            entry
            for entry in self._recent.get(key, [])
            if (message.created_at - entry[1]).total_seconds() < interval
        ]
        kept.append((message.id, message.created_at, message.content))
        self._recent[key] = kept
        return kept

    def _type(self, message: typing.Any, data: CorePayload) -> str:
        for flag, name in _FLAGS:
            if getattr(data, flag):
                return name
        if callable(self._punishment_type):
            return str(self._punishment_type(message, data))
        return self._punishment_type or "Unknown Punishment"

    async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> None:
        """Remember the message; for a punishable one, save (and post) the transcript."""
        core_message = self.handler.to_message(message)
        if core_message is None or core_message.guild_id is None or data is None:
            return
        recent = self._remember(core_message)
        if not data.member_should_be_punished_this_message:
            return
        guild_id = core_message.guild_id
        log_channel = self.handler.log_channel_of(guild_id)
        if not self.save_all_transcripts and log_channel is None:
            return
        kind = self._type(message, data)
        spam_ids = {i for v in (data.plan.violations if data.plan else ()) for i in v.message_ids}
        lines = [
            f"Author id: {core_message.author_id}\n-----\n",
            f"Guild id: {guild_id}\n-----\n",
            f"Channel of offence: {core_message.channel_id}\n-----\n",
            f"Current warn count: {data.member_warn_count}\n"
            f"Current kick count: {data.member_kick_count}\n-----\n",
            "Date & time of the message which triggered this punishment:\n"
            f"{core_message.created_at.strftime(_TIME)}\n-----\n",
            f"Punishment type: {kind.title()}\n-----\n",
            "Each entry following this line represents a message marked as spam.\n\n",
            *(
                f"{when.strftime(_TIME)} | {content}\n-----\n"
                for message_id, when, content in recent
                if not spam_ids or message_id in spam_ids
            ),
        ]
        folder = pathlib.Path(self.path, str(guild_id), str(core_message.author_id), kind)
        folder.mkdir(parents=True, exist_ok=True)
        file = folder / f"{len(list(folder.iterdir())) + 1}.txt"
        file.write_text("".join(lines), encoding="utf-8")
        _LOGGER.debug("Saved evidence against Member(id=%s) to %s", core_message.author_id, file)
        if log_channel is None:
            return
        author = core_message.author_id
        notice = act.SendMessage(
            channel_id=log_channel,
            content=(
                f"Punishment logs for a __{kind.title()}__ on <@{author}>(`{author}`)\n"
                f"```\n{''.join(lines[7:])[:1800]}```"
            ),
            guild_id=guild_id,
        )
        await self.handler.carry_out(Plan(message_id=core_message.id, actions=(notice,)))
