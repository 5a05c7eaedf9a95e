"""discord-anti-spam's enums: what an ignore list holds and which counter a reset clears."""

from __future__ import annotations

__all__ = ("IgnoreType", "ResetType", "name_of")

import enum


class IgnoreType(enum.Enum):
    """What :meth:`AntiSpamHandler.add_ignored_item` ignores (discord-anti-spam 1.x's enum;
    0.x's strings ``"member"``, ``"channel"``, ``"guild"``, ``"role"``, ``"perm"`` work too)."""

    MEMBER = 0
    CHANNEL = 1
    GUILD = 2
    ROLE = 3
    PERM = 4


class ResetType(enum.Enum):
    """Which counter :meth:`AntiSpamHandler.reset_user_count` resets (0.x's strings
    ``"warn_counter"`` and ``"kick_counter"`` work too)."""

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
