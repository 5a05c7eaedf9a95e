"""From hikari's gateway objects to spamguard's core values (hikari adapter internals).

What the core needs to know about an author (owner, administrator, manage-messages in
the channel) is computed from the cached guild, roles and channel overwrites
(:mod:`spamguard.adapters.hikari.permissions`), when the core reads it.

Only messages a member typed are converted (:func:`spamguard.core.messages.typed_by_member`:
default and reply types, no webhook), and only in a guild hikari has cached, from a
member it knows: without the guild and the member, the owner, administrator and
manage-messages exemptions cannot be honoured, so nothing is done (logged once per guild).
"""

from __future__ import annotations

__all__ = ("message_from_create", "message_from_hikari", "message_from_update")

import datetime
import logging
import typing

import hikari

from spamguard.adapters.hikari.forwards import parts_of
from spamguard.adapters.hikari.permissions import (
    ALL,
    guild_permissions,
    role_ids_without_everyone,
    roles,
    with_overwrites,
)
from spamguard.core.messages import Message, snowflake_time, typed_by_member

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core.message_parts import MessageFields

_LOGGER = logging.getLogger("spamguard.adapters.hikari")
# Guilds whose messages were skipped for want of cached data, so each is logged once.
_UNCACHED: set[int] = set()
_UNCACHED_KEPT = 10_000


class _Place(typing.NamedTuple):
    name: str
    parent_id: int | None
    category_id: int | None
    permission_source: hikari.GuildChannel | None


def _place(cache: hikari.api.Cache, channel_id: int) -> _Place:
    """Name, thread parent, category and the channel whose overwrites apply."""
    channel = cache.get_guild_channel(channel_id)
    if channel is not None:
        parent = None if channel.parent_id is None else int(channel.parent_id)
        return _Place(channel.name or "", None, parent, channel)
    thread = cache.get_thread(channel_id)
    if thread is not None:
        # A thread has no overwrites of its own: its parent's apply, and its category
        # is the parent's.
        parent_channel = cache.get_guild_channel(thread.parent_id)
        category = None
        if parent_channel is not None and parent_channel.parent_id is not None:
            category = int(parent_channel.parent_id)
        return _Place(thread.name or "", int(thread.parent_id), category, parent_channel)
    return _Place("", None, None, None)


def _member_view(
    cache: hikari.api.Cache,
    guild_id: int,
    author_id: int,
    member: hikari.Member | None,
) -> hikari.Member | None:
    if member is not None:
        return member
    return cache.get_member(guild_id, author_id)


def _skip_uncached(guild_id: int, missing: str) -> None:
    if guild_id in _UNCACHED:
        return
    if len(_UNCACHED) >= _UNCACHED_KEPT:
        _UNCACHED.clear()
    _UNCACHED.add(guild_id)
    _LOGGER.warning(
        "spamguard: guild %s: a message was not checked because hikari has not cached %s, "
        "so the owner and administrator exemptions cannot be honoured; nothing is done "
        "in such a case (enable the GUILDS intent and the guild and member caches; said "
        "once per guild)",
        guild_id,
        missing,
    )


def _build(
    cache: hikari.api.Cache,
    *,
    message_id: int,
    guild_id: int,
    channel_id: int,
    author: hikari.User,
    member: hikari.Member | None,
    parts: MessageFields,
    created_at: datetime.datetime,
    mention_ids: tuple[int, ...],
    role_mention_ids: tuple[int, ...],
    mentions_everyone: bool,
    embed_count: int,
) -> Message | None:
    author_id = int(author.id)
    guild = cache.get_guild(guild_id)
    if guild is None:
        _skip_uncached(guild_id, "the guild")
        return None
    member = _member_view(cache, guild_id, author_id, member)
    if member is None:
        _skip_uncached(guild_id, f"the author {author_id}'s member")
        return None
    content, attachments, attachment_count, sticker_ids, forwarded = parts
    role_ids = role_ids_without_everyone(member)
    place = _place(cache, channel_id)
    details = _Details(cache, guild, member, place, role_ids)
    return Message.from_adapter(
        details,
        id=message_id,
        guild_id=guild_id,
        channel_id=channel_id,
        author_id=author_id,
        content=content,
        created_at=created_at,
        author_is_bot=author.is_bot,
        author_role_ids=role_ids,
        author_joined_at=member.joined_at,
        mention_ids=mention_ids,
        role_mention_ids=role_mention_ids,
        mentions_everyone=mentions_everyone,
        attachment_count=attachment_count,
        sticker_count=len(sticker_ids),
        embed_count=embed_count,
        category_id=place.category_id,
        parent_id=place.parent_id,
        author_is_admin=details.author_is_admin,
        author_can_manage_messages=details.author_can_manage_messages,
        author_is_owner=details.author_is_owner,
        attachments=attachments,
        sticker_ids=sticker_ids,
        forwarded=forwarded,
    )


