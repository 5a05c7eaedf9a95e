"""The similarity index of a duplicate window: which of its texts a text may duplicate.

rapidfuzz's ratio is ``100 * (1 - indel / (len_a + len_b))``. Two facts about the indel
distance keep the comparisons few:

- it is at least the difference in length, so a ratio of at least ``accuracy`` needs
  lengths within a factor of each other: the texts are kept sorted by length, and a
  bisection picks the only ones worth comparing;
- it is a metric, so ``|d(q, p) - d(t, p)| <= d(q, t) <= d(q, p) + d(t, p)`` for any
  *pivot* ``p``: once a window indexes its texts by their distance to a pivot (in a flood,
  see :class:`~spamguard.core.windows.duplicates.DuplicateWindow`), texts the bounds place
  clearly inside or outside the asked similarity are decided without comparing them, and
  rapidfuzz compares only the rest. Each new text then costs one comparison with the
  pivot.
"""

from __future__ import annotations

__all__ = ("SimilarityIndex",)

import math
import operator
import typing
from array import array
from bisect import bisect_left, bisect_right

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

if typing.TYPE_CHECKING:
    from collections.abc import MutableSequence

# Shared empties for indexes without a pivot (most of them): written to only once a
# pivot is chosen, when the index gets its own (see pivot_on and unpivot).
_NO_DISTANCES: dict[str, int] = {}
_NO_DISTANCE_LIST: list[int] = []
_NO_TEXT_LIST: list[str] = []

# How far inside (or outside) rapidfuzz's threshold a bound must fall to decide a pair
# without rapidfuzz: far above the float error of its ratio, far below one character.
_MARGIN: typing.Final = 1e-7

_CHOICE = operator.itemgetter(0)


def matching(text: str, choices: list[str], accuracy: int) -> set[str]:
    """The texts of ``choices`` rapidfuzz finds at least ``accuracy`` similar to ``text``."""
    return set(
        map(
            _CHOICE,
            process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=accuracy, limit=None),
        )
    )


class SimilarityIndex:
    """The distinct texts fuzzy matching may consider, sorted by length, and optionally
    indexed by their indel distance to a pivot text."""

    __slots__ = ("by_distance", "choices", "distances", "lengths", "pivot", "pivot_distance")

    def __init__(self) -> None:
        # Shortest first (ties in arrival order), with their lengths: bisected without
        # calling len, 4 bytes each.
        self.lengths: MutableSequence[int] = array("I")
        self.choices: list[str] = []
        # The pivot index: None, or the pivot text with every text's distance to it, and
        # the texts ordered by that distance.
        self.pivot: str | None = None
        self.pivot_distance = _NO_DISTANCES
        self.distances = _NO_DISTANCE_LIST
        self.by_distance = _NO_TEXT_LIST

    def __len__(self) -> int:
        return len(self.choices)

    def add(self, text: str) -> None:
        """Index a new distinct text."""
        length = len(text)
        index = bisect_right(self.lengths, length)
        self.lengths.insert(index, length)
        self.choices.insert(index, text)
        if self.pivot is not None:
            distance = Indel.distance(text, self.pivot)
            self.pivot_distance[text] = distance
            index = bisect_right(self.distances, distance)
            self.distances.insert(index, distance)
            self.by_distance.insert(index, text)

    def remove(self, text: str) -> None:
        """Forget a text the window no longer holds (the pivot index goes with its pivot)."""
        index = self.choices.index(text, bisect_left(self.lengths, len(text)))
        del self.lengths[index]
        del self.choices[index]
        if self.pivot is None:
            return
        if text == self.pivot:
            self.unpivot()
            return
        distance = self.pivot_distance.pop(text)
        index = self.by_distance.index(text, bisect_left(self.distances, distance))
        del self.distances[index]
        del self.by_distance[index]

    def pivot_on(self, pivot: str) -> None:
        """Index every text by its distance to ``pivot`` (one of them)."""
        choices = self.choices
        ordered = sorted(
            (distance, index)
            for _text, distance, index in process.extract(
                pivot, choices, scorer=Indel.distance, limit=None
            )
        )
        self.pivot = pivot
        self.distances = [distance for distance, _index in ordered]
        self.by_distance = [choices[index] for _distance, index in ordered]
        self.pivot_distance = dict(zip(self.by_distance, self.distances, strict=True))

    def unpivot(self) -> None:
        """Drop the pivot index (back to the shared empties)."""
        self.pivot = None
        self.pivot_distance = _NO_DISTANCES
        self.distances = _NO_DISTANCE_LIST
        self.by_distance = _NO_TEXT_LIST

    def sure_of_all(self, text: str, accuracy: int) -> bool:
        """Whether the pivot's bounds make every indexed text at least ``accuracy``
        similar to ``text`` (one of them), so that nothing needs comparing: a flood."""
        query = self.pivot_distance[text]
        share = 1.0 - accuracy / 100.0
        surely = math.floor(share * (len(text) + self.lengths[0]) - _MARGIN) - query
        return self.distances[-1] <= surely

    def by_pivot(self, text: str, accuracy: int, matches: set[str]) -> set[str]:
        """The indexed texts at least ``accuracy`` similar to ``text``, added to
        ``matches``, over the pivot index.

        With ``L`` the two lengths' sum and ``c = 1 - accuracy / 100``, rapidfuzz accepts
        a pair when its indel distance is at most ``c * L`` (``100 * (1 - d / L) >=
        accuracy``). Within the shortest and longest text, a text whose bound
        ``d(q, p) + d(t, p)`` is at most ``c * L`` for the shortest is accepted, one whose
        ``|d(q, p) - d(t, p)|`` exceeds ``c * L`` for the longest is not; rapidfuzz
        decides the texts in between.
        """
        pivot = self.pivot
        assert pivot is not None  # callers look the index up first
        query = self.pivot_distance.get(text)
        if query is None:  # a text that is not in the window
            query = Indel.distance(text, pivot)
        share = 1.0 - accuracy / 100.0
        length = len(text)
        lengths = self.lengths
        distances = self.distances
        surely = math.floor(share * (length + lengths[0]) - _MARGIN) - query
        reach = share * (length + lengths[-1]) + _MARGIN
        low = max(bisect_right(distances, surely), bisect_left(distances, query - reach))
        high = bisect_right(distances, query + reach)
        if surely >= 0:
            matches.update(self.by_distance[: bisect_right(distances, surely)])
        if low < high:
            matches.update(matching(text, self.by_distance[low:high], accuracy))
        return matches

    def candidates(self, length: int, accuracy: float) -> list[str]:
        """The texts a text of ``length`` characters can reach ``accuracy`` with.

        ``len_b`` must lie within ``len_a * (1 - c) / (1 + c)`` and ``len_a * (1 + c) /
        (1 - c)``, ``c`` being ``1 - accuracy / 100``. The bounds are widened by a
        character so rounding never leaves out a text rapidfuzz would accept; rapidfuzz
        still decides each one.
        """
        choices = self.choices
        share = 1.0 - accuracy / 100.0
        if share >= 1.0:
            return choices
        lengths = self.lengths
        low = bisect_left(lengths, int(length * (1.0 - share) / (1.0 + share)) - 1)
        high = bisect_right(lengths, int(length * (1.0 + share) / (1.0 - share)) + 2)
        if low == 0 and high == len(choices):
            return choices
        return choices[low:high]
