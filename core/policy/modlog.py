"""The moderators' log channel of a guild (the policy's ``modlog:`` section), as a value.

The adapters' runtime (:mod:`spamguard.adapters.runtime.modlog`) reads it to post each
case, the punishments that failed, the scheduled undos that ran, a join raid's start and
end and the AutoMod executions that count, gathered per guild into one message every
:attr:`ModLog.group_seconds`.
"""

from __future__ import annotations

__all__ = ("MAX_GROUP_SECONDS", "ModLog")

import dataclasses

MAX_GROUP_SECONDS = 60.0
"""The longest a log message may wait to gather what happens after its first line."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ModLog:
    """Where and what spamguard posts for moderators in one guild."""

    channel_id: int
    """The log channel: a text channel of the same guild the bot can post in."""
    group_seconds: float = 3.0
    """Seconds a log message gathers what happens in the guild after its first line: a
    flood or a raid becomes one message, not one per incident."""
    excerpts: int = 3
    """Offending messages quoted per case (0: none)."""
    excerpt_length: int = 200
    """Characters kept of each quoted message."""
    undos: bool = True
    """Post the scheduled undos (timeout end, unban, mute role removal) when they run."""
    raids: bool = True
    """Post a join raid's start and end."""
    automod_executions: bool = True
    """Post Discord AutoMod's executions that count on the ladder
    (``automod_executions_count``)."""
    dry_run: bool = True
    """Post the cases decided in dry run too, marked as such."""
