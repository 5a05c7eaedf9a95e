"""Builders for real Discord gateway payloads (API v10), as the gateway sends them.

Every builder returns a fresh plain ``dict`` in wire format (snowflakes as strings,
ISO 8601 timestamps, permissions as decimal strings), so the same payload can be fed to
hikari's raw-event consumers and to nextcord's or disnake's ``ConnectionState.parsers``.

Two layers:

* small frozen value types (`User`, `Member`, `Role`, `Channel`, `Guild`) whose
  ``payload()`` methods render the wire objects, plus module-level builders for events
  (`ready`, `guild_create`, `message_create`, `message_update`,
  `automod_action_execution`) that take everything as parameters;
* `build_world`, a ready-made moderation guild (owner, admin, moderator, bot, ordinary
  and muted members, a category, channels with permission overwrites and a thread) with
  shortcut methods, so a test reads ``world.message(author=world.alice, content="hi")``.

Snowflakes are derived from timestamps exactly like Discord's
(``(ms - DISCORD_EPOCH_MS) << 22``), so ``created_at`` of every entity is realistic.
"""

from __future__ import annotations

__all__ = (
    "DISCORD_EPOCH_MS",
    "Channel",
    "ChannelType",
    "Guild",
    "GuildWorld",
    "Member",
    "Overwrite",
    "Permission",
    "Role",
    "User",
    "attachment",
    "automod_action_execution",
    "automod_rule",
    "avatar_hash",
    "build_world",
    "embed",
    "guild_create",
    "message_create",
    "message_update",
    "ready",
    "snowflake",
    "snowflake_time",
    "sticker_item",
    "timestamp",
)

import dataclasses
import datetime
import enum
import hashlib
import itertools
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

JSON = dict[str, typing.Any]

DISCORD_EPOCH_MS: typing.Final = 1_420_070_400_000
"""Milliseconds since the Unix epoch of Discord's epoch (2015-01-01T00:00:00Z)."""

_UTC = datetime.UTC

# Discord mints several ids in the same millisecond by bumping a 12-bit counter; one
# process-wide counter keeps ids built for the same instant unique across a test run.
_increments = itertools.count()


def snowflake(
    at: datetime.datetime, *, increment: int | None = None, worker: int = 1, process: int = 0
) -> int:
    """Return the snowflake Discord would mint at ``at`` (an aware datetime).

    ``increment`` defaults to a process-wide counter, so two ids for the same instant
    differ; pass it to get a reproducible id.
    """
    if at.tzinfo is None:
        msg = "snowflake() needs an aware datetime"
        raise ValueError(msg)
    ms = int(at.timestamp() * 1000)
    if ms < DISCORD_EPOCH_MS:
        msg = f"{at.isoformat()} is before Discord's epoch"
        raise ValueError(msg)
    inc = next(_increments) if increment is None else increment
    return (
        ((ms - DISCORD_EPOCH_MS) << 22)
        | ((worker & 0x1F) << 17)
        | ((process & 0x1F) << 12)
        | (inc & 0xFFF)
    )


def snowflake_time(value: int | str) -> datetime.datetime:
    """Return the creation time encoded in a snowflake."""
    ms = (int(value) >> 22) + DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(ms / 1000, tz=_UTC)


def timestamp(at: datetime.datetime) -> str:
    """Render ``at`` as Discord does: ISO 8601 with microseconds and ``+00:00``."""
    return at.astimezone(_UTC).isoformat(timespec="microseconds")


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=_UTC)


def _to_ms(at: datetime.datetime) -> datetime.datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _ids(values: Iterable[int]) -> list[str]:
    return [str(v) for v in values]


