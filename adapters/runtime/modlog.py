"""The moderators' log channel: what spamguard did, posted for moderators, never in the way.

A guild whose policy has ``modlog: {channel_id: ...}`` gets, in that channel, one embed per
case (:mod:`~spamguard.adapters.runtime.modlog_embeds` renders them) each time the case
opens or grows, its scheduled undo when it runs, a pardon, a join raid's start and end, and
Discord AutoMod's executions that count on the ladder.

- **Grouped.** What happens in a guild within ``modlog.group_seconds`` of the first line
  waiting goes out as ONE message (a flood's growing case once, as it stands at the end;
  past 10 embeds or 6000 characters the rest are listed a line each): a raid never floods
  the log, and the log never meets Discord's rate limits on its own. One message of a
  guild is in flight at a time; the library's rate-limit handling paces it.
- **Beside, never in front.** Noting an entry appends to the guild's group; the post runs
  in a task of its own. Punishing never waits for the log, and a log that fails changes
  nothing else.
- **Checked.** Before the first post in a channel the log makes sure the channel belongs
  to the guild (the library's cache, else one REST look-up): a case is never posted in
  another guild. A channel the bot cannot post in (403), an unknown channel (404) or one
  of another guild is reported once (a warning, ``stats.modlog_failures``) and left alone
  for :data:`RETRY_AFTER` seconds; what would have been posted meanwhile is dropped and
  counted (``stats.modlog_dropped``).
- **Silent.** Allowed mentions are empty: the member shows as a mention, nobody is pinged.
"""

from __future__ import annotations

__all__ = ("RETRY_AFTER", "ChannelLookup", "ChannelNotInGuildError", "ModLogPoster")

import asyncio
import collections
import logging
import typing

from spamguard.adapters.runtime import modlog_embeds as render
from spamguard.core.actions import SendMessage
from spamguard.core.errors import SpamguardError
from spamguard.core.outcomes import FailureKind

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.adapters.runtime.modlog_embeds import LogEntry
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.cases import CaseUpdate
    from spamguard.core.events import AutomodExecution
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan
    from spamguard.core.policy.modlog import ModLog

_LOGGER = logging.getLogger("spamguard.modlog")

RETRY_AFTER = 600.0
"""Seconds a log channel that refused a post (403, unknown, another guild's) is left alone
before the next try."""
_JOINED_MEMORY = 4096
"""Members whose join time the log keeps (the authors of the latest plans)."""
_BROKEN: typing.Final = frozenset({FailureKind.FORBIDDEN, FailureKind.NOT_FOUND})


class ChannelNotInGuildError(SpamguardError):
    """The log channel belongs to another guild (or to none)."""


class ChannelLookup(typing.Protocol):
    """What an executor tells the log about a channel (both adapter families' executors
    implement it)."""

    async def channel_guild(self, channel_id: int) -> int | None:
        """The guild of ``channel_id`` (the library's cache, else one REST look-up); None
        for a channel outside any guild. Raises the library's error for an unknown
        channel."""


class _Group:
    """What waits for one guild's next log message."""

    __slots__ = ("entries", "task")

    def __init__(self) -> None:
        self.entries: dict[tuple[str, object], LogEntry] = {}
        self.task: asyncio.Task[None] | None = None


