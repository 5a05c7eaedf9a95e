"""A message's files, stickers and forwarded snapshots as the core's values, and the one rule
that folds a forward into its message.

Every adapter reads a library's attachments and stickers its own way, then hands the parts
of a forward (Discord's ``message_snapshots``) to :func:`forward`, so all of them fill
:class:`~spamguard.core.messages.Message`'s ``content``, ``attachments``, ``sticker_ids``
and ``forwarded`` alike. What reads Discord's JSON itself (the replay log, an adapter whose
library drops ``message_snapshots``) uses the payload readers here: a malformed part is a
:class:`~spamguard.core.errors.MessageError` naming the field, for the caller to report or
count.
"""

from __future__ import annotations

__all__ = (
    "MessageFields",
    "MessageParts",
    "attachment_from_payload",
    "forward",
    "kept",
    "message_fields",
    "parts_from_payload",
    "parts_from_snapshot",
    "sticker_ids_from_payload",
)

import dataclasses
import typing

from spamguard.core.errors import MessageError
from spamguard.core.messages import MAX_ATTACHMENTS, Attachment

if typing.TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageParts:
    """The text, files and stickers of one message, or of one forwarded snapshot."""

    content: str = ""
    """The text (``""`` for none)."""
    attachments: tuple[Attachment, ...] = ()
    """Every attached file's metadata, in order (not capped)."""
    sticker_ids: tuple[int, ...] = ()
    """The stickers' ids, in order."""


def forward(own: MessageParts, snapshots: Sequence[MessageParts]) -> MessageParts:
    """A forwarding message's parts with its snapshots' folded in, as
    :attr:`Message.forwarded <spamguard.core.messages.Message.forwarded>` describes: the
    own text, then each snapshot's on a new line (a blank text adds nothing), the own
    files then the snapshots', the own stickers then the snapshots'. The attachments are
    not capped here: the caller keeps the first :data:`~spamguard.core.messages.MAX_ATTACHMENTS`
    and counts them all."""
    texts = [own.content] if own.content else []
    attachments = list(own.attachments)
    sticker_ids = list(own.sticker_ids)
    for snapshot in snapshots:
        if snapshot.content:
            texts.append(snapshot.content)
        attachments.extend(snapshot.attachments)
        sticker_ids.extend(snapshot.sticker_ids)
    return MessageParts(
        content="\n".join(texts), attachments=tuple(attachments), sticker_ids=tuple(sticker_ids)
    )


MessageFields: typing.TypeAlias = tuple[str, tuple[Attachment, ...], int, tuple[int, ...], bool]
"""A message's ``(content, attachments, attachment_count, sticker_ids, forwarded)``, as
:meth:`Message.from_adapter <spamguard.core.messages.Message.from_adapter>` takes them
(:func:`message_fields`): ``attachments`` are the first
:data:`~spamguard.core.messages.MAX_ATTACHMENTS`, ``attachment_count`` counts them all. A
plain tuple, unpacked where it is made: it is made for every message an adapter converts."""


def message_fields(
    content: str,
    attachments: tuple[Attachment, ...],
    sticker_ids: tuple[int, ...],
    snapshots: Sequence[MessageParts] = (),
) -> MessageFields:
    """The fields of a message with these parts of its own and these forwarded snapshots
    (:func:`forward`; none: it forwards nothing), the attachments capped (:func:`kept`)."""
    if not snapshots:
        if len(attachments) <= MAX_ATTACHMENTS:
            return content, attachments, len(attachments), sticker_ids, False
        return content, attachments[:MAX_ATTACHMENTS], len(attachments), sticker_ids, False
    own = MessageParts(content=content, attachments=attachments, sticker_ids=sticker_ids)
    whole = forward(own, snapshots)
    files = whole.attachments
    return whole.content, kept(files), len(files), whole.sticker_ids, True


