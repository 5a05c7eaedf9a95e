"""Attachments, stickers and forwarded messages (Discord's ``message_snapshots``) on hikari.

hikari keeps a forward's snapshots on the message (``message_snapshots``), each with its
``content``, ``attachments`` and ``stickers``, and is lenient with them: a snapshot without
a field has it empty. The same fields are read from a gateway event's message, an edit's partial message and a message
fetched over REST (:func:`parts_of`); the forward is folded in by the core's one rule
(:func:`spamguard.core.message_parts.message_fields`).

hikari's parser still indexes a snapshot's ``message`` and an attachment's ``id``, ``url``
and ``proxy_url``: on a snapshot without them the whole message is dropped (hikari logs the
exception) and never reaches spamguard. :class:`SnapshotCheck` runs the shared
:func:`~spamguard.adapters.runtime.message_parts.check_snapshots` in front of hikari's
MESSAGE_CREATE consumer, so such a snapshot is left out and counted, and the message is
checked with the rest.
"""

from __future__ import annotations

__all__ = ("SnapshotCheck", "parts_of")

import functools
import typing

import hikari

from spamguard.adapters.runtime.message_parts import attachment_of, check_snapshots
from spamguard.core.message_parts import MessageFields, MessageParts, message_fields

if typing.TYPE_CHECKING:
    from collections.abc import Callable

_Consumer = typing.Callable[[typing.Any, typing.Any], None]


def _snapshot_parts(snapshot: typing.Any) -> MessageParts:
    return MessageParts(
        content=snapshot.content or "",
        attachments=tuple(attachment_of(item, item.media_type) for item in snapshot.attachments),
        sticker_ids=tuple(int(sticker.id) for sticker in snapshot.stickers),
    )


def parts_of(message: hikari.PartialMessage) -> MessageFields:
    """The content, attachments and stickers of a hikari message, its forwarded snapshots
    folded in (:func:`~spamguard.core.message_parts.message_fields`)."""
    # What an edit's partial message does not carry is UNDEFINED, which is falsy.
    content = message.content
    files = message.attachments
    stickers = message.stickers
    found = message.message_snapshots
    return message_fields(
        content if content else "",
        tuple(attachment_of(item, item.media_type) for item in files) if files else (),
        tuple(int(sticker.id) for sticker in stickers) if stickers else (),
        tuple(_snapshot_parts(snapshot) for snapshot in found) if found else (),
    )


class SnapshotCheck:
    """:func:`~spamguard.adapters.runtime.message_parts.check_snapshots` in front of the
    MESSAGE_CREATE consumer of ``app``'s event manager (hikari's ``_consumers``: what
    ``consume_raw_event`` hands every gateway DISPATCH to).

    Args:
        app: the bot.
        malformed: called with the problem of each snapshot left out.
    """

    def __init__(self, app: object, malformed: Callable[[str], None]) -> None:
        self._app = app
        self._malformed = malformed
        self._original: _Consumer | None = None
        self._installed: _Consumer | None = None

    def _consumer(self) -> typing.Any:
        consumers = getattr(getattr(self._app, "event_manager", None), "_consumers", None)
        return consumers.get("message_create") if isinstance(consumers, dict) else None

    def install(self) -> None:
        """Put the check in front of hikari's consumer (once; nothing on a bot without one)."""
        consumer = self._consumer()
        if consumer is None or self._installed is not None:
            return
        original: _Consumer = consumer.callback
        report = self._malformed

        @functools.wraps(original)
        def checked(shard: typing.Any, payload: typing.Any) -> None:
            check_snapshots(payload, report)
            original(shard, payload)

        self._original, self._installed = original, checked
        consumer.callback = checked

    def uninstall(self) -> None:
        """Give hikari its own consumer back (unless someone replaced it since)."""
        consumer = self._consumer()
        if consumer is not None and consumer.callback is self._installed:
            consumer.callback = self._original
        self._original = self._installed = None
