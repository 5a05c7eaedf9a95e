"""Sum windows: a running total of what messages add over the last ``interval`` seconds.

A window holds the messages of one scope (a member, a member in a channel, a channel, a
guild) that had something to count, oldest first, and a running total, so the common
case (one interval per check) costs O(1) per message. A message is inside a window of
``interval`` seconds ending at ``now`` when ``now - interval < created_at <= now``.

The entries are stored column by column (times, message ids, channel ids, author ids,
amounts), in arrays of machine numbers, a column whose entries all hold one value as that
value: 16 to 40 bytes per entry, against about 200 for an object per entry with its boxed
numbers (``benchmarks/bench_window_memory.py``). An
:class:`~spamguard.core.windows.entries.Entry` is built only when one is read.

Windows are bounded: at most :data:`MAX_ENTRIES` entries each, the oldest dropped first,
so one member's flood cannot grow memory without limit.
"""

from __future__ import annotations

__all__ = ("MAX_ENTRIES", "SumWindow")

import itertools
import math
import typing
from array import array
from bisect import bisect_right

from spamguard.core.windows.entries import Entry

if typing.TYPE_CHECKING:
    from collections.abc import Container, MutableSequence

MAX_ENTRIES: typing.Final = 1000
"""Entries one window keeps at most; far above any sensible ``count``."""


def _ints() -> MutableSequence[int]:
    # Unsigned 64 bits hold every Discord id and amount; a column given an integer that does
    # not fit (only a hand-made entry can be, e.g. a negative one) becomes a list (see
    # _inserted). Unsigned: CPython stores a "Q" item without the argument parsing a "q"
    # item goes through (~1,650 instructions per message under Policy.default()).
    return array("Q")


def _inserted(column: MutableSequence[int], index: int, value: int) -> MutableSequence[int]:
    """``column`` with ``value`` inserted at ``index``: the same column, or a list copy of
    it when it is an array ``value`` does not fit in."""
    try:
        column.insert(index, value)
    except (OverflowError, TypeError):
        column = list(column)
        column.insert(index, value)
    return column


def _repeated(value: int, size: int) -> MutableSequence[int]:
    """A column of ``size`` entries holding ``value``."""
    try:
        return array("Q", (value,)) * size
    except (OverflowError, TypeError):
        return [value] * size


def _with(
    column: MutableSequence[int] | None, same: int, size: int, index: int, value: int
) -> MutableSequence[int] | None:
    """A shared column after inserting ``value`` at ``index``: None (every entry holds
    ``same``) while ``value`` is ``same``, else a real column of the ``size`` entries."""
    if column is None:
        if value == same:
            return None
        column = _repeated(same, size)
    return _inserted(column, index, value)


