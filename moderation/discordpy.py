"""``/spamguard`` for discord.py: one line adds the moderators' commands.

Load the extension beside spamguard's own, then sync the command tree as for any
application command::

    await bot.load_extension("spamguard.adapters.discordpy")
    await bot.load_extension("spamguard.moderation.discordpy")
    await bot.tree.sync()

The ``SpamGuardCommands`` Cog adds one ``app_commands.Group``, ``/spamguard``, with
``default_member_permissions`` Manage Server and usable in guilds only; the behaviour is
shared with nextcord and disnake in :mod:`spamguard.moderation.dpy_commands`.
"""

from __future__ import annotations

__all__ = ("COMMANDS", "SpamGuardCommands", "setup")

import typing

# The adapter first: without the library, its ImportError says what to install.
from spamguard.adapters import discordpy as _adapter

# isort: split
import discord
from discord import app_commands
from discord.ext import commands

from spamguard.moderation import command_group as group
from spamguard.moderation import dpy_commands as shared

COMMANDS: typing.Final = shared.CommandFlavour(
    library=_adapter.FLAVOUR, edit_original="edit_original_response"
)
"""discord.py as the shared commands see it."""

DryRun = typing.Literal["on", "off", "policy"]


class SpamGuardCommands(commands.Cog, name="SpamGuardCommands"):
    """The ``/spamguard`` command group; answers go through :class:`~spamguard.moderation.dpy_commands.ModerationCommands`."""

    spamguard = app_commands.Group(
        name=group.COMMAND,
        description=group.COMMAND_DESCRIPTION,
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.moderation_commands = shared.ModerationCommands(COMMANDS, bot)

    @spamguard.command(name="status", description=shared.DESCRIPTIONS["status"])
    async def status(self, interaction: discord.Interaction) -> None:
        await self.moderation_commands.run(interaction, "status")

    @spamguard.command(name="explain", description=shared.DESCRIPTIONS["explain"])
    @app_commands.describe(message=shared.OPTIONS["explain"].description)
    async def explain(self, interaction: discord.Interaction, message: str) -> None:
        await self.moderation_commands.run(interaction, "explain", message)

    @spamguard.command(name="cases", description=shared.DESCRIPTIONS["cases"])
    @app_commands.describe(member=shared.OPTIONS["cases"].description)
    async def cases(self, interaction: discord.Interaction, member: discord.User) -> None:
        await self.moderation_commands.run(interaction, "cases", member.id)

    @spamguard.command(name="case", description=shared.DESCRIPTIONS["case"])
    @app_commands.describe(number=shared.OPTIONS["case"].description)
    async def case(
        self, interaction: discord.Interaction, number: app_commands.Range[int, 1]
    ) -> None:
        await self.moderation_commands.run(interaction, "case", number)

    @spamguard.command(name="pardon", description=shared.DESCRIPTIONS["pardon"])
    @app_commands.describe(member=shared.OPTIONS["pardon"].description)
    async def pardon(self, interaction: discord.Interaction, member: discord.User) -> None:
        await self.moderation_commands.run(interaction, "pardon", member.id)

    @spamguard.command(name="dryrun", description=shared.DESCRIPTIONS["dryrun"])
    @app_commands.describe(on=shared.OPTIONS["dryrun"].description)
    async def dryrun(self, interaction: discord.Interaction, on: DryRun) -> None:
        await self.moderation_commands.run(interaction, "dryrun", on)

    @spamguard.command(name="reload", description=shared.DESCRIPTIONS["reload"])
    async def reload(self, interaction: discord.Interaction) -> None:
        await self.moderation_commands.run(interaction, "reload")


async def setup(bot: commands.Bot) -> None:
    """Entry point of ``await bot.load_extension("spamguard.moderation.discordpy")``."""
    await bot.add_cog(SpamGuardCommands(bot))
