"""The ``/spamguard`` command group on hikari, shared by the plain bot's interactions
(:mod:`spamguard.moderation.hikari`) and the lightbulb extension
(:mod:`spamguard.moderation.lightbulb`).

What both use is here, once: the subcommands as data (:data:`SUBCOMMANDS`: name,
description, option, which :class:`~spamguard.moderation.operations.Moderation` operation
answers), the refusal of a member without Manage Server or Administrator (Discord's
``default_member_permissions`` hides the group from them, but a server may grant it to
anyone in its integration settings), and how an answer is sent: ephemeral (flag 64), with
no mention allowed, deferred first when the operation takes longer than Discord's few
seconds allow (:func:`reply`). Each library module only registers the group its own way
and hands an interaction's subcommand here.
"""

from __future__ import annotations

__all__ = (
    "ANSWER_OPTIONS",
    "DEFER_AFTER",
    "GROUP_DESCRIPTION",
    "GROUP_NAME",
    "MODERATOR_PERMISSIONS",
    "SUBCOMMANDS",
    "OptionSpec",
    "Responder",
    "Subcommand",
    "answer",
    "moderation_of",
    "reply",
)

import asyncio
import dataclasses
import logging
import typing
import weakref

import hikari

from spamguard.moderation.answers import Answer
from spamguard.moderation.operations import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping, Sequence

    from spamguard.adapters.runtime import Protection

_LOGGER = logging.getLogger("spamguard.moderation.hikari")

GROUP_NAME: typing.Final = "spamguard"
"""The slash command group's name: ``/spamguard <subcommand>``."""
GROUP_DESCRIPTION: typing.Final = "Look at and steer spamguard in this server"
"""The group's description, as Discord shows it."""
MODERATOR_PERMISSIONS: typing.Final = hikari.Permissions.MANAGE_GUILD
"""The group's ``default_member_permissions``: visible to members with Manage Server (and
administrators) unless the server changes it."""
_ACCEPTED: typing.Final = hikari.Permissions.MANAGE_GUILD | hikari.Permissions.ADMINISTRATOR

DEFER_AFTER: typing.Final = 2.0
"""Seconds an operation may take before the answer is deferred (Discord drops an
interaction not answered within 3 seconds); the answer then follows as a follow-up (the
deferred message filled in)."""

ANSWER_OPTIONS: typing.Final[Mapping[str, typing.Any]] = {
    "flags": hikari.MessageFlag.EPHEMERAL,
    "mentions_everyone": False,
    "user_mentions": False,
    "role_mentions": False,
}
"""How every answer is sent: seen only by the moderator who asked, allowed mentions empty."""

_NOT_IN_GUILD: typing.Final = "/spamguard works in a server only."
_NOT_ALLOWED: typing.Final = (
    "You need the Manage Server permission (or Administrator) to use /spamguard."
)
_NOT_RUNNING: typing.Final = "spamguard is not running for this bot yet: try again in a moment."
_FAILED: typing.Final = "That did not work: spamguard logged what went wrong."


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class OptionSpec:
    """The one option a subcommand takes."""

    name: str
    """The option's name."""
    description: str
    """What Discord shows under it."""
    type: hikari.OptionType
    """STRING, USER, INTEGER..."""
    choices: tuple[str, ...] = ()
    """The only values Discord offers (a string option), or none."""
    min_value: int | None = None
    """The least value of an integer option."""

    def as_hikari(self) -> hikari.CommandOption:
        """The option as hikari registers it (required)."""
        return hikari.CommandOption(
            type=self.type,
            name=self.name,
            description=self.description,
            is_required=True,
            choices=[hikari.CommandChoice(name=c, value=c) for c in self.choices] or None,
            min_value=self.min_value,
        )