class _Details:
    """The deferred fields of a converted message (:class:`~spamguard.core.messages.
    MessageDetails`), worked out when the core first asks: the author's standing (owner,
    administrator, manage-messages in the channel, from the roles read at conversion) and
    what notice templates show, as the guild shows it."""

    __slots__ = ("_bot", "_cache", "_guild", "_member", "_place", "_role_ids", "_roles")

    def __init__(
        self,
        cache: hikari.api.Cache,
        guild: hikari.GatewayGuild,
        member: hikari.Member,
        place: _Place,
        role_ids: frozenset[int],
    ) -> None:
        self._cache = cache
        self._guild = guild
        self._member = member
        self._place = place
        self._role_ids = role_ids
        # Read now, not when the core asks: the standing is the member's as the message
        # was converted, whatever the cache holds later.
        self._roles = roles(cache, int(guild.id), role_ids)
        self._bot: tuple[hikari.OwnUser, hikari.Member | None] | None = None

    @property
    def author_is_owner(self) -> bool:
        return int(self._guild.owner_id) == int(self._member.id)

    @property
    def author_is_admin(self) -> bool:
        # The owner has every permission, administrator included, as Discord (and the
        # discord.py family's guild_permissions) has it.
        administrator = hikari.Permissions.ADMINISTRATOR
        return self.author_is_owner or any(role.permissions & administrator for role in self._roles)

    @property
    def author_can_manage_messages(self) -> bool:
        guild_id, user_id = int(self._guild.id), int(self._member.id)
        base = ALL if self.author_is_owner else guild_permissions(self._roles)
        channel = self._place.permission_source
        permissions = with_overwrites(base, guild_id, user_id, self._role_ids, channel)
        return bool(permissions & hikari.Permissions.MANAGE_MESSAGES)

    @property
    def author_name(self) -> str:
        return self._member.display_name

    @property
    def guild_name(self) -> str:
        return self._guild.name

    @property
    def channel_name(self) -> str:
        return self._place.name

    # The avatars, icon and bot that notice templates show ($MEMBERAVATAR, $GUILDICON,
    # $BOTID, $BOTNAME, $BOTAVATAR), as the guild shows them.

    @property
    def author_avatar_url(self) -> str:
        return _avatar_url(self._member)

    @property
    def guild_icon_url(self) -> str:
        guild = self._guild
        if guild.icon_hash is None:
            return ""
        return _url(("icon", int(guild.id), guild.icon_hash), guild.make_icon_url)

    def _me(self) -> tuple[hikari.OwnUser, hikari.Member | None] | None:
        # The bot's user and its member in the guild; read from the cache once.
        if self._bot is None:
            me = self._cache.get_me()
            if me is None:
                return None
            self._bot = (me, self._cache.get_member(self._guild.id, me.id))
        return self._bot

    @property
    def bot_id(self) -> int | None:
        bot = self._me()
        return None if bot is None else int(bot[0].id)

    @property
    def bot_name(self) -> str:
        bot = self._me()
        if bot is None:
            return ""
        me, member = bot
        return member.display_name if member is not None else _user_name(me)

    @property
    def bot_avatar_url(self) -> str:
        bot = self._me()
        if bot is None:
            return ""
        me, member = bot
        return _avatar_url(member or me)


def _user_name(user: hikari.User) -> str:
    return user.global_name or user.username


# CDN URLs by what they are made of: hikari takes tens of microseconds to build one, and
# a notice may show three (the author's avatar, the guild icon, the bot's avatar).
_URLS: dict[tuple[typing.Any, ...], str] = {}
_MAX_URLS = 10_000


