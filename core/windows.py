"""Sliding windows: what a check counts over the last ``interval`` seconds.

A window holds the messages of one scope (a member, a member in a channel, a channel, a
guild) that had something to count, newest last, and a running total, so the common
case (one interval per check) costs O(1) per message. A message is inside a window of
``interval`` seconds ending at ``now`` when ``now - interval < created_at <= now``.

Windows are bounded: at most :data:`MAX_ENTRIES` entries each, the oldest dropped first,
so one member's flood cannot grow memory without limit.
"""

from __future__ import annotations

__all__ = ("MAX_ENTRIES", "DuplicateWindow", "Entry", "SumWindow")

import collections
import itertools
import math
import operator
import typing
from bisect import bisect_left, bisect_right
from collections.abc import Container
from itertools import compress

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from spamguard.core.text import is_symbolic

MAX_ENTRIES: typing.Final = 1000
"""Entries one window keeps at most; far above any sensible ``count``."""

FLOOD_MATCHES: typing.Final = 8
"""Distinct texts one look-up must match before a window indexes its texts around a pivot."""

# Shared empties for windows without a pivot index (most of them): written to only
# once a pivot is chosen, when the window gets its own (see _index and _unpivot).
_NO_DISTANCES: dict[str, int] = {}
_NO_DISTANCE_LIST: list[int] = []
_NO_TEXT_LIST: list[str] = []

# How far inside (or outside) rapidfuzz's threshold a bound must fall to decide a pair
# without rapidfuzz: far above the float error of its ratio, far below one character.
_MARGIN: typing.Final = 1e-7

# C-level accessors: selecting entries with map/compress over them keeps the per-entry
# work of a flood's violation (every message of the window) out of the interpreter loop.
_MESSAGE_ID = operator.attrgetter("message_id")
_CHOICE = operator.itemgetter(0)
_TS = operator.attrgetter("ts")


class Entry:
    """One message's contribution to a window."""

    __slots__ = ("amount", "author_id", "channel_id", "message_id", "text", "ts")

    def __init__(
        self,
        ts: float,
        message_id: int,
        channel_id: int,
        author_id: int,
        amount: int = 1,
        text: str = "",
    ) -> None:
        self.ts = ts
        """POSIX seconds of the message's ``created_at``."""
        self.message_id = message_id
        self.channel_id = channel_id
        self.author_id = author_id
        self.amount = amount
        """What the message adds to the check's total (1 for max_messages)."""
        self.text = text
        """Normalised text, for duplicate windows only."""

    def to_list(self) -> list[typing.Any]:
        """Plain data for snapshots."""
        return [self.ts, self.message_id, self.channel_id, self.author_id, self.amount, self.text]

    @classmethod
    def from_list(cls, data: typing.Sequence[typing.Any]) -> Entry:
        """Rebuild from :meth:`to_list`."""
        ts, message_id, channel_id, author_id, amount, text = data
        return cls(
            float(ts), int(message_id), int(channel_id), int(author_id), int(amount), str(text)
        )


