"""The ``/spamguard`` slash command group, library-neutral: what every library's commands
share.

- The subcommands as data (:data:`SUBCOMMANDS`): name, description, the one option, and
  the :class:`~spamguard.moderation.operations.Moderation` operation that answers. Each
  library declares the group its own way from this table.
- The refusal (:func:`refusal`): outside a server, or a member without Manage Server or
  Administrator, read from the permission bits Discord sends with the interaction.
  Discord's ``default_member_permissions`` hides the group from such members, but a
  server may open it to anyone in its integration settings.
- The answer (:func:`answer`) to one :class:`Invocation`, and how it goes out in time
  (:func:`reply`): deferred first when the operation takes longer than
  :data:`DEFER_AFTER` (Discord drops an interaction not answered within three seconds),
  through the library's :class:`Responder`, which sends it ephemerally with no mention
  allowed.

Nothing here imports a Discord library.
"""

from __future__ import annotations

__all__ = (
    "ADMINISTRATOR",
    "COMMAND",
    "COMMAND_DESCRIPTION",
    "DEFER_AFTER",
    "DRY_RUN_CHOICES",
    "MANAGE_GUILD",
    "SUBCOMMANDS",
    "Invocation",
    "Option",
    "OptionKind",
    "Refusal",
    "Responder",
    "Subcommand",
    "answer",
    "moderation_of",
    "refusal",
    "reply",
)

import asyncio
import dataclasses
import enum
import logging
import typing
import weakref

from spamguard.moderation.answers import Answer
from spamguard.moderation.operations import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

    from spamguard.adapters.runtime import Protection

_LOGGER = logging.getLogger("spamguard.moderation.commands")

COMMAND: typing.Final = "spamguard"
"""The group's name: ``/spamguard <subcommand>``."""
COMMAND_DESCRIPTION: typing.Final = "Look at and steer spamguard in this server"
"""The group's description, as Discord shows it."""
MANAGE_GUILD: typing.Final = 1 << 5
"""Discord's Manage Server permission bit: the group's ``default_member_permissions``."""
ADMINISTRATOR: typing.Final = 1 << 3
"""Discord's Administrator permission bit (an administrator may always use the group)."""
DEFER_AFTER: typing.Final = 2.0
"""Seconds an operation may take before its answer is deferred; the answer then fills the
deferred message in."""


class OptionKind(enum.Enum):
    """The type of a subcommand's option (Discord's application command option types)."""

    STRING = 3
    INTEGER = 4
    USER = 6


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """The one (required) option a subcommand takes."""

    name: str
    """The option's name."""
    description: str
    """What Discord shows under it."""
    kind: OptionKind
    """Its type; a USER option's value reaches the operation as the user's id."""
    choices: tuple[str, ...] = ()
    """The only values Discord offers (a string option), or none."""
    min_value: int | None = None
    """The least value of an integer option."""


