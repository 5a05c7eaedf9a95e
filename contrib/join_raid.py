"""Join raids: many members joining within seconds, or joiners with near-identical names.

Configured under ``extensions.join_raid`` (``{}`` takes every default)::

    extensions:
      join_raid:
        joins: 10             # members joining within...
        interval: 10          # ...this many seconds put the guild in raid mode
        similar_names:        # also when this many recent joiners are named alike (off: omit)
          members: 3
          accuracy: 90        # rapidfuzz ratio 0-100 on the normalised names
          interval: 60        # how far back a joiner is recent (default: interval)
          min_length: 4       # shorter names never count
        quiet: 300            # raid mode ends after this many seconds without a join
        lockdown:             # Discord's incident actions when raid mode starts (off: omit)
          invites: true       # pause invites...
          dms: false          # ...and DMs between members
          duration: 3600      # seconds, at most 86400 (Discord's limit)
          lift_on_end: true   # lift the pause at the raid's end, unless a moderator changed it
        raid_joiners: TIMEOUT # NONE, TIMEOUT, KICK or BAN
        punishment_duration: 3600  # a TIMEOUT's length, seconds
        enabled: true

How it decides, at each join the guard hands it (``spamguard_check_member_join``: bots and
exempt members never get here, and the guard decides a gateway replay of a join once):

- the join goes into a guild window kept by the guard (the last ``interval`` seconds of
  joins, bounded, snapshotted with the rest of its state); ``joins`` of them within
  ``interval`` seconds, or ``similar_names.members`` recent joiners whose normalised
  username or display name are ``accuracy`` alike, start **raid mode**;
- the plan of the join that starts it holds one :class:`~spamguard.core.actions.SetIncidentActions`
  (with ``lockdown``), a :class:`JoinRaidReport` (``started=True``) and ``raid_joiners``'
  punishment for each member whose join started it, and a ``join_raid`` violation; while
  raid mode lasts, each join's plan punishes that joiner. Every member is punished once;
  members who joined before the raid's first join are never touched;
- raid mode ends ``quiet`` seconds after its last join. The core reads no clock: the
  start's plan sets a :class:`~spamguard.core.events.GuildTimer` (a scheduled item the
  runtime keeps in its store, across restarts) due ``quiet`` after that join; when it falls
  due (``spamguard_guild_timer``) and a later join moved the end, it sets itself again at
  the new end; otherwise its plan holds a :class:`JoinRaidReport` (``started=False``,
  ``at`` the end), a ``join_raid_end`` violation and, with ``lift_on_end`` (the default)
  and spamguard's pause still running, a ``SetIncidentActions`` lifting it
  ``only_if_unchanged``: the adapter looks at the guild's incident actions first and
  leaves them as they are when they are no longer the ones spamguard set (a moderator
  changed them). Where no timer ran (a dry run keeps none; a process died holding it),
  the guild's next join after the end ends raid mode the same way. A raid outlasting
  ``duration`` gets its pause renewed at the first join after the pause ran out.

The raid's state (joins, and the start, last join and pause of the current raid) lives in
windows the guard owns, so a restart, a snapshot or a Redis store keeps it.
"""

from __future__ import annotations

__all__ = ("JoinRaid", "JoinRaidReport", "JoinRaidSettings", "plugin")

import typing
from bisect import bisect_right

from spamguard.contrib.join_raid_actions import (
    at,
    lift,
    ms,
    pause_for,
    punish,
    quiet_timer,
    time_of,
    until_ms,
)
from spamguard.contrib.join_raid_report import JoinRaidReport
from spamguard.contrib.join_raid_settings import NAME, JoinRaidSettings
from spamguard.contrib.settings import SettingsCache
from spamguard.core import actions as act
from spamguard.core.events import GuildTimer
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import ScheduledAction, Violation
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow

if typing.TYPE_CHECKING:
    from spamguard.core.context import JoinContext, TimerContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.events import MemberJoin
    from spamguard.core.policy import GuildPolicy
    from spamguard.core.windows import SumWindow

END = f"{NAME}_end"
"""The check name of the violation reporting a raid's end (``join_raid`` its start)."""
_NAMES = f"{NAME}.names"
_MODE = f"{NAME}.mode"
_MODE_MEMORY = 7 * 86_400.0
"""How long after a raid's start its markers are kept: its end is seen at a join within
``quiet`` plus this."""

