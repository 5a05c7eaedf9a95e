"""``PluginCache``: where a plugin stores its data per member and per guild (1.9.1)."""

from __future__ import annotations

__all__ = ("PluginCache",)

import typing

from spamguard.contrib.antispam.dataclasses import Guild, Member
from spamguard.contrib.antispam.exceptions import (
    GuildAddonNotFound,
    GuildNotFound,
    MemberAddonNotFound,
    MemberNotFound,
)

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.handler import AntiSpamHandler


class PluginCache:
    """A plugin's own data, kept in the handler's cache under the plugin's class name.

    Args:
        handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
        caller: the plugin (``self``); its class name is the key.
    """

    def __init__(self, handler: AntiSpamHandler, caller: object) -> None:
        self.handler = handler
        self.cache = handler.cache
        self.key = type(caller).__name__

    async def get_member_data(self, member_id: int, guild_id: int) -> typing.Any:
        """The data stored on a member.

        Raises:
            GuildNotFound: no record of the guild.
            MemberNotFound: no record of the member.
            MemberAddonNotFound: nothing stored by this plugin on the member.
        """
        member = await self.cache.get_member(member_id, guild_id)
        try:
            return member.addons[self.key]
        except KeyError:
            raise MemberAddonNotFound from None

    async def set_member_data(self, member_id: int, guild_id: int, addon_data: typing.Any) -> None:
        """Store data on a member (creating the records as needed)."""
        try:
            member = await self.cache.get_member(member_id, guild_id)
        except (GuildNotFound, MemberNotFound):
            member = Member(id=member_id, guild_id=guild_id)
        member.addons[self.key] = addon_data
        await self.cache.set_member(member)

    async def get_guild_data(self, guild_id: int) -> typing.Any:
        """The data stored on a guild.

        Raises:
            GuildNotFound: no record of the guild.
            GuildAddonNotFound: nothing stored by this plugin on the guild.
        """
        guild = await self.cache.get_guild(guild_id)
        try:
            return guild.addons[self.key]
        except KeyError:
            raise GuildAddonNotFound from None

    async def set_guild_data(self, guild_id: int, addon_data: typing.Any) -> None:
        """Store data on a guild (creating its record as needed)."""
        try:
            guild = await self.cache.get_guild(guild_id)
        except GuildNotFound:
            guild = Guild(id=guild_id, options=self.handler.options)
        guild.addons[self.key] = addon_data
        await self.cache.set_guild(guild)
