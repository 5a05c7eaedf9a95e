"""The ``/spamguard`` slash command group for a plain ``hikari.GatewayBot``, in one line.

::

    protection = spamguard.adapters.attach(bot)
    spamguard.moderation.hikari.attach_commands(bot, protection)
    bot.run()

When the bot has started (``StartedEvent``) the group is registered through hikari's REST
client: globally by default, or in the guilds of ``guild_ids=`` only (a guild command is
guild-only by nature). It is created with ``POST``, which Discord treats as "create or
update by name": the bot's other commands stay as they are. ``default_member_permissions``
is Manage Server, so Discord shows the group to members with Manage Server and to
administrators; each answer checks the member again (a server may open the command to
anyone) and is sent ephemerally with no mention allowed. The subcommands and their
answers are :mod:`spamguard.moderation.command_group`'s (every library's); the operations,
:class:`~spamguard.moderation.operations.Moderation`'s.

hikari's create call (2.6, 2.7) cannot send ``contexts``, so a global group is also
offered in the bot's DMs, where it answers that it works in servers only. A bot that
registers its commands in bulk (``rest.set_application_commands``, which replaces every
command) should put :meth:`HikariCommands.builder` in that list (it carries ``contexts``:
servers only) and pass ``register=False``.

With hikari-lightbulb, load the extension :mod:`spamguard.moderation.lightbulb` instead.
"""

from __future__ import annotations

__all__ = ("HikariCommands", "attach_commands")

try:
    import hikari
except ImportError as exc:  # pragma: no cover - the adapter says the same
    _msg = "spamguard's hikari commands need hikari: pip install 'spamguard[hikari]'"
    raise ImportError(_msg) from exc

import logging
import typing

from spamguard.moderation import command_group as group
from spamguard.moderation import hikari_commands as commands

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.adapters.runtime import Protection

_LOGGER = logging.getLogger("spamguard.moderation.hikari")


class _InteractionResponder:
    """Answers one interaction: the initial response, or a deferral and its follow-up."""

    __slots__ = ("_deferred", "_interaction")

    def __init__(self, interaction: hikari.CommandInteraction) -> None:
        self._interaction = interaction
        self._deferred = False

    async def defer(self) -> None:
        await self._interaction.create_initial_response(
            hikari.ResponseType.DEFERRED_MESSAGE_CREATE, flags=hikari.MessageFlag.EPHEMERAL
        )
        self._deferred = True

    async def send(self, text: str) -> None:
        if self._deferred:
            await self._interaction.execute(text, **commands.ANSWER_OPTIONS)
        else:
            await self._interaction.create_initial_response(
                hikari.ResponseType.MESSAGE_CREATE, text, **commands.ANSWER_OPTIONS
            )


class HikariCommands:
    """What :func:`attach_commands` returns: registers ``/spamguard`` when the bot starts
    and answers its interactions; :meth:`detach` stops listening."""

    def __init__(
        self,
        app: hikari.GatewayBotAware,
        protection: Protection,
        *,
        guild_ids: Iterable[int] | None = None,
        defer_after: float = group.DEFER_AFTER,
        register: bool = True,
    ) -> None:
        self.app = app
        """The bot."""
        self.protection = protection
        """The protection the commands look at and steer."""
        self.guild_ids: tuple[int, ...] | None = None if guild_ids is None else tuple(guild_ids)
        """Where the group is registered: None, globally; else in these guilds."""
        self.defer_after = defer_after
        """Seconds an operation may take before its answer is deferred."""
        self.registers = register
        """Whether the group is registered on ``StartedEvent``."""
        self._subscribed = False

    def subscribe(self) -> None:
        """Listen to ``StartedEvent`` (registration) and ``InteractionCreateEvent`` (once)."""
        if self._subscribed:
            return
        self.app.event_manager.subscribe(hikari.StartedEvent, self.on_started)
        self.app.event_manager.subscribe(hikari.InteractionCreateEvent, self.on_interaction)
        self._subscribed = True

    async def detach(self) -> None:
        """Stop listening. The group stays registered at Discord (deleting a command is
        the bot owner's decision); its interactions go unanswered."""
        if not self._subscribed:
            return
        self.app.event_manager.unsubscribe(hikari.StartedEvent, self.on_started)
        self.app.event_manager.unsubscribe(hikari.InteractionCreateEvent, self.on_interaction)
        self._subscribed = False

    def builder(self) -> hikari.api.SlashCommandBuilder:
        """The group as hikari builds it: the subcommands, Manage Server by default, usable
        in servers only (``contexts``, which only a bulk ``set_application_commands`` sends)."""
        builder = self.app.rest.slash_command_builder(group.COMMAND, group.COMMAND_DESCRIPTION)
        builder.set_default_member_permissions(commands.MODERATOR_PERMISSIONS)
        builder.set_context_types([hikari.ApplicationContextType.GUILD])
        for subcommand in group.SUBCOMMANDS:
            builder.add_option(commands.as_hikari(subcommand))
        return builder

    async def register(self) -> bool:
        """Create (or update) the group at Discord; False, logged, when Discord refused
        (e.g. the bot was invited without the ``applications.commands`` scope)."""
        try:
            application = await self.app.rest.fetch_application()
            builder = self.builder()
            for guild in self.guild_ids if self.guild_ids is not None else (None,):
                await builder.create(
                    self.app.rest,
                    application.id,
                    guild=hikari.UNDEFINED if guild is None else guild,
                )
        except hikari.HikariError:
            _LOGGER.warning("spamguard could not register /spamguard", exc_info=True)
            return False
        return True

    async def on_started(self, event: hikari.StartedEvent) -> None:
        """The bot is up: register the group (unless told not to)."""
        if self.registers:
            await self.register()

    async def on_interaction(self, event: hikari.InteractionCreateEvent) -> None:
        """Answer ``/spamguard <subcommand>``; other interactions are not ours."""
        interaction = event.interaction
        if not (
            isinstance(interaction, hikari.CommandInteraction)
            and interaction.command_name == group.COMMAND
            and interaction.command_type == hikari.CommandType.SLASH
            and interaction.options
        ):
            return
        (subcommand, *_) = interaction.options
        await group.reply(
            commands.answer_interaction(
                self.protection, interaction, subcommand.name, subcommand.options
            ),
            _InteractionResponder(interaction),
            defer_after=self.defer_after,
        )


def attach_commands(
    bot: hikari.GatewayBotAware,
    protection: Protection,
    *,
    guild_ids: Iterable[int] | None = None,
    defer_after: float = group.DEFER_AFTER,
    register: bool = True,
) -> HikariCommands:
    """Give ``bot`` the ``/spamguard`` command group over ``protection`` (what
    ``spamguard.adapters.attach(bot)`` returned).

    Call it before the bot starts: the group is registered on ``StartedEvent`` (after the
    start, ``await commands.register()``). ``guild_ids``: register in these guilds only
    (default: globally). ``defer_after``: seconds an operation may take before its answer
    is deferred (Discord waits 3; 0: always deferred). ``register=False``: the bot
    registers the group itself (:meth:`HikariCommands.builder`).
    """
    handle = HikariCommands(
        bot, protection, guild_ids=guild_ids, defer_after=defer_after, register=register
    )
    handle.subscribe()
    return handle
