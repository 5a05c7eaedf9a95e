"""Attachments, stickers and forwarded messages (Discord's ``message_snapshots``) on hikari.

hikari keeps a forward's snapshots on the message (``message_snapshots``), each with its ``content``, ``attachments`` and
``stickers``, and is lenient with them: a snapshot without a field has it empty. The same
fields are read from a gateway event's message, an edit's partial message and a message
fetched over REST (:func:`parts_of`); the forward is folded in by the core's one rule
(:func:`spamguard.core.message_parts.message_fields`).

hikari's parser still indexes a snapshot's ``message`` and an attachment's ``id``, ``url``
and ``proxy_url``: on a snapshot without them the whole message is dropped (hikari logs the
exception) and never reaches spamguard. :class:`SnapshotCheck` runs the shared
:func:`~spamguard.adapters.runtime.snapshots.check_snapshots` in front of hikari's
MESSAGE_CREATE consumer, so such a snapshot is left out and counted, and the message is
checked with the rest.
"""

from __future__ import annotations

__all__ = ("SnapshotCheck", "attachment", "parts_of")

import functools
import typing

import hikari

from spamguard.adapters.runtime.snapshots import check_snapshots
from spamguard.core.message_parts import MessageFields, MessageParts, message_fields
from spamguard.core.messages import Attachment

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Sequence

_Consumer = typing.Callable[[typing.Any, typing.Any], None]


def attachment(item: hikari.Attachment) -> Attachment:
    """A hikari ``Attachment`` as the core's."""
    return Attachment(
        filename=item.filename,
        size=item.size,
        content_type=item.media_type or "",
        width=item.width,
        height=item.height,
    )


def _sequence(value: typing.Any) -> Sequence[typing.Any]:
    # An edit's partial message leaves what it does not carry UNDEFINED.
    if value is hikari.UNDEFINED or value is None:
        return ()
    return typing.cast("Sequence[typing.Any]", value)


def _snapshot_parts(snapshot: typing.Any) -> MessageParts:
    return MessageParts(
        content=snapshot.content or "",
        attachments=tuple(attachment(item) for item in _sequence(snapshot.attachments)),
        sticker_ids=tuple(int(sticker.id) for sticker in _sequence(snapshot.stickers)),
    )


def parts_of(message: hikari.PartialMessage) -> MessageFields:
    """The content, attachments and stickers of a hikari message, its forwarded snapshots
    folded in."""
    content = message.content
    files = _sequence(message.attachments)
    stickers = _sequence(message.stickers)
    found = _sequence(message.message_snapshots)
    return message_fields(
        "" if content is hikari.UNDEFINED or content is None else content,
        tuple(attachment(item) for item in files) if files else (),
        tuple(int(sticker.id) for sticker in stickers) if stickers else (),
        tuple(_snapshot_parts(snapshot) for snapshot in found) if found else (),
    )


class SnapshotCheck:
    """:func:`~spamguard.adapters.runtime.snapshots.check_snapshots` in front of the
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
