"""A member's permissions, from hikari's cache, the way Discord computes them (hikari
adapter internals).

hikari has no permission resolver for gateway members: the converter
(:mod:`spamguard.adapters.hikari.convert`) and the executor's refusals read what they need
(owner, administrator, manage-messages in a channel, the top role) from here.
"""

from __future__ import annotations

__all__ = (
    "ALL",
    "base_permissions",
    "channel_permissions",
    "guild_permissions",
    "is_administrator",
    "role_ids_without_everyone",
    "roles",
    "top_role_position",
    "with_overwrites",
)

import typing

import hikari

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ALL: typing.Final = hikari.Permissions.all_permissions()
"""Every permission: what the owner and administrators have."""


def role_ids_without_everyone(member: hikari.Member) -> frozenset[int]:
    """The member's role ids; hikari adds the @everyone role (id == guild id), the core
    never wants it."""
    guild_id = int(member.guild_id)
    return frozenset(int(r) for r in member.role_ids if int(r) != guild_id)


def roles(cache: hikari.api.Cache, guild_id: int, role_ids: Iterable[int]) -> list[hikari.Role]:
    roles = []
    for role_id in {guild_id, *role_ids}:
        role = cache.get_role(role_id)
        if role is not None:
            roles.append(role)
    return roles


def is_administrator(cache: hikari.api.Cache, guild_id: int, role_ids: Iterable[int]) -> bool:
    """Whether one of the roles (or @everyone) grants ADMINISTRATOR."""
    return any(
        role.permissions & hikari.Permissions.ADMINISTRATOR
        for role in roles(cache, guild_id, role_ids)
    )


def guild_permissions(of_roles: Iterable[hikari.Role]) -> hikari.Permissions:
    """@everyone's and every role's permissions (pass both), all of them for an administrator."""
    permissions = hikari.Permissions.NONE
    for role in of_roles:
        permissions |= role.permissions
    if permissions & hikari.Permissions.ADMINISTRATOR:
        return ALL
    return permissions


def base_permissions(
    cache: hikari.api.Cache, guild_id: int, user_id: int, role_ids: Iterable[int]
) -> hikari.Permissions:
    """Guild-wide permissions of a member: @everyone's and every role's, all of them for
    the owner and for administrators."""
    guild = cache.get_guild(guild_id)
    if guild is not None and int(guild.owner_id) == user_id:
        return ALL
    return guild_permissions(roles(cache, guild_id, role_ids))


def _overwrites(
    channel: hikari.GuildChannel | None,
) -> Mapping[hikari.Snowflake, hikari.PermissionOverwrite]:
    overwrites = getattr(channel, "permission_overwrites", None)
    return overwrites if overwrites is not None else {}


def channel_permissions(
    cache: hikari.api.Cache,
    guild_id: int,
    user_id: int,
    role_ids: Iterable[int],
    channel: hikari.GuildChannel | None,
) -> hikari.Permissions:
    """A member's permissions in ``channel`` (for a thread, pass its parent): the base
    permissions with @everyone's, the roles' and the member's overwrites applied in
    Discord's order."""
    role_ids = frozenset(role_ids)
    base = base_permissions(cache, guild_id, user_id, role_ids)
    return with_overwrites(base, guild_id, user_id, role_ids, channel)


def with_overwrites(
    permissions: hikari.Permissions,
    guild_id: int,
    user_id: int,
    role_ids: frozenset[int],
    channel: hikari.GuildChannel | None,
) -> hikari.Permissions:
    """The member's ``permissions`` (base) in ``channel``, after its overwrites."""
    if permissions == ALL:
        return permissions
    overwrites = _overwrites(channel)
    everyone = overwrites.get(hikari.Snowflake(guild_id))
    if everyone is not None:
        permissions = (permissions & ~everyone.deny) | everyone.allow
    allow = deny = hikari.Permissions.NONE
    for overwrite in overwrites.values():
        if overwrite.type == hikari.PermissionOverwriteType.ROLE and int(overwrite.id) in role_ids:
            allow |= overwrite.allow
            deny |= overwrite.deny
    permissions = (permissions & ~deny) | allow
    own = overwrites.get(hikari.Snowflake(user_id))
    if own is not None and own.type == hikari.PermissionOverwriteType.MEMBER:
        permissions = (permissions & ~own.deny) | own.allow
    return permissions


def top_role_position(cache: hikari.api.Cache, guild_id: int, role_ids: Iterable[int]) -> int:
    """Position of the member's highest role (0: only @everyone)."""
    return max((role.position for role in roles(cache, guild_id, role_ids)), default=0)
