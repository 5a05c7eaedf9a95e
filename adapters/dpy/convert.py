"""From discord.py's, nextcord's and disnake's gateway objects to the core's message (discord.py family).

:func:`to_core_message` normalises what the libraries leave implicit (the guild from the
cache, a thread's parent and category, roles without @everyone, the author's permissions);
:func:`message_from_raw_edit` rebuilds a library ``Message`` from an edit's raw payload.
"""

from __future__ import annotations

__all__ = ("message_from_raw_edit", "to_core_message")

import typing

from spamguard.adapters.dpy.forwards import parts_of
from spamguard.core.messages import Message, typed_by_member

if typing.TYPE_CHECKING:
    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.adapters.dpy.forwards import KeptSnapshots


def _channel_places(flavour: Flavour, channel: typing.Any) -> tuple[int | None, int | None]:
    """``(category_id, parent_id)``: a thread's parent channel and that channel's category."""
    if isinstance(channel, flavour.module.Thread):
        parent = channel.parent
        category = None if parent is None else getattr(parent, "category_id", None)
        return category, channel.parent_id
    return getattr(channel, "category_id", None), None


def _channel_permissions(channel: typing.Any, member: typing.Any) -> typing.Any:
    try:
        return channel.permissions_for(member)
    except Exception:
        # A thread whose parent is not cached, or a channel type without overwrites: the
        # guild-wide permissions are the best answer left.
        return member.guild_permissions


def _display_name(author: typing.Any) -> str:
    # Discord shows the nickname, else the global display name, else the username;
    # nextcord 2.6's display_name skips the global name.
    for name in ("nick", "global_name", "name"):
        value = getattr(author, name, None)
        if value:
            return str(value)
    return ""


def to_core_message(
    flavour: Flavour, message: typing.Any, kept_snapshots: KeptSnapshots | None = None
) -> Message | None:
    """The core's view of a library ``Message``; None for a DM, an uncached guild, an
    author the guild does not know as a member, and what a member did not type (system
    messages, webhooks: :func:`spamguard.core.messages.typed_by_member`).

    Normalises what the libraries leave implicit: there is no ``Message.guild_id`` (the
    guild comes from the cache, ``message.guild``), a thread's parent channel and that
    channel's category, the author's roles without @everyone, administrator from
    ``guild_permissions``, manage-messages from the channel's ``permissions_for``, the
    owner from ``guild.owner_id`` (these three and the template looks only when the core
    reads them: :class:`_Details`), and a forward's snapshots folded into the content,
    attachments and stickers (:func:`~spamguard.adapters.dpy.forwards.parts_of`;
    ``kept_snapshots`` holds them where the library drops them).
    """
    guild = message.guild
    if guild is None:
        # A DM, or a guild the library has not cached (no GUILDS intent).
        return None
    if not typed_by_member(message.type.value, webhook_id=message.webhook_id):
        return None
    channel = message.channel
    author = message.author
    if not isinstance(author, flavour.module.Member):
        # No member data: the exemptions (administrator, manage messages) cannot be read.
        return None
    guild_id = guild.id
    category_id, parent_id = _channel_places(flavour, channel)
    details = _Details(guild, channel, author)
    content, attachments, attachment_count, sticker_ids, forwarded = parts_of(
        flavour, message, kept_snapshots
    )
    return Message.from_adapter(
        details,
        id=message.id,
        guild_id=guild_id,
        channel_id=channel.id,
        author_id=author.id,
        content=content,
        created_at=message.created_at,
        author_is_bot=bool(author.bot),
        author_role_ids=frozenset(role.id for role in author.roles if role.id != guild_id),
        # From the message's member object (the cache's member where it has none).
        author_joined_at=author.joined_at,
        mention_ids=tuple(dict.fromkeys(user.id for user in message.mentions)),
        role_mention_ids=tuple(dict.fromkeys(role.id for role in message.role_mentions)),
        mentions_everyone=bool(message.mention_everyone),
        attachment_count=attachment_count,
        sticker_count=len(sticker_ids),
        embed_count=len(message.embeds),
        category_id=category_id,
        parent_id=parent_id,
        author_is_admin=details.author_is_admin,
        author_can_manage_messages=details.author_can_manage_messages,
        author_is_owner=details.author_is_owner,
        attachments=attachments,
        sticker_ids=sticker_ids,
        forwarded=forwarded,
    )


