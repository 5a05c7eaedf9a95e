"""The world model: a ready-made moderation guild (owner, admin, moderator, bot,
ordinary and muted members, a category, channels with permission overwrites and a
thread) with shortcut methods, so a test reads
``world.message(author=world.alice, content="hi")``.
"""

from __future__ import annotations

__all__ = ("GuildWorld", "avatar_hash", "build_world")

import dataclasses
import datetime
import hashlib
import itertools
import typing

from .events import (
    automod_action_execution,
    guild_create,
    message_create,
    message_update,
    ready,
)
from .interactions import application_command, channel_permissions, option
from .members import guild_member_add, guild_member_remove, newcomer
from .values import (
    EVERYONE_PERMISSIONS,
    MUTED_DENY,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    Permission,
    Role,
    User,
    snowflake,
    utc_now,
)

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from .values import JSON


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
        kwargs.setdefault("rule_id", snowflake(utc_now()))
        kwargs.setdefault("channel_id", self.general.id)
        return automod_action_execution(
            guild_id=self.guild.id,
            user_id=(user or self.alice).id,
            content=content,
            matched_keyword=keyword,
            matched_content=keyword,
            **kwargs,
        )

    def slash_command(
        self,
        subcommand: str | None,
        *,
        command_id: int,
        invoker: Member | None = None,
        channel: Channel | None = None,
        command: str = "spamguard",
        group: str | None = None,
        command_guild_id: int | None = None,
        **options: Member | User | str | bool | int | float,
    ) -> JSON:
        """INTERACTION_CREATE for ``/command [group] subcommand option:value...`` in this
        guild; defaults: invoker `admin`, channel `general`, command ``spamguard``.

        ``command_id`` is the id the stand-in gave the registered command. Keyword
        options are typed by their value (see `interactions.option`): a member is a USER
        option, resolved with its permissions.
        """
        return application_command(
            guild=self.guild,
            channel=channel or self.general,
            invoker=invoker or self.admin,
            application_id=self.application_id,
            bot=self.bot,
            command_id=command_id,
            command=command,
            subcommand=subcommand,
            group=group,
            options=[option(name, value) for name, value in options.items()],
            command_guild_id=command_guild_id,
        )

    def permissions(self, member: Member, channel: Channel | None = None) -> int:
        """``member``'s permissions in ``channel`` (default `general`), as Discord
        computes them for an interaction's ``member.permissions``."""
        return channel_permissions(self.guild, member, channel or self.general)

    def newcomer(self, username: str, **kwargs: typing.Any) -> Member:
        """A fresh account joining this guild (see `newcomer`; ``joined_at`` is required)."""
        return newcomer(username, **kwargs)

    def member_add(self, member: Member) -> JSON:
        """GUILD_MEMBER_ADD of ``member`` to this guild."""
        return guild_member_add(member, guild_id=self.guild.id)

    def member_remove(self, member: Member | User) -> JSON:
        """GUILD_MEMBER_REMOVE of ``member`` from this guild (a leave, kick or ban)."""
        return guild_member_remove(member, guild_id=self.guild.id)


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
    bot_manages_guild: bool = False,
) -> GuildWorld:
    """Build the standard `GuildWorld`; equal arguments give equal ids.

    Everything is created at ``created_at`` (default 2023-03-14T15:09:26Z) plus a few
    seconds per entity, so snowflakes are realistic and reproducible. ``guild_icon`` is
    the guild's icon hash; with ``avatars`` every user has an avatar (hash: ``avatar_hash``
    of the username), else the default avatar. With ``bot_manages_guild`` the bot's role
    grants Manage Server (what incident actions, a raid lockdown, need); without it the
    stand-in answers them 403.
    """
    base = created_at or datetime.datetime(2023, 3, 14, 15, 9, 26, tzinfo=datetime.UTC)
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
        | Permission.VIEW_AUDIT_LOG
        | (Permission.MANAGE_GUILD if bot_manages_guild else 0),
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
