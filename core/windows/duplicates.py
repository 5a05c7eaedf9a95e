"""Duplicate windows: the normalised texts of a scope's recent messages, for ``max_duplicates``.

Exact repeats are counted from a table of the distinct texts in the window; fuzzy
comparison (rapidfuzz ratio, in C over many texts at once) runs only over the distinct
texts that have letters or digits, once each, and among those only over the ones the
window's :class:`~spamguard.core.windows.similarity.SimilarityIndex` cannot rule out.
"""

from __future__ import annotations

__all__ = ("FLOOD_MATCHES", "DuplicateWindow")

import itertools
import typing
from bisect import bisect_right
from itertools import compress

from spamguard.core.text import is_symbolic
from spamguard.core.windows.entries import Entry
from spamguard.core.windows.similarity import SimilarityIndex, matching
from spamguard.core.windows.sums import MAX_ENTRIES, SumWindow

UNINDEXED_TEXTS: typing.Final = 64
"""Up to this many distinct texts, :meth:`DuplicateWindow.similar_texts` compares them all
rather than build the window's index."""
FLOOD_MATCHES: typing.Final = 8
"""Distinct texts one look-up must match before a window indexes its texts around a pivot."""


class DuplicateWindow(SumWindow):
    """A window of normalised texts, for ``max_duplicates``.

    Each entry's text is a column like the others (``entry_texts``); entries holding the
    same text share one string. A flood (one look-up matching :data:`FLOOD_MATCHES` texts
    or more) makes the window index its texts by their distance to one of them, the
    *pivot* (see :mod:`spamguard.core.windows.similarity`); the index is dropped when the
    pivot leaves the window.
    """

    __slots__ = ("_similarity", "entry_texts", "fuzzy", "texts")

    def __init__(self, horizon: float = 0.0) -> None:
        super().__init__(horizon)
        self.texts: dict[str, int] = {}
        """Distinct text -> how many entries hold it."""
        self.fuzzy: dict[str, str] = {}
        """The distinct texts fuzzy matching may consider (text -> itself), oldest first."""
        # The same texts, for the look-ups: None until the first look-up needs it (a window
        # only ever read with a few texts, an extension's per-member window, never pays
        # for it), kept up to date from then on.
        self._similarity: SimilarityIndex | None = None
        # A list, like the id column, so a flood's violation selects with C-level
        # map/compress over it.
        self.entry_texts: list[str] = []
        """Each entry's text, oldest first."""

    def _text(self, index: int) -> str:
        return self.entry_texts[index]

    def add(self, entry: Entry) -> None:
        self.record_text(
            entry.ts, entry.message_id, entry.channel_id, entry.author_id, entry.text, entry.amount
        )

    def record(
        self, ts: float, message_id: int, channel_id: int, author_id: int, amount: int = 1
    ) -> None:
        self.record_text(ts, message_id, channel_id, author_id, "", amount)

    def record_text(
        self,
        ts: float,
        message_id: int,
        channel_id: int,
        author_id: int,
        text: str,
        amount: int = 1,
    ) -> None:
        """Add a message's text (see :meth:`SumWindow.record`)."""
        index = self._put(ts, message_id, channel_id, author_id, amount)
        self.entry_texts.insert(index, self._remember(text))
        if len(self.times) > MAX_ENTRIES:
            self._drop(len(self.times) - MAX_ENTRIES)

    def _drop(self, count: int) -> None:
        entry_texts = self.entry_texts
        for text in entry_texts[:count]:
            self._forget(text)
        del entry_texts[:count]
        super()._drop(count)

    def _remember(self, text: str) -> str:
        """Count ``text`` in; returns the window's own copy of it when it has one."""
        count = self.texts.get(text)
        if count is None:
            self.texts[text] = 1
            if text and not is_symbolic(text):
                self.fuzzy[text] = text
                if self._similarity is not None:
                    self._similarity.add(text)
            return text
        self.texts[text] = count + 1
        return self.fuzzy.get(text, text)

    def _forget(self, text: str) -> None:
        left = self.texts[text] - 1
        if left:
            self.texts[text] = left
            return
        del self.texts[text]
        if self.fuzzy.pop(text, None) is not None and self._similarity is not None:
            self._similarity.remove(text)

    @property
    def index(self) -> SimilarityIndex:
        """The :attr:`fuzzy` texts indexed for the look-ups (built at the first read, from
        the texts oldest first, as adding them one by one would; kept up to date after)."""
        index = self._similarity
        if index is None:
            index = self._similarity = SimilarityIndex()
            for text in self.fuzzy:
                index.add(text)
        return index

    def _index(self) -> None:
        """Index every fuzzy text by its distance to a pivot: the most repeated one, the
        newest of equals.

        In a flood that is the spam text as sent before its variations, so every other
        text lies a few edits from it, and the bounds decide most of them. When every text
        is held once (variants with a counter appended), the newest stays in the window
        longest: the oldest would leave at the next expiry and force a new index, an O(n)
        comparison, for every message.
        """
        self.index.pivot_on(max(reversed(self.fuzzy), key=self.texts.__getitem__))

    def replace_text(self, message_id: int, text: str) -> bool:
        """Change an edited message's text; False when it is not in the window."""
        index = self._index_of(message_id)
        if index < 0:
            return False
        self._forget(self.entry_texts[index])
        self.entry_texts[index] = self._remember(text)
        return True

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
        index = self._similarity
        if index is None and len(fuzzy) <= UNINDEXED_TEXTS:
            # A few texts: compared at once, in C, rather than indexed on every message.
            return self._among(text, list(fuzzy), accuracy, matches)
        index = self.index
        if index.pivot is not None:
            return index.by_pivot(text, accuracy, matches)
        return self._among(text, index.candidates(len(text), accuracy), accuracy, matches)

    def _among(self, text: str, choices: list[str], accuracy: int, matches: set[str]) -> set[str]:
        """``matches`` with the texts of ``choices`` at least ``accuracy`` similar to
        ``text``; a flood's match makes the window index itself around a pivot for the
        next look-ups."""
        if choices:
            matches.update(matching(text, choices, accuracy))
        if len(matches) >= FLOOD_MATCHES and text in self.fuzzy:
            self._index()
        return matches

    def entries_in(self, similar: set[str], cutoff: float) -> list[Entry]:
        """Entries after ``cutoff`` whose text is in ``similar``, oldest first."""
        start = self._start(cutoff)
        held = map(similar.__contains__, self.entry_texts[start:])
        return list(map(self._entry, compress(range(start, len(self.times)), held)))

    def count_in(self, similar: set[str], cutoff: float) -> int:
        """How many entries after ``cutoff`` have a text in ``similar``."""
        if not similar:
            return 0
        start = self._start(cutoff)
        if start == 0:
            return sum(map(self.texts.get, similar, itertools.repeat(0)))
        return sum(map(similar.__contains__, self.entry_texts[start:]))

    def duplicates(
        self, text: str, accuracy: int, cutoff: float, limit: int, *, entries: bool = False
    ) -> tuple[int, tuple[int, ...], list[Entry]]:
        """The duplicates of ``text`` after ``cutoff``, all at once: when they reach
        ``limit``, their number and message ids (and, with ``entries``, their entries,
        unless they are every entry of the window: the count is then ``len(window)``, and
        the entries are the window's own), oldest first. Below ``limit`` the number is
        only some number below ``limit`` (the check does not fire, and that may be known
        without counting), and the ids and entries are empty.

        The same as :meth:`count_in` and :meth:`entries_in` over :meth:`similar_texts`,
        with the per-entry work of a flood (every entry a duplicate) done in C.
        """
        times = self.times
        start = bisect_right(times, cutoff) if times and times[0] <= cutoff else 0
        fuzzy = self.fuzzy
        if start == 0 and 0 < accuracy < 100 and text in fuzzy and len(fuzzy) > 1:
            index = self.index
            if index.pivot is not None:
                if len(self.texts) == len(fuzzy) and index.sure_of_all(text, accuracy):
                    # The bounds make every text of the window a duplicate: a flood.
                    return self._all(limit)
            else:
                choices = index.candidates(len(text), accuracy)
                if len(choices) < limit and len(self.texts) == len(self.times):
                    # Every text is held by one entry: no more duplicates than texts of a
                    # length that can match.
                    return 0, (), []
                return self._select(self._among(text, choices, accuracy, {text}), 0, limit, entries)
        similar = self.similar_texts(text, accuracy)
        if not similar:
            return 0, (), []
        return self._select(similar, start, limit, entries)

    def _all(self, limit: int) -> tuple[int, tuple[int, ...], list[Entry]]:
        count = len(self.times)
        if count < limit:
            return count, (), []
        return count, tuple(self.message_ids), []

    def _select(
        self, similar: set[str], start: int, limit: int, entries: bool
    ) -> tuple[int, tuple[int, ...], list[Entry]]:
        """The end of :meth:`duplicates` once ``similar`` (texts of the window) is known:
        how many entries from ``start`` hold one of them and, when that reaches ``limit``,
        their ids (and entries), oldest first; the per-entry work in C."""
        size = len(self.times)
        if start:
            mask = list(map(similar.__contains__, self.entry_texts[start:]))
            count = sum(mask)
        else:
            texts = self.texts
            if len(similar) == 1:
                count = texts[next(iter(similar))]
            elif len(similar) == len(texts):  # all of them
                count = size
            elif len(texts) == size:  # each text held by one entry: a flood of variants
                count = len(similar)
            else:
                count = sum(map(texts.__getitem__, similar))
            if count < limit:
                return count, (), []
            if count == size:  # every entry is a duplicate
                return self._all(limit)
            mask = list(map(similar.__contains__, self.entry_texts))
        if count < limit:
            return count, (), []
        ids = tuple(compress(self.message_ids[start:] if start else self.message_ids, mask))
        if not entries:
            return count, ids, []
        return count, ids, list(map(self._entry, compress(range(start, size), mask)))

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
        """:meth:`record_text` then :meth:`duplicates`."""
        self.record_text(ts, message_id, channel_id, author_id, text)
        return self.duplicates(text, accuracy, cutoff, limit, entries=entries)