def _url(key: tuple[typing.Any, ...], make: Callable[[], object]) -> str:
    url = _URLS.get(key)
    if url is None:
        if len(_URLS) >= _MAX_URLS:
            _URLS.clear()
        url = _URLS[key] = str(make())
    return url


def _avatar_url(user: hikari.User) -> str:
    guild_hash = user.guild_avatar_hash if isinstance(user, hikari.Member) else None
    return _url(
        ("avatar", int(user.id), user.avatar_hash, guild_hash), lambda: user.display_avatar_url
    )


def _cache(
    event: hikari.GuildMessageCreateEvent | hikari.GuildMessageUpdateEvent,
) -> hikari.api.Cache:
    # Gateway events come from a GatewayBot, which is cache-aware; the event's type only
    # promises REST.
    return typing.cast("hikari.CacheAware", event.app).cache


def _typed_by_member(message: hikari.PartialMessage, message_type: object) -> bool:
    webhook_id = _defined(message.webhook_id, None)
    return typed_by_member(
        int(typing.cast("int", message_type)),
        webhook_id=None if webhook_id is None else int(webhook_id),
    )


def message_from_create(event: hikari.GuildMessageCreateEvent) -> Message | None:
    """The core message for a guild MESSAGE_CREATE; None for what a member did not type
    (system messages, webhooks) and where the exemptions cannot be checked."""
    return _from_message(_cache(event), event.message, int(event.guild_id))


def message_from_hikari(message: hikari.Message) -> Message | None:
    """The core message for a hikari ``Message`` of a guild (as discord-anti-spam users
    pass ``event.message``); None for DMs, messages a member did not type and uncached
    guilds."""
    if message.guild_id is None:
        return None
    cache = typing.cast("hikari.CacheAware", message.app).cache
    return _from_message(cache, message, int(message.guild_id))


def _from_message(
    cache: hikari.api.Cache, message: hikari.Message, guild_id: int
) -> Message | None:
    if not _typed_by_member(message, message.type):
        return None
    return _build(
        cache,
        message_id=int(message.id),
        guild_id=guild_id,
        channel_id=int(message.channel_id),
        author=message.author,
        member=message.member,
        parts=parts_of(message),
        created_at=message.timestamp,
        mention_ids=tuple(int(u) for u in _defined(message.user_mentions, {})),
        role_mention_ids=tuple(int(r) for r in _defined(message.role_mention_ids, ())),
        mentions_everyone=bool(message.mentions_everyone),
        embed_count=len(message.embeds),
    )


def _defined(value: typing.Any, default: typing.Any) -> typing.Any:
    return default if value is hikari.UNDEFINED or value is None else value


def message_from_update(event: hikari.GuildMessageUpdateEvent) -> Message | None:
    """The core message for an edit; None when the update carries no content (an embed
    unfurl), names no author, or is not a message a member typed.

    The message keeps its creation time: the core replaces its contribution in the
    windows it already counts in.
    """
    message = event.message
    old = event.old_message
    message_type = message.type
    if message_type is hikari.UNDEFINED and old is not None:
        message_type = old.type
    if (
        message.content is hikari.UNDEFINED
        or message_type is hikari.UNDEFINED
        or not _typed_by_member(message, message_type)
    ):
        return None
    author = message.author
    if author is hikari.UNDEFINED and old is not None:
        author = old.author
    if author is hikari.UNDEFINED:
        return None
    member = message.member if isinstance(message.member, hikari.Member) else None
    created = _defined(message.timestamp, None)
    if created is None:
        created = snowflake_time(int(message.id))
    return _build(
        _cache(event),
        message_id=int(message.id),
        guild_id=int(event.guild_id),
        channel_id=int(message.channel_id),
        author=author,
        member=member,
        parts=parts_of(message),
        created_at=created,
        mention_ids=tuple(int(u) for u in _defined(message.user_mentions, {})),
        role_mention_ids=tuple(int(r) for r in _defined(message.role_mention_ids, ())),
        mentions_everyone=bool(_defined(message.mentions_everyone, False)),
        embed_count=len(_defined(message.embeds, ())),
    )
