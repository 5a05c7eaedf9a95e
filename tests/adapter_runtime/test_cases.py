"""The runtime's case recorder with a memory store: a flood is one case, a later incident
another; the undo state follows the scheduled unban; a pardon; subscribers; the snapshot.

The executor is a real :class:`ActionExecutor` that records what it is asked to do and
fails what a test tells it to (the adapter contract suite runs the libraries)."""

from __future__ import annotations

import datetime
import json
import pathlib
import typing

import pytest
from support.executors import RecordingExecutor

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Guard, Message, Policy
from spamguard.core.cases import Case, CaseChange, CaseUpdate, UndoState
from spamguard.core.errors import SnapshotError

GUILD, CHANNEL, ALICE, BOB, MOD = 1, 2, 50, 60, 99
T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

POLICY = {
    "version": 1,
    "spam": {
        "levels": {
            "0": {
                "punishment": "TEMPBAN",
                "punishment_duration": 600,
                "clean": True,
                "max_messages": {"count": 4, "interval": 10},
            }
        }
    },
    "incident_window": 30,
}


class _Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


class _FailingExecutor(RecordingExecutor):
    """Fails every action of the kinds in ``fail``."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: set[str] = set()

    async def execute(self, action: object) -> int | None:
        if getattr(action, "kind", "") in self.fail:
            msg = "Missing Permissions"
            raise PermissionError(msg)
        return await super().execute(action)


async def _runtime(
    store: MemoryStore | None = None, executor: RecordingExecutor | None = None
) -> tuple[Runtime, _Clock]:
    clock = _Clock()
    guard = Guard(Policy.from_dict(POLICY), load_entrypoints=False)
    runtime = Runtime(
        guard,
        executor or RecordingExecutor(),  # type: ignore[arg-type]
        store=store or MemoryStore(),
        clock=clock,
        delete_window=0.01,
    )
    await runtime.start()
    return runtime, clock


def _message(mid: int, author: int = ALICE, content: str = "buy @everyone now") -> Message:
    return Message(
        id=mid,
        guild_id=GUILD,
        channel_id=CHANNEL,
        author_id=author,
        content=content,
        created_at=T0 + datetime.timedelta(seconds=mid * 0.1),
    )


async def _flood(runtime: Runtime, first: int, count: int, author: int = ALICE) -> None:
    for mid in range(first, first + count):
        await runtime.handle(_message(mid, author, f"buy @everyone now {mid % 2}"))


async def test_a_flood_is_one_case_with_its_violations_actions_and_excerpts() -> None:
    runtime, _clock = await _runtime()
    updates: list[CaseUpdate] = []
    runtime.cases.subscribe(updates.append)
    await _flood(runtime, 1, 30)
    await runtime.stop()

    cases = await runtime.cases.of_member(GUILD, ALICE)
    assert len(cases) == 1
    case = cases[0]
    assert case.number == 1
    assert case.punishment == "TEMPBAN"
    assert [v.check for v in case.violations] == ["max_messages"]
    assert case.violations[0].count >= 4
    kinds = [a.kind for a in case.actions]
    assert kinds.count("ban") == 1
    assert all(a.ok for a in case.actions)
    deleted = sum(a.count for a in case.actions if a.kind == "delete")
    assert deleted == 30  # every message of the flood, folded per channel
    assert len([a for a in case.actions if a.kind == "delete"]) < 30
    assert case.undo is UndoState.SCHEDULED
    assert case.undo_at == case.opened_at + datetime.timedelta(seconds=600)
    assert case.excerpts == ("buy @\u200beveryone now 0", "buy @\u200beveryone now 1")
    assert set(range(1, 31)) <= set(case.message_ids)
    assert updates[0].change is CaseChange.OPENED
    assert {u.change for u in updates[1:]} == {CaseChange.UPDATED}
    assert updates[-1].case == case
    assert await runtime.cases.get(GUILD, 1) == case


async def test_a_later_incident_opens_the_next_case_and_numbers_are_per_guild() -> None:
    runtime, clock = await _runtime()
    await _flood(runtime, 1, 5)
    clock.advance(31)  # past the incident window of the case's last update
    await _flood(runtime, 1000, 5)
    await _flood(runtime, 2000, 5, author=BOB)
    cases = await runtime.cases.of_member(GUILD, ALICE)
    assert [c.number for c in cases] == [2, 1]
    assert [c.number for c in await runtime.cases.of_member(GUILD, BOB)] == [3]
    assert await runtime.cases.of_member(GUILD, ALICE, limit=1) == cases[:1]
    assert await runtime.cases.of_member(GUILD + 1, ALICE) == ()
    await runtime.stop()


async def test_the_undo_state_follows_the_scheduled_unban() -> None:
    executor = _FailingExecutor()
    runtime, clock = await _runtime(executor=executor)
    updates: list[CaseUpdate] = []
    runtime.cases.subscribe(updates.append)
    await _flood(runtime, 1, 5)
    clock.advance(601)
    assert await runtime.run_due() >= 1
    case = await runtime.cases.get(GUILD, 1)
    assert case is not None
    assert case.undo is UndoState.DONE
    assert updates[-1] == CaseUpdate(case=case, change=CaseChange.UNDONE)

    # The next incident's unban fails: the case says so.
    clock.advance(100)
    await _flood(runtime, 1000, 5)  # 100 s later in message time too: a new incident
    executor.fail.add("unban")
    clock.advance(601)
    await runtime.run_due()
    failed = await runtime.cases.get(GUILD, 2)
    assert failed is not None
    assert failed.undo is UndoState.FAILED
    await runtime.stop()


async def test_a_pardon_marks_the_cases_that_hold_and_the_next_plan_opens_a_new_case() -> None:
    runtime, clock = await _runtime()
    updates: list[CaseUpdate] = []
    runtime.cases.subscribe(updates.append)
    assert await runtime.cases.pardon(GUILD, BOB, moderator_id=MOD) == ()
    await _flood(runtime, 1, 5)
    pardoned = await runtime.cases.pardon(GUILD, ALICE, moderator_id=MOD)
    assert [(c.number, c.undo, c.pardoned_by) for c in pardoned] == [(1, UndoState.PARDONED, MOD)]
    assert updates[-1].change is CaseChange.PARDONED
    clock.advance(1)  # within the window, but the pardon closed the incident
    await _flood(runtime, 100, 5)
    assert [c.number for c in await runtime.cases.of_member(GUILD, ALICE)] == [2, 1]
    await runtime.stop()


async def test_a_failing_subscriber_never_stops_recording() -> None:
    runtime, _clock = await _runtime()
    seen: list[CaseUpdate] = []

    def broken(update: CaseUpdate) -> None:
        msg = "subscriber bug"
        raise RuntimeError(msg)

    async def later(update: CaseUpdate) -> None:
        seen.append(update)

    runtime.cases.subscribe(broken)
    unsubscribe = runtime.cases.subscribe(later)
    await _flood(runtime, 1, 5)
    unsubscribe()
    await _flood(runtime, 10, 2)
    await runtime.stop()
    assert seen
    assert all(update.case.number == 1 for update in seen)
    assert len(seen) < 6
    assert (await runtime.cases.get(GUILD, 1)) is not None


async def test_cases_and_their_numbering_survive_a_restart_through_the_snapshot(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "state.json"
    runtime, _clock = await _runtime(MemoryStore(path, save_interval=None))
    await _flood(runtime, 1, 5)
    # Opening a case writes the snapshot at once: its number is never handed out again.
    on_disk = json.loads(path.read_text())
    assert [c["number"] for c in on_disk["cases"]["cases"]] == [1]
    await runtime.stop()

    again, _clock = await _runtime(MemoryStore(path, save_interval=None))
    kept = await again.cases.get(GUILD, 1)
    assert kept is not None
    assert kept.punishment == "TEMPBAN"
    await _flood(again, 100, 5, author=BOB)
    assert [c.number for c in await again.cases.of_member(GUILD, BOB)] == [2]
    await again.stop()


async def test_a_malformed_case_in_the_snapshot_is_refused_naming_the_field(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "state.json"
    runtime, _clock = await _runtime(MemoryStore(path, save_interval=None))
    await _flood(runtime, 1, 5)
    await runtime.stop()
    data = json.loads(path.read_text())
    data["cases"]["cases"][0]["actions"][0]["ok"] = "yes"
    path.write_text(json.dumps(data))
    guard = Guard(Policy.from_dict(POLICY), load_entrypoints=False)
    with pytest.raises(SnapshotError, match=r"cases\.cases\[0\]\.actions\[0\]\.ok"):
        await MemoryStore(path).open(guard)


def test_a_case_round_trips_through_its_dict_and_refuses_another_version() -> None:
    case = Case(guild_id=GUILD, number=7, user_id=ALICE, opened_at=T0, updated_at=T0)
    data: dict[str, typing.Any] = case.to_dict()
    assert Case.from_dict(json.loads(json.dumps(data))) == case
    with pytest.raises(SnapshotError, match=r"case\.version"):
        Case.from_dict({**data, "version": 99})
    with pytest.raises(SnapshotError, match=r"case\.opened_at"):
        Case.from_dict({**data, "opened_at": "2024-01-01T00:00:00"})


async def test_a_dry_run_case_says_so_and_nothing_is_scheduled() -> None:
    clock = _Clock()
    policy = Policy.from_dict({**POLICY, "dry_run": True})
    executor = RecordingExecutor()
    runtime = Runtime(
        Guard(policy, load_entrypoints=False), executor, store=MemoryStore(), clock=clock
    )  # type: ignore[arg-type]
    await runtime.start()
    await _flood(runtime, 1, 5)
    (case,) = await runtime.cases.of_member(GUILD, ALICE)
    assert case.dry_run
    assert all(action.dry_run for action in case.actions)
    assert case.undo is UndoState.NONE
    assert executor.sent == []
    await runtime.stop()


async def test_a_cancelled_undo_moves_the_case_and_a_store_without_cases_keeps_them_in_memory() -> (
    None
):
    class _OldStore(MemoryStore):
        """A store written before cases: no ``cases`` attribute."""

        def __getattribute__(self, name: str) -> typing.Any:
            if name == "cases":
                raise AttributeError(name)
            return super().__getattribute__(name)

    runtime, _clock = await _runtime(_OldStore())
    updates: list[CaseUpdate] = []
    runtime.cases.subscribe(updates.append)
    await _flood(runtime, 1, 5)
    (cancelled,) = await runtime.cases.undo_cancelled(GUILD, ALICE)
    assert (cancelled.number, cancelled.undo) == (1, UndoState.CANCELLED)
    assert updates[-1] == CaseUpdate(case=cancelled, change=CaseChange.UNDONE)
    assert await runtime.cases.get(GUILD, 1) == cancelled
    assert await runtime.cases.undo_cancelled(GUILD, ALICE) == ()
    await runtime.stop()


async def test_a_guild_keeps_its_newest_cases_in_memory_and_numbers_go_on() -> None:
    store = MemoryStore()
    store.cases.per_guild = 3
    drafts = [Case(guild_id=GUILD, user_id=ALICE, opened_at=T0, updated_at=T0) for _ in range(5)]
    opened = [await store.cases.open(draft) for draft in drafts]
    assert [case.number for case in opened] == [1, 2, 3, 4, 5]
    assert await store.cases.get(GUILD, 2) is None
    assert not await store.cases.save(opened[0])
    assert await store.cases.of_member(GUILD, ALICE) == tuple(reversed(opened[2:]))
    assert (await store.cases.open(drafts[0])).number == 6
