"""A moderator's "link or id" of a message, read: :func:`parse_message_ref`."""

from __future__ import annotations

__all__ = ("MessageRefError", "parse_message_ref")

import re
import typing

from spamguard.core.errors import SpamguardError

# https://discord.com/channels/<guild or @me>/<channel>/<message>, also from the ptb and
# canary clients and the older discordapp.com domain.
_LINK: typing.Final = re.compile(
    r"^<?https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/"
    r"(?P<guild>\d{1,20}|@me)/(?P<channel>\d{1,20})/(?P<message>\d{1,20})/?>?$"
)
# A bare id, or "channel-message" as the client's "Copy ID" gives with Shift held.
_IDS: typing.Final = re.compile(r"^(?:(?P<channel>\d{1,20})-)?(?P<message>\d{1,20})$")

_MAX_SNOWFLAKE: typing.Final = 2**64 - 1


class MessageRefError(SpamguardError, ValueError):
    """Text that is neither a message link nor a message id."""


def _snowflake(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    if not 0 < value <= _MAX_SNOWFLAKE:
        msg = f"{text} is not a Discord id"
        raise MessageRefError(msg)
    return value


def parse_message_ref(text: str) -> tuple[int | None, int | None, int]:
    """``(guild_id, channel_id, message_id)`` of a message link or id.

    Accepts a message link (``https://discord.com/channels/<guild>/<channel>/<message>``,
    ptb/canary and discordapp.com too, with or without ``<>``), a bare message id, or
    ``<channel id>-<message id>``. What the text does not name is None (a DM link's guild
    ``@me`` too).

    Raises:
        MessageRefError: the text is neither (the message says what is accepted).
    """
    stripped = text.strip()
    found = _LINK.match(stripped)
    if found is not None:
        guild = found.group("guild")
        return (
            None if guild == "@me" else _snowflake(guild),
            _snowflake(found.group("channel")),
            typing.cast("int", _snowflake(found.group("message"))),
        )
    found = _IDS.match(stripped)
    if found is not None:
        return (
            None,
            _snowflake(found.group("channel")),
            typing.cast("int", _snowflake(found.group("message"))),
        )
    shown = stripped if len(stripped) <= 60 else stripped[:57] + "..."
    msg = (
        f"{shown!r} is not a message link or id: paste the message's link (Copy Message "
        "Link) or its id (Copy Message ID)"
    )
    raise MessageRefError(msg)
