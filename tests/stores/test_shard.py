"""Guard.footprint and Guard.process_slice: deciding a message on the slice of state a shared
store loads for it."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from spamguard.core import Guard, Policy, SkipReason, SnapshotError

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Message


class DictStore:
    """The smallest shared store: slices kept in dicts, keyed like ConsistentRedisStore's keys."""

    def __init__(self) -> None:
        self.windows: dict[tuple[typing.Any, ...], list[typing.Any]] = {}
        self.members: dict[tuple[int, int], dict[str, typing.Any]] = {}
        self.cleaned: dict[int, float] = {}

    def process(self, guard: Guard, message: Message) -> dict[str, typing.Any]:
        spot = guard.footprint(message)
        if spot is None:
            return guard.process(message).to_dict()
        member = self.members.get((spot.guild_id, spot.user_id))
        state = {
            "members": [] if member is None else [[spot.guild_id, spot.user_id, member]],
            "windows": [
                [list(s.key), "text" if s.text else "sum", s.horizon, self.windows.get(s.key, [])]
                for s in spot.windows
            ],
            "cleaned": list(self.cleaned.items()),
        }
        plan, after = guard.process_slice(message, state)
        for key, _kind, _horizon, entries in after.get("windows", ()):
            self.windows[tuple(key)] = entries
        for g, u, data in after.get("members", ()):
            self.members[(g, u)] = data
        self.cleaned.update(after.get("cleaned", ()))
        # A decision queues no undo: the plan proposes them to whoever carries it out.
        assert "scheduled" not in after
        assert guard.pending() == ()
        return plan.to_dict()


def test_decisions_on_slices_equal_the_guard_on_its_whole_state(
    policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    messages = stream()
    reference = Guard(policy)
    expected = [reference.process(m).to_dict() for m in messages]
    store, guard = DictStore(), Guard(policy)
    assert [store.process(guard, m) for m in messages] == expected
    assert guard.stats() == reference.stats()


def test_decide_leaves_the_guards_own_state_alone(
    policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy)
    for i in range(3):
        guard.process(make_message(10 + i, 71, "own", i))
    before = guard.snapshot()
    plan, after = guard.process_slice(make_message(20, 71, "shared", 5.0), {})
    assert plan.skipped_reason is None
    mine = guard.snapshot()
    assert mine["windows"] == before["windows"]
    assert mine["members"] == before["members"]
    assert after["members"][0][:2] == [900, 71]
    recent = [row[0] for row in after["members"][0][2]["recent"]]
    assert recent == [20]  # only what the slice held, plus this message


def test_messages_decided_without_state_have_no_footprint(
    policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy, self_id=99)
    normal = make_message(1, 72, "hi", 0)
    assert guard.footprint(normal) is not None
    for skipped, reason in (
        (dataclasses.replace(normal, guild_id=None), SkipReason.DM),
        (dataclasses.replace(normal, author_id=99), SkipReason.SELF),
        (dataclasses.replace(normal, author_is_bot=True), SkipReason.BOT),
        (dataclasses.replace(normal, author_is_admin=True), SkipReason.ADMIN),
    ):
        assert guard.footprint(skipped) is None
        plan, after = guard.process_slice(skipped, {})
        assert plan.skipped_reason is reason
        assert after == {}


def test_a_malformed_slice_is_a_snapshot_error(
    policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy)
    with pytest.raises(SnapshotError, match="malformed state slice"):
        guard.process_slice(make_message(1, 73, "hi", 0), {"windows": [["max_messages"]]})
    assert guard.snapshot()["windows"] == []
