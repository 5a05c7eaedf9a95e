"""The ``/spamguard`` slash commands of the discord.py family, shared by
:mod:`spamguard.moderation.discordpy`, :mod:`spamguard.moderation.nextcord` and
:mod:`spamguard.moderation.disnake`.

The group itself (subcommands, refusal, answers, deferral) is
:mod:`spamguard.moderation.command_group`'s, the same for every library. Each library
declares the group its own way (discord.py's ``app_commands.Group``, nextcord's
``slash_command`` + ``subcommand``, disnake's ``slash_command`` + ``sub_command``) with
the texts of :data:`DESCRIPTIONS` and :data:`OPTIONS`, and hands every invocation to one
:class:`ModerationCommands`; here is only what the three add: an interaction read into an
:class:`~spamguard.moderation.command_group.Invocation`, the bot's protection found
through spamguard's ``SpamGuard`` Cog (:data:`NOT_PROTECTED` when it is not loaded), and
how an answer is sent: ephemerally with allowed mentions empty, or, after a deferral,
into the deferred response.
"""

from __future__ import annotations

__all__ = ("DESCRIPTIONS", "NOT_PROTECTED", "OPTIONS", "CommandFlavour", "ModerationCommands")

import dataclasses
import logging
import typing

from spamguard.adapters.dpy.cog import COG_NAME
from spamguard.moderation import command_group as group

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.adapters.runtime import Protection

_LOGGER = logging.getLogger("spamguard.moderation.commands")

DESCRIPTIONS: typing.Final[Mapping[str, str]] = {
    subcommand.name: subcommand.description for subcommand in group.SUBCOMMANDS
}
"""Each subcommand's description, by name, in the order Discord lists them."""

OPTIONS: typing.Final[Mapping[str, group.Option]] = {
    subcommand.name: subcommand.option
    for subcommand in group.SUBCOMMANDS
    if subcommand.option is not None
}
"""The one option of each subcommand that takes one (``explain message``, ``cases
member``, ``case number``, ``pardon member``, ``dryrun on``), by subcommand."""

NOT_PROTECTED: typing.Final = (
    "spamguard is not protecting this bot: load its extension first "
    "(`spamguard.adapters.{adapter}`)."
)
"""The answer when spamguard's own extension is not loaded on the bot."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CommandFlavour:
    """What the commands need of one library beside its :class:`Flavour`."""

    library: Flavour
    """The adapter's flavour: the library's module (``AllowedMentions``,
    ``HTTPException``), its name and spamguard's adapter module."""
    edit_original: str
    """The ``Interaction`` method that edits the original response
    (``edit_original_response``; nextcord's ``edit_original_message``)."""


class _InteractionResponder:
    """Answers one interaction: the initial response, or a deferral and its edit."""

    __slots__ = ("_deferred", "_flavour", "_interaction")

    def __init__(self, flavour: CommandFlavour, interaction: typing.Any) -> None:
        self._flavour = flavour
        self._interaction = interaction
        self._deferred = False

    async def defer(self) -> None:
        await self._interaction.response.defer(ephemeral=True)
        self._deferred = True

    async def send(self, text: str) -> None:
        no_mentions = self._flavour.library.module.AllowedMentions.none()
        if self._deferred:
            edit: Callable[..., Awaitable[typing.Any]] = getattr(
                self._interaction, self._flavour.edit_original
            )
            await edit(content=text, allowed_mentions=no_mentions)
        else:
            await self._interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=no_mentions
            )


class ModerationCommands:
    """The behaviour of ``/spamguard`` on one bot, the same for the three libraries.

    Args:
        flavour: the library's :class:`CommandFlavour`.
        bot: the bot the extension was loaded on.
    """

    answer_within: float = group.DEFER_AFTER
    """Seconds an operation may take before the response is deferred (Discord waits
    three seconds for the first response); 0 defers every response first."""

    def __init__(self, flavour: CommandFlavour, bot: typing.Any) -> None:
        self.flavour = flavour
        self.bot = bot

    def protection(self) -> Protection | None:
        """The bot's protection (spamguard's ``SpamGuard`` Cog), or None."""
        cog = self.bot.get_cog(COG_NAME)
        return None if cog is None else typing.cast("Protection", cog.protection)

    async def run(
        self, interaction: typing.Any, subcommand: str, value: str | int | None = None
    ) -> None:
        """Answer ``/spamguard <subcommand>`` with its option's ``value`` (a member
        option's: the member's id) through
        :func:`~spamguard.moderation.command_group.reply`; never raises."""
        try:
            guild_id = interaction.guild_id
            invocation = group.Invocation(
                subcommand=subcommand,
                guild_id=None if guild_id is None else int(guild_id),
                moderator_id=int(interaction.user.id),
                permissions=None if guild_id is None else int(interaction.permissions.value),
                value=value,
            )
            not_running = NOT_PROTECTED.format(adapter=self.flavour.library.adapter)
            await group.reply(
                group.answer(self.protection(), invocation, not_running=not_running),
                _InteractionResponder(self.flavour, interaction),
                defer_after=self.answer_within,
            )
        except Exception:
            _LOGGER.exception("/%s could not answer an interaction", group.COMMAND)
