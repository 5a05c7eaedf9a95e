"""What every adapter shares about a message's parts: a library's attachment object as the
core's (:func:`attachment_of`), and a forward's snapshots in a raw MESSAGE_CREATE made safe
for the library's parser (:func:`check_snapshots`).

Every library parses ``message_snapshots`` before spamguard sees the message, and indexes
fields without a default: discord.py's ``MessageSnapshot`` and disnake's
``ForwardedMessage`` a snapshot's ``type``, ``content``, ``embeds``, ``attachments``,
``timestamp`` and ``edited_timestamp`` (disnake ``mentions`` too), nextcord 3 the first and
``timestamp``, hikari the entry's ``message``; all of them an attachment's ``id``, ``url``
and ``proxy_url`` and a sticker item's ``name`` and ``format_type``. On the discord.py family the exception leaves
the gateway's read loop (the bot's connection ends); hikari drops the whole message.

:func:`check_snapshots` runs in front of that parser (each adapter puts it there): a
missing snapshot field is filled with its empty value (an empty snapshot forwards
nothing); a snapshot that is not an object, or whose parts are malformed, is left out of
the payload and reported (the binding counts it as malformed); the message itself goes on
to the library and is checked with what is left.
"""

from __future__ import annotations

__all__ = ("attachment_of", "check_snapshots")

import typing

from spamguard.core.errors import MessageError
from spamguard.core.message_parts import MessageParts, parts_from_snapshot
from spamguard.core.messages import Attachment

if typing.TYPE_CHECKING:
    from collections.abc import Callable

# What the libraries' snapshot parsers index without a default: filled when missing.
_SNAPSHOT_DEFAULTS: typing.Final[dict[str, typing.Any]] = {
    "type": 0,
    "content": "",
    "embeds": [],
    "attachments": [],
    "edited_timestamp": None,
    "flags": 0,
    "mentions": [],
}
# What the libraries index in the items of a snapshot's lists, beyond the fields spamguard
# reads (which parts_from_snapshot checks): (what it is, its list, the keys it needs).
_ITEM_KEYS: typing.Final = (
    ("an attachment", "attachments", ("id", "url", "proxy_url")),
    ("a sticker item", "sticker_items", ("name", "format_type")),
    ("a mention", "mentions", ("id", "username")),
)


def attachment_of(item: typing.Any, content_type: str | None) -> Attachment:
    """A library's attachment object as the core's. Every library names ``filename``,
    ``size``, ``width`` and ``height`` alike; ``content_type`` is the media type it gives
    (``content_type`` on the discord.py family, ``media_type`` on hikari)."""
    return Attachment(
        filename=item.filename,
        size=item.size,
        content_type=content_type or "",
        width=item.width,
        height=item.height,
    )


def _unfit(message: dict[str, typing.Any], timestamp: object) -> str | None:
    # Fill what the library's parser indexes; the problem that cannot be filled, or None.
    for kind, field, keys in _ITEM_KEYS:
        items = message.get(field)
        if items is not None and not isinstance(items, list):
            return f"{field} is not a list"
        for item in items or ():
            if not isinstance(item, dict):
                return f"{kind} is not an object"
            missing = [key for key in keys if key not in item]
            if missing:
                return f"{kind} has no {', '.join(missing)}"
    for key, empty in _SNAPSHOT_DEFAULTS.items():
        if message.get(key) is None:
            message[key] = list(empty) if isinstance(empty, list) else empty
    if message.get("timestamp") is None:
        # The forwarded message's own time is unknown; the forward's is the closest.
        message["timestamp"] = timestamp
    return None


def check_snapshots(data: typing.Any, report: Callable[[str], None]) -> tuple[MessageParts, ...]:
    """Repair or leave out the ``message_snapshots`` of the MESSAGE_CREATE payload
    ``data`` in place, as the module says, calling ``report`` once for each left out;
    the parts of those kept, in order (``()`` for a message that forwards nothing)."""
    snapshots = data.get("message_snapshots") if isinstance(data, dict) else None
    if not snapshots:
        return ()
    if not isinstance(snapshots, list):
        report("message_snapshots: must be a list; left out")
        del data["message_snapshots"]
        return ()
    fit: list[typing.Any] = []
    parts: list[MessageParts] = []
    for index, snapshot in enumerate(snapshots):
        field = f"message_snapshots.{index}"
        try:
            snapshot_parts = parts_from_snapshot(snapshot, field)
        except MessageError as error:
            report(f"{error}; the snapshot is left out")
            continue
        problem = _unfit(snapshot["message"], data.get("timestamp"))
        if problem is not None:
            report(f"{field}: {problem}; the snapshot is left out")
            continue
        fit.append(snapshot)
        parts.append(snapshot_parts)
    data["message_snapshots"] = fit
    return tuple(parts)