class SumWindow:
    """A running total of amounts over a sliding window.

    ``times`` and ``message_ids`` are public to read, never to change: the entries' times
    and ids, oldest first, so a violation's ids are one slice copied in C. Channel ids,
    author ids and amounts are columns too, each kept as one value while every entry holds
    the same (a member's window, one channel's, amounts of 1). The window also keeps a
    *sweep mark* for cleaning (see :meth:`unswept`).
    """

    __slots__ = (
        "_amount",
        "_amounts",
        "_author",
        "_authors",
        "_channel",
        "_channels",
        "_swept_high",
        "_swept_low",
        "horizon",
        "message_ids",
        "times",
        "total",
    )

    def __init__(self, horizon: float = 0.0) -> None:
        self.times: MutableSequence[float] = array("d")
        """POSIX seconds of each entry, oldest first."""
        self.message_ids = _ints()
        # Each shared column: None while every entry holds the value beside it.
        self._channels: MutableSequence[int] | None = None
        self._channel = 0
        self._authors: MutableSequence[int] | None = None
        self._author = 0
        self._amounts: MutableSequence[int] | None = None
        self._amount = 0
        self.total = 0
        self.horizon = horizon
        """The longest interval read from this window, seconds: older entries are dropped."""
        # The sweep mark: every entry with _swept_low <= ts < _swept_high is known to be
        # cleaned already. Empty until a clean sweeps the window.
        self._swept_low = math.inf
        self._swept_high = -math.inf

    def __len__(self) -> int:
        return len(self.times)

    @property
    def entries(self) -> list[Entry]:
        """The entries, oldest first (built on each read: prefer ``times``,
        ``message_ids`` and :meth:`ids_since` where they do)."""
        return self._entries(0)

    def rows(self) -> list[list[typing.Any]]:
        """The entries as :meth:`Entry.to_list` rows, oldest first (a snapshot's form),
        built column by column rather than entry by entry."""
        count = len(self.times)
        channels, authors, amounts = self._channels, self._authors, self._amounts
        return [
            list(row)
            for row in zip(
                self.times,
                self.message_ids,
                itertools.repeat(self._channel, count) if channels is None else channels,
                itertools.repeat(self._author, count) if authors is None else authors,
                itertools.repeat(self._amount, count) if amounts is None else amounts,
                map(self._text, range(count)),
                strict=True,
            )
        ]

    def _entries(self, start: int) -> list[Entry]:
        return list(map(self._entry, range(start, len(self.times))))

    def _entry(self, index: int) -> Entry:
        channels, authors, amounts = self._channels, self._authors, self._amounts
        return Entry(
            self.times[index],
            self.message_ids[index],
            self._channel if channels is None else channels[index],
            self._author if authors is None else authors[index],
            self._amount if amounts is None else amounts[index],
            self._text(index),
        )

    def _text(self, index: int) -> str:
        return ""

    def add(self, entry: Entry) -> None:
        """Add a message's contribution (see :meth:`record`)."""
        self.record(entry.ts, entry.message_id, entry.channel_id, entry.author_id, entry.amount)

    def record(
        self, ts: float, message_id: int, channel_id: int, author_id: int, amount: int = 1
    ) -> None:
        """Add a message's contribution, keeping the entries in time order.

        Usually the newest message is appended; one older than the newest entry (an
        edit that starts to count, a late delivery) is inserted at its place, since
        expiry and :meth:`total_since` rely on the order.
        """
        self._put(ts, message_id, channel_id, author_id, amount)
        if len(self.times) > MAX_ENTRIES:
            self._drop(len(self.times) - MAX_ENTRIES)

    def _put(self, ts: float, message_id: int, channel_id: int, author_id: int, amount: int) -> int:
        """Insert an entry at its place in time; returns its index."""
        times = self.times
        size = index = len(times)
        if not size:
            self._channel, self._author, self._amount = channel_id, author_id, amount
        elif ts < times[-1]:
            # A bisection (in C) rather than a walk back from the newest entry: a message
            # delivered late into a busy window (a reconnect's backlog) is not O(window).
            index = bisect_right(times, ts)
            if ts < self._swept_high:
                # While the window holds entries its newest is at or after _swept_high
                # (entries leave oldest first): only a late one can fall under the mark.
                self._unsweep()
        try:
            self.message_ids.insert(index, message_id)
        except (OverflowError, TypeError):  # see _inserted
            self.message_ids = _inserted(list(self.message_ids), index, message_id)
        # A shared column changes only when an entry differs from the value it shares.
        if self._channels is not None:
            self._channels = _inserted(self._channels, index, channel_id)
        elif channel_id != self._channel:
            self._channels = _with(None, self._channel, size, index, channel_id)
        if self._authors is not None:
            self._authors = _inserted(self._authors, index, author_id)
        elif author_id != self._author:
            self._authors = _with(None, self._author, size, index, author_id)
        if self._amounts is not None:
            self._amounts = _inserted(self._amounts, index, amount)
        elif amount != self._amount:
            self._amounts = _with(None, self._amount, size, index, amount)
        times.insert(index, ts)
        self.total += amount
        return index

    def _drop(self, count: int) -> None:
        """Drop the ``count`` oldest entries."""
        del self.times[:count]
        del self.message_ids[:count]
        amounts = self._amounts
        if amounts is None:
            self.total -= self._amount * count
        else:
            self.total -= sum(amounts[:count])
            del amounts[:count]
        if self._channels is not None:
            del self._channels[:count]
        if self._authors is not None:
            del self._authors[:count]
        if not self.times:
            self._channels = self._authors = self._amounts = None
            self._unsweep()

    def _unsweep(self) -> None:
        self._swept_low, self._swept_high = math.inf, -math.inf

    def expire(self, cutoff: float) -> None:
        """Drop entries at or before ``cutoff`` (``now - longest interval``)."""
        count = bisect_right(self.times, cutoff)
        if count:
            self._drop(count)

    def _index_of(self, message_id: int) -> int:
        """Index of the newest entry of ``message_id``, -1 when there is none."""
        ids = self.message_ids
        try:
            index = ids.index(message_id)
        except ValueError:
            return -1
        while True:  # a message recorded twice (only by hand): its newest entry
            try:
                index = ids.index(message_id, index + 1)
            except ValueError:
                return index

    def replace(self, message_id: int, amount: int) -> bool:
        """Change an edited message's amount; False when it is not in the window."""
        index = self._index_of(message_id)
        if index < 0:
            return False
        amounts = self._amounts
        if amounts is None:
            if amount == self._amount:
                return True
            amounts = _repeated(self._amount, len(self.times))
        self.total += amount - amounts[index]
        del amounts[index]
        self._amounts = _inserted(amounts, index, amount)
        return True

    def find(self, message_id: int) -> Entry | None:
        """The entry of ``message_id``, if it is in the window."""
        index = self._index_of(message_id)
        return None if index < 0 else self._entry(index)

    def _start(self, cutoff: float) -> int:
        """Index of the first entry after ``cutoff``."""
        times = self.times
        if not times or times[0] > cutoff:
            return 0
        return bisect_right(times, cutoff)

    def total_since(self, cutoff: float) -> int:
        """Total of the entries after ``cutoff``."""
        start = self._start(cutoff)
        if start == 0:
            return self.total
        amounts = self._amounts
        if amounts is None:
            return self._amount * (len(self.times) - start)
        return sum(amounts[start:])

    def entries_since(self, cutoff: float) -> list[Entry]:
        """The entries after ``cutoff``, oldest first."""
        return self._entries(self._start(cutoff))

    def channels_since(self, cutoff: float) -> int:
        """How many distinct channels the entries after ``cutoff`` were posted in (one,
        without a look at the entries, while they all share one)."""
        times = self.times
        if not times or times[-1] <= cutoff:
            return 0
        channels = self._channels
        if channels is None:
            return 1
        start = self._start(cutoff)
        return len(set(channels if start == 0 else channels[start:]))

    def ids_since(self, cutoff: float) -> tuple[int, ...]:
        """The message ids of the entries after ``cutoff``, oldest first: a violation's
        ids, copied in C however long the window."""
        start = self._start(cutoff)
        return tuple(self.message_ids if start == 0 else self.message_ids[start:])

    def unswept(
        self, since: float, horizon: float, cleaned: Container[int], limit: int
    ) -> list[Entry]:
        """The newest ``limit`` entries after ``since`` and ``horizon`` that are not in
        ``cleaned``, newest first, for a clean that is about to delete them.

        In a flood almost every entry was cleaned by the messages before, so the window
        remembers how far a clean swept it (every entry from ``_swept_low`` up to, not
        including, ``_swept_high`` was deleted) and the search stops there instead of
        looking at every entry again. When fewer than ``limit`` are found, every entry in
        reach is cleaned once these are, and the mark moves up to the newest entry.
        """
        times, ids = self.times, self.message_ids
        start = bisect_right(times, max(since, horizon))
        if start == len(times):
            return []
        first = times[start]
        # The mark covers the entries in reach below _swept_high when none of them lies
        # under its low end.
        stop = self._swept_high if self._swept_low <= first else -math.inf
        found: list[Entry] = []
        for index in range(len(times) - 1, start - 1, -1):
            if times[index] < stop:
                break
            if ids[index] not in cleaned:
                found.append(self._entry(index))
                if len(found) == limit:
                    return found  # there may be more: the mark stays where it was
        self._swept_low, self._swept_high = first, times[-1]
        return found
