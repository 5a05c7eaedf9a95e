"""Attachments, stickers and forwarded messages (Discord's ``message_snapshots``) on the
discord.py family.

What each library makes of a forward's snapshots (read in its source):

- discord.py 2.5+: ``Message.message_snapshots``, ``MessageSnapshot`` values with
  ``content``, ``attachments`` and ``stickers``;
- disnake 2.10+: ``Message.message_snapshots``, ``ForwardedMessage`` values, the same three;
- nextcord 3.x: ``Message.snapshots``, ``MessageSnapshot`` values with ``content``,
  ``attachments`` and ``sticker_items``;
- nextcord 2.6 (the newest for Python 3.11): nothing, the payload's snapshots are dropped.

Where the library keeps them, :func:`parts_of` reads its objects (a message fetched over
REST too). Where it drops them, :func:`snapshot_check`, in front of the library's
MESSAGE_CREATE parser (:mod:`spamguard.adapters.dpy.parsers`), keeps their parts by
message id in :class:`KeptSnapshots` for the converter. The same check makes every
library's parser safe from a malformed snapshot
(:mod:`spamguard.adapters.runtime.message_parts`).
"""

from __future__ import annotations

__all__ = ("KeptSnapshots", "parts_of", "snapshot_check")

import contextlib
import typing

from spamguard.adapters.runtime.message_parts import attachment_of, check_snapshots
from spamguard.core.message_parts import MessageFields, MessageParts, message_fields

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.adapters.dpy.parsers import Check


class KeptSnapshots:
    """The snapshots' parts of the latest forwards, by message id, for a library whose
    ``Message`` drops them; the oldest go first beyond ``size`` (a message the converter
    never asks for, a bot's or a DM, leaves its entry until then)."""

    def __init__(self, size: int = 1_000) -> None:
        self._size = size
        self._parts: dict[int, tuple[MessageParts, ...]] = {}

    def put(self, message_id: int, parts: tuple[MessageParts, ...]) -> None:
        """Keep ``parts`` for the message ``message_id``."""
        if len(self._parts) >= self._size:
            del self._parts[next(iter(self._parts))]
        self._parts[message_id] = parts

    def pop(self, message_id: int) -> tuple[MessageParts, ...]:
        """The parts kept for ``message_id`` (``()`` for none), forgotten."""
        return self._parts.pop(message_id, ())


def snapshot_check(kept_snapshots: KeptSnapshots | None) -> Check:
    """The MESSAGE_CREATE check (:data:`~spamguard.adapters.dpy.parsers.Check`): a forward's
    snapshots made safe for the library's parser
    (:func:`~spamguard.adapters.runtime.message_parts.check_snapshots`), their parts kept in
    ``kept_snapshots`` (None: the library keeps them itself)."""

    def check(data: typing.Any, report: Callable[[str], None]) -> bool:
        parts = check_snapshots(data, report)
        if kept_snapshots is not None and parts:
            # No usable id: the library's parser refuses the message anyway.
            with contextlib.suppress(KeyError, TypeError, ValueError):
                kept_snapshots.put(int(data["id"]), parts)
        return True

    return check


def _snapshot_parts(snapshot: typing.Any) -> MessageParts:
    # discord.py's and disnake's snapshots name them `stickers`, nextcord 3's `sticker_items`.
    stickers: typing.Any = getattr(snapshot, "stickers", None)
    if stickers is None:
        stickers = getattr(snapshot, "sticker_items", ())
    return MessageParts(
        content=snapshot.content or "",
        attachments=tuple(attachment_of(item, item.content_type) for item in snapshot.attachments),
        sticker_ids=tuple(int(sticker.id) for sticker in stickers),
    )


def parts_of(
    flavour: Flavour, message: typing.Any, kept_snapshots: KeptSnapshots | None = None
) -> MessageFields:
    """The content, attachments and stickers of a library ``Message``, its forwarded
    snapshots folded in (read from the library's objects, or from ``kept_snapshots``
    where the library drops them)."""
    files = message.attachments
    stickers = message.stickers
    attribute = flavour.snapshot_attribute
    snapshots: tuple[MessageParts, ...] = ()
    if attribute is not None:
        found = getattr(message, attribute)
        if found:
            snapshots = tuple(_snapshot_parts(snapshot) for snapshot in found)
    elif kept_snapshots is not None:
        snapshots = kept_snapshots.pop(message.id)
    return message_fields(
        message.content or "",
        tuple(attachment_of(item, item.content_type) for item in files) if files else (),
        tuple(int(sticker.id) for sticker in stickers) if stickers else (),
        snapshots,
    )