class Permission(enum.IntFlag):
    """Discord permission bits used by the fixtures (values from the API docs)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40


EVERYONE_PERMISSIONS: typing.Final = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.MENTION_EVERYONE
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)
"""Roughly what Discord grants @everyone in a new guild."""

MUTED_DENY: typing.Final = (
    Permission.SEND_MESSAGES
    | Permission.ADD_REACTIONS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.CREATE_PUBLIC_THREADS
)
"""What the muted role is denied in channel overwrites."""


class ChannelType(enum.IntEnum):
    """Discord channel types used by the fixtures."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_FORUM = 15


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A Discord user (the ``user`` object)."""

    id: int
    """Snowflake of the user."""
    username: str
    """Unique username (pomelo names: lowercase, discriminator ``"0"``)."""
    global_name: str | None = None
    """Display name, if set."""
    bot: bool = False
    """Whether the account is a bot."""
    avatar: str | None = None
    """Avatar hash."""
    public_flags: int = 0
    """Public user flags bitfield."""

    @property
    def created_at(self) -> datetime.datetime:
        """Creation time, read from the snowflake."""
        return snowflake_time(self.id)

    def payload(self) -> JSON:
        """The user object as the gateway sends it."""
        out: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": self.public_flags,
            "flags": self.public_flags,
            "clan": None,
            "primary_guild": None,
        }
        if self.bot:
            # Discord omits ``bot`` for humans rather than sending false.
            out["bot"] = True
        return out


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A guild member: a `User` plus guild-specific data."""

    user: User
    """The member's user."""
    joined_at: datetime.datetime
    """When the member joined the guild."""
    role_ids: tuple[int, ...] = ()
    """Role ids, without the @everyone role (Discord never lists it)."""
    nick: str | None = None
    """Guild nickname."""
    communication_disabled_until: datetime.datetime | None = None
    """End of the member's timeout, if timed out."""
    pending: bool = False
    """Whether the member has not passed membership screening yet."""
    flags: int = 0
    """Guild member flags bitfield."""

    @property
    def id(self) -> int:
        """The user's snowflake."""
        return self.user.id

    def partial_payload(self) -> JSON:
        """The member object without ``user``, as in MESSAGE_CREATE ``member`` and
        ``mentions[].member``."""
        return {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": _ids(self.role_ids),
            "joined_at": timestamp(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": self.flags,
            "pending": self.pending,
            "communication_disabled_until": (
                timestamp(self.communication_disabled_until)
                if self.communication_disabled_until
                else None
            ),
            "avatar_decoration_data": None,
        }

    def payload(self) -> JSON:
        """The full member object (with ``user``), as in GUILD_CREATE ``members``."""
        return {"user": self.user.payload(), **self.partial_payload()}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """A guild role."""

    id: int
    """Snowflake; the @everyone role's id equals the guild id."""
    name: str
    """Role name (``"@everyone"`` for the default role)."""
    permissions: int
    """Permission bitfield."""
    position: int
    """Position in the hierarchy; @everyone is 0."""
    color: int = 0
    """RGB colour as an integer."""
    hoist: bool = False
    """Whether members are listed separately."""
    mentionable: bool = False
    """Whether anyone can mention the role."""
    managed: bool = False
    """Whether an integration (e.g. the bot) manages the role."""
    bot_id: int | None = None
    """For a bot's managed role, the bot's user id (rendered as ``tags.bot_id``)."""

    def payload(self) -> JSON:
        """The role object as the gateway sends it."""
        out: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(int(self.permissions)),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            out["tags"] = {"bot_id": str(self.bot_id)}
        return out


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Overwrite:
    """A channel permission overwrite."""

    id: int
    """Role or user id."""
    member: bool = False
    """True for a member overwrite (type 1), False for a role overwrite (type 0)."""
    allow: int = 0
    """Allowed permission bits."""
    deny: int = 0
    """Denied permission bits."""

    def payload(self) -> JSON:
        """The overwrite object."""
        return {
            "id": str(self.id),
            "type": 1 if self.member else 0,
            "allow": str(int(self.allow)),
            "deny": str(int(self.deny)),
        }


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """A guild channel, category or thread."""

    id: int
    """Snowflake of the channel."""
    name: str
    """Channel name."""
    type: ChannelType = ChannelType.GUILD_TEXT
    """Channel type."""
    position: int = 0
    """Sorting position (ignored for threads)."""
    parent_id: int | None = None
    """Category of a channel, or parent channel of a thread."""
    overwrites: tuple[Overwrite, ...] = ()
    """Permission overwrites (threads have none; they inherit the parent's)."""
    topic: str | None = None
    """Channel topic."""
    nsfw: bool = False
    """Age-restricted flag."""
    rate_limit_per_user: int = 0
    """Slowmode in seconds."""
    owner_id: int | None = None
    """Creator of a thread."""

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread."""
        return self.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)

    def payload(self, guild_id: int) -> JSON:
        """The channel object, or the thread object for threads."""
        if self.is_thread:
            created = timestamp(snowflake_time(self.id))
            return {
                "id": str(self.id),
                "type": int(self.type),
                "guild_id": str(guild_id),
                "parent_id": str(self.parent_id) if self.parent_id else None,
                "owner_id": str(self.owner_id) if self.owner_id else None,
                "name": self.name,
                "last_message_id": None,
                "message_count": 0,
                "total_message_sent": 0,
                "member_count": 1,
                "rate_limit_per_user": self.rate_limit_per_user,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": created,
                    "locked": False,
                    "create_timestamp": created,
                    **({"invitable": True} if self.type is ChannelType.PRIVATE_THREAD else {}),
                },
            }
        out: JSON = {
            "id": str(self.id),
            "type": int(self.type),
            "guild_id": str(guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "flags": 0,
        }
        if self.type is not ChannelType.GUILD_CATEGORY:
            out |= {
                "topic": self.topic,
                "nsfw": self.nsfw,
                "last_message_id": None,
                "last_pin_timestamp": None,
                "rate_limit_per_user": self.rate_limit_per_user,
            }
        return out


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Guild:
    """A guild with everything GUILD_CREATE carries."""

    id: int
    """Snowflake of the guild (also the @everyone role id)."""
    name: str
    """Guild name."""
    owner_id: int
    """User id of the owner."""
    roles: tuple[Role, ...]
    """All roles, including @everyone."""
    channels: tuple[Channel, ...]
    """Categories and channels (not threads)."""
    threads: tuple[Channel, ...] = ()
    """Active threads."""
    members: tuple[Member, ...] = ()
    """Members sent in GUILD_CREATE (must include the bot's own member)."""
    features: tuple[str, ...] = ()
    """Guild feature strings."""
    icon: str | None = None
    """Icon hash, if the guild has an icon."""

    def role(self, role_id: int) -> Role:
        """Return the role with ``role_id``."""
        return next(r for r in self.roles if r.id == role_id)

    def member(self, user_id: int) -> Member:
        """Return the member with ``user_id``."""
        return next(m for m in self.members if m.id == user_id)

    def channel(self, channel_id: int) -> Channel:
        """Return the channel or thread with ``channel_id``."""
        return next(c for c in (*self.channels, *self.threads) if c.id == channel_id)

    def payload(self) -> JSON:
        """The guild object (the fields GUILD_CREATE shares with GET /guilds/{id})."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": self.icon,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": list(self.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "nsfw": False,
            "nsfw_level": 0,
            "hub_type": None,
            "latest_onboarding_question_id": None,
            "incidents_data": None,
            "inventory_settings": None,
            "home_header": None,
        }


# --------------------------------------------------------------------------- events


def ready(
    *,
    user: User,
    guild_ids: Iterable[int],
    application_id: int | None = None,
    session_id: str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    shard: tuple[int, int] = (0, 1),
) -> JSON:
    """READY: the bot's own user and its guilds, all still unavailable."""
    me = user.payload() | {"verified": True, "mfa_enabled": False, "email": None, "bot": True}
    return {
        "v": 10,
        "user": me,
        "user_settings": {},
        "session_type": "normal",
        "session_id": session_id,
        "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg",
        "relationships": [],
        "private_channels": [],
        "presences": [],
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east", "us-central", "atlanta", "us-south", "us-west"],
        "application": {"id": str(application_id or user.id), "flags": 565248},
        "auth": {},
        "shard": list(shard),
        "_trace": ['["gateway-prd-us-east1-b-0000",{"micros":1000}]'],
    }


def guild_create(
    guild: Guild,
    *,
    joined_at: datetime.datetime | None = None,
    unavailable: bool | None = False,
    large: bool = False,
) -> JSON:
    """GUILD_CREATE for ``guild``.

    ``unavailable=False`` is what follows READY (libraries report "guild available");
    ``None`` omits the field, which is what a fresh join looks like.
    ``member_count`` equals the number of members sent, so libraries consider the guild
    fully chunked and never ask the (absent) gateway for more members.
    """
    out = guild.payload() | {
        "joined_at": timestamp(joined_at or snowflake_time(guild.id)),
        "large": large,
        "member_count": len(guild.members),
        "members": [m.payload() for m in guild.members],
        "channels": [c.payload(guild.id) for c in guild.channels],
        "threads": [t.payload(guild.id) for t in guild.threads],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
        "activity_instances": [],
        "application_command_counts": {},
        "lazy": True,
        "version": 1_700_000_000_000,
    }
    if unavailable is not None:
        out["unavailable"] = unavailable
    return out


def attachment(
    filename: str = "image.png",
    *,
    attachment_id: int | None = None,
    size: int = 12_345,
    content_type: str | None = "image/png",
    width: int | None = 640,
    height: int | None = 480,
    channel_id: int = 0,
) -> JSON:
    """An attachment object (CDN URLs point at cdn.discordapp.com but are never fetched)."""
    aid = attachment_id or snowflake(_now())
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{filename}"
    out: JSON = {
        "id": str(aid),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": content_type,
    }
    if width is not None and height is not None:
        out |= {
            "width": width,
            "height": height,
            "placeholder": "2/gFBQAy+I9ed4h3d3d3d3eHiHcAAAAAAA==",
            "placeholder_version": 1,
        }
    return out


def sticker_item(
    name: str = "wave", *, sticker_id: int | None = None, format_type: int = 1
) -> JSON:
    """A sticker item (``sticker_items`` entry); format 1 PNG, 2 APNG, 3 LOTTIE, 4 GIF."""
    return {"id": str(sticker_id or snowflake(_now())), "name": name, "format_type": format_type}


def embed(
    *,
    title: str | None = None,
    description: str | None = None,
    url: str | None = None,
    kind: str = "rich",
    color: int | None = None,
) -> JSON:
    """An embed object (``kind`` is the embed ``type``: rich, link, image, video...)."""
    out: JSON = {"type": kind}
    for key, value in (
        ("title", title),
        ("description", description),
        ("url", url),
        ("color", color),
    ):
        if value is not None:
            out[key] = value
    return out


def _mention(target: Member | User) -> JSON:
    if isinstance(target, Member):
        return target.user.payload() | {"member": target.partial_payload()}
    return target.payload()


def _message(
    *,
    channel_id: int,
    author: Member | User,
    content: str,
    guild_id: int | None,
    created_at: datetime.datetime | None,
    message_id: int | None,
    mentions: Sequence[Member | User],
    mention_roles: Sequence[int],
    mention_everyone: bool,
    attachments: Sequence[Mapping[str, typing.Any]],
    embeds: Sequence[Mapping[str, typing.Any]],
    sticker_items: Sequence[Mapping[str, typing.Any]],
    edited_at: datetime.datetime | None,
    message_type: int,
    flags: int,
    tts: bool,
    nonce: str | None,
    webhook_id: int | None,
    position: int | None,
) -> JSON:
    # Discord's timestamp is the snowflake's instant, which has millisecond precision.
    created = _to_ms(created_at or _now())
    user = author.user if isinstance(author, Member) else author
    out: JSON = {
        "type": message_type,
        "tts": tts,
        "timestamp": timestamp(created),
        "pinned": False,
        "mentions": [_mention(m) for m in mentions],
        "mention_roles": _ids(mention_roles),
        "mention_everyone": mention_everyone,
        "id": str(message_id or snowflake(created)),
        "flags": flags,
        "embeds": [dict(e) for e in embeds],
        "edited_timestamp": timestamp(edited_at) if edited_at else None,
        "content": content,
        "components": [],
        "channel_id": str(channel_id),
        "author": user.payload(),
        "attachments": [dict(a) for a in attachments],
    }
    if sticker_items:
        out["sticker_items"] = [dict(s) for s in sticker_items]
    if nonce is not None:
        out["nonce"] = nonce
    if webhook_id is not None:
        out["webhook_id"] = str(webhook_id)
    if position is not None:
        out["position"] = position
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
        if isinstance(author, Member):
            out["member"] = author.partial_payload()
    return out


def message_create(
    *,
    channel_id: int,
    author: Member | User,
    content: str = "",
    guild_id: int | None = None,
    created_at: datetime.datetime | None = None,
    message_id: int | None = None,
    mentions: Sequence[Member | User] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    attachments: Sequence[Mapping[str, typing.Any]] = (),
    embeds: Sequence[Mapping[str, typing.Any]] = (),
    sticker_items: Sequence[Mapping[str, typing.Any]] = (),
    message_type: int = 0,
    flags: int = 0,
    tts: bool = False,
    nonce: str | None = None,
    webhook_id: int | None = None,
    position: int | None = None,
) -> JSON:
    """MESSAGE_CREATE.

    Pass a `Member` as ``author`` (with ``guild_id``) for a guild message: the payload
    then carries the partial ``member`` as Discord's does. ``mentions`` entries that are
    members carry their partial member too. ``message_id`` defaults to a snowflake of
    ``created_at`` (default: now). ``position`` is set by Discord for messages in threads.
    """
    return _message(
        channel_id=channel_id,
        author=author,
        content=content,
        guild_id=guild_id,
        created_at=created_at,
        message_id=message_id,
        mentions=mentions,
        mention_roles=mention_roles,
        mention_everyone=mention_everyone,
        attachments=attachments,
        embeds=embeds,
        sticker_items=sticker_items,
        edited_at=None,
        message_type=message_type,
        flags=flags,
        tts=tts,
        nonce=nonce,
        webhook_id=webhook_id,
        position=position,
    )


def message_update(
    *,
    message_id: int,
    channel_id: int,
    author: Member | User,
    content: str,
    guild_id: int | None = None,
    created_at: datetime.datetime | None = None,
    edited_at: datetime.datetime | None = None,
    mentions: Sequence[Member | User] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    attachments: Sequence[Mapping[str, typing.Any]] = (),
    embeds: Sequence[Mapping[str, typing.Any]] = (),
    sticker_items: Sequence[Mapping[str, typing.Any]] = (),
    flags: int = 0,
) -> JSON:
    """MESSAGE_UPDATE for an edit: the full message with ``edited_timestamp`` set.

    ``created_at`` defaults to the time in ``message_id``; ``edited_at`` to now.
    """
    return _message(
        channel_id=channel_id,
        author=author,
        content=content,
        guild_id=guild_id,
        created_at=created_at or snowflake_time(message_id),
        message_id=message_id,
        mentions=mentions,
        mention_roles=mention_roles,
        mention_everyone=mention_everyone,
        attachments=attachments,
        embeds=embeds,
        sticker_items=sticker_items,
        edited_at=edited_at or _now(),
        message_type=0,
        flags=flags,
        tts=False,
        nonce=None,
        webhook_id=None,
        position=None,
    )


def automod_action_execution(
    *,
    guild_id: int,
    rule_id: int,
    user_id: int,
    content: str,
    matched_keyword: str | None = None,
    matched_content: str | None = None,
    channel_id: int | None = None,
    message_id: int | None = None,
    alert_system_message_id: int | None = None,
    action_type: int = 1,
    action_metadata: Mapping[str, typing.Any] | None = None,
    trigger_type: int = 1,
) -> JSON:
    """AUTO_MODERATION_ACTION_EXECUTION.

    ``action_type``: 1 BLOCK_MESSAGE, 2 SEND_ALERT_MESSAGE (metadata ``channel_id``),
    3 TIMEOUT (metadata ``duration_seconds``), 4 BLOCK_MEMBER_INTERACTION.
    ``trigger_type``: 1 KEYWORD, 3 SPAM, 4 KEYWORD_PRESET, 5 MENTION_SPAM, 6 MEMBER_PROFILE.
    """
    out: JSON = {
        "guild_id": str(guild_id),
        "action": {"type": action_type, "metadata": dict(action_metadata or {})},
        "rule_id": str(rule_id),
        "rule_trigger_type": trigger_type,
        "user_id": str(user_id),
        "content": content,
        "matched_keyword": matched_keyword,
        "matched_content": matched_content,
    }
    for key, value in (
        ("channel_id", channel_id),
        ("message_id", message_id),
        ("alert_system_message_id", alert_system_message_id),
    ):
        if value is not None:
            out[key] = str(value)
    return out


def automod_rule(
    *,
    rule_id: int,
    guild_id: int,
    creator_id: int,
    name: str = "Block spam",
    trigger_type: int = 1,
    trigger_metadata: Mapping[str, typing.Any] | None = None,
    actions: Sequence[Mapping[str, typing.Any]] = ({"type": 1, "metadata": {}},),
    enabled: bool = True,
    exempt_roles: Sequence[int] = (),
    exempt_channels: Sequence[int] = (),
    event_type: int = 1,
) -> JSON:
    """An auto moderation rule object (what the REST API returns)."""
    metadata: dict[str, typing.Any] = {"keyword_filter": [], "regex_patterns": [], "allow_list": []}
    if trigger_type == 5:
        metadata = {"mention_total_limit": 5, "mention_raid_protection_enabled": False}
    elif trigger_type == 4:
        metadata = {"presets": [], "allow_list": []}
    elif trigger_type == 3:
        metadata = {}
    return {
        "id": str(rule_id),
        "guild_id": str(guild_id),
        "name": name,
        "creator_id": str(creator_id),
        "event_type": event_type,
        "trigger_type": trigger_type,
        "trigger_metadata": metadata | dict(trigger_metadata or {}),
        "actions": [dict(a) for a in actions],
        "enabled": enabled,
        "exempt_roles": _ids(exempt_roles),
        "exempt_channels": _ids(exempt_channels),
        "position": 0,
    }


# --------------------------------------------------------------------------- the world


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GuildWorld:
    """A moderation guild with named people, roles and channels.

    Role hierarchy (position): @everyone 0 < Muted 1 < Moderator 2 < Admin 3 < bot's
    managed role 4, so the bot outranks everyone but the owner.
    """

    guild: Guild
    """The whole guild."""
    application_id: int
    """The bot's application id (equal to the bot user id, as for every modern bot)."""
    bot: Member
    """The bot's own member (managed bot role)."""
    owner: Member
    """The guild owner (no roles; ownership alone grants everything)."""
    admin: Member
    """Member with the Admin role (ADMINISTRATOR)."""
    moderator: Member
    """Member with the Moderator role (MANAGE_MESSAGES, KICK, MODERATE_MEMBERS...)."""
    alice: Member
    """Ordinary member."""
    bob: Member
    """Ordinary member."""
    carol: Member
    """Member with the Muted role."""
    everyone_role: Role
    """@everyone (id == guild id)."""
    muted_role: Role
    """Muted role (denied sending through overwrites)."""
    moderator_role: Role
    """Moderator role."""
    admin_role: Role
    """Admin role."""
    bot_role: Role
    """The bot's managed role, positioned highest."""
    category: Channel
    """Category holding the text channels."""
    general: Channel
    """Public text channel (muted role denied sending)."""
    mod_log: Channel
    """Private text channel: hidden from @everyone, visible to moderators and the bot."""
    thread: Channel
    """Public thread in `general`."""

    @property
    def guild_id(self) -> int:
        """The guild's snowflake."""
        return self.guild.id

    @property
    def members(self) -> tuple[Member, ...]:
        """Every member, bot included."""
        return self.guild.members

    def ready(self) -> JSON:
        """READY for the bot, with this guild unavailable."""
        return ready(
            user=self.bot.user, guild_ids=(self.guild.id,), application_id=self.application_id
        )

    def guild_create(self, *, unavailable: bool | None = False) -> JSON:
        """GUILD_CREATE for this guild (see `guild_create`)."""
        return guild_create(self.guild, joined_at=self.bot.joined_at, unavailable=unavailable)

    def message(
        self,
        *,
        author: Member | None = None,
        content: str = "",
        channel: Channel | None = None,
        **kwargs: typing.Any,
    ) -> JSON:
        """MESSAGE_CREATE in this guild; defaults: author `alice`, channel `general`.

        Other keyword arguments go to `message_create`; a message in `thread` gets a
        ``position`` unless one is given.
        """
        where = channel or self.general
        if where.is_thread:
            kwargs.setdefault("position", 0)
        return message_create(
            channel_id=where.id,
            author=author or self.alice,
            content=content,
            guild_id=self.guild.id,
            **kwargs,
        )

    def edit(
        self, created: Mapping[str, typing.Any], *, content: str, **kwargs: typing.Any
    ) -> JSON:
        """MESSAGE_UPDATE editing the MESSAGE_CREATE payload ``created`` to ``content``."""
        author = self.guild.member(int(created["author"]["id"]))
        return message_update(
            message_id=int(created["id"]),
            channel_id=int(created["channel_id"]),
            author=author,
            content=content,
            guild_id=self.guild.id,
            **kwargs,
        )

    def automod_execution(
        self,
        *,
        user: Member | None = None,
        content: str = "buy cheap nitro",
        keyword: str = "nitro",
        **kwargs: typing.Any,
    ) -> JSON:
        """AUTO_MODERATION_ACTION_EXECUTION for a keyword rule blocking ``content`` in
        `general` (defaults: user `alice`)."""
        kwargs.setdefault("rule_id", snowflake(_now()))
        kwargs.setdefault("channel_id", self.general.id)
        return automod_action_execution(
            guild_id=self.guild.id,
            user_id=(user or self.alice).id,
            content=content,
            matched_keyword=keyword,
            matched_content=keyword,
            **kwargs,
        )


def avatar_hash(username: str) -> str:
    """The avatar hash `build_world` gives ``username`` (32 hex digits, like Discord's)."""
    return hashlib.md5(username.encode(), usedforsecurity=False).hexdigest()


def build_world(
    *,
    created_at: datetime.datetime | None = None,
    guild_name: str = "Spamguard Test Guild",
    bot_name: str = "spamguard",
    guild_icon: str | None = None,
    avatars: bool = False,
) -> GuildWorld:
    """Build the standard `GuildWorld`; equal arguments give equal ids.

    Everything is created at ``created_at`` (default 2023-03-14T15:09:26Z) plus a few
    seconds per entity, so snowflakes are realistic and reproducible. ``guild_icon`` is
    the guild's icon hash; with ``avatars`` every user has an avatar (hash: ``avatar_hash``
    of the username), else the default avatar.
    """
    base = created_at or datetime.datetime(2023, 3, 14, 15, 9, 26, tzinfo=_UTC)
    step = itertools.count()

    def sid() -> int:
        # One entity per second keeps ids strictly ordered and reproducible.
        return snowflake(base + datetime.timedelta(seconds=next(step)), increment=0)

    def person(username: str, display: str | None, *, bot: bool = False) -> User:
        # Users predate the guild, as real accounts do.
        uid = snowflake(base - datetime.timedelta(days=400 - next(step)), increment=0)
        avatar = avatar_hash(username) if avatars else None
        return User(id=uid, username=username, global_name=display, bot=bot, avatar=avatar)

    bot_user = person(bot_name, None, bot=True)
    owner_user = person("olivia", "Olivia")
    admin_user = person("adam", "Adam")
    mod_user = person("morgan", "Morgan")
    alice_user = person("alice", "Alice")
    bob_user = person("bob", "Bob")
    carol_user = person("carol", "Carol")

    guild_id = sid()
    everyone = Role(id=guild_id, name="@everyone", permissions=EVERYONE_PERMISSIONS, position=0)
    muted = Role(id=sid(), name="Muted", permissions=0, position=1, color=0x546E7A)
    moderator = Role(
        id=sid(),
        name="Moderator",
        position=2,
        color=0x3498DB,
        hoist=True,
        permissions=EVERYONE_PERMISSIONS
        | Permission.MANAGE_MESSAGES
        | Permission.KICK_MEMBERS
        | Permission.MODERATE_MEMBERS
        | Permission.MANAGE_THREADS
        | Permission.VIEW_AUDIT_LOG,
    )
    admin = Role(
        id=sid(),
        name="Admin",
        position=3,
        color=0xE74C3C,
        hoist=True,
        permissions=Permission.ADMINISTRATOR,
    )
    bot_role = Role(
        id=sid(),
        name=bot_name,
        position=4,
        managed=True,
        bot_id=bot_user.id,
        permissions=EVERYONE_PERMISSIONS
        | Permission.MANAGE_MESSAGES
        | Permission.MANAGE_ROLES
        | Permission.KICK_MEMBERS
        | Permission.BAN_MEMBERS
        | Permission.MODERATE_MEMBERS
        | Permission.MANAGE_THREADS
        | Permission.VIEW_AUDIT_LOG,
    )

    category = Channel(id=sid(), name="Text Channels", type=ChannelType.GUILD_CATEGORY)
    general = Channel(
        id=sid(),
        name="general",
        parent_id=category.id,
        topic="Say hi",
        overwrites=(Overwrite(id=muted.id, deny=MUTED_DENY),),
    )
    mod_log = Channel(
        id=sid(),
        name="mod-log",
        position=1,
        parent_id=category.id,
        overwrites=(
            Overwrite(id=everyone.id, deny=Permission.VIEW_CHANNEL),
            Overwrite(id=moderator.id, allow=Permission.VIEW_CHANNEL),
            Overwrite(
                id=bot_user.id,
                member=True,
                allow=Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES,
            ),
        ),
    )

    def join(user: User, *roles: Role) -> Member:
        return Member(
            user=user,
            role_ids=tuple(r.id for r in roles),
            joined_at=base + datetime.timedelta(minutes=5 + next(step)),
        )

    bot_member = join(bot_user, bot_role)
    owner_member = Member(user=owner_user, joined_at=base)
    admin_member = join(admin_user, admin)
    mod_member = join(mod_user, moderator)
    alice = join(alice_user)
    bob = join(bob_user)
    carol = join(carol_user, muted)
    thread = Channel(
        id=snowflake(base + datetime.timedelta(hours=1), increment=0),
        name="spam-talk",
        type=ChannelType.PUBLIC_THREAD,
        parent_id=general.id,
        owner_id=alice_user.id,
    )

    guild = Guild(
        id=guild_id,
        name=guild_name,
        owner_id=owner_user.id,
        roles=(everyone, muted, moderator, admin, bot_role),
        channels=(category, general, mod_log),
        threads=(thread,),
        members=(bot_member, owner_member, admin_member, mod_member, alice, bob, carol),
        features=("COMMUNITY", "AUTO_MODERATION"),
        icon=guild_icon,
    )
    return GuildWorld(
        guild=guild,
        application_id=bot_user.id,
        bot=bot_member,
        owner=owner_member,
        admin=admin_member,
        moderator=mod_member,
        alice=alice,
        bob=bob,
        carol=carol,
        everyone_role=everyone,
        muted_role=muted,
        moderator_role=moderator,
        admin_role=admin,
        bot_role=bot_role,
        category=category,
        general=general,
        mod_log=mod_log,
        thread=thread,
    )
