"""Builders of INTERACTION_CREATE for slash commands (type 2, APPLICATION_COMMAND), as
Discord documents the interaction object, and the permission arithmetic the gateway does
for its ``member.permissions`` and ``app_permissions``.

`application_command` builds ``/command [group] subcommand option:value ...`` invoked by
a member in a guild channel; `option` turns a Python value into a typed option (a
`Member` or `User` becomes a USER option whose user, and member, go into
``data.resolved``). `channel_permissions` computes what Discord computes: the guild's
role permissions, then the channel's @everyone, role and member overwrites; the owner
and an administrator hold every permission.
"""

from __future__ import annotations

__all__ = (
    "ALL_PERMISSIONS",
    "Option",
    "OptionType",
    "application_command",
    "channel_permissions",
    "interaction_token",
    "option",
)

import base64
import dataclasses
import enum
import functools
import operator
import typing

from .values import Channel, Member, Permission, User, snowflake, utc_now

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from .values import JSON, Guild

ALL_PERMISSIONS: typing.Final = functools.reduce(operator.or_, Permission, Permission(0))
"""Every permission the fixtures know: what the owner and an administrator hold."""


class OptionType(enum.IntEnum):
    """Application command option types."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One option value a user submitted."""

    name: str
    """The option's name."""
    type: OptionType
    """Its type."""
    value: str | int | float | bool
    """Its value as the wire carries it (a snowflake string for a USER option)."""
    user: User | None = None
    """For a USER option, the user (resolved)."""
    member: Member | None = None
    """For a USER option naming a member of the guild, the member (resolved)."""

    def payload(self) -> JSON:
        """The application command interaction data option."""
        return {"name": self.name, "type": int(self.type), "value": self.value}


def option(name: str, value: Member | User | str | bool | int | float) -> Option:
    """A typed option: Member/User -> USER, bool -> BOOLEAN, int -> INTEGER, float ->
    NUMBER, str -> STRING."""
    match value:
        case Member():
            return Option(
                name=name, type=OptionType.USER, value=str(value.id), user=value.user, member=value
            )
        case User():
            return Option(name=name, type=OptionType.USER, value=str(value.id), user=value)
        case bool():
            return Option(name=name, type=OptionType.BOOLEAN, value=value)
        case int():
            return Option(name=name, type=OptionType.INTEGER, value=value)
        case float():
            return Option(name=name, type=OptionType.NUMBER, value=value)
        case _:
            return Option(name=name, type=OptionType.STRING, value=str(value))


def channel_permissions(guild: Guild, member: Member, channel: Channel) -> int:
    """``member``'s permissions in ``channel`` (a thread: its parent's), as Discord
    computes them."""
    if member.id == guild.owner_id:
        return int(ALL_PERMISSIONS)
    held = {*member.role_ids, guild.id}
    base = 0
    for role in guild.roles:
        if role.id in held:
            base |= int(role.permissions)
    if base & Permission.ADMINISTRATOR:
        return int(ALL_PERMISSIONS)
    where = guild.channel(channel.parent_id) if channel.is_thread and channel.parent_id else channel
    overwrites = {(o.member, o.id): o for o in where.overwrites}
    if everyone := overwrites.get((False, guild.id)):
        base = (base & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        if ow := overwrites.get((False, role_id)):
            allow, deny = allow | ow.allow, deny | ow.deny
    base = (base & ~deny) | allow
    if mine := overwrites.get((True, member.id)):
        base = (base & ~mine.deny) | mine.allow
    return base


def interaction_token(interaction_id: int) -> str:
    """A token shaped like Discord's (``aW50ZXJhY3Rpb246...``: base64 of
    ``interaction:<id>:...``), unique per interaction."""
    raw = f"interaction:{interaction_id}:spamguard-offline-tests".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _resolved(options: Iterable[Option], guild: Guild, channel: Channel) -> JSON:
    users: JSON = {}
    members: JSON = {}
    for opt in options:
        if opt.user is not None:
            users[str(opt.user.id)] = opt.user.payload()
        if opt.member is not None:
            partial = opt.member.partial_payload()
            for field in ("deaf", "mute"):
                partial.pop(field)
            partial["permissions"] = str(channel_permissions(guild, opt.member, channel))
            members[str(opt.member.id)] = partial
    out: JSON = {}
    if users:
        out["users"] = users
    if members:
        out["members"] = members
    return out


def application_command(
    *,
    guild: Guild,
    channel: Channel,
    invoker: Member,
    application_id: int,
    bot: Member,
    command_id: int,
    command: str,
    subcommand: str | None = None,
    group: str | None = None,
    options: Iterable[Option] = (),
    command_guild_id: int | None = None,
    interaction_id: int | None = None,
    locale: str = "en-US",
    created_at: datetime.datetime | None = None,
) -> JSON:
    """INTERACTION_CREATE for ``/command [group] [subcommand] options...`` invoked by
    ``invoker`` in ``channel`` of ``guild``.

    ``command_id`` is the id Discord gave the registered command; ``command_guild_id``
    the guild it was registered to (None: a global command). ``invoker``'s
    ``permissions`` and the bot's ``app_permissions`` are those in ``channel``.
    """
    opts = tuple(options)
    inner: list[JSON] = [o.payload() for o in opts]
    if subcommand is not None:
        inner = [{"name": subcommand, "type": int(OptionType.SUB_COMMAND), "options": inner}]
    if group is not None:
        inner = [{"name": group, "type": int(OptionType.SUB_COMMAND_GROUP), "options": inner}]
    data: JSON = {"id": str(command_id), "name": command, "type": 1, "options": inner}
    if resolved := _resolved(opts, guild, channel):
        data["resolved"] = resolved
    if command_guild_id is not None:
        data["guild_id"] = str(command_guild_id)
    iid = interaction_id or snowflake(created_at or utc_now())
    permissions = str(channel_permissions(guild, invoker, channel))
    return {
        "version": 1,
        "type": 2,
        "id": str(iid),
        "token": interaction_token(iid),
        "application_id": str(application_id),
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": list(guild.features)},
        "channel_id": str(channel.id),
        "channel": channel.payload(guild.id) | {"permissions": permissions},
        "member": invoker.payload() | {"permissions": permissions},
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str(channel_permissions(guild, bot, channel)),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": 10_485_760,
        "data": data,
    }
