"""``/spamguard`` for disnake: one line adds the moderators' commands.

Load the extension beside spamguard's own; disnake registers the commands with Discord
when the bot connects, as it does every application command::

    bot.load_extension("spamguard.adapters.disnake")
    bot.load_extension("spamguard.moderation.disnake")

The ``SpamGuardCommands`` Cog holds one ``slash_command``, ``/spamguard``, with its
sub-commands, ``default_member_permissions`` Manage Server and usable in guilds only
(``contexts``); the behaviour is shared with discord.py and nextcord in
:mod:`spamguard.moderation.dpy_commands`.
"""

from __future__ import annotations

__all__ = ("COMMANDS", "SpamGuardCommands", "setup")

import typing

# The adapter first: without the library, its ImportError says what to install.
from spamguard.adapters import disnake as _adapter

# isort: split
import disnake
from disnake.ext import commands
from disnake.interactions import ApplicationCommandInteraction

from spamguard.moderation import command_group as group
from spamguard.moderation import dpy_commands as shared

COMMANDS: typing.Final = shared.CommandFlavour(
    library=_adapter.FLAVOUR, edit_original="edit_original_response"
)
"""disnake as the shared commands see it."""

if typing.TYPE_CHECKING:
    Interaction: typing.TypeAlias = ApplicationCommandInteraction[typing.Any]
else:  # what disnake reads from the annotations when it builds the options
    Interaction = ApplicationCommandInteraction


class SpamGuardCommands(commands.Cog, name="SpamGuardCommands"):
    """The ``/spamguard`` command group; answers go through :class:`~spamguard.moderation.dpy_commands.ModerationCommands`."""

    def __init__(self, bot: typing.Any) -> None:
        self.moderation_commands = shared.ModerationCommands(COMMANDS, bot)

    @commands.slash_command(
        name=group.COMMAND,
        description=group.COMMAND_DESCRIPTION,
        default_member_permissions=disnake.Permissions(manage_guild=True),
        contexts=disnake.InteractionContextTypes(guild=True),
    )
    async def spamguard(self, interaction: Interaction) -> None:
        """The group itself: Discord only ever invokes its sub-commands."""

    @spamguard.sub_command(name="status", description=shared.DESCRIPTIONS["status"])
    async def status(self, interaction: Interaction) -> None:
        await self.moderation_commands.run(interaction, "status")

    @spamguard.sub_command(name="explain", description=shared.DESCRIPTIONS["explain"])
    async def explain(
        self,
        interaction: Interaction,
        message: str = commands.Param(description=shared.OPTIONS["explain"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "explain", message)

    @spamguard.sub_command(name="cases", description=shared.DESCRIPTIONS["cases"])
    async def cases(
        self,
        interaction: Interaction,
        member: disnake.User = commands.Param(description=shared.OPTIONS["cases"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "cases", member.id)

    @spamguard.sub_command(name="case", description=shared.DESCRIPTIONS["case"])
    async def case(
        self,
        interaction: Interaction,
        number: int = commands.Param(
            description=shared.OPTIONS["case"].description,
            min_value=shared.OPTIONS["case"].min_value,
        ),
    ) -> None:
        await self.moderation_commands.run(interaction, "case", number)

    @spamguard.sub_command(name="pardon", description=shared.DESCRIPTIONS["pardon"])
    async def pardon(
        self,
        interaction: Interaction,
        member: disnake.User = commands.Param(description=shared.OPTIONS["pardon"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "pardon", member.id)

    @spamguard.sub_command(name="dryrun", description=shared.DESCRIPTIONS["dryrun"])
    async def dryrun(
        self,
        interaction: Interaction,
        on: str = commands.Param(
            description=shared.OPTIONS["dryrun"].description, choices=list(group.DRY_RUN_CHOICES)
        ),
    ) -> None:
        await self.moderation_commands.run(interaction, "dryrun", on)

    @spamguard.sub_command(name="reload", description=shared.DESCRIPTIONS["reload"])
    async def reload(self, interaction: Interaction) -> None:
        await self.moderation_commands.run(interaction, "reload")


def setup(bot: typing.Any) -> None:
    """Entry point of ``bot.load_extension("spamguard.moderation.disnake")``."""
    bot.add_cog(SpamGuardCommands(bot))
