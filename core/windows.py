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
import typing

from rapidfuzz import fuzz, process

from spamguard.core.text import is_symbolic

MAX_ENTRIES = 1000
"""Entries one window keeps at most; far above any sensible ``count``."""


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
    """A running total of amounts over a sliding window."""

    __slots__ = ("entries", "horizon", "total")

    def __init__(self, horizon: float = 0.0) -> None:
        self.entries: collections.deque[Entry] = collections.deque()
        self.total = 0
        self.horizon = horizon
        """The longest interval read from this window, seconds: older entries are dropped."""

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
            index = len(entries) - 1
            while index and entries[index - 1].ts > entry.ts:
                index -= 1
            entries.insert(index, entry)
        else:
            entries.append(entry)
        self.total += entry.amount
        if len(self.entries) > MAX_ENTRIES:
            self._drop_oldest()

    def expire(self, cutoff: float) -> None:
        """Drop entries at or before ``cutoff`` (``now - longest interval``)."""
        entries = self.entries
        while entries and entries[0].ts <= cutoff:
            self._drop_oldest()

    def _drop_oldest(self) -> Entry:
        entry = self.entries.popleft()
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
        return [entry for entry in self.entries if entry.ts > cutoff]


class DuplicateWindow(SumWindow):
    """A window of normalised texts, for ``max_duplicates``.

    Exact repeats are counted from a table of the distinct texts in the window; fuzzy
    comparison (rapidfuzz ratio, in C over the whole table at once) runs only over the
    distinct texts that have letters or digits, once each.
    """

    __slots__ = ("fuzzy", "texts")

    def __init__(self, horizon: float = 0.0) -> None:
        super().__init__(horizon)
        self.texts: dict[str, int] = {}
        """Distinct text -> how many entries hold it."""
        self.fuzzy: dict[str, str] = {}
        """The distinct texts fuzzy matching may consider (text -> itself, as rapidfuzz
        takes a mapping as choices without copying it)."""

    def add(self, entry: Entry) -> None:
        self._remember(entry.text)
        super().add(entry)

    def _remember(self, text: str) -> None:
        count = self.texts.get(text)
        if count is None:
            self.texts[text] = 1
            if text and not is_symbolic(text):
                self.fuzzy[text] = text
        else:
            self.texts[text] = count + 1

    def _drop_oldest(self) -> Entry:
        entry = super()._drop_oldest()
        self._forget(entry.text)
        return entry

    def _forget(self, text: str) -> None:
        left = self.texts[text] - 1
        if left:
            self.texts[text] = left
        else:
            del self.texts[text]
            self.fuzzy.pop(text, None)

    def replace_text(self, message_id: int, text: str) -> bool:
        """Change an edited message's text; False when it is not in the window."""
        entry = self.find(message_id)
        if entry is None:
            return False
        self._forget(entry.text)
        entry.text = text
        self._remember(text)
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
        for _choice, _score, key in process.extract(
            text, fuzzy, scorer=fuzz.ratio, score_cutoff=accuracy, limit=None
        ):
            matches.add(key)
        return matches

    def entries_in(self, similar: set[str], cutoff: float) -> list[Entry]:
        """Entries after ``cutoff`` whose text is in ``similar``, oldest first."""
        return [entry for entry in self.entries if entry.ts > cutoff and entry.text in similar]

    def count_in(self, similar: set[str], cutoff: float) -> int:
        """How many entries after ``cutoff`` have a text in ``similar``."""
        if not similar:
            return 0
        entries = self.entries
        if entries and entries[0].ts > cutoff:
            return sum(self.texts.get(t, 0) for t in similar)
        return sum(1 for entry in entries if entry.ts > cutoff and entry.text in similar)