_Operation = typing.Callable[[Moderation, int, int, typing.Any], "Awaitable[Answer]"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Subcommand:
    """One ``/spamguard`` subcommand: what Discord shows and which operation answers."""

    name: str
    """The subcommand's name."""
    description: str
    """What Discord shows beside it."""
    option: OptionSpec | None
    """Its one option, if it takes one."""
    operation: _Operation
    """``(moderation, guild id, moderator id, option value) -> Answer``; a user option's
    value is the user's id."""

    def as_hikari(self) -> hikari.CommandOption:
        """The subcommand as an option of the group, as hikari registers it."""
        return hikari.CommandOption(
            type=hikari.OptionType.SUB_COMMAND,
            name=self.name,
            description=self.description,
            options=[] if self.option is None else [self.option.as_hikari()],
        )


# /spamguard dryrun on: choices and what Moderation.set_dry_run gets (None: the policy's).
_DRY_RUN: typing.Final[Mapping[str, bool | None]] = {"on": True, "off": False, "policy": None}


def _member(description: str) -> OptionSpec:
    return OptionSpec(name="member", description=description, type=hikari.OptionType.USER)


SUBCOMMANDS: typing.Final[tuple[Subcommand, ...]] = (
    Subcommand(
        name="status",
        description="What is enabled here, dry run, raid mode, counts since start",
        option=None,
        operation=lambda m, guild, _mod, _value: m.status(guild),
    ),
    Subcommand(
        name="explain",
        description="Each check's count against its limit for a message, and why it was punished",
        option=OptionSpec(
            name="message",
            description="The message's link or id",
            type=hikari.OptionType.STRING,
        ),
        operation=lambda m, guild, _mod, value: m.explain(guild, str(value)),
    ),
    Subcommand(
        name="cases",
        description="A member's cases, newest first",
        option=_member("Whose cases"),
        operation=lambda m, guild, _mod, value: m.cases(guild, int(value)),
    ),
    Subcommand(
        name="case",
        description="One case, by its number",
        option=OptionSpec(
            name="number",
            description="The case number",
            type=hikari.OptionType.INTEGER,
            min_value=1,
        ),
        operation=lambda m, guild, _mod, value: m.case(guild, int(value)),
    ),
    Subcommand(
        name="pardon",
        description="Reset a member's ladder and counters, and undo the timeout, mute or ban",
        option=_member("Who is pardoned"),
        operation=lambda m, guild, mod, value: m.pardon(guild, int(value), moderator_id=mod),
    ),
    Subcommand(
        name="dryrun",
        description="Turn dry run on or off in this server",
        option=OptionSpec(
            name="on",
            description="on: decide without acting; off: act; policy: as the policy says",
            type=hikari.OptionType.STRING,
            choices=tuple(_DRY_RUN),
        ),
        operation=lambda m, guild, mod, value: m.set_dry_run(
            guild, _DRY_RUN[value], moderator_id=mod
        ),
    ),
    Subcommand(
        name="reload",
        description="Read the policy file again (an invalid one is answered, the old one stays)",
        option=None,
        operation=lambda m, _guild, _mod, _value: m.reload(),
    ),
)
"""The subcommands, in the order Discord lists them."""

_BY_NAME: typing.Final = {subcommand.name: subcommand for subcommand in SUBCOMMANDS}

# One Moderation per protection, whichever command module asks.
_MODERATIONS: weakref.WeakKeyDictionary[Protection, Moderation] = weakref.WeakKeyDictionary()


def moderation_of(protection: Protection) -> Moderation:
    """The :class:`Moderation` of ``protection`` (made once)."""
    moderation = _MODERATIONS.get(protection)
    if moderation is None:
        moderation = _MODERATIONS[protection] = Moderation(protection)
    return moderation


def _refusal(interaction: hikari.CommandInteraction) -> str | None:
    # Discord sends the member's permissions in the channel with the interaction; an
    # administrator's hold every permission.
    if interaction.guild_id is None or interaction.member is None:
        return _NOT_IN_GUILD
    if not interaction.member.permissions & _ACCEPTED:
        return _NOT_ALLOWED
    return None


async def answer(
    protection: Protection | None,
    interaction: hikari.CommandInteraction,
    subcommand: str,
    options: Sequence[hikari.CommandInteractionOption] | None,
) -> Answer:
    """The answer to ``/spamguard <subcommand>`` with its ``options``: a refusal (outside a
    server, a member without Manage Server or Administrator, no protection yet), or the
    operation's answer. Never raises."""
    refusal = _refusal(interaction)
    if refusal is not None:
        return Answer(ok=False, text=refusal)
    spec = _BY_NAME.get(subcommand)
    if spec is None:
        return Answer(ok=False, text=f"/spamguard has no subcommand {subcommand!r}.")
    if protection is None:
        return Answer(ok=False, text=_NOT_RUNNING)
    value = None
    if spec.option is not None:
        value = next((o.value for o in options or () if o.name == spec.option.name), None)
        if value is None:
            return Answer(ok=False, text=f"/spamguard {spec.name} needs {spec.option.name}.")
    assert interaction.guild_id is not None  # _refusal checked it
    try:
        return await spec.operation(
            moderation_of(protection), int(interaction.guild_id), int(interaction.user.id), value
        )
    except Exception:
        _LOGGER.exception("/spamguard %s failed", spec.name)
        return Answer(ok=False, text=_FAILED)


class Responder(typing.Protocol):
    """How one library answers one interaction."""

    async def defer(self) -> None:
        """Acknowledge now (ephemerally), the answer follows."""

    async def send(self, text: str) -> None:
        """Send the answer (after :meth:`defer`: as its follow-up), with
        :data:`ANSWER_OPTIONS`."""


async def _quietly(step: Awaitable[None], what: str) -> bool:
    try:
        await step
    except Exception:
        # The interaction expired (not answered in time) or Discord refused: nothing the
        # moderator can be told through it.
        _LOGGER.warning("spamguard could not %s a /spamguard command", what, exc_info=True)
        return False
    return True


async def reply(
    pending: Awaitable[Answer], responder: Responder, *, defer_after: float = DEFER_AFTER
) -> None:
    """Send ``pending``'s answer through ``responder``, deferred first when it takes more
    than ``defer_after`` seconds (0: always). The operation always runs to its end (a
    pardon is never left half done because the interaction expired); a failure to answer
    is logged, never raised into the bot."""
    task = asyncio.ensure_future(pending)
    done = (await asyncio.wait({task}, timeout=defer_after))[0] if defer_after > 0 else ()
    acknowledged = bool(done) or await _quietly(responder.defer(), "defer")
    text = (await task).text
    if acknowledged:
        await _quietly(responder.send(text), "answer")
