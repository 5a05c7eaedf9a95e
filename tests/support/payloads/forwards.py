"""Forwarded messages: Discord's ``message_snapshots`` entries and the ``message_reference``
of a forward (type 1, FORWARD), as the gateway sends them in a MESSAGE_CREATE.

A snapshot carries the forwarded message's own fields only (no id, author or channel):
``type``, ``content``, ``embeds``, ``attachments``, ``timestamp``, ``edited_timestamp``,
``flags``, ``mentions``, ``mention_roles``, ``components`` and, with stickers,
``sticker_items``. The forwarding message's own ``content`` is empty when the member added
no comment, and its ``flags`` have HAS_SNAPSHOT (1 << 14).
"""

from __future__ import annotations

__all__ = ("HAS_SNAPSHOT", "forward_reference", "message_snapshot")

import typing

from .values import snowflake, timestamp, to_millisecond, utc_now

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping, Sequence

    from .values import JSON

HAS_SNAPSHOT: typing.Final = 1 << 14
"""The message flag Discord sets on a forward."""


def message_snapshot(
    content: str = "",
    *,
    attachments: Sequence[Mapping[str, typing.Any]] = (),
    sticker_items: Sequence[Mapping[str, typing.Any]] = (),
    embeds: Sequence[Mapping[str, typing.Any]] = (),
    created_at: datetime.datetime | None = None,
    message_type: int = 0,
) -> JSON:
    """One ``message_snapshots`` entry: ``{"message": {...}}`` with the forwarded message's
    fields (``created_at``: when it was first sent, default now)."""
    message: JSON = {
        "type": message_type,
        "content": content,
        "embeds": [dict(e) for e in embeds],
        "attachments": [dict(a) for a in attachments],
        "timestamp": timestamp(to_millisecond(created_at or utc_now())),
        "edited_timestamp": None,
        "flags": 0,
        "mentions": [],
        "mention_roles": [],
        "components": [],
    }
    if sticker_items:
        message["sticker_items"] = [dict(s) for s in sticker_items]
    return {"message": message}


def forward_reference(
    *, channel_id: int, guild_id: int | None = None, message_id: int | None = None
) -> JSON:
    """The ``message_reference`` of a forward (type 1): where the forwarded message is."""
    out: JSON = {
        "type": 1,
        "channel_id": str(channel_id),
        "message_id": str(message_id or snowflake(utc_now())),
    }
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    return out
