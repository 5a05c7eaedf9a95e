"""The ``/spamguard`` slash command group for hikari-lightbulb 3, as an extension.

::

    client = lightbulb.client_from_app(bot)
    await client.load_extensions("spamguard.adapters.lightbulb", "spamguard.moderation.lightbulb")

The loader adds one command group, ``/spamguard``, registered where lightbulb registers
commands (the client's ``default_enabled_guilds``, else globally, usable in servers only)
with ``default_member_permissions`` Manage Server. Each subcommand checks the member again
(Manage Server or Administrator) and answers ephemerally with no mention allowed.

The commands act on the protection of :mod:`spamguard.adapters.lightbulb`'s extension, or
on a :class:`~spamguard.adapters.runtime.Protection` registered in lightbulb's dependency
injection (after ``spamguard.adapters.lightbulb.attach(client)``:
``registry.register_value(Protection, protection)``). The subcommands and their answers are
:mod:`spamguard.moderation.command_group`'s (every library's), as hikari reads them
(:mod:`spamguard.moderation.hikari_commands`, shared with the plain bot's
:mod:`spamguard.moderation.hikari`).
"""

from __future__ import annotations

__all__ = ("group", "loader")

try:
    import lightbulb
except ImportError as exc:  # pragma: no cover - the adapter says the same
    _msg = (
        "spamguard's lightbulb commands need hikari-lightbulb: pip install 'spamguard[lightbulb]'"
    )
    raise ImportError(_msg) from exc

import types
import typing

import hikari

from spamguard.adapters.hikari.lightbulb_state import protection_for
from spamguard.adapters.runtime import Protection
from spamguard.moderation import command_group
from spamguard.moderation import hikari_commands as commands

if typing.TYPE_CHECKING:
    from spamguard.moderation.command_group import Option, Subcommand


class _ContextResponder:
    """Answers through lightbulb's context, so lightbulb knows the interaction answered."""

    __slots__ = ("_context",)

    def __init__(self, context: lightbulb.Context) -> None:
        self._context = context

    async def defer(self) -> None:
        await self._context.defer(ephemeral=True)

    async def send(self, text: str) -> None:
        # After defer() lightbulb's respond() sends the follow-up.
        await self._context.respond(text, **commands.ANSWER_OPTIONS)


_OPTION_FACTORIES: typing.Final[
    dict[command_group.OptionKind, typing.Callable[..., typing.Any]]
] = {
    command_group.OptionKind.STRING: lightbulb.string,
    command_group.OptionKind.INTEGER: lightbulb.integer,
    command_group.OptionKind.USER: lightbulb.user,
}


def _option(spec: Option) -> typing.Any:
    extra: dict[str, typing.Any] = {}
    if spec.choices:
        extra["choices"] = [lightbulb.Choice(choice, choice) for choice in spec.choices]
    if spec.min_value is not None:
        extra["min_value"] = spec.min_value
    return _OPTION_FACTORIES[spec.kind](spec.name, spec.description, **extra)


def _command(subcommand: Subcommand) -> type[lightbulb.SlashCommand]:
    """A lightbulb command class for ``subcommand``: its option declared, its invoke handing
    the interaction to the shared answer."""

    @lightbulb.invoke
    async def invoke(
        self: lightbulb.SlashCommand,
        ctx: lightbulb.Context,
        protection: Protection | None = lightbulb.di.INJECTED,
    ) -> None:
        found = protection if isinstance(protection, Protection) else protection_for(ctx.client)
        await command_group.reply(
            commands.answer_interaction(found, ctx.interaction, subcommand.name, ctx.options),
            _ContextResponder(ctx),
        )

    def body(namespace: dict[str, typing.Any]) -> None:
        namespace["invoke"] = invoke
        if subcommand.option is not None:
            namespace[subcommand.option.name] = _option(subcommand.option)

    return typing.cast(
        "type[lightbulb.SlashCommand]",
        types.new_class(
            f"SpamguardCommand_{subcommand.name}",
            (lightbulb.SlashCommand,),
            {"name": subcommand.name, "description": subcommand.description},
            body,
        ),
    )


group = lightbulb.Group(
    command_group.COMMAND,
    command_group.COMMAND_DESCRIPTION,
    default_member_permissions=commands.MODERATOR_PERMISSIONS,
    contexts=[hikari.ApplicationContextType.GUILD],
)
"""The ``/spamguard`` group (one lightbulb command class per subcommand)."""
for _subcommand in command_group.SUBCOMMANDS:
    group.register(_command(_subcommand))

loader = lightbulb.Loader()
"""The extension's loader (found by ``client.load_extensions``)."""
loader.command(group)
