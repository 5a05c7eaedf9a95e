"""GuardState's public API (snapshot, restore, slices, reads) and Guard.handle()'s dispatch."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from spamguard.core import (
    AutomodExecution,
    Guard,
    GuardState,
    Message,
    MessageEdit,
    Policy,
    SkipReason,
    SnapshotError,
)

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

POLICY = {
    "spam": {
        "levels": {
            0: {
                "punishment": "TIMEOUT",
                "clean": True,
                "max_messages": {"count": 3, "interval": 10},
                "max_duplicates": {"count": 3, "interval": 10, "accuracy": 90},
                "max_links": {"count": 2, "interval": 10, "channel_whitelist": [2001]},
                "max_mentions": {"count": 5, "interval": 10, "scope": "channel"},
            }
        }
    },
    "escalation": {},
    "automod_executions_count": True,
}


def flood(guard: Guard, msg: Msg) -> list[Message]:
    sent = [
        msg("buy https://a.example now", t=i, author_id=msg.USER + i % 2, mention_ids=(1,))
        for i in range(8)
    ]
    for message in sent:
        guard.process(message)
    return sent


def canonical(snapshot: dict[str, typing.Any]) -> dict[str, typing.Any]:
    """A snapshot with its members and windows in key order (an exchange reorders them)."""
    return {
        **snapshot,
        "members": sorted(snapshot["members"], key=lambda row: row[:2]),
        "windows": sorted(snapshot["windows"], key=lambda row: repr(row[0])),
    }


def test_a_state_restored_from_its_snapshot_gives_the_same_snapshot(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(POLICY))
    flood(guard, msg)
    snapshot = guard.state.snapshot()
    assert snapshot["members"] and snapshot["windows"] and snapshot["cleaned"]
    assert GuardState.restore(snapshot).snapshot() == snapshot
    assert guard.snapshot() == snapshot  # the guard's own is its state's


def test_restore_refuses_another_version() -> None:
    with pytest.raises(SnapshotError, match="version"):
        GuardState.restore({**GuardState().snapshot(), "version": 99})


def test_a_slice_read_back_is_the_same_slice(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(POLICY))
    sent = flood(guard, msg)
    spot = guard.footprint(sent[-1])
    assert spot is not None
    part = guard.state.slice(spot)
    assert [row[:2] for row in part["members"]] == [[msg.GUILD, sent[-1].author_id]]
    assert [tuple(row[0]) for row in part["windows"]] == [s.key for s in spot.windows]
    assert GuardState.from_slice(part).slice(spot) == part


def test_exchanging_a_part_twice_gives_the_state_back(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(POLICY))
    sent = flood(guard, msg)
    before = guard.state.snapshot()
    spot = guard.footprint(sent[-1])
    assert spot is not None
    taken = guard.state.exchange(spot, GuardState())
    assert guard.state.member(msg.GUILD, sent[-1].author_id) is None
    assert all(guard.state.window(spec.key) is None for spec in spot.windows)
    assert taken.slice(spot)["members"]  # what was taken out is held by the returned part
    guard.state.exchange(spot, taken)
    assert canonical(guard.state.snapshot()) == canonical(before)


def test_deciding_on_a_slice_equals_deciding_on_the_whole_state(msg: Msg) -> None:
    policy = Policy.from_dict(POLICY)
    whole, sliced = Guard(policy), Guard(policy)
    stored = GuardState()  # what a shared store would hold, kept as a state too
    for message in flood(Guard(policy), msg):
        spot = sliced.footprint(message)
        assert spot is not None
        plan, after = sliced.process_slice(message, stored.slice(spot))
        stored.exchange(spot, GuardState.from_slice(after))
        assert plan == whole.process(message)
    assert sliced.stats() == whole.stats()
    assert sliced.state.members == {}  # every member went back with its slice


def test_the_read_api_finds_the_window_a_check_counts_in(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(POLICY))
    sent = flood(guard, msg)
    ((_key, rule),) = guard.policy.base.levels
    checks = {check.name: check for check in rule.checks}
    key = guard.window_key(rule, checks["max_messages"], sent[-1])
    assert key is not None
    window = guard.state.window(key)
    assert window is not None
    assert window.total_since(-1.0) == 4  # the last author's four messages
    member = guard.state.member(msg.GUILD, sent[-1].author_id)
    assert member is not None and sent[-1].id in member.recent
    # A whitelisted channel counts in no window of that check.
    elsewhere = dataclasses.replace(sent[-1], channel_id=2001)
    assert guard.window_key(rule, checks["max_links"], elsewhere) is None


def test_handle_dispatches_each_event_by_its_type(msg: Msg) -> None:
    policy = Policy.from_dict(POLICY)
    handled, called = Guard(policy), Guard(policy)
    first = msg("hello", t=0)
    assert handled.handle(first) == called.process(first)
    edit = MessageEdit(message=dataclasses.replace(first, content="hello again"))
    assert handled.handle(edit) == called.process(edit.message)
    execution: AutomodExecution = msg.automod_execution(t=1)
    assert handled.handle(execution) == called.record_automod_execution(execution)
    assert handled.snapshot() == called.snapshot()
    assert handled.stats() == called.stats()
    again = MessageEdit(message=edit.message, edited_at=msg.at(2))
    assert handled.handle(again).skipped_reason is SkipReason.REDELIVERED


def test_handle_refuses_what_is_not_an_event() -> None:
    guard = Guard(Policy.from_dict(POLICY))
    with pytest.raises(TypeError, match="MessageEdit"):
        guard.handle("hello")  # type: ignore[arg-type]