_Operation = typing.Callable[[Moderation, int, int, typing.Any], "Awaitable[Answer]"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Subcommand:
    """One ``/spamguard`` subcommand: what Discord shows and which operation answers."""

    name: str
    """The subcommand's name."""
    description: str
    """What Discord shows beside it."""
    option: Option | None
    """Its one option, if it takes one."""
    operation: _Operation
    """``(moderation, guild id, moderator id, option value) -> Answer``."""


DRY_RUN_CHOICES: typing.Final[Mapping[str, bool | None]] = {
    "on": True,
    "off": False,
    "policy": None,
}
"""``/spamguard dryrun on:`` choices and what :meth:`Moderation.set_dry_run` gets."""


async def _set_dry_run(
    moderation: Moderation, guild_id: int, moderator_id: int, choice: str
) -> Answer:
    if choice.lower() not in DRY_RUN_CHOICES:
        shown = ", ".join(DRY_RUN_CHOICES)
        return Answer(ok=False, text=f"{choice!r} is not a choice of `dryrun`: {shown}.")
    on = DRY_RUN_CHOICES[choice.lower()]
    return await moderation.set_dry_run(guild_id, on, moderator_id=moderator_id)


def _member(description: str) -> Option:
    return Option(name="member", description=description, kind=OptionKind.USER)


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
        option=Option(
            name="message", description="The message's link or id", kind=OptionKind.STRING
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
        option=Option(
            name="number", description="The case number", kind=OptionKind.INTEGER, min_value=1
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
        option=Option(
            name="on",
            description="on: decide without acting; off: act; policy: as the policy says",
            kind=OptionKind.STRING,
            choices=tuple(DRY_RUN_CHOICES),
        ),
        operation=lambda m, guild, mod, value: _set_dry_run(m, guild, mod, str(value)),
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


class Refusal(enum.Enum):
    """Why an invocation was answered without running its operation (the text sent)."""

    NOT_IN_GUILD = "/spamguard works in a server only."
    NOT_ALLOWED = "You need the Manage Server permission (or Administrator) to use /spamguard."
    NOT_RUNNING = "spamguard is not running for this bot yet: try again in a moment."
    FAILED = "That did not work: spamguard logged what went wrong."


def refusal(guild_id: int | None, permissions: int | None) -> Refusal | None:
    """Why a member may not use the group, or None. ``permissions`` are the member's in
    the channel as Discord sends them with the interaction (an owner's and an
    administrator's hold every bit)."""
    if guild_id is None or permissions is None:
        return Refusal.NOT_IN_GUILD
    if not permissions & (MANAGE_GUILD | ADMINISTRATOR):
        return Refusal.NOT_ALLOWED
    return None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    """One ``/spamguard <subcommand>`` as a library received it."""

    subcommand: str
    """The subcommand's name."""
    guild_id: int | None
    """Where it was used (None: a DM)."""
    moderator_id: int
    """Who used it."""
    permissions: int | None
    """Their permissions in the channel, as Discord sent them (None outside a server)."""
    value: str | int | None = None
    """The subcommand's option value (a user option's: the user's id)."""


# One Moderation per protection, whichever library's commands ask.
_MODERATIONS: weakref.WeakKeyDictionary[Protection, Moderation] = weakref.WeakKeyDictionary()


def moderation_of(protection: Protection) -> Moderation:
    """The :class:`Moderation` of ``protection`` (made once)."""
    moderation = _MODERATIONS.get(protection)
    if moderation is None:
        moderation = _MODERATIONS[protection] = Moderation(protection)
    return moderation


async def answer(
    protection: Protection | None, invocation: Invocation, *, not_running: str | None = None
) -> Answer:
    """The answer to ``invocation``: a refusal (outside a server, a member without Manage
    Server or Administrator, no running protection: ``not_running``, by default
    :attr:`Refusal.NOT_RUNNING`'s text), or its operation's. Never raises."""
    refused = refusal(invocation.guild_id, invocation.permissions)
    if refused is not None:
        return Answer(ok=False, text=refused.value)
    if protection is None or protection.detached:
        return Answer(ok=False, text=not_running or Refusal.NOT_RUNNING.value)
    spec = _BY_NAME.get(invocation.subcommand)
    if spec is None or (spec.option is not None and invocation.value is None):
        return Answer(ok=False, text=f"/{COMMAND} {invocation.subcommand}: not understood.")
    assert protection is not None and invocation.guild_id is not None  # refused otherwise
    try:
        return await spec.operation(
            moderation_of(protection),
            invocation.guild_id,
            invocation.moderator_id,
            invocation.value,
        )
    except Exception:
        # The operations answer their own failures: this is a bug, said in the log.
        _LOGGER.exception("/%s %s failed", COMMAND, spec.name)
        return Answer(ok=False, text=Refusal.FAILED.value)


class Responder(typing.Protocol):
    """How one library answers one interaction, ephemerally with no mention allowed."""

    async def defer(self) -> None:
        """Acknowledge now (ephemerally): the answer follows."""

    async def send(self, text: str) -> None:
        """Send the answer (after :meth:`defer`: into the deferred message)."""


async def _quietly(step: Awaitable[None], what: str) -> bool:
    try:
        await step
    except Exception:
        # The interaction expired (not answered in time) or Discord refused: nothing the
        # moderator can be told through it.
        _LOGGER.warning("spamguard could not %s a /%s command", what, COMMAND, exc_info=True)
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
