"""What a runtime counts, and the statistics a protection shows."""

from __future__ import annotations

__all__ = ("ProtectionStats", "RuntimeStats", "RuntimeStatsDict")

import dataclasses
import typing


class RuntimeStatsDict(typing.TypedDict):
    """:class:`RuntimeStats` as plain data (:meth:`RuntimeStats.as_dict`)."""

    messages: int
    plans: int
    malformed: int
    errors: int
    not_started: int
    actions_ok: dict[str, int]
    actions_failed: dict[str, int]
    actions_skipped: dict[str, int]
    deletion_batches: int
    deletions_dropped: int
    shards_lost: int
    modlog_posts: int
    modlog_failures: int
    modlog_dropped: int


class ProtectionStats(typing.TypedDict):
    """:attr:`Protection.stats`."""

    guard: dict[str, int]
    """The guard's counters (:meth:`~spamguard.core.Guard.stats`): ``messages``,
    ``incidents``, ``check:<name>``, ``action:<kind>``, ``skipped:<reason>``."""
    runtime: RuntimeStatsDict
    """The runtime's counters."""


@dataclasses.dataclass(slots=True)
class RuntimeStats:
    """Counters of one runtime (what the adapter saw and did)."""

    messages: int = 0
    """Messages handed to the guard."""
    plans: int = 0
    """Plans with something to carry out."""
    malformed: int = 0
    """Events that could not be turned into a message, and parts of one that could not be
    read (a forward's malformed snapshot: the message is checked without it); each
    logged and dropped."""
    errors: int = 0
    """Unexpected errors while handling an event (logged, never raised)."""
    not_started: int = 0
    """Events dropped because the runtime was not started (its store is not open): nothing
    punitive is done before the store holds the state and can keep the undo actions."""
    actions_ok: dict[str, int] = dataclasses.field(default_factory=dict)
    """Successful actions by kind."""
    actions_failed: dict[str, int] = dataclasses.field(default_factory=dict)
    """Failed actions by failure kind."""
    actions_skipped: dict[str, int] = dataclasses.field(default_factory=dict)
    """Actions not sent because their precondition no longer held, by kind (a lockdown's
    lift whose guild a moderator changed)."""
    deletion_batches: int = 0
    """Delete requests sent by the deletion queue, each carrying the gathered ids of one
    channel (a bulk delete, or a single delete for a lone message)."""
    deletions_dropped: int = 0
    """Message ids the deletion queue dropped because a guild had too many pending (each
    logged as a warning)."""
    shards_lost: int = 0
    """Gateway shards of this process that stopped or disconnected (the store let go of
    their guilds each time)."""
    modlog_posts: int = 0
    """Messages posted in log channels (each one group of cases and reports)."""
    modlog_failures: int = 0
    """Log messages that could not be posted (the first failure of a channel is logged as a
    warning; punishing is never affected)."""
    modlog_dropped: int = 0
    """Log entries not posted: their message failed, or their channel refused an earlier
    one and is left alone for a while."""

    def as_dict(self) -> RuntimeStatsDict:
        """Plain data (for logs and dashboards)."""
        return typing.cast("RuntimeStatsDict", dataclasses.asdict(self))
