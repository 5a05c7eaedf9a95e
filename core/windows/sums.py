"""Sum windows: a running total of what messages add over the last ``interval`` seconds.

A window holds the messages of one scope (a member, a member in a channel, a channel, a
guild) that had something to count, oldest first, and a running total, so the common
case (one interval per check) costs O(1) per message. A message is inside a window of
``interval`` seconds ending at ``now`` when ``now - interval < created_at <= now``.

The entries are stored column by column (times, message ids, channel ids, author ids,
amounts), in arrays of machine numbers: about 40 bytes per entry, against about 200 for
an object per entry with its boxed numbers (``benchmarks/bench_window_memory.py``). An
:class:`~spamguard.core.windows.entries.Entry` is built only when one is read.

Windows are bounded: at most :data:`MAX_ENTRIES` entries each, the oldest dropped first,
so one member's flood cannot grow memory without limit.
"""

from __future__ import annotations

__all__ = ("MAX_ENTRIES", "SumWindow")

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
    # Signed 64 bits hold every Discord id and amount; a window given an integer that
    # does not fit (only a hand-made entry can be) turns its integer columns into lists.
    return array("q")


class SumWindow:
    """A running total of amounts over a sliding window.

    The columns (``times``, ``message_ids``, ``channel_ids``, ``author_ids``, ``amounts``)
    are public to read, never to change: they hold the entries oldest first, so a
    violation's ids are one slice copied in C. The window also keeps a *sweep mark* for
    cleaning (see :meth:`unswept`).
    """

    __slots__ = (
        "_swept_high",
        "_swept_low",
        "amounts",
        "author_ids",
        "channel_ids",
        "horizon",
        "message_ids",
        "times",
        "total",
    )

    def __init__(self, horizon: float = 0.0) -> None:
        self.times: MutableSequence[float] = array("d")
        """POSIX seconds of each entry, oldest first."""
        self.message_ids = _ints()
        self.channel_ids = _ints()
        self.author_ids = _ints()
        self.amounts = _ints()
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
        """The entries, oldest first (built on each read: prefer the columns and
        :meth:`ids_since` where they do)."""
        return self._entries(0)

    def _entries(self, start: int) -> list[Entry]:
        return list(map(self._entry, range(start, len(self.times))))

    def _entry(self, index: int) -> Entry:
        return Entry(
            self.times[index],
            self.message_ids[index],
            self.channel_ids[index],
            self.author_ids[index],
            self.amounts[index],
        )

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
        self._bound()

    def _put(self, ts: float, message_id: int, channel_id: int, author_id: int, amount: int) -> int:
        """Insert an entry at its place in time; returns its index."""
        times = self.times
        index = len(times)
        if index and ts < times[-1]:
            # A bisection (in C) rather than a walk back from the newest entry: a message
            # delivered late into a busy window (a reconnect's backlog) is not O(window).
            index = bisect_right(times, ts)
            if ts < self._swept_high:
                # While the window holds entries its newest is at or after _swept_high
                # (entries leave oldest first): only a late one can fall under the mark.
                self._unsweep()
        try:
            self.message_ids.insert(index, message_id)
            self.channel_ids.insert(index, channel_id)
            self.author_ids.insert(index, author_id)
            self.amounts.insert(index, amount)
        except (OverflowError, TypeError):
            self._widen(index)
            self.message_ids.insert(index, message_id)
            self.channel_ids.insert(index, channel_id)
            self.author_ids.insert(index, author_id)
            self.amounts.insert(index, amount)
        times.insert(index, ts)
        self.total += amount
        return index

    def _widen(self, index: int) -> None:
        """Turn the integer columns into lists, which hold any integer, undoing a
        half-done insert at ``index``."""
        size = len(self.times)
        columns: list[MutableSequence[int]] = []
        for column in (self.message_ids, self.channel_ids, self.author_ids, self.amounts):
            widened = list(column)
            if len(widened) > size:
                del widened[index]
            columns.append(widened)
        self.message_ids, self.channel_ids, self.author_ids, self.amounts = columns

    def _bound(self) -> None:
        if len(self.times) > MAX_ENTRIES:
            self._drop(len(self.times) - MAX_ENTRIES)

    def _drop(self, count: int) -> None:
        """Drop the ``count`` oldest entries."""
        amounts = self.amounts
        self.total -= sum(amounts[:count])
        del amounts[:count]
        del self.times[:count]
        del self.message_ids[:count]
        del self.channel_ids[:count]
        del self.author_ids[:count]
        if not self.times:
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
        self.total += amount - self.amounts[index]
        try:
            self.amounts[index] = amount
        except (OverflowError, TypeError):
            self._widen(-1)
            self.amounts[index] = amount
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
        return self.total if start == 0 else sum(self.amounts[start:])

    def entries_since(self, cutoff: float) -> list[Entry]:
        """The entries after ``cutoff``, oldest first."""
        return self._entries(self._start(cutoff))

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
