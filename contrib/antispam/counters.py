"""discord-anti-spam's member counters, kept by spamguard's guard under its own names."""

from __future__ import annotations

__all__ = ("RESETS", "counter_names")

import typing

from spamguard.contrib.antispam.enums import ResetType, name_of
from spamguard.contrib.antispam.exceptions import LogicError

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

RESETS: Mapping[str, tuple[str, ...]] = {
    # discord-anti-spam counted bans as kicks; spamguard keeps them apart.
    "warn_counter": ("warn_count",),
    "kick_counter": ("kick_count", "ban_count"),
}
"""A discord-anti-spam counter -> the guard's counters it is made of."""


def counter_names(counter: ResetType | str) -> tuple[str, ...]:
    """The guard's counters behind discord-anti-spam's ``counter`` (a ResetType, or 0.x's
    ``"warn_counter"`` / ``"kick_counter"``).

    Raises:
        LogicError: an unknown counter name.
        ValueError: ``counter`` is neither a string nor a ResetType.
    """
    names = RESETS.get(name_of(counter, ResetType, "Expected reset_type of type ResetType"))
    if names is None:
        msg = "Invalid counter argument, please select a valid counter."
        raise LogicError(msg)
    return names