class _Details:
    """The deferred fields of a converted message (:class:`~spamguard.core.messages.
    MessageDetails`), read from the library's objects when the core first asks."""

    __slots__ = ("_author", "_channel", "_guild", "_permissions")

    def __init__(self, guild: typing.Any, channel: typing.Any, author: typing.Any) -> None:
        self._guild = guild
        self._channel = channel
        self._author = author
        self._permissions: typing.Any = None

    def _in_channel(self) -> typing.Any:
        # The author's permissions in the channel, worked out once for both checks.
        if self._permissions is None:
            self._permissions = _channel_permissions(self._channel, self._author)
        return self._permissions

    @property
    def author_is_admin(self) -> bool:
        # Administrators (and the owner) have every permission in every channel, so
        # without administrator here the guild-wide permissions need not be worked out.
        if not self._in_channel().administrator:
            return False
        return bool(self._author.guild_permissions.administrator)

    @property
    def author_can_manage_messages(self) -> bool:
        return bool(self._in_channel().manage_messages)

    @property
    def author_is_owner(self) -> bool:
        return bool(self._guild.owner_id == self._author.id)

    @property
    def author_name(self) -> str:
        return _display_name(self._author)

    @property
    def guild_name(self) -> str:
        return str(self._guild.name or "")

    @property
    def channel_name(self) -> str:
        return str(getattr(self._channel, "name", "") or "")

    # The avatars, icon and bot that notice templates show ($MEMBERAVATAR, $GUILDICON,
    # $BOTID, $BOTNAME, $BOTAVATAR), as the guild shows them.

    @property
    def author_avatar_url(self) -> str:
        return str(self._author.display_avatar.url)

    @property
    def guild_icon_url(self) -> str:
        icon = self._guild.icon
        return "" if icon is None else str(icon.url)

    @property
    def bot_id(self) -> int | None:
        me = self._guild.me
        return None if me is None else int(me.id)

    @property
    def bot_name(self) -> str:
        me = self._guild.me
        return "" if me is None else _display_name(me)

    @property
    def bot_avatar_url(self) -> str:
        me = self._guild.me
        return "" if me is None else str(me.display_avatar.url)


# The fields a MESSAGE_UPDATE must carry to be a full message (an embed-unfurl update
# may carry only ids and embeds).
_FULL_MESSAGE_FIELDS = ("author", "content", "timestamp", "attachments", "embeds")


def message_from_raw_edit(bot: typing.Any, flavour: Flavour, event: typing.Any) -> typing.Any:
    """A library ``Message`` built from ``on_raw_message_edit``'s payload, or None.

    Built from the payload rather than the cache: the cached message is missing for
    anything older than the library's message cache, and may not be updated yet. None
    for an update that is not the author's edit (no ``edited_timestamp``) or that does
    not carry the whole message.
    """
    data = event.data
    if any(field not in data for field in _FULL_MESSAGE_FIELDS):
        return None
    if data.get("edited_timestamp") is None:
        # The whole message, but not edited by its author: Discord unfurled an embed, or
        # pinned or flagged the message (it sends the whole message for these now).
        return None
    guild_id = event.guild_id if event.guild_id is not None else data.get("guild_id")
    if guild_id is None:
        return None
    guild = bot.get_guild(int(guild_id))
    if guild is None:
        return None
    channel = guild.get_channel_or_thread(int(event.channel_id))
    if channel is None:
        channel = bot.get_partial_messageable(int(event.channel_id))
    # ConnectionState is the library's own message factory (the gateway uses it the same way).
    return flavour.module.Message(state=bot._connection, channel=channel, data=data)