def kept(attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
    """The attachments a :class:`~spamguard.core.messages.Message` keeps: the first
    :data:`~spamguard.core.messages.MAX_ATTACHMENTS`."""
    return attachments if len(attachments) <= MAX_ATTACHMENTS else attachments[:MAX_ATTACHMENTS]


# -- Discord's JSON ---------------------------------------------------------------------------


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__


def _object(field: str, value: object) -> dict[str, typing.Any]:
    if not isinstance(value, dict):
        raise MessageError(field, f"must be an object, got {_kind(value)}")
    return value


def _list(field: str, value: object) -> list[typing.Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MessageError(field, f"must be a list, got {_kind(value)}")
    return value


def _pixels(field: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MessageError(field, f"must be a number of pixels or null, got {_kind(value)}")
    return value


def attachment_from_payload(data: object, field: str = "attachment") -> Attachment:
    """The :class:`~spamguard.core.messages.Attachment` of one Discord attachment object:
    ``filename`` and ``size`` are required, ``content_type``, ``width`` and ``height`` may
    be missing or null (Discord gives no size for a file that is not an image or a video).

    Raises:
        MessageError: a field is missing or of the wrong type (``field`` prefixes its name).
    """
    item = _object(field, data)
    filename = item.get("filename")
    if not isinstance(filename, str):
        raise MessageError(f"{field}.filename", f"must be a string, got {_kind(filename)}")
    size = item.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise MessageError(f"{field}.size", f"must be a number of bytes, got {_kind(size)}")
    content_type = item.get("content_type")
    if content_type is not None and not isinstance(content_type, str):
        raise MessageError(f"{field}.content_type", f"must be a string, got {_kind(content_type)}")
    return Attachment(
        filename=filename,
        size=size,
        content_type=content_type or "",
        width=_pixels(f"{field}.width", item.get("width")),
        height=_pixels(f"{field}.height", item.get("height")),
    )


def _snowflake(field: str, value: object) -> int:
    # Snowflakes are 64-bit; the length test keeps int() within Python's digit limit.
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
        raise MessageError(field, f"must be an id, got {_kind(value)}")
    return value


def sticker_ids_from_payload(items: object, field: str = "sticker_items") -> tuple[int, ...]:
    """The ids of a ``sticker_items`` list (missing or null: none).

    Raises:
        MessageError: not a list of objects with an id.
    """
    return tuple(
        _snowflake(f"{field}.{index}.id", _object(f"{field}.{index}", item).get("id"))
        for index, item in enumerate(_list(field, items))
    )


def parts_from_snapshot(data: object, field: str = "message_snapshots.0") -> MessageParts:
    """The parts of one ``message_snapshots`` entry (``{"message": {...}}``): its
    ``content``, ``attachments`` and ``sticker_items``, each of which may be missing (an
    empty snapshot forwards nothing).

    Raises:
        MessageError: the entry or a part is malformed (``field`` prefixes its name).
    """
    message = _object(f"{field}.message", _object(field, data).get("message"))
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise MessageError(f"{field}.message.content", f"must be a string, got {_kind(content)}")
    where = f"{field}.message.attachments"
    return MessageParts(
        content=content or "",
        attachments=tuple(
            attachment_from_payload(item, f"{where}.{index}")
            for index, item in enumerate(_list(where, message.get("attachments")))
        ),
        sticker_ids=sticker_ids_from_payload(
            message.get("sticker_items"), f"{field}.message.sticker_items"
        ),
    )


def parts_from_payload(data: Mapping[str, typing.Any]) -> MessageFields:
    """A Discord message object's fields (:func:`message_fields`): its own ``content``,
    ``attachments`` and ``sticker_items`` (or the older ``stickers``), its
    ``message_snapshots`` folded in.

    Raises:
        MessageError: one of these is malformed (the error names the field).
    """
    content = data.get("content")
    if content is not None and not isinstance(content, str):
        raise MessageError("content", f"must be a string, got {_kind(content)}")
    attachments = tuple(
        attachment_from_payload(item, f"attachments.{index}")
        for index, item in enumerate(_list("attachments", data.get("attachments")))
    )
    stickers = data.get("sticker_items", data.get("stickers"))
    snapshots = [
        parts_from_snapshot(item, f"message_snapshots.{index}")
        for index, item in enumerate(_list("message_snapshots", data.get("message_snapshots")))
    ]
    return message_fields(content or "", attachments, sticker_ids_from_payload(stickers), snapshots)
