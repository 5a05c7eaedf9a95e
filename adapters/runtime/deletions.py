"""Deletions gathered per channel: the fewest delete requests, none sent twice, none dropped
because a queue was slow.

During a flood every spam message's plan asks to delete it, most often one id at a time
(a member's first violation cleans a few messages, each later one cleans itself). Sent as
asked, a raid of 40 accounts posting 8 messages each costs some 160 delete requests queued
behind one rate-limited route, and the last of them leave long after the raid. So the
runtime hands every :class:`~spamguard.core.actions.DeleteMessages` to a
:class:`DeletionQueue`, which:

- gathers the ids of one channel for :attr:`~DeletionQueue.window` seconds after the
  oldest arrived, then sends them as one action of up to 100 ids (a bulk delete; a lone
  id, or a message near Discord's 14-day bulk limit, goes as a single delete:
  :func:`~spamguard.adapters.runtime.requests.split_delete`);
- keeps one request in flight per channel: ids arriving meanwhile gather behind it, so
  when Discord's rate limit slows the requests down the batches grow instead of the
  library's queue;
- never sends an id twice: an id pending, in flight, or deleted lately is joined to the
  request that carries (or carried) it, and the action asking again gets that request's
  result;
- holds at most :attr:`~DeletionQueue.limit` pending ids per guild: past that, the oldest
  pending ids of the guild are dropped with a counted warning (their actions fail with
  :class:`DeletionDropped`). Punishments never wait here: the runtime sends them to the
  library at once;
- sends everything pending at once on :meth:`~DeletionQueue.flush` (the runtime's stop).

There is no deadline: a request waits behind the library's own rate-limit handling for as
long as Discord asks, because Discord still accepts it afterwards.
"""

from __future__ import annotations

__all__ = ("DeletionDropped", "DeletionQueue")

import asyncio
import collections
import contextlib
import dataclasses
import heapq
import itertools
import logging
import operator
import typing

from spamguard.core.actions import MAX_BULK_DELETE, DeleteMessages
from spamguard.core.errors import SpamguardError

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from spamguard.adapters.runtime.stats import RuntimeStats

_LOGGER = logging.getLogger("spamguard.runtime.deletions")

# How many ids deleted lately are remembered, so that a plan asking for one again (a
# member's later violation cleaning the same messages, an expired notice someone already
# removed through spamguard) sends nothing.
_REMEMBERED = 10_000

_ARRIVED = operator.itemgetter(0)


class DeletionDropped(SpamguardError):
    """The deletion queue was full and dropped this deletion, the oldest of its guild."""


@dataclasses.dataclass(slots=True, eq=False)
class _Ticket:
    """One submitted action: the future its caller awaits, and its ids not yet answered."""

    future: asyncio.Future[None]
    waiting: int


@dataclasses.dataclass(slots=True, eq=False)
class _Pending:
    """One id waiting to be sent."""

    arrived: float
    """The event loop's time it was submitted at."""
    reason: str
    tickets: list[_Ticket]


