"""Sliding-window maths against a brute-force model, over random histories (Hypothesis)."""

from __future__ import annotations

import collections
import dataclasses
import tracemalloc

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


# -- the column storage ---------------------------------------------------------------------

ROWS = st.lists(
    st.tuples(
        TIMES,
        st.sampled_from([7, 8, 2**63 - 1]),  # channel ids
        st.sampled_from([5, 6]),  # author ids
        AMOUNTS,
        TEXTS,
    ),
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(rows=ROWS, cutoff=TIMES, edits=st.lists(st.tuples(st.integers(0, 40), AMOUNTS)))
def test_entries_read_back_exactly_as_added_whatever_the_columns_share(
    rows: list[tuple[float, int, int, int, str]],
    cutoff: float,
    edits: list[tuple[int, int]],
) -> None:
    # Channel, author and amount columns are kept as one value while every entry holds
    # the same: entries that differ, edits and expiry must still read back exactly.
    for window in (SumWindow(), DuplicateWindow()):
        added = []
        for message_id, (ts, channel, author, amount, text) in enumerate(rows, 1):
            entry = Entry(ts, message_id, channel, author, amount, text)
            window.add(entry)
            added.append(entry if isinstance(window, DuplicateWindow) else entry._replace(text=""))
        for index, amount in edits:
            message_id = index % (len(rows) + 1) + 1
            if window.replace(message_id, amount):
                at = message_id - 1
                added[at] = added[at]._replace(amount=amount)
        expected = sorted(added, key=lambda e: e.ts)  # stable: equal times in arrival order
        assert window.entries == expected
        assert window.total == sum(e.amount for e in expected)
        assert window.find(len(rows)) == (added[-1] if rows else None)
        window.expire(cutoff)
        kept = [e for e in expected if e.ts > cutoff]
        assert window.entries == kept
        assert window.total_since(-1.0) == sum(e.amount for e in kept)
        window.add(Entry(2000.0, 99, 3, 4, 9, "late"))  # after an emptying expiry too
        assert window.entries[-1] == Entry(2000.0, 99, 3, 4, 9, window.entries[-1].text)


def test_a_window_takes_integers_beyond_64_bits() -> None:
    # Only a hand-made entry can hold one (Discord ids fit in 64 bits); the columns then
    # hold Python integers instead of machine ones.
    window = SumWindow()
    window.add(Entry(1.0, 1, 7, 5, 1))
    window.add(Entry(2.0, 2**70, -(2**70), 2**64, 3))
    window.add(Entry(1.5, 3, 7, 5, 2))
    assert window.entries == [
        Entry(1.0, 1, 7, 5, 1),
        Entry(1.5, 3, 7, 5, 2),
        Entry(2.0, 2**70, -(2**70), 2**64, 3),
    ]
    assert window.ids_since(1.2) == (3, 2**70)
    assert window.replace(3, 2**80)
    assert window.total == 1 + 2**80 + 3


def test_an_entry_is_a_value_the_window_does_not_change() -> None:
    window = DuplicateWindow()
    window.add(Entry(1.0, 1, 7, 5, 1, "spam"))
    before = window.entries[0]
    window.replace(1, 4)
    window.replace_text(1, "eggs")
    assert before == Entry(1.0, 1, 7, 5, 1, "spam")
    assert window.entries[0] == Entry(1.0, 1, 7, 5, 4, "eggs")
    with pytest.raises(AttributeError):
        before.amount = 2  # type: ignore[misc]


def test_a_duplicate_flood_of_every_entry_leaves_the_entries_in_the_window() -> None:
    # When every entry duplicates the text, the count is the window's length and the
    # entries are read from the window, not copied out for each message.
    window = DuplicateWindow()
    for message_id in range(1, 7):
        count, ids, entries = window.record_and_match(
            float(message_id), message_id, 7, 5, "free nitro", 90, 0.0, 3, True
        )
    assert (count, ids, entries) == (6, (1, 2, 3, 4, 5, 6), [])
    window.record_text(7.0, 7, 7, 5, "hello there")
    count, ids, entries = window.duplicates("free nitro", 90, 0.0, 3, entries=True)
    assert (count, ids) == (6, (1, 2, 3, 4, 5, 6))
    assert entries == window.entries[:6]


def test_a_window_entry_costs_tens_of_bytes_not_an_object() -> None:
    # One member's window in one channel: times and ids are machine numbers, the channel,
    # author and amount one value each. (An object per entry took about 200 bytes.)
    tracemalloc.start()
    try:
        window = SumWindow()
        base, _ = tracemalloc.get_traced_memory()
        for message_id in range(10**18, 10**18 + MAX_ENTRIES):
            window.record(message_id / 1e9, message_id, 10**17, 10**16, 1)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (held - base) / MAX_ENTRIES < 40


@given(
    st.lists(st.tuples(TIMES, st.sampled_from([7, 8, 9])), max_size=30),
    st.floats(min_value=-1, max_value=1001, allow_nan=False),
)
def test_channels_since_counts_the_distinct_channels_after_the_cutoff(
    rows: list[tuple[float, int]], cutoff: float
) -> None:
    window = SumWindow()
    for message_id, (ts, channel) in enumerate(sorted(rows), start=1):
        window.add(Entry(ts, message_id, channel, 1, 1))
    assert window.channels_since(cutoff) == len({c for ts, c in rows if ts > cutoff})
