"""Discord's entities as small frozen values, rendered to wire JSON by ``payload()``.

Snowflakes are derived from timestamps exactly like Discord's
(``(ms - DISCORD_EPOCH_MS) << 22``), so ``created_at`` of every entity is realistic.
The events built from these values are in `events`; a ready-made guild in `world`.
"""

from __future__ import annotations

__all__ = (
    "DISCORD_EPOCH_MS",
    "EVERYONE_PERMISSIONS",
    "JSON",
    "MUTED_DENY",
    "Channel",
    "ChannelType",
    "Guild",
    "Member",
    "Overwrite",
    "Permission",
    "Role",
    "User",
    "id_strings",
    "snowflake",
    "snowflake_time",
    "timestamp",
    "to_millisecond",
    "utc_now",
)

import dataclasses
import datetime
import enum
import itertools
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

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


def utc_now() -> datetime.datetime:
    """The current time, aware (UTC)."""
    return datetime.datetime.now(tz=_UTC)


def to_millisecond(at: datetime.datetime) -> datetime.datetime:
    """``at`` truncated to the millisecond, as Discord keeps timestamps."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def id_strings(values: Iterable[int]) -> list[str]:
    """Snowflakes as the wire's strings."""
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
            "roles": id_strings(self.role_ids),
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
