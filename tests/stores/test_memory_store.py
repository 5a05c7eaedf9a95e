"""MemoryStore: the guard's own state, kept across restarts in a snapshot file."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import typing

import pytest

from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Guard, Policy, ScheduledAction, SnapshotError, Unban

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable

    from spamguard.core import Message, Plan

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


async def _opened(
    policy: Policy, path: pathlib.Path | None = None, **kwargs: typing.Any
) -> tuple[MemoryStore, Guard]:
    """A new bot process: a fresh guard and its open store."""
    guard = Guard(policy)
    store = MemoryStore(path, **kwargs)
    await store.open(guard)
    return store, guard


async def _tempban(store: MemoryStore, guard: Guard, make_message: Callable[..., Message]) -> Plan:
    """Four duplicates from member 31 (the policy's limit): a TEMPBAN of 600 s."""
    plan = None
    for index in range(4):
        message = make_message(10 + index, 31, "buy now", index * 0.5)
        plan = await store.process(guard, message)
        await store.schedule(plan.undos_after(message.created_at))
    assert plan is not None
    assert plan.punishment == "TEMPBAN"
    return plan


async def test_process_decides_exactly_as_the_guard(
    policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    messages = stream()
    reference = Guard(policy)
    expected = [reference.process(m).to_dict() for m in messages]
    store, guard = await _opened(policy)
    got = [(await store.process(guard, m)).to_dict() for m in messages]
    await store.close()
    assert got == expected
    assert any(p["punishment"] == "TEMPBAN" for p in got)


async def test_unban_happens_on_time_after_a_restart(
    policy: Policy, tmp_path: pathlib.Path, make_message: Callable[..., Message]
) -> None:
    path = tmp_path / "state.json"
    store, guard = await _opened(policy, path)
    plan = await _tempban(store, guard, make_message)
    (due, unban, *_) = plan.scheduled[0]
    assert isinstance(unban, Unban)
    await store.close()  # the bot stops

    store, restarted = await _opened(policy, path)  # the bot starts again
    assert restarted.pending() == (ScheduledAction(due, unban),)
    assert await store.next_due() == due
    assert await store.claim_due(due - datetime.timedelta(seconds=1)) == ()
    assert await store.claim_due(due) == (ScheduledAction(due, unban),)
    assert await store.claim_due(due + datetime.timedelta(hours=1)) == ()
    # The member's state came back too: the ban is counted.
    assert restarted.member_counters(900, 31)["ban_count"] == 1
    await store.close()


async def test_unban_survives_a_crash_without_close(
    policy: Policy, tmp_path: pathlib.Path, make_message: Callable[..., Message]
) -> None:
    path = tmp_path / "state.json"
    store, guard = await _opened(policy, path, save_interval=None)
    plan = await _tempban(store, guard, make_message)
    # No close(): the process dies here. schedule() wrote the snapshot before returning.

    _store, restarted = await _opened(policy, path)
    assert restarted.pending() == guard.pending()
    assert [item.action for item in restarted.pending()] == [plan.scheduled[0].action]


async def test_snapshot_is_replaced_atomically_leaving_no_temporary_file(
    policy: Policy, tmp_path: pathlib.Path, make_message: Callable[..., Message]
) -> None:
    path = tmp_path / "state.json"
    store, guard = await _opened(policy, path)
    await _tempban(store, guard, make_message)
    first = path.stat().st_ino
    await store.process(guard, make_message(99, 32, "later", 60))
    assert await store.save()
    assert path.stat().st_ino != first  # a new file renamed over the old one
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert json.loads(path.read_text())["processed"] == 5
    await store.close()


async def test_periodic_save_writes_without_being_asked(
    policy: Policy, tmp_path: pathlib.Path, make_message: Callable[..., Message]
) -> None:
    path = tmp_path / "state.json"
    store, guard = await _opened(policy, path, save_interval=0.02)
    await store.process(guard, make_message(1, 33, "hello", 0))
    for _ in range(200):
        if path.exists():
            break
        await asyncio.sleep(0.01)
    assert json.loads(path.read_text())["processed"] == 1
    await store.close()


async def test_concurrent_schedules_share_snapshot_writes(
    policy: Policy, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "state.json"
    store, _guard = await _opened(policy, path, save_interval=None)
    items = [
        ScheduledAction(T0 + datetime.timedelta(minutes=i), Unban(guild_id=900, user_id=i))
        for i in range(20)
    ]
    await asyncio.gather(*(store.schedule([item]) for item in items))
    saved = json.loads(path.read_text())["scheduled"]
    assert [ScheduledAction.from_dict(s) for s in saved] == items


async def test_scheduling_a_pending_item_again_keeps_it_once(
    policy: Policy, make_message: Callable[..., Message]
) -> None:
    store, guard = await _opened(policy)
    await _tempban(store, guard, make_message)
    unban = guard.pending()
    await store.schedule(unban)  # _tempban kept it already
    external = ScheduledAction(T0, Unban(guild_id=900, user_id=77))
    await store.schedule([external])
    await store.schedule([external])
    assert guard.pending() == (external, *unban)
    assert await store.claim_due(T0 + datetime.timedelta(days=1)) == (external, *unban)


async def test_failed_snapshot_write_is_logged_and_counted_not_raised(
    policy: Policy,
    tmp_path: pathlib.Path,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the snapshot's folder should be")
    store, guard = await _opened(policy, blocker / "state.json", save_interval=None)
    with caplog.at_level(logging.ERROR, logger="spamguard.store.memory"):
        await _tempban(store, guard, make_message)
        assert await store.save() is False
        await store.close()
    assert store.failures == 3  # schedule's write, save(), close()
    assert "could not write the spamguard snapshot" in caplog.text
    assert len(guard.pending()) == 1  # the unban is still kept in memory


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{not json", "Expecting property name"),
        (json.dumps({"version": 999, "members": []}), "snapshot version 999 is not 1"),
        ("[]", "must be a JSON object, got list"),
        ("null", "must be a JSON object, got NoneType"),
        ("counters", "snapshot field counters: must be an object"),
        ("yesterday", "snapshot field members[0].state.last_violation: must be POSIX seconds"),
    ],
    ids=["corrupt", "other-version", "list", "null", "counters-list", "last-violation-text"],
)
async def test_bad_snapshot_refuses_to_open_and_is_kept_aside_not_overwritten(
    policy: Policy,
    tmp_path: pathlib.Path,
    make_message: Callable[..., Message],
    content: str,
    named: str,
) -> None:
    path = tmp_path / "state.json"
    if content in ("counters", "yesterday"):
        # A real snapshot with one field damaged.
        store, guard = await _opened(policy, path, save_interval=None)
        await _tempban(store, guard, make_message)
        await store.close()
        data = json.loads(path.read_text())
        if content == "counters":
            data["counters"] = []
        else:
            data["members"][0][2]["last_violation"] = "yesterday"
        content = json.dumps(data)
    path.write_text(content)
    guard = Guard(policy)
    guard.process(make_message(1, 34, "kept", 0))
    before = guard.snapshot()
    store = MemoryStore(path, save_interval=None)
    with pytest.raises(SnapshotError, match="the next start begins with empty state") as info:
        await store.open(guard)
    assert named in str(info.value)
    assert guard.snapshot() == before
    (aside,) = tmp_path.glob("state.json.corrupt-*")
    assert str(aside) in str(info.value)
    assert aside.read_text() == content  # kept as it was
    assert not path.exists()
    await store.close()  # a store that did not open writes nothing over anything
    assert not path.exists()
    assert aside.read_text() == content

    # The next start begins with empty state.
    await store.open(guard)
    assert guard.pending() == ()
    await store.close()
    assert path.exists()
    assert aside.read_text() == content


async def test_a_second_bad_snapshot_in_the_same_second_is_kept_aside_too(
    policy: Policy, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "state.json"
    for content in ("{one", "{two"):
        path.write_text(content)
        with pytest.raises(SnapshotError):
            await MemoryStore(path).open(Guard(policy))
    kept = sorted(p.read_text() for p in tmp_path.glob("state.json.corrupt-*"))
    assert kept == ["{one", "{two"]


def test_save_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="save_interval must be a positive number"):
        MemoryStore(save_interval=0)