class ModLogPoster:
    """One runtime's log channels (``runtime.modlog``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._groups: dict[int, _Group] = {}
        self._sending: dict[int, asyncio.Lock] = {}
        self._checked: set[tuple[int, int]] = set()
        self._broken: dict[tuple[int, int], float] = {}
        self._joined: collections.OrderedDict[tuple[int, int], datetime.datetime] = (
            collections.OrderedDict()
        )
        self._subscribed = False

    # -- what gets noted ---------------------------------------------------------------------

    def subscribe(self) -> None:
        """Follow the runtime's cases (``runtime.cases``); once."""
        cases = getattr(self.runtime, "cases", None)
        if self._subscribed or cases is None:
            return
        cases.subscribe(self.case_changed)
        self._subscribed = True

    def saw(self, message: MessageLike, plan: Plan) -> None:
        """Keep the join time of the author of a message whose plan acts (a case shows
        it)."""
        # Optional on a message (the core's Message has it; a plugin's MessageLike may not).
        joined: datetime.datetime | None = getattr(message, "author_joined_at", None)
        if not plan or message.guild_id is None or joined is None:
            return
        key = (message.guild_id, message.author_id)
        self._joined[key] = joined
        self._joined.move_to_end(key)
        if len(self._joined) > _JOINED_MEMORY:
            self._joined.popitem(last=False)

    def case_changed(self, update: CaseUpdate) -> None:
        """A case opened, grew, had its undo run, or was pardoned: log it. Never raises."""
        try:
            case = update.case
            settings = self._settings(case.guild_id)
            if settings is None or (case.dry_run and not settings.dry_run):
                return
            if update.change in ("undone", "pardoned"):
                if settings.undos:
                    self.note(case.guild_id, render.undo_entry(case, update.change))
                return
            member = (case.guild_id, case.user_id)
            joined = None if case.user_id is None else self._joined.get(member)  # type: ignore[arg-type]
            self.note(case.guild_id, render.case_entry(case, settings, joined_at=joined))
        except Exception:
            _LOGGER.exception("spamguard could not log a case")

    def reported(self, outcome: ActionOutcome) -> None:
        """An extension's report (``report_only``: a join raid's start or end). Never raises."""
        try:
            action = outcome.action
            guild_id = outcome.guild_id
            settings = self._settings(guild_id)
            if guild_id is None or settings is None or not settings.raids:
                return
            describe = getattr(action, "describe", None)
            text = describe() if callable(describe) else action.kind
            at = getattr(action, "at", None) or outcome.at or self.runtime.clock()
            started = bool(getattr(action, "started", True))
            self.note(guild_id, render.report_entry(action.kind, str(text), at, started=started))
        except Exception:
            _LOGGER.exception("spamguard could not log a report")

    def automod(self, execution: AutomodExecution, plan: Plan) -> None:
        """A Discord AutoMod execution: logged when it counts on the ladder. Never raises."""
        try:
            guild = self.runtime.guard.policy.for_guild(execution.guild_id)
            settings = guild.modlog
            counts = guild.automod_executions_count and execution.channel_id is not None
            if settings is None or not settings.automod_executions or not counts:
                return
            self.note(execution.guild_id, render.automod_entry(execution, punished=bool(plan)))
        except Exception:
            _LOGGER.exception("spamguard could not log an AutoMod execution")

    def note(self, guild_id: int, entry: LogEntry) -> None:
        """Add ``entry`` to the guild's next log message (replacing an entry of the same key
        in place); the message leaves ``group_seconds`` after its first entry."""
        settings = self._settings(guild_id)
        if settings is None or not self.runtime.started:
            # Stopped: nothing would post it (what waited left with the stop).
            return
        if self._resting(guild_id, settings.channel_id):
            self.runtime.stats.modlog_dropped += 1
            return
        group = self._groups.get(guild_id)
        if group is None:
            group = self._groups[guild_id] = _Group()
            group.task = asyncio.get_running_loop().create_task(
                self._post_later(guild_id, group, settings.group_seconds),
                name=f"spamguard-modlog-{guild_id}",
            )
        group.entries[entry.key] = entry

    # -- posting -----------------------------------------------------------------------------

    async def flush(self) -> None:
        """Post every waiting group now (a stop, a test)."""
        groups = list(self._groups.items())
        for guild_id, group in groups:
            if self._groups.get(guild_id) is group:
                del self._groups[guild_id]
            if group.task is not None and group.task is not asyncio.current_task():
                group.task.cancel()
            await self._post(guild_id, group)

    @property
    def pending(self) -> int:
        """Entries waiting to be posted."""
        return sum(len(group.entries) for group in self._groups.values())

    async def _post_later(self, guild_id: int, group: _Group, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._groups.get(guild_id) is group:
            del self._groups[guild_id]
        await self._post(guild_id, group)

    async def _post(self, guild_id: int, group: _Group) -> None:
        entries, group.entries = list(group.entries.values()), {}
        settings = self._settings(guild_id)
        if not entries or settings is None:
            return
        channel_id = settings.channel_id
        lock = self._sending.setdefault(guild_id, asyncio.Lock())
        async with lock:
            if self._resting(guild_id, channel_id):
                self.runtime.stats.modlog_dropped += len(entries)
                return
            action = SendMessage(
                channel_id=channel_id,
                embeds=render.message_embeds(entries),
                guild_id=guild_id,
            )
            try:
                await self._check_channel(guild_id, channel_id)
                await self.runtime.execution.execute(action)
            except Exception as error:
                self._failed(guild_id, channel_id, error, len(entries))
                return
            self.runtime.stats.modlog_posts += 1
            if self._broken.pop((guild_id, channel_id), None) is not None:
                _LOGGER.info(
                    "spamguard posts in log channel %s of guild %s again", channel_id, guild_id
                )

    async def _check_channel(self, guild_id: int, channel_id: int) -> None:
        if (guild_id, channel_id) in self._checked:
            return
        # An executor without the look-up (a third party's) posts unchecked.
        lookup = getattr(self.runtime.executor, "channel_guild", None)
        if lookup is not None:
            owner = await lookup(channel_id)
            if owner != guild_id:
                where = "no guild" if owner is None else f"guild {owner}"
                msg = f"channel {channel_id} belongs to {where}, not to guild {guild_id}"
                raise ChannelNotInGuildError(msg)
        self._checked.add((guild_id, channel_id))

    def _failed(self, guild_id: int, channel_id: int, error: Exception, lost: int) -> None:
        stats = self.runtime.stats
        stats.modlog_failures += 1
        stats.modlog_dropped += lost
        if isinstance(error, ChannelNotInGuildError):
            kind = FailureKind.FORBIDDEN
        elif isinstance(error, TimeoutError):
            kind = FailureKind.TIMEOUT
        else:
            kind = self.runtime.executor.classify(error)
        key = (guild_id, channel_id)
        if kind in _BROKEN or isinstance(error, ChannelNotInGuildError):
            first = key not in self._broken
            self._broken[key] = asyncio.get_running_loop().time() + RETRY_AFTER
            self._checked.discard(key)
            if first:
                _LOGGER.warning(
                    "spamguard cannot post in the log channel %s of guild %s (%s): %s; "
                    "punishing goes on, log messages are dropped and the channel is tried "
                    "again in %gs",
                    channel_id,
                    guild_id,
                    kind,
                    error,
                    RETRY_AFTER,
                )
            return
        _LOGGER.warning(
            "spamguard could not post in the log channel %s of guild %s (%s): %s",
            channel_id,
            guild_id,
            kind,
            error,
        )

    def _resting(self, guild_id: int, channel_id: int) -> bool:
        until = self._broken.get((guild_id, channel_id))
        return until is not None and asyncio.get_running_loop().time() < until

    def _settings(self, guild_id: int | None) -> ModLog | None:
        if guild_id is None:
            return None
        return self.runtime.guard.policy.for_guild(guild_id).modlog

    async def close(self) -> None:
        """Post what waits (within the runtime's ``stop_timeout``, else drop it)."""
        try:
            async with asyncio.timeout(self.runtime.stop_timeout):
                await self.flush()
        except TimeoutError:
            _LOGGER.warning("spamguard's log channel posts did not leave in time; dropped")
            for group in self._groups.values():
                if group.task is not None:
                    group.task.cancel()
            self._groups.clear()
