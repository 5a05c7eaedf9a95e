"""discord-anti-spam's ``duplicate_counter``: how many times a message was said lately."""

from __future__ import annotations

__all__ = ("DuplicateCounter", "duplicates_check")

import typing

from spamguard.core.hookspecs import hookimpl
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow, Entry

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import CheckConfig, GuildPolicy


def duplicates_check(policy: GuildPolicy) -> CheckConfig | None:
    """The guild's first ``max_duplicates`` check (the one discord-anti-spam's options make)."""
    for _level, rule in policy.levels:
        for check in rule.checks:
            if check.name == "max_duplicates":
                return check
    return None


class DuplicateCounter:
    """Counts, for every message, the duplicates discord-anti-spam reports as
    ``duplicate_counter`` (the core only reports a count when the check fires)."""

    name: typing.ClassVar[str] = "antispam_duplicate_counter"

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    @hookimpl
    def spamguard_check_message(self, message: MessageLike, context: CheckContext) -> None:
        check = duplicates_check(context.policy)
        if check is None:
            return
        text = normalise(message.content)
        window = context.window(self.name, interval=check.interval, scope=check.scope, text=True)
        assert isinstance(window, DuplicateWindow)
        if not window.replace_text(message.id, text) and text:
            ts = message.created_at.timestamp()
            window.add(Entry(ts, message.id, message.channel_id, message.author_id, 1, text))
        cutoff = context.now.timestamp() - check.interval
        if len(self.counts) > 1024:
            self.counts.clear()
        self.counts[message.id] = window.count_in(
            window.similar_texts(text, check.accuracy), cutoff
        )
