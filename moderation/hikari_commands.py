"""The ``/spamguard`` group on hikari, shared by the plain bot's interactions
(:mod:`spamguard.moderation.hikari`) and the lightbulb extension
(:mod:`spamguard.moderation.lightbulb`).

The group itself (subcommands, refusal, answers, deferral) is
:mod:`spamguard.moderation.command_group`'s, the same for every library; here is only what
hikari adds: the subcommands as hikari's command options, an interaction read into an
:class:`~spamguard.moderation.command_group.Invocation`, and how an answer is sent
(:data:`ANSWER_OPTIONS`: ephemeral, flag 64, allowed mentions empty).
"""

from __future__ import annotations

__all__ = ("ANSWER_OPTIONS", "MODERATOR_PERMISSIONS", "answer_interaction", "as_hikari")

import typing

import hikari

from spamguard.moderation import command_group as group

if typing.TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from spamguard.adapters.runtime import Protection
    from spamguard.moderation.answers import Answer

MODERATOR_PERMISSIONS: typing.Final = hikari.Permissions(group.MANAGE_GUILD)
"""The group's ``default_member_permissions``: Manage Server."""

ANSWER_OPTIONS: typing.Final[Mapping[str, typing.Any]] = {
    "flags": hikari.MessageFlag.EPHEMERAL,
    "mentions_everyone": False,
    "user_mentions": False,
    "role_mentions": False,
}
"""How every answer is sent: seen only by the moderator who asked, allowed mentions empty
(hikari sends ``{"parse": []}``)."""


def _option(option: group.Option) -> hikari.CommandOption:
    return hikari.CommandOption(
        type=hikari.OptionType(option.kind.value),
        name=option.name,
        description=option.description,
        is_required=True,
        choices=[hikari.CommandChoice(name=c, value=c) for c in option.choices] or None,
        min_value=option.min_value,
    )


def as_hikari(subcommand: group.Subcommand) -> hikari.CommandOption:
    """``subcommand`` as an option of the group, as hikari registers it."""
    return hikari.CommandOption(
        type=hikari.OptionType.SUB_COMMAND,
        name=subcommand.name,
        description=subcommand.description,
        options=[] if subcommand.option is None else [_option(subcommand.option)],
    )


async def answer_interaction(
    protection: Protection | None,
    interaction: hikari.CommandInteraction,
    subcommand: str,
    options: Sequence[hikari.CommandInteractionOption] | None,
) -> Answer:
    """The answer to ``/spamguard <subcommand>`` with its ``options`` (the subcommand
    option's own), from ``protection`` (None: not running). Never raises."""
    member = interaction.member
    value = next((o.value for o in options or () if o.value is not None), None)
    return await group.answer(
        protection,
        group.Invocation(
            subcommand=subcommand,
            guild_id=None if interaction.guild_id is None else int(interaction.guild_id),
            moderator_id=int(interaction.user.id),
            permissions=None if member is None else int(member.permissions),
            # A user option's value is the user's snowflake: its id.
            value=value if isinstance(value, str) else None if value is None else int(value),
        ),
    )
