"""Sliding-window maths against a brute-force model, over random histories (Hypothesis)."""

from __future__ import annotations

import collections
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spamguard.core.windows import MAX_ENTRIES, DuplicateWindow, Entry, SumWindow

TIMES = st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda t: round(t, 3))
AMOUNTS = st.integers(min_value=0, max_value=50)
INTERVALS = st.floats(min_value=0.001, max_value=500, allow_nan=False)
TEXTS = st.sampled_from(["spam", "free nitro", "hello", "", "😀😀", "!!!"])


@dataclasses.dataclass
class Model:
    """The obvious implementation: a list, scanned every time."""

    rows: list[tuple[float, int, int, str]] = dataclasses.field(default_factory=list)

    def add(self, ts: float, message_id: int, amount: int, text: str = "") -> None:
        self.rows.append((ts, message_id, amount, text))

    def expire(self, cutoff: float) -> None:
        self.rows = [r for r in self.rows if r[0] > cutoff]

    def replace(self, message_id: int, amount: int) -> bool:
        for i, row in enumerate(self.rows):
            if row[1] == message_id:
                self.rows[i] = (row[0], row[1], amount, row[3])
                return True
        return False

    def replace_text(self, message_id: int, text: str) -> bool:
        for i, row in enumerate(self.rows):
            if row[1] == message_id:
                self.rows[i] = (row[0], row[1], row[2], text)
                return True
        return False

    def since(self, cutoff: float) -> list[tuple[float, int, int, str]]:
        # Oldest first; equal times keep their arrival order (sorted() is stable).
        return sorted((r for r in self.rows if r[0] > cutoff), key=lambda r: r[0])


# An operation: ("add", ts, amount, text) | ("expire", cutoff) | ("edit", index, amount, text)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), TIMES, AMOUNTS, TEXTS),
        st.tuples(st.just("expire"), TIMES),
        st.tuples(st.just("edit"), st.integers(min_value=0, max_value=60), AMOUNTS, TEXTS),
    ),
    max_size=60,
)


def run(window: SumWindow, model: Model, operations: list[tuple[object, ...]]) -> None:
    next_id = 1
    for operation in operations:
        match operation:
            case ("add", float() as ts, int() as amount, str() as text):
                window.add(Entry(ts, next_id, 1, 1, amount, text))
                model.add(ts, next_id, amount, text)
                next_id += 1
            case ("expire", float() as cutoff):
                window.expire(cutoff)
                model.expire(cutoff)
            case ("edit", int() as index, int() as amount, str() as text):
                message_id = index % next_id + 1
                if isinstance(window, DuplicateWindow):
                    assert window.replace_text(message_id, text) == model.replace_text(
                        message_id, text
                    )
                assert window.replace(message_id, amount) == model.replace(message_id, amount)


@settings(max_examples=100, deadline=None)
@given(operations=OPERATIONS, interval=INTERVALS, now=TIMES)
def test_sum_window_total_matches_brute_force(
    operations: list[tuple[object, ...]], interval: float, now: float
) -> None:
    window, model = SumWindow(), Model()
    run(window, model, operations)
    cutoff = now - interval
    expected = model.since(cutoff)
    assert window.total_since(cutoff) == sum(r[2] for r in expected)
    assert [e.message_id for e in window.entries_since(cutoff)] == [r[1] for r in expected]
    assert window.total == sum(r[2] for r in model.rows)
    assert len(window) == len(model.rows)


@settings(max_examples=100, deadline=None)
@given(operations=OPERATIONS, interval=INTERVALS, now=TIMES, probe=TEXTS)
def test_duplicate_window_counts_match_brute_force(
    operations: list[tuple[object, ...]], interval: float, now: float, probe: str
) -> None:
    window, model = DuplicateWindow(), Model()
    run(window, model, operations)
    cutoff = now - interval
    # The table of distinct texts always agrees with the entries.
    assert window.texts == collections.Counter(r[3] for r in model.rows)
    similar = window.similar_texts(probe, 100)
    assert similar == ({probe} if probe and probe in window.texts else set())
    expected = [r for r in model.since(cutoff) if r[3] in similar]
    assert window.count_in(similar, cutoff) == len(expected)
    assert [e.message_id for e in window.entries_in(similar, cutoff)] == [r[1] for r in expected]


@settings(max_examples=100, deadline=None)
@given(times=st.lists(TIMES, max_size=40), cutoff=TIMES)
def test_expiry_drops_exactly_the_old_entries(times: list[float], cutoff: float) -> None:
    window = SumWindow()
    for i, ts in enumerate(times):
        window.add(Entry(ts, i, 1, 1, 1))
    window.expire(cutoff)
    assert sorted(e.ts for e in window.entries) == sorted(t for t in times if t > cutoff)
    assert [e.ts for e in window.entries] == sorted(e.ts for e in window.entries)
    assert window.total == len(window.entries)


def test_window_is_bounded_and_drops_the_oldest() -> None:
    window = DuplicateWindow()
    for i in range(MAX_ENTRIES + 5):
        window.add(Entry(float(i), i, 1, 1, 2, f"text {i % 3}"))
    assert len(window) == MAX_ENTRIES
    assert window.entries[0].message_id == 5
    assert window.total == 2 * MAX_ENTRIES
    assert sum(window.texts.values()) == MAX_ENTRIES


def test_an_entry_at_the_cutoff_is_outside() -> None:
    window = SumWindow()
    window.add(Entry(10.0, 1, 1, 1, 3))
    window.add(Entry(20.0, 2, 1, 1, 4))
    assert window.total_since(10.0) == 4
    assert window.total_since(9.999) == 7
    window.expire(10.0)
    assert [e.message_id for e in window.entries] == [2]


@pytest.mark.parametrize(
    ("text", "accuracy", "expected"),
    [
        ("free nitro", 90, {"free nitro", "free nitro!"}),
        ("free nitro", 100, {"free nitro"}),
        ("!!!", 50, {"!!!"}),
        ("", 0, set()),
        ("something else", 90, set()),
    ],
)
def test_similar_texts(text: str, accuracy: int, expected: set[str]) -> None:
    window = DuplicateWindow()
    for i, known in enumerate(["free nitro", "free nitro!", "!!!", "!!!!", "hello"]):
        window.add(Entry(float(i), i, 1, 1, 1, known))
    assert window.similar_texts(text, accuracy) == expected


def test_entry_survives_a_plain_data_round_trip() -> None:
    entry = Entry(1.5, 2, 3, 4, 5, "text")
    again = Entry.from_list(entry.to_list())
    assert again.to_list() == [1.5, 2, 3, 4, 5, "text"]
