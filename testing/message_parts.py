"""What a simulated member's message carries beyond its text: attachments, stickers and a
forwarded message, as :meth:`SimMember.says <spamguard.testing.world.SimMember.says>`
takes them."""

from __future__ import annotations

__all__ = ("count", "said_parts")

import typing

from spamguard.core.message_parts import MessageFields, MessageParts, message_fields

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.core import Attachment


def count(items: int | Iterable[object]) -> int:
    """The count given as such (``0`` for values: the parts count those)."""
    return items if isinstance(items, int) else 0


def said_parts(
    content: str,
    attachments: int | Iterable[Attachment],
    stickers: int | Iterable[int],
    forwards: str | MessageParts | None,
) -> MessageFields:
    """A simulated message's content, files and stickers, its forward folded in by the
    rule every adapter follows (:func:`~spamguard.core.message_parts.message_fields`)."""
    snapshots: tuple[MessageParts, ...] = ()
    if forwards is not None:
        snapshots = (MessageParts(content=forwards) if isinstance(forwards, str) else forwards,)
    return message_fields(
        content,
        () if isinstance(attachments, int) else tuple(attachments),
        () if isinstance(stickers, int) else tuple(stickers),
        snapshots,
    )