class SumWindow:
    """A running total of amounts over a sliding window.

    Besides the entries (oldest first) it keeps their message ids in a list of their own,
    so a violation's ids are copied in C, and a *sweep mark* for cleaning (see
    :meth:`unswept`).
    """

    __slots__ = ("_entry_ids", "_swept_high", "_swept_low", "entries", "horizon", "total")

    def __init__(self, horizon: float = 0.0) -> None:
        self.entries: collections.deque[Entry] = collections.deque()
        self._entry_ids: list[int] = []
        """The entries' message ids, in the same order."""
        self.total = 0
        self.horizon = horizon
        """The longest interval read from this window, seconds: older entries are dropped."""
        # The sweep mark: every entry with _swept_low <= ts < _swept_high is known to be
        # cleaned already. Empty until a clean sweeps the window.
        self._swept_low = math.inf
        self._swept_high = -math.inf

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: Entry) -> None:
        """Add a message's contribution, keeping the entries in time order.

        Usually the newest message is appended; one older than the newest entry (an
        edit that starts to count, a late delivery) is inserted at its place, since
        expiry and :meth:`total_since` rely on the order.
        """
        entries = self.entries
        if entries and entry.ts < entries[-1].ts:
            index = self._insertion_point(entry.ts)
            entries.insert(index, entry)
            self._entry_ids.insert(index, entry.message_id)
        else:
            entries.append(entry)
            self._entry_ids.append(entry.message_id)
        self.total += entry.amount
        if len(self.entries) > MAX_ENTRIES:
            self._drop_oldest()

    def _insertion_point(self, ts: float) -> int:
        """Where an entry of time ``ts``, older than the newest, goes (after its equals);
        a sweep mark it falls under no longer holds."""
        # A bisection (in C) rather than a walk back from the newest entry: a message
        # delivered late into a busy window (a reconnect's backlog) is not O(window).
        index = bisect_right(self.entries, ts, key=_TS)
        if ts < self._swept_high:
            self._unsweep()
        return index

    def _unsweep(self) -> None:
        # While the window holds entries, its newest is at or after _swept_high (entries
        # leave oldest first), so an appended one is never under the mark; once empty,
        # a late message could be.
        self._swept_low, self._swept_high = math.inf, -math.inf

    def record(
        self, ts: float, message_id: int, channel_id: int, author_id: int, amount: int
    ) -> None:
        """``add(Entry(ts, message_id, channel_id, author_id, amount))``."""
        entries = self.entries
        entry = Entry(ts, message_id, channel_id, author_id, amount)
        if entries and ts < entries[-1].ts:
            self.add(entry)
            return
        entries.append(entry)
        self._entry_ids.append(message_id)
        self.total += amount
        if len(entries) > MAX_ENTRIES:
            self._drop_oldest()

    def expire(self, cutoff: float) -> None:
        """Drop entries at or before ``cutoff`` (``now - longest interval``)."""
        entries = self.entries
        dropped = 0
        while entries and entries[0].ts <= cutoff:
            self.total -= entries.popleft().amount
            dropped += 1
        if dropped:
            del self._entry_ids[:dropped]
            if not entries:
                self._unsweep()

    def _drop_oldest(self) -> Entry:
        entry = self.entries.popleft()
        del self._entry_ids[0]
        self.total -= entry.amount
        return entry

    def replace(self, message_id: int, amount: int) -> bool:
        """Change an edited message's amount; False when it is not in the window."""
        for entry in reversed(self.entries):
            if entry.message_id == message_id:
                self.total += amount - entry.amount
                entry.amount = amount
                return True
        return False

    def find(self, message_id: int) -> Entry | None:
        """The entry of ``message_id``, if it is in the window."""
        for entry in reversed(self.entries):
            if entry.message_id == message_id:
                return entry
        return None

    def total_since(self, cutoff: float) -> int:
        """Total of the entries after ``cutoff``."""
        entries = self.entries
        if not entries or entries[0].ts > cutoff:
            return self.total
        total = 0
        for entry in reversed(entries):
            if entry.ts <= cutoff:
                break
            total += entry.amount
        return total

    def entries_since(self, cutoff: float) -> list[Entry]:
        """The entries after ``cutoff``, oldest first."""
        entries = self.entries
        if entries and entries[0].ts > cutoff:
            return list(entries)
        return [entry for entry in entries if entry.ts > cutoff]

    def ids_since(self, cutoff: float) -> tuple[int, ...]:
        """The message ids of the entries after ``cutoff``, oldest first: a violation's
        ids, copied in C however long the window."""
        window = self.entries
        if not window or window[0].ts > cutoff:
            return tuple(self._entry_ids)
        return tuple(self._entry_ids[bisect_right(window, cutoff, key=_TS) :])

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
        window = self.entries
        floor = max(since, horizon)
        start = bisect_right(window, floor, key=_TS)
        if start == len(window):
            return []
        first = window[start].ts
        # The mark covers the entries in reach below _swept_high when none of them lies
        # under its low end.
        stop = self._swept_high if self._swept_low <= first else -math.inf
        found: list[Entry] = []
        for entry in reversed(window):
            ts = entry.ts
            if ts <= floor or ts < stop:
                break
            if entry.message_id not in cleaned:
                found.append(entry)
                if len(found) == limit:
                    return found  # there may be more: the mark stays where it was
        self._swept_low, self._swept_high = first, window[-1].ts
        return found


