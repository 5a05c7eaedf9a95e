"""discord-anti-spam's ignore lists: which messages the handler lets pass unchecked."""

from __future__ import annotations

__all__ = (
    "ADMINISTRATOR",
    "IGNORE_LISTS",
    "MANAGE_MESSAGES",
    "SKIP_STATUS",
    "ignore_list",
    "ignored_status",
    "item_id",
)

import typing

from spamguard.contrib.antispam.enums import IgnoreType, name_of
from spamguard.core.plan import SkipReason

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.contrib.antispam.dataclasses import Options
    from spamguard.core.messages import MessageLike

ADMINISTRATOR = 0x8
"""discord-anti-spam's default ``ignore_perms`` entry: Discord's administrator bit."""
MANAGE_MESSAGES = 0x2000
"""Discord's manage-messages permission bit."""


IGNORE_LISTS: Mapping[str, str] = {
    "member": "ignored_members",
    "user": "ignored_members",
    "channel": "ignored_channels",
    "perm": "ignored_perms",
    "guild": "ignored_guilds",
    "role": "ignored_roles",
}
"""An ignore type's name (an IgnoreType's, or 0.x's string) -> the Options field holding
its items."""
SKIP_STATUS: Mapping[SkipReason, str] = {
    SkipReason.DM: "Ignoring messages from dm's",
    SkipReason.SELF: "Ignoring messages from myself (the bot)",
    SkipReason.BOT: "Ignoring messages from bots",
    SkipReason.VETOED: "Ignoring this message: an extension vetoed it",
}
"""discord-anti-spam's status for a message skipped for this reason."""


def ignored_status(message: MessageLike, options: Options, *, bot_id: int | None) -> str | None:
    """Why discord-anti-spam would ignore ``message`` (1.9.1's status text), or None: its
    ignore checks in its order, then 0.x's permission list."""
    if message.guild_id is None:
        return SKIP_STATUS[SkipReason.DM]
    if message.author_id == bot_id:
        return SKIP_STATUS[SkipReason.SELF]
    if options.ignore_bots and message.author_is_bot:
        return SKIP_STATUS[SkipReason.BOT]
    if message.guild_id in options.ignored_guilds:
        return f"Ignoring this guild: {message.guild_id}"
    if message.author_id in options.ignored_members:
        return f"Ignoring this member: {message.author_id}"
    channels = options.ignored_channels
    if (
        message.channel_id in channels
        or (message.parent_id is not None and message.parent_id in channels)
        or (message.channel_name and message.channel_name in channels)
    ):
        return f"Ignoring this channel: {message.channel_id}"
    for role_id in sorted(message.author_role_ids):
        if role_id in options.ignored_roles:
            return f"Ignoring this role: {role_id}"
    perms = options.ignored_perms
    if (ADMINISTRATOR in perms and (message.author_is_admin or message.author_is_owner)) or (
        MANAGE_MESSAGES in perms and (message.author_can_manage_messages or message.author_is_admin)
    ):
        return f"Ignoring this member's permissions: {message.author_id}"
    return None


def ignore_list(ignore_type: object) -> str:
    """The Options field holding ``ignore_type``'s items (``ignored_members``...).

    Raises:
        ValueError: ``ignore_type`` is neither an IgnoreType nor one of 0.x's names (1.9.1's
            exception and message).
    """
    wrong = "Expected `ignore_type` to be of type IgnoreType"
    name = IGNORE_LISTS.get(name_of(ignore_type, IgnoreType, wrong))
    if name is None:
        raise ValueError(wrong)
    return name


def item_id(item: object) -> int:
    """``item`` as an int id.

    Raises:
        ValueError: not an int (nor int-convertible).
    """
    try:
        return int(typing.cast("typing.Any", item))
    except (TypeError, ValueError):
        msg = "Expected item of type: int"
        raise ValueError(msg) from None
