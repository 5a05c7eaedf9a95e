"""Raid mode per guild, as the join raid reports show it: what ``status`` says of raids."""

from __future__ import annotations

__all__ = ("RaidWatch", "watch_raids")

import dataclasses
import typing

from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core.engine import Guard
    from spamguard.core.outcomes import ActionOutcome

_NAME: typing.Final = "spamguard.moderation.raid_watch"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RaidMode:
    """A guild's raid mode as last reported."""

    on: bool
    """Raid mode started and has not ended since."""
    at: datetime.datetime
    """When it started (or ended)."""


class RaidWatch:
    """A plugin that follows the join raid extension's reports (``join_raid`` actions with
    ``started``, carried out without a request) through ``spamguard_report_outcome``."""

    name = _NAME

    def __init__(self) -> None:
        self.modes: dict[int, RaidMode] = {}
        """Guild id -> its raid mode as last reported."""

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        action = outcome.action
        if action.kind != "join_raid" or outcome.dry_run or not outcome.ok:
            return
        started = getattr(action, "started", None)
        at = getattr(action, "at", None)
        guild_id = outcome.guild_id
        if isinstance(started, bool) and at is not None and guild_id is not None:
            self.modes[guild_id] = RaidMode(on=started, at=at)


def watch_raids(guard: Guard) -> RaidWatch:
    """The guard's :class:`RaidWatch`, registered on first use."""
    found = guard.plugin_manager.get_plugin(_NAME)
    if isinstance(found, RaidWatch):
        return found
    watch = RaidWatch()
    guard.register_plugin(watch, name=_NAME)
    return watch
