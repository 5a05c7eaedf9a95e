"""The ``/spamguard`` slash commands of the discord.py family, shared by
:mod:`spamguard.moderation.discordpy`, :mod:`spamguard.moderation.nextcord` and
:mod:`spamguard.moderation.disnake`.

Each library declares the command group its own way (discord.py's
``app_commands.Group``, nextcord's ``slash_command`` + ``subcommand``, disnake's
``slash_command`` + ``sub_command``), with the names and descriptions of
:data:`SUBCOMMANDS` and :data:`OPTIONS`, and hands every invocation to one
:class:`ModerationCommands`. That object does the rest the same way for the three:
refuse outside a guild and a member without Manage Server or Administrator (our own
check, beside Discord's ``default_member_permissions``), find the bot's protection
(spamguard's ``SpamGuard`` Cog), run the :class:`~spamguard.moderation.Moderation`
operation and send ``answer.text`` ephemerally with allowed mentions empty.

An operation that takes longer than :attr:`ModerationCommands.answer_within` seconds
(a pardon's REST calls, a slow store) is deferred first, ephemerally, and its answer
edits the deferred response, so Discord's three seconds to answer are always kept.
Nothing raises into the bot: a failure to answer is logged.
"""

from __future__ import annotations

__all__ = (
    "COMMAND",
    "DRY_RUN_CHOICES",
    "OPTIONS",
    "SUBCOMMANDS",
    "CommandFlavour",
    "ModerationCommands",
    "Refusal",
)

import asyncio
import dataclasses
import enum
import logging
import typing

from spamguard.adapters.dpy.cog import COG_NAME
from spamguard.moderation.answers import Answer
from spamguard.moderation.operations import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.adapters.runtime import Protection

_LOGGER = logging.getLogger("spamguard.moderation.commands")

COMMAND: typing.Final = "spamguard"
"""The command group's name: ``/spamguard <subcommand>``."""

COMMAND_DESCRIPTION: typing.Final = "Look at and steer spamguard in this server"
"""The group's description, shown in Discord's command picker."""

# The texts are hikari's (spamguard.moderation.hikari_commands), so moderators see the
# same command whichever library their bot runs.
SUBCOMMANDS: typing.Final[Mapping[str, str]] = {
    "status": "What is enabled here, dry run, raid mode, counts since start",
    "explain": "Each check's count against its limit for a message, and why it was punished",
    "cases": "A member's cases, newest first",
    "case": "One case, by its number",
    "pardon": "Reset a member's ladder and counters, and undo the timeout, mute or ban",
    "dryrun": "Turn dry run on or off in this server",
    "reload": "Read the policy file again (an invalid one is answered, the old one stays)",
}
"""Each subcommand's name and description, in the order Discord lists them."""

OPTIONS: typing.Final[Mapping[str, str]] = {
    "explain": "The message's link or id",
    "cases": "Whose cases",
    "case": "The case number",
    "pardon": "Who is pardoned",
    "dryrun": "on: decide without acting; off: act; policy: as the policy says",
}
"""The description of each subcommand's one option (``explain message``, ``cases
member``, ``case number``, ``pardon member``, ``dryrun on``), by subcommand."""

DRY_RUN_CHOICES: typing.Final[Mapping[str, bool | None]] = {
    "on": True,
    "off": False,
    "policy": None,
}
"""``/spamguard dryrun on:`` choices and what :meth:`Moderation.set_dry_run` gets."""


class Refusal(enum.Enum):
    """Why a command was answered without running its operation."""

    NOT_IN_GUILD = "/spamguard works in a server only."
    NOT_ALLOWED = "You need the Manage Server permission (or Administrator) to use /spamguard."
    NOT_PROTECTED = (
        "spamguard is not protecting this bot: load its extension first "
        "(`spamguard.adapters.{adapter}`)."
    )
    FAILED = "That did not work: spamguard logged what went wrong."


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CommandFlavour:
    """What the commands need of one library beside its :class:`Flavour`."""

    library: Flavour
    """The adapter's flavour: the library's module (``AllowedMentions``,
    ``HTTPException``), its name and spamguard's adapter module."""
    edit_original: str
    """The ``Interaction`` method that edits the original response
    (``edit_original_response``; nextcord's ``edit_original_message``)."""


async def _no_such_choice(choice: str) -> Answer:
    shown = ", ".join(DRY_RUN_CHOICES)
    return Answer(ok=False, text=f"{choice!r} is not a choice of `dryrun`: {shown}.")


Operation = typing.Callable[[Moderation, int], "Awaitable[Answer]"]
"""An operation run for the guild of the interaction: ``(moderation, guild_id)``."""