# The current raid, as entries of the mode window (all at the raid's start time); the
# newest entry of each marker id is the current raid's. Values are in the amounts.
_START = 1
"""amount 1 while the raid lasts, 0 once its end was seen; channel: joins that started it."""
_LAST = 2
"""amount: the raid's latest join, POSIX milliseconds."""
_PAUSE = 3
"""amount: until when spamguard's pause runs, POSIX milliseconds (0: none)."""

_FRESH = 1
"""A join's amount in the joins window before a raid took it (0: taken, punished)."""


class _Raid(typing.NamedTuple):
    """The current raid read from the mode window."""

    start: float
    """The raid's first join, POSIX seconds."""
    last: int
    """Its latest join, POSIX milliseconds."""
    pause_until: int
    """Until when spamguard's pause runs, POSIX milliseconds (0: none)."""

    def end_ms(self, settings: JoinRaidSettings) -> int:
        """When raid mode ends unless a join comes first: ``quiet`` after its last join."""
        return self.last + ms(settings.quiet)

    @classmethod
    def read(cls, mode: SumWindow) -> _Raid | None:
        start = mode.find(_START)
        if start is None or not start.amount:
            return None
        last = mode.find(_LAST)
        pause = mode.find(_PAUSE)
        return cls(
            start.ts,
            ms(start.ts) if last is None else last.amount,
            0 if pause is None else pause.amount,
        )


class _Trigger(typing.NamedTuple):
    """What started a raid."""

    start: float
    """The raid's first join, POSIX seconds."""
    taken: tuple[int, ...]
    """The joiners whose joins started it and who were not punished yet."""
    reason: str
    limit: int
    """The ``joins`` or ``similar_names.members`` reached."""
    interval: float


def _name_texts(join: MemberJoin, min_length: int) -> tuple[str, ...]:
    texts = {normalise(name) for name in (join.username, join.global_name or "") if name}
    return tuple(sorted(text for text in texts if len(text) >= min_length))


