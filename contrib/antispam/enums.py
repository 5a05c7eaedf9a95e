"""discord-anti-spam's enums: the bot's library, what an ignore list holds, which counter a
reset clears (``antispam.enums``)."""

from __future__ import annotations

__all__ = ("LIBRARY_ADAPTERS", "IgnoreType", "Library", "ResetType", "name_of")

import enum
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping


class Library(enum.Enum):
    """The library the bot is written with (discord-anti-spam 1.x's enum, same values).

    It chooses the spamguard adapter that reads the bot's messages and carries the plans
    out. ``CUSTOM`` sets none: assign your own library handler to
    ``AntiSpamHandler.lib_handler`` (see :class:`spamguard.contrib.antispam.abc.Lib`) before
    the first ``propagate``. ``PYCORD`` and ``ENHANCED_DPY`` are refused with
    :class:`~spamguard.contrib.antispam.exceptions.UnsupportedAction` (discord-anti-spam 1.9.1
    refuses ``PYCORD`` too).
    """

    DPY = 1
    HIKARI = 2
    ENHANCED_DPY = 4
    DISNAKE = 5
    NEXTCORD = 6
    PYCORD = 7
    CUSTOM = 8


LIBRARY_ADAPTERS: Mapping[Library, frozenset[str]] = {
    Library.DPY: frozenset({"discord", "discordpy"}),
    Library.HIKARI: frozenset({"hikari", "lightbulb"}),
    Library.DISNAKE: frozenset({"disnake"}),
    Library.NEXTCORD: frozenset({"nextcord"}),
}
"""A library -> the names of the spamguard adapters (entry points) that may serve its bots
(a hikari-lightbulb client is a hikari bot)."""


class IgnoreType(enum.Enum):
    """What :meth:`AntiSpamHandler.add_ignored_item` ignores (discord-anti-spam 1.x's enum).

    ``PERM`` is discord-anti-spam 0.x's permission list, kept for 0.x code; 0.x's strings
    ``"member"``, ``"channel"``, ``"guild"``, ``"role"``, ``"perm"`` are accepted too.
    """

    MEMBER = 0
    CHANNEL = 1
    GUILD = 2
    ROLE = 3
    PERM = 4


class ResetType(enum.Enum):
    """Which counter :meth:`AntiSpamHandler.reset_member_count` resets."""

    WARN_COUNTER = 0
    KICK_COUNTER = 1


def name_of(value: object, kind: type[enum.Enum], wrong_type: str) -> str:
    """The lower-case name ``value`` gives: a member of ``kind``, or a string (0.x's names).

    Raises:
        ValueError: ``value`` is neither (with the message ``wrong_type``).
    """
    if isinstance(value, kind):
        return value.name.lower()
    if isinstance(value, str):
        return value.lower()
    raise ValueError(wrong_type)
