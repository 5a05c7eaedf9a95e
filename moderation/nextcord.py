"""``/spamguard`` for nextcord: one line adds the moderators' commands.

Load the extension beside spamguard's own; nextcord registers the commands with Discord
when the bot connects, as it does every application command::

    bot.load_extension("spamguard.adapters.nextcord")
    bot.load_extension("spamguard.moderation.nextcord")

The ``SpamGuardCommands`` Cog holds one ``slash_command``, ``/spamguard``, with its
subcommands, ``default_member_permissions`` Manage Server and usable in guilds only
(nextcord 3's ``contexts``, nextcord 2.6's ``dm_permission``); the behaviour is shared
with discord.py and disnake in :mod:`spamguard.moderation.dpy_commands`.
"""

from __future__ import annotations

__all__ = ("COMMANDS", "SpamGuardCommands", "setup")

import typing

# The adapter first: without the library, its ImportError says what to install.
from spamguard.adapters import nextcord as _adapter

# isort: split
import nextcord
from nextcord import SlashOption
from nextcord.ext import commands

from spamguard.moderation import command_group as group
from spamguard.moderation import dpy_commands as shared

COMMANDS: typing.Final = shared.CommandFlavour(
    library=_adapter.FLAVOUR, edit_original="edit_original_message"
)
"""nextcord as the shared commands see it."""

if typing.TYPE_CHECKING:
    Interaction: typing.TypeAlias = nextcord.Interaction[typing.Any]
else:  # what nextcord reads from the annotations when it builds the options
    Interaction = nextcord.Interaction


def _guild_only() -> dict[str, typing.Any]:
    # nextcord 3 names where a command is usable (contexts); 2.6 only knew dm_permission.
    contexts = getattr(nextcord, "InteractionContextType", None)
    return {"contexts": [contexts.guild]} if contexts is not None else {"dm_permission": False}


class SpamGuardCommands(commands.Cog, name="SpamGuardCommands"):
    """The ``/spamguard`` command group; answers go through :class:`~spamguard.moderation.dpy_commands.ModerationCommands`."""

    def __init__(self, bot: typing.Any) -> None:
        self.moderation_commands = shared.ModerationCommands(COMMANDS, bot)

    @nextcord.slash_command(  # type: ignore[untyped-decorator]
        name=group.COMMAND,
        description=group.COMMAND_DESCRIPTION,
        default_member_permissions=nextcord.Permissions(manage_guild=True),
        **_guild_only(),
    )
    async def spamguard(self, interaction: Interaction) -> None:
        """The group itself: Discord only ever invokes its subcommands."""

    @spamguard.subcommand(name="status", description=shared.DESCRIPTIONS["status"])  # type: ignore[untyped-decorator]
    async def status(self, interaction: Interaction) -> None:
        await self.moderation_commands.run(interaction, "status")

    @spamguard.subcommand(name="explain", description=shared.DESCRIPTIONS["explain"])  # type: ignore[untyped-decorator]
    async def explain(
        self,
        interaction: Interaction,
        message: str = SlashOption(description=shared.OPTIONS["explain"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "explain", message)

    @spamguard.subcommand(name="cases", description=shared.DESCRIPTIONS["cases"])  # type: ignore[untyped-decorator]
    async def cases(
        self,
        interaction: Interaction,
        member: nextcord.User = SlashOption(description=shared.OPTIONS["cases"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "cases", member.id)

    @spamguard.subcommand(name="case", description=shared.DESCRIPTIONS["case"])  # type: ignore[untyped-decorator]
    async def case(
        self,
        interaction: Interaction,
        number: int = SlashOption(
            description=shared.OPTIONS["case"].description,
            min_value=shared.OPTIONS["case"].min_value,
        ),
    ) -> None:
        await self.moderation_commands.run(interaction, "case", number)

    @spamguard.subcommand(name="pardon", description=shared.DESCRIPTIONS["pardon"])  # type: ignore[untyped-decorator]
    async def pardon(
        self,
        interaction: Interaction,
        member: nextcord.User = SlashOption(description=shared.OPTIONS["pardon"].description),
    ) -> None:
        await self.moderation_commands.run(interaction, "pardon", member.id)

    @spamguard.subcommand(name="dryrun", description=shared.DESCRIPTIONS["dryrun"])  # type: ignore[untyped-decorator]
    async def dryrun(
        self,
        interaction: Interaction,
        on: str = SlashOption(
            description=shared.OPTIONS["dryrun"].description, choices=list(group.DRY_RUN_CHOICES)
        ),
    ) -> None:
        await self.moderation_commands.run(interaction, "dryrun", on)

    @spamguard.subcommand(name="reload", description=shared.DESCRIPTIONS["reload"])  # type: ignore[untyped-decorator]
    async def reload(self, interaction: Interaction) -> None:
        await self.moderation_commands.run(interaction, "reload")


def setup(bot: typing.Any) -> None:
    """Entry point of ``bot.load_extension("spamguard.moderation.nextcord")``."""
    bot.add_cog(SpamGuardCommands(bot))
