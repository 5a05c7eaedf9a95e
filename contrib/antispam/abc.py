"""1.9.1's ``antispam.abc``: ``Lib`` (a library handler, for ``Library.CUSTOM``) and
``Cache`` (where plugins' records live).

In spamguard a library handler is what every adapter lends: ``convert(message)`` (the
library's message as a :class:`~spamguard.core.messages.MessageLike`) and
``async carry_out(plan)``. 1.9.1's ``Lib`` had ~30 methods doing the moderation itself;
spamguard's core decides and the handler only needs these two.
"""

from __future__ import annotations

__all__ = ("Cache", "Lib")

import typing

from spamguard.contrib.antispam.exceptions import GuildNotFound, MemberNotFound
from spamguard.core.bridge import CompatBridge

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from spamguard.contrib.antispam.dataclasses import Guild, Member, Message


class Lib(CompatBridge, typing.Protocol):
    """A library handler: assign one to ``handler.lib_handler`` with ``Library.CUSTOM``."""


class Cache:
    """Records of guilds and members by id (1.9.1's cache interface, in memory).

    spamguard keeps its decisions' state in the guard (snapshots and stores); these records
    hold what plugins store through :class:`~spamguard.contrib.antispam.PluginCache`.
    """

    def __init__(self, handler: object = None) -> None:
        self.handler = handler
        self.guilds: dict[int, Guild] = {}

    async def initialize(self, *args: object, **kwargs: object) -> None:
        """Nothing to set up in memory."""

    async def get_guild(self, guild_id: int) -> Guild:
        """The guild's record.

        Raises:
            GuildNotFound: no record.
        """
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise GuildNotFound from None

    async def set_guild(self, guild: Guild) -> None:
        """Store (or replace) a guild's record."""
        self.guilds[guild.id] = guild

    async def delete_guild(self, guild_id: int) -> None:
        """Forget a guild's record (silently ignores unknown guilds)."""
        self.guilds.pop(guild_id, None)

    async def get_member(self, member_id: int, guild_id: int) -> Member:
        """The member's record.

        Raises:
            GuildNotFound: no record of the guild.
            MemberNotFound: no record of the member.
        """
        guild = await self.get_guild(guild_id)
        try:
            return guild.members[member_id]
        except KeyError:
            raise MemberNotFound from None

    async def set_member(self, member: Member) -> None:
        """Store a member's record (creating the guild's)."""
        from spamguard.contrib.antispam.dataclasses import Guild

        guild = self.guilds.setdefault(member.guild_id, Guild(id=member.guild_id))
        guild.members[member.id] = member

    async def delete_member(self, member_id: int, guild_id: int) -> None:
        """Forget a member's record (silently ignores unknown ones)."""
        guild = self.guilds.get(guild_id)
        if guild is not None:
            guild.members.pop(member_id, None)

    async def add_message(self, message: Message) -> None:
        """Add a message to its author's record (creating it)."""
        from spamguard.contrib.antispam.dataclasses import Member

        try:
            member = await self.get_member(message.author_id, message.guild_id)
        except (GuildNotFound, MemberNotFound):
            member = Member(id=message.author_id, guild_id=message.guild_id)
            await self.set_member(member)
        member.messages.append(message)

    async def get_all_guilds(self) -> AsyncIterator[Guild]:
        """Every guild record."""
        for guild in tuple(self.guilds.values()):
            yield guild

    async def get_all_members(self, guild_id: int) -> AsyncIterator[Member]:
        """Every member record of a guild.

        Raises:
            GuildNotFound: no record of the guild.
        """
        guild = await self.get_guild(guild_id)
        for member in tuple(guild.members.values()):
            yield member

    async def drop(self) -> None:
        """Forget every record."""
        self.guilds.clear()