@dataclasses.dataclass(slots=True, eq=False)
class _Channel:
    """The ids of one channel: pending ones in arrival order, and those in flight."""

    channel_id: int
    guild_id: int | None
    pending: dict[int, _Pending] = dataclasses.field(default_factory=dict)
    in_flight: dict[int, list[_Ticket]] = dataclasses.field(default_factory=dict)
    wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class DeletionQueue:
    """Gathers deletions per channel and sends them in as few requests as possible.

    Args:
        send: carries one :class:`DeleteMessages` of 1 to 100 ids of one channel out
            (the executor's ``execute``); raises the library's error when it fails.
        window: seconds the ids of a channel gather after the oldest arrived.
        limit: most pending ids per guild; the oldest past it are dropped.
        stats: the runtime's counters (requests sent, ids dropped).
    """

    def __init__(
        self,
        send: Callable[[DeleteMessages], Awaitable[object]],
        *,
        window: float,
        limit: int,
        stats: RuntimeStats,
    ) -> None:
        self.window = window
        self.limit = limit
        self._send = send
        self._stats = stats
        self._channels: dict[int, _Channel] = {}
        self._per_guild: collections.Counter[int | None] = collections.Counter()
        self._deleted: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._flushing = False

    @property
    def pending(self) -> int:
        """Ids waiting to be sent, in every channel."""
        return sum(len(channel.pending) for channel in self._channels.values())

    async def delete(self, action: DeleteMessages) -> None:
        """Delete ``action``'s messages with the next request of its channel; return once
        each of them is deleted (or was already).

        Raises:
            DeletionDropped: the queue was full and dropped one of its ids.
            Exception: the library's error for the request that carried one of its ids.
        """
        loop = asyncio.get_running_loop()
        ticket = _Ticket(loop.create_future(), 0)
        channel = self._channels.get(action.channel_id)
        if channel is None:
            channel = self._channels[action.channel_id] = _Channel(
                action.channel_id, action.guild_id
            )
        now = loop.time()
        for message_id in action.message_ids:
            if message_id in self._deleted:
                continue
            ticket.waiting += 1
            waiting = channel.in_flight.get(message_id)
            if waiting is not None:
                waiting.append(ticket)
                continue
            pending = channel.pending.get(message_id)
            if pending is not None:
                pending.tickets.append(ticket)
                continue
            channel.pending[message_id] = _Pending(now, action.reason, [ticket])
            self._per_guild[channel.guild_id] += 1
        if ticket.waiting == 0:
            return
        if self._per_guild[channel.guild_id] > self.limit:
            self._drop_oldest(channel.guild_id)
        if len(channel.pending) >= MAX_BULK_DELETE:
            channel.wake.set()
        if channel.pending and channel.task is None:
            channel.task = loop.create_task(
                self._drain(channel), name=f"spamguard-deletions-{channel.channel_id}"
            )
        await ticket.future

    async def flush(self) -> None:
        """Send everything pending now, without waiting out the window; return once every
        channel's queue is empty. Deletions submitted meanwhile are sent at once too."""
        self._flushing = True
        try:
            for channel in self._channels.values():
                channel.wake.set()
            while tasks := [c.task for c in self._channels.values() if c.task is not None]:
                await asyncio.wait(tasks)
        finally:
            self._flushing = False

    def abandon(self) -> None:
        """Fail what is still pending or in flight (the runtime stopped without it)."""
        error = DeletionDropped("spamguard stopped before this deletion was sent")
        for channel in self._channels.values():
            if channel.task is not None:
                channel.task.cancel()
                channel.task = None
            tickets = [p.tickets for p in channel.pending.values()]
            tickets += channel.in_flight.values()
            for ticket in itertools.chain.from_iterable(tickets):
                if not ticket.future.done():
                    ticket.future.set_exception(error)
            self._per_guild[channel.guild_id] -= len(channel.pending)
            channel.pending.clear()
            channel.in_flight.clear()

    # -- the channel's task ----------------------------------------------------------------

    async def _drain(self, channel: _Channel) -> None:
        loop = asyncio.get_running_loop()
        try:
            while channel.pending:
                oldest = next(iter(channel.pending.values()))
                wait = oldest.arrived + self.window - loop.time()
                if wait > 0 and not self._flushing and len(channel.pending) < MAX_BULK_DELETE:
                    channel.wake.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await channel.wake.wait()
                    continue
                await self._send_batch(channel, oldest.reason)
        finally:
            channel.task = None
            if not channel.pending and not channel.in_flight:
                # A channel's entry lives as long as it has work: raids move on.
                self._channels.pop(channel.channel_id, None)

    async def _send_batch(self, channel: _Channel, reason: str) -> None:
        # One reason per request (it is the audit log's): ids asked for with another
        # reason wait for the next request, sent right after this one.
        batch = [
            message_id
            for message_id, pending in channel.pending.items()
            if pending.reason == reason
        ][:MAX_BULK_DELETE]
        for message_id in batch:
            channel.in_flight[message_id] = channel.pending.pop(message_id).tickets
        self._per_guild[channel.guild_id] -= len(batch)
        action = DeleteMessages(
            channel_id=channel.channel_id,
            message_ids=tuple(batch),
            guild_id=channel.guild_id,
            reason=reason,
        )
        self._stats.deletion_batches += 1
        error: BaseException | None = None
        try:
            await self._send(action)
        except Exception as failure:
            error = failure
        for message_id in batch:
            tickets = channel.in_flight.pop(message_id)
            if error is None:
                self._remember(message_id)
            for ticket in tickets:
                self._answer(ticket, error)

    def _remember(self, message_id: int) -> None:
        self._deleted[message_id] = None
        if len(self._deleted) > _REMEMBERED:
            self._deleted.popitem(last=False)

    @staticmethod
    def _answer(ticket: _Ticket, error: BaseException | None) -> None:
        if ticket.future.done():
            return
        if error is not None:
            # An action fails with the first error of any request carrying its ids.
            ticket.future.set_exception(error)
            return
        ticket.waiting -= 1
        if ticket.waiting == 0:
            ticket.future.set_result(None)

    def _drop_oldest(self, guild_id: int | None) -> None:
        """Drop the guild's oldest pending ids until it holds :attr:`limit`."""
        excess = self._per_guild[guild_id] - self.limit
        # Each channel's pending ids are in arrival order: merged, the guild's oldest come
        # first.
        queues = [
            [
                (pending.arrived, message_id, channel)
                for message_id, pending in channel.pending.items()
            ]
            for channel in self._channels.values()
            if channel.guild_id == guild_id
        ]
        queued = list(itertools.islice(heapq.merge(*queues, key=_ARRIVED), excess))
        error = DeletionDropped(
            f"spamguard's deletion queue for guild {guild_id} held more than {self.limit} "
            "messages; the oldest were dropped"
        )
        for _arrived, message_id, channel in queued:
            for ticket in channel.pending.pop(message_id).tickets:
                if not ticket.future.done():
                    ticket.future.set_exception(error)
        self._per_guild[guild_id] -= len(queued)
        self._stats.deletions_dropped += len(queued)
        _LOGGER.warning(
            "spamguard dropped %d pending deletions of guild %s: more than %d were queued",
            len(queued),
            guild_id,
            self.limit,
        )