class JoinRaid:
    """The ``join_raid`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, JoinRaidSettings.parse)

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_check_member_join(
        self, join: MemberJoin, context: JoinContext
    ) -> list[act.Action | Violation | ScheduledAction] | None:
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        now = context.now.timestamp()
        mode = context.window(_MODE, interval=settings.quiet + _MODE_MEMORY)
        found: list[typing.Any] = []
        raid = _Raid.read(mode)
        if raid is not None and ms(now) >= raid.end_ms(settings):
            # Over, and its timer did not end it (lost, or not run yet): end it here.
            found.extend(self._end(join.guild_id, mode, raid, settings, now))
            raid = None
        if raid is not None:
            # Raid mode: the joiner is taken (and punished), unless it joined before the
            # raid's first join (a late delivery). Its join need not be counted: raid
            # mode ends only once every join counted now has left the window.
            if now >= raid.start:
                mode.replace(_LAST, max(raid.last, ms(now)))
                found.extend(self._renewal(join.guild_id, mode, raid, settings, now))
                found.extend(punish(join.guild_id, (join.user_id,), settings, now))
            return found or None
        joins = context.window(NAME, interval=settings.horizon)
        joins.record(now, join.user_id, 0, join.user_id, _FRESH)
        started = self._joins_trigger(joins, settings, now)
        if started is None and settings.similar_names is not None:
            started = self._names_trigger(join, joins, context, settings, now)
        if started is not None:
            found.extend(self._start(join.guild_id, joins, mode, settings, now, started))
        return found or None

    @hookimpl
    def spamguard_guild_timer(
        self, timer: GuildTimer, context: TimerContext
    ) -> list[act.Action | Violation | ScheduledAction] | None:
        """The raid's quiet timer: end raid mode if its last join is ``quiet`` ago, else
        set the timer again at the new end (a later join moved it)."""
        if timer.name != NAME:
            return None
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        now = context.now.timestamp()
        mode = context.window(_MODE, interval=settings.quiet + _MODE_MEMORY)
        raid = _Raid.read(mode)
        if raid is None or now <= raid.start:
            # Over already (its end seen at a join), or a timer of an earlier raid.
            return None
        if ms(now) >= raid.end_ms(settings):
            return self._end(timer.guild_id, mode, raid, settings, now)
        return [quiet_timer(timer.guild_id, raid.end_ms(settings))]

    # -- starting -------------------------------------------------------------------------

    @staticmethod
    def _joins_trigger(joins: SumWindow, settings: JoinRaidSettings, now: float) -> _Trigger | None:
        """``joins`` joins within ``interval`` around this one: the first one's time, the
        joiners taken (every fresh join from it on) and the reason; None below that."""
        times = joins.times
        needed, interval = settings.joins, settings.interval
        # Usually this join is the newest: one comparison. A late one (clock skew between
        # events) may complete a run with joins on either side of it.
        here = bisect_right(times, now) - 1
        stop = bisect_right(times, now + interval)
        for last in range(here, stop):
            first = last - needed + 1
            if 0 <= first <= here and times[last] - times[first] < interval:
                # Every fresh join from the first on (the raid's), built once per raid.
                taken = tuple(e.author_id for e in joins.entries[first:] if e.amount)
                reason = f"{needed} joins within {interval:g}s"
                return _Trigger(times[first], taken, reason, needed, interval)
        return None

    @staticmethod
    def _names_trigger(
        join: MemberJoin,
        joins: SumWindow,
        context: JoinContext,
        settings: JoinRaidSettings,
        now: float,
    ) -> _Trigger | None:
        names = settings.similar_names
        assert names is not None
        texts = _name_texts(join, names.min_length)
        if not texts:
            return None
        window = context.window(_NAMES, interval=names.interval, text=True)
        assert isinstance(window, DuplicateWindow)
        for text in texts:
            window.record_text(now, join.user_id, 0, join.user_id, text)
        cutoff = now - names.interval
        for text in texts:
            entries = window.entries_in(window.similar_texts(text, names.accuracy), cutoff)
            alike = {entry.author_id: entry.ts for entry in entries}
            if len(alike) >= names.members:
                taken = tuple(
                    user
                    for user in alike
                    if (entry := joins.find(user)) is not None and entry.amount
                )
                reason = f"{len(alike)} joiners named like {text!r} within {names.interval:g}s"
                return _Trigger(min(alike.values()), taken, reason, names.members, names.interval)
        return None

    def _start(
        self,
        guild_id: int,
        joins: SumWindow,
        mode: SumWindow,
        settings: JoinRaidSettings,
        now: float,
        trigger: _Trigger,
    ) -> list[typing.Any]:
        start, taken = trigger.start, trigger.taken
        mode.record(start, _START, len(taken), 0, 1)
        mode.record(start, _LAST, 0, 0, ms(now))
        found: list[typing.Any] = []
        pause = pause_for(guild_id, settings, now, "spamguard: join raid")
        mode.record(start, _PAUSE, 0, 0, until_ms(pause))
        if pause is not None:
            found.append(pause)
        # Raid mode ends ``quiet`` after its last join: the timer checks then (and sets
        # itself again when a later join moved the end).
        found.append(quiet_timer(guild_id, ms(now) + ms(settings.quiet)))
        found.append(
            JoinRaidReport(
                guild_id=guild_id,
                started=True,
                at=at(now),
                joins=len(taken),
                reason=trigger.reason,
            )
        )
        found.append(
            Violation(
                check=NAME,
                count=len(taken),
                limit=trigger.limit,
                interval=trigger.interval,
                message_ids=(),
                scope="guild",
                punishment=str(settings.raid_joiners),
            )
        )
        for user_id in taken:
            joins.replace(user_id, 0)
        found.extend(punish(guild_id, taken, settings, now))
        return found

    # -- during and after -------------------------------------------------------------------

    def _renewal(
        self, guild_id: int, mode: SumWindow, raid: _Raid, settings: JoinRaidSettings, now: float
    ) -> list[typing.Any]:
        """A new pause when spamguard's ran out and the raid goes on (Discord allows 24 h)."""
        if not raid.pause_until or ms(now) < raid.pause_until:
            return []
        pause = pause_for(guild_id, settings, now, "spamguard: join raid goes on")
        mode.replace(_PAUSE, until_ms(pause))
        return [] if pause is None else [pause]

    @staticmethod
    def _end(
        guild_id: int, mode: SumWindow, raid: _Raid, settings: JoinRaidSettings, now: float
    ) -> list[typing.Any]:
        mode.replace(_START, 0)
        ended = raid.end_ms(settings)
        found: list[typing.Any] = [
            JoinRaidReport(
                guild_id=guild_id,
                started=False,
                at=time_of(ended),
                reason=f"no join for {settings.quiet:g}s",
            ),
            Violation(
                check=END,
                count=0,
                limit=0,
                interval=settings.quiet,
                message_ids=(),
                scope="guild",
            ),
        ]
        lockdown = settings.lockdown
        if lockdown is not None and lockdown.lift_on_end and raid.pause_until > ms(now):
            found.append(lift(guild_id, lockdown, raid.pause_until))
        return found


plugin = JoinRaid()
"""The instance the ``join_raid`` entry point registers."""