class ModerationCommands:
    """The behaviour of ``/spamguard`` on one bot, the same for the three libraries.

    Args:
        flavour: the library's :class:`CommandFlavour`.
        bot: the bot the extension was loaded on.
    """

    answer_within: float = 2.0
    """Seconds an operation may take before the response is deferred (Discord waits
    three seconds for the first response); 0 defers every response first."""

    def __init__(self, flavour: CommandFlavour, bot: typing.Any) -> None:
        self.flavour = flavour
        self.bot = bot
        self._moderation: Moderation | None = None

    # ------------------------------------------------------------------ subcommands

    async def status(self, interaction: typing.Any) -> None:
        """``/spamguard status``."""
        await self.run(interaction, lambda m, guild_id: m.status(guild_id))

    async def explain(self, interaction: typing.Any, message: str) -> None:
        """``/spamguard explain message:<link or id>``."""
        await self.run(interaction, lambda m, guild_id: m.explain(guild_id, message))

    async def cases(self, interaction: typing.Any, member: typing.Any) -> None:
        """``/spamguard cases member:``."""
        await self.run(interaction, lambda m, guild_id: m.cases(guild_id, int(member.id)))

    async def case(self, interaction: typing.Any, number: int) -> None:
        """``/spamguard case number:``."""
        await self.run(interaction, lambda m, guild_id: m.case(guild_id, int(number)))

    async def pardon(self, interaction: typing.Any, member: typing.Any) -> None:
        """``/spamguard pardon member:``."""
        moderator_id = int(interaction.user.id)
        await self.run(
            interaction,
            lambda m, guild_id: m.pardon(guild_id, int(member.id), moderator_id=moderator_id),
        )

    async def dryrun(self, interaction: typing.Any, on: str) -> None:
        """``/spamguard dryrun on:on|off|policy``."""
        moderator_id = int(interaction.user.id)
        choice = str(on).lower()
        if choice not in DRY_RUN_CHOICES:
            await self.run(interaction, lambda m, guild_id: _no_such_choice(choice))
            return
        value = DRY_RUN_CHOICES[choice]
        await self.run(
            interaction,
            lambda m, guild_id: m.set_dry_run(guild_id, value, moderator_id=moderator_id),
        )

    async def reload(self, interaction: typing.Any) -> None:
        """``/spamguard reload``."""
        await self.run(interaction, lambda m, guild_id: m.reload())

    # ------------------------------------------------------------------ plumbing

    def protection(self) -> Protection | None:
        """The bot's protection (spamguard's ``SpamGuard`` Cog), or None."""
        cog = self.bot.get_cog(COG_NAME)
        return None if cog is None else typing.cast("Protection", cog.protection)

    def moderation(self) -> Moderation | None:
        """The operations on the bot's protection (one object per protection)."""
        protection = self.protection()
        if protection is None:
            return None
        if self._moderation is None or self._moderation.protection is not protection:
            self._moderation = Moderation(protection)
        return self._moderation

    def refusal(self, interaction: typing.Any) -> Refusal | None:
        """Why ``interaction`` may not run a command, or None: outside a guild, or a
        member without Manage Server or Administrator in the channel."""
        if interaction.guild_id is None:
            return Refusal.NOT_IN_GUILD
        permissions = interaction.permissions
        if not (permissions.manage_guild or permissions.administrator):
            return Refusal.NOT_ALLOWED
        return None

    async def run(self, interaction: typing.Any, operation: Operation) -> None:
        """Answer ``interaction`` with ``operation``'s answer (or a refusal), ephemerally
        and with allowed mentions empty; never raises."""
        try:
            await self._run(interaction, operation)
        except Exception:
            _LOGGER.exception("/%s could not answer an interaction", COMMAND)

    async def _run(self, interaction: typing.Any, operation: Operation) -> None:
        refusal = self.refusal(interaction)
        moderation = self.moderation() if refusal is None else None
        if refusal is None and moderation is None:
            refusal = Refusal.NOT_PROTECTED
        if refusal is not None or moderation is None:
            text = (refusal or Refusal.FAILED).value.format(adapter=self.flavour.library.adapter)
            await self._send(interaction, Answer(ok=False, text=text))
            return
        task = asyncio.ensure_future(self._answer(moderation, int(interaction.guild_id), operation))
        if self.answer_within > 0:
            done, _ = await asyncio.wait((task,), timeout=self.answer_within)
            if done:
                await self._send(interaction, task.result())
                return
        await interaction.response.defer(ephemeral=True)
        answer = await task
        edit: Callable[..., Awaitable[typing.Any]] = getattr(
            interaction, self.flavour.edit_original
        )
        await edit(content=answer.text, allowed_mentions=self._no_mentions())

    async def _answer(self, moderation: Moderation, guild_id: int, operation: Operation) -> Answer:
        try:
            return await operation(moderation, guild_id)
        except Exception:
            # The operations answer their failures; this is a bug, said in the log.
            _LOGGER.exception("a moderation operation raised")
            return Answer(ok=False, text=Refusal.FAILED.value)

    async def _send(self, interaction: typing.Any, answer: Answer) -> None:
        await interaction.response.send_message(
            answer.text, ephemeral=True, allowed_mentions=self._no_mentions()
        )

    def _no_mentions(self) -> typing.Any:
        return self.flavour.library.module.AllowedMentions.none()
