"""Recording a message's text in an extension's :class:`~spamguard.core.windows.DuplicateWindow`
(``raid``, ``compromised``), edits included."""

from __future__ import annotations

__all__ = ("record_text",)

import typing

if typing.TYPE_CHECKING:
    from spamguard.core.messages import MessageLike
    from spamguard.core.windows import DuplicateWindow


def record_text(window: DuplicateWindow, message: MessageLike, text: str) -> None:
    """Add ``message`` with ``text`` to ``window``; an edit (a message already in it)
    replaces its old text instead."""
    # Snowflakes grow with time: a message newer than the window's newest entry cannot
    # be in it, so only an older one (an edit) pays for the search.
    newest = window.message_ids[-1] if window.message_ids else 0
    if message.id <= newest and window.replace_text(message.id, text):
        return
    window.record_text(
        message.created_at.timestamp(), message.id, message.channel_id, message.author_id, text
    )