class DuplicateWindow(SumWindow):
    """A window of normalised texts, for ``max_duplicates``.

    Exact repeats are counted from a table of the distinct texts in the window; fuzzy
    comparison (rapidfuzz ratio, in C over the whole table at once) runs only over the
    distinct texts that have letters or digits, once each, and among those only over
    the ones whose length allows the asked similarity at all.

    A flood (one look-up matching :data:`FLOOD_MATCHES` texts or more) makes the window
    index its texts by their indel distance to one of them, the *pivot*. The indel
    distance is a metric, so ``|d(q, p) - d(t, p)| <= d(q, t) <= d(q, p) + d(t, p)``:
    texts the bounds place clearly inside or outside the asked similarity are decided
    without comparing them, and rapidfuzz compares only the rest. Each new text then
    costs one comparison with the pivot; the index is dropped when the pivot leaves
    the window.
    """

    __slots__ = (
        "_by_distance",
        "_choices",
        "_distances",
        "_entry_texts",
        "_lengths",
        "_pivot",
        "_pivot_distance",
        "fuzzy",
        "texts",
    )

    def __init__(self, horizon: float = 0.0) -> None:
        super().__init__(horizon)
        self.texts: dict[str, int] = {}
        """Distinct text -> how many entries hold it."""
        self.fuzzy: dict[str, str] = {}
        """The distinct texts fuzzy matching may consider (text -> itself)."""
        # The same texts, shortest first (ties in arrival order), with their lengths: a
        # ratio of at least ``accuracy`` needs lengths within a factor of each other, so
        # a bisection picks the only texts worth comparing.
        self._lengths: list[int] = []
        self._choices: list[str] = []
        # Each entry's text, in the order of ``entries`` (as ``_entry_ids``): a flood's
        # violation selects its ids with C-level map/compress over these. Lists, not
        # deques: an empty deque takes 600 bytes, and windows are many and short.
        self._entry_texts: list[str] = []
        # The pivot index (see the class docstring): None, or the pivot text with every
        # fuzzy text's distance to it, and the texts ordered by that distance.
        self._pivot: str | None = None
        self._unpivot()

    def add(self, entry: Entry) -> None:
        # Entries holding the same text share one string.
        text = entry.text = self._remember(entry.text)
        entries = self.entries
        if entries and entry.ts < entries[-1].ts:
            index = self._insertion_point(entry.ts)
            entries.insert(index, entry)
            self._entry_ids.insert(index, entry.message_id)
            self._entry_texts.insert(index, text)
        else:
            entries.append(entry)
            self._entry_ids.append(entry.message_id)
            self._entry_texts.append(text)
        self.total += entry.amount
        if len(entries) > MAX_ENTRIES:
            self._drop_oldest()

    def record_text(
        self, ts: float, message_id: int, channel_id: int, author_id: int, text: str
    ) -> None:
        """``add(Entry(ts, message_id, channel_id, author_id, 1, text))``, for the guard's
        hot path (the common case written out)."""
        entries = self.entries
        if entries and ts < entries[-1].ts:
            self.add(Entry(ts, message_id, channel_id, author_id, 1, text))
            return
        text = self._remember(text)
        entries.append(Entry(ts, message_id, channel_id, author_id, 1, text))
        self._entry_ids.append(message_id)
        self._entry_texts.append(text)
        self.total += 1
        if len(entries) > MAX_ENTRIES:
            self._drop_oldest()

    def expire(self, cutoff: float) -> None:
        entries = self.entries
        entry_texts, texts = self._entry_texts, self.texts
        dropped = 0
        while entries and entries[0].ts <= cutoff:
            self.total -= entries.popleft().amount
            text = entry_texts[dropped]
            dropped += 1
            left = texts[text] - 1
            if left:
                texts[text] = left
            elif self._pivot is None and self.fuzzy.pop(text, None) is not None:
                # _forget(text), its usual case written out.
                del texts[text]
                index = self._choices.index(text, bisect_left(self._lengths, len(text)))
                del self._lengths[index]
                del self._choices[index]
            else:
                self._forget(text)
        if dropped:
            del self._entry_ids[:dropped]
            del entry_texts[:dropped]
            if not entries:
                self._unsweep()

    def _remember(self, text: str) -> str:
        """Count ``text`` in; returns the window's own copy of it when it has one."""
        count = self.texts.get(text)
        if count is None:
            self.texts[text] = 1
            if text and not is_symbolic(text):
                self.fuzzy[text] = text
                length = len(text)
                index = bisect_right(self._lengths, length)
                self._lengths.insert(index, length)
                self._choices.insert(index, text)
                if self._pivot is not None:
                    distance = Indel.distance(text, self._pivot)
                    self._pivot_distance[text] = distance
                    index = bisect_right(self._distances, distance)
                    self._distances.insert(index, distance)
                    self._by_distance.insert(index, text)
            return text
        self.texts[text] = count + 1
        return self.fuzzy.get(text, text)

    def _drop_oldest(self) -> Entry:
        entry = self.entries.popleft()
        del self._entry_ids[0]
        del self._entry_texts[0]
        self.total -= entry.amount
        self._forget(entry.text)
        return entry

    def _forget(self, text: str) -> None:
        left = self.texts[text] - 1
        if left:
            self.texts[text] = left
        else:
            del self.texts[text]
            if self.fuzzy.pop(text, None) is not None:
                start = bisect_left(self._lengths, len(text))
                index = self._choices.index(text, start)
                del self._lengths[index]
                del self._choices[index]
                if self._pivot is not None:
                    if text == self._pivot:
                        self._unpivot()
                    else:
                        distance = self._pivot_distance.pop(text)
                        start = bisect_left(self._distances, distance)
                        index = self._by_distance.index(text, start)
                        del self._distances[index]
                        del self._by_distance[index]

    def _index(self) -> None:
        """Index every fuzzy text by its distance to a pivot: the most repeated one, the
        newest of equals.

        In a flood that is the spam text as sent before its variations, so every other
        text lies a few edits from it, and the bounds decide most of them. When every text
        is held once (variants with a counter appended), the newest stays in the window
        longest: the oldest would leave at the next expiry and force a new index, an O(n)
        comparison, for every message.
        """
        texts = self.texts
        pivot = max(reversed(self.fuzzy), key=texts.__getitem__)
        ordered = sorted(
            (distance, index)
            for _text, distance, index in process.extract(
                pivot, self._choices, scorer=Indel.distance, limit=None
            )
        )
        choices = self._choices
        self._pivot = pivot
        self._distances = [distance for distance, _index in ordered]
        self._by_distance = [choices[index] for _distance, index in ordered]
        self._pivot_distance = dict(zip(self._by_distance, self._distances, strict=True))

    def _unpivot(self) -> None:
        # The shared empties (see _NO_DISTANCES): most windows never index, and these
        # are never written to without a pivot.
        self._pivot = None
        self._pivot_distance = _NO_DISTANCES
        self._distances = _NO_DISTANCE_LIST
        self._by_distance = _NO_TEXT_LIST

    def replace_text(self, message_id: int, text: str) -> bool:
        """Change an edited message's text; False when it is not in the window."""
        entries = self.entries
        for index in range(len(entries) - 1, -1, -1):
            entry = entries[index]
            if entry.message_id == message_id:
                self._forget(entry.text)
                entry.text = self._remember(text)
                self._entry_texts[index] = entry.text
                return True
        return False

    def similar_texts(self, text: str, accuracy: int) -> set[str]:
        """The distinct texts in the window that duplicate ``text`` (itself included).

        Empty text (attachment-only messages) duplicates nothing; text without letters or
        digits only duplicates itself exactly.
        """
        if not text:
            return set()
        matches = {text} if text in self.texts else set()
        fuzzy = self.fuzzy
        if accuracy >= 100 or len(fuzzy) <= len(matches):
            return matches
        if text not in fuzzy and is_symbolic(text):
            return matches
        if self._pivot is not None:
            return self._similar_by_pivot(text, accuracy, matches)
        choices = self._candidates(len(text), accuracy)
        if choices:
            matches.update(
                map(
                    _CHOICE,
                    process.extract(
                        text, choices, scorer=fuzz.ratio, score_cutoff=accuracy, limit=None
                    ),
                )
            )
            if len(matches) >= FLOOD_MATCHES and text in fuzzy:
                self._index()
        return matches

    def _similar_by_pivot(self, text: str, accuracy: int, matches: set[str]) -> set[str]:
        """:meth:`similar_texts` over the pivot index (see the class docstring).

        With ``L`` the two lengths' sum and ``c = 1 - accuracy / 100``, rapidfuzz accepts
        a pair when its indel distance is at most ``c * L`` (``100 * (1 - d / L) >=
        accuracy``). Within the window's shortest and longest text, a text whose bound
        ``d(q, p) + d(t, p)`` is at most ``c * L`` for the shortest is accepted, one whose
        ``|d(q, p) - d(t, p)|`` exceeds ``c * L`` for the longest is not; rapidfuzz
        decides the texts in between.
        """
        pivot = self._pivot
        assert pivot is not None  # callers look the index up first
        query = self._pivot_distance.get(text)
        if query is None:  # a text that is not in the window
            query = Indel.distance(text, pivot)
        share = 1.0 - accuracy / 100.0
        length = len(text)
        lengths = self._lengths
        distances = self._distances
        surely = math.floor(share * (length + lengths[0]) - _MARGIN) - query
        reach = share * (length + lengths[-1]) + _MARGIN
        low = max(bisect_right(distances, surely), bisect_left(distances, query - reach))
        high = bisect_right(distances, query + reach)
        by_distance = self._by_distance
        if surely >= 0:
            matches.update(by_distance[: bisect_right(distances, surely)])
        if low < high:
            matches.update(
                map(
                    _CHOICE,
                    process.extract(
                        text,
                        by_distance[low:high],
                        scorer=fuzz.ratio,
                        score_cutoff=accuracy,
                        limit=None,
                    ),
                )
            )
        return matches

    def _similar_among(self, text: str, choices: list[str], accuracy: int) -> set[str]:
        """The texts of ``choices`` (``text`` among them) that rapidfuzz finds at least
        ``accuracy`` similar to ``text``; a flood's match makes the window index itself
        around a pivot for the next look-ups."""
        found = process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=accuracy, limit=None)
        if len(found) == 1:  # the text itself
            return {text}
        similar = set(map(_CHOICE, found))
        if len(similar) >= FLOOD_MATCHES:
            self._index()
        return similar

    def _candidates(self, length: int, accuracy: float) -> list[str]:
        """The fuzzy texts a text of ``length`` characters can reach ``accuracy`` with.

        rapidfuzz's ratio is ``100 * (1 - indel / (len_a + len_b))`` and the indel distance
        is at least the difference in length, so ``len_b`` must lie within
        ``len_a * (1 - c) / (1 + c)`` and ``len_a * (1 + c) / (1 - c)``, ``c`` being
        ``1 - accuracy / 100``. The bounds are widened by a character so rounding never
        leaves out a text rapidfuzz would accept; rapidfuzz still decides each one.
        """
        choices = self._choices
        share = 1.0 - accuracy / 100.0
        if share >= 1.0:
            return choices
        low, high = self._length_range(length, share)
        if low == 0 and high == len(choices):
            return choices
        return choices[low:high]

    def _length_range(self, length: int, share: float) -> tuple[int, int]:
        """``(low, high)``: the slice of the length-sorted texts :meth:`_candidates` keeps
        for a text of ``length`` characters (``share`` is ``1 - accuracy / 100``, below 1)."""
        lengths = self._lengths
        low = bisect_left(lengths, int(length * (1.0 - share) / (1.0 + share)) - 1)
        high = bisect_right(lengths, int(length * (1.0 + share) / (1.0 - share)) + 2)
        return low, high

    def entries_in(self, similar: set[str], cutoff: float) -> list[Entry]:
        """Entries after ``cutoff`` whose text is in ``similar``, oldest first."""
        entries = self.entries
        if entries and entries[0].ts > cutoff:
            texts = self.texts
            if len(similar) >= len(texts) and texts.keys() <= similar:
                return list(entries)
            return list(compress(entries, map(similar.__contains__, self._entry_texts)))
        return [entry for entry in entries if entry.ts > cutoff and entry.text in similar]

    def duplicates(
        self, text: str, accuracy: int, cutoff: float, limit: int, *, entries: bool = False
    ) -> tuple[int, tuple[int, ...], list[Entry]]:
        """The duplicates of ``text`` after ``cutoff``, all at once: their number, and when
        it reaches ``limit`` their message ids (and, with ``entries``, their entries),
        oldest first; below ``limit`` both are empty.

        The same as :meth:`count_in` and :meth:`entries_in` over :meth:`similar_texts`,
        with the per-entry work of a flood (every entry a duplicate) done in C.
        """
        window = self.entries
        fuzzy = self.fuzzy
        if (
            self._pivot is None
            and accuracy < 100
            and text in fuzzy
            and len(fuzzy) > 1
            and window[0].ts > cutoff
        ):
            # similar_texts() written out for the common case: a text of the window,
            # every entry inside the interval, no pivot index.
            similar = self._similar_among(text, self._candidates(len(text), accuracy), accuracy)
        else:
            similar = self.similar_texts(text, accuracy)
            if not similar:
                return 0, (), []
            if window and window[0].ts <= cutoff:
                selected = [e for e in window if e.ts > cutoff and e.text in similar]
                count = len(selected)
                if count < limit:
                    return count, (), []
                return count, tuple(map(_MESSAGE_ID, selected)), selected
        return self._select(similar, limit, entries)

    def _select(
        self, similar: set[str], limit: int, entries: bool
    ) -> tuple[int, tuple[int, ...], list[Entry]]:
        """The end of :meth:`duplicates` once ``similar`` is known (texts of the window,
        every entry inside the interval): how many entries hold one of them and, when
        that reaches ``limit``, their ids (and entries), oldest first; the per-entry work
        in C."""
        texts = self.texts
        window = self.entries
        if len(similar) == 1:
            count = texts[next(iter(similar))]
        elif len(similar) == len(texts):  # all of them (similar holds texts of the window)
            count = len(window)
        elif len(texts) == len(window):  # each text held by one entry: a flood of variants
            count = len(similar)
        else:
            count = sum(map(texts.__getitem__, similar))
        if count < limit:
            return count, (), []
        if count == len(window):  # every entry is a duplicate
            return count, tuple(self._entry_ids), list(window) if entries else []
        mask = list(map(similar.__contains__, self._entry_texts))
        return (
            count,
            tuple(compress(self._entry_ids, mask)),
            list(compress(window, mask)) if entries else [],
        )

    def record_and_match(
        self,
        ts: float,
        message_id: int,
        channel_id: int,
        author_id: int,
        text: str,
        accuracy: int,
        cutoff: float,
        limit: int,
        entries: bool,
    ) -> tuple[int, tuple[int, ...], list[Entry]]:
        """:meth:`record` then :meth:`duplicates`, for the guard's hot path.

        The same answer when the duplicates reach ``limit``; below it, the first item is
        only some number below ``limit``: the check does not fire, and that may be known
        without counting. The common cases are written out: a new message (the newest of
        the window) with every entry inside ``cutoff``; a window of distinct texts with
        too few of a comparable length to reach ``limit``; in a flood every text of the
        window a sure duplicate by the pivot's bounds, so that nothing is compared at all.
        """
        window = self.entries
        if not text or (window and ts < window[-1].ts):
            self.record_text(ts, message_id, channel_id, author_id, text)
            return self.duplicates(text, accuracy, cutoff, limit, entries=entries)
        text = self._remember(text)
        texts = self.texts
        fuzzy = self.fuzzy
        entry = Entry(ts, message_id, channel_id, author_id, 1, text)
        window.append(entry)
        self._entry_ids.append(message_id)
        self._entry_texts.append(text)
        self.total += 1
        if len(window) > MAX_ENTRIES:
            self._drop_oldest()
        if accuracy >= 100 or text not in fuzzy or window[0].ts <= cutoff:
            return self.duplicates(text, accuracy, cutoff, limit, entries=entries)
        share = 1.0 - accuracy / 100.0
        length = len(text)
        lengths = self._lengths
        pivot = self._pivot  # after the drop above: the pivot may have been the text dropped
        if pivot is not None:
            query = self._pivot_distance[text]
            distances = self._distances
            surely = math.floor(share * (length + lengths[0]) - _MARGIN) - query
            if distances[-1] <= surely and len(texts) == len(fuzzy):
                # The bounds make every text of the window a duplicate: a flood.
                count = len(window)
                if count < limit:
                    return count, (), []
                return count, tuple(self._entry_ids), list(window) if entries else []
            similar = self._similar_by_pivot(text, accuracy, {text})
        elif len(fuzzy) == 1:
            similar = {text}
        else:
            choices = self._choices
            if share < 1.0:
                low, high = self._length_range(length, share)
                if high - low < limit and len(texts) == len(window):
                    # Every text is held by one entry, and only high - low of them have
                    # a length that can match: fewer duplicates than limit.
                    return 0, (), []
                if low or high != len(choices):
                    choices = choices[low:high]
            similar = self._similar_among(text, choices, accuracy)
        return self._select(similar, limit, entries)

    def count_in(self, similar: set[str], cutoff: float) -> int:
        """How many entries after ``cutoff`` have a text in ``similar``."""
        if not similar:
            return 0
        entries = self.entries
        if entries and entries[0].ts > cutoff:
            return sum(map(self.texts.get, similar, itertools.repeat(0)))
        return sum(1 for entry in entries if entry.ts > cutoff and entry.text in similar)
