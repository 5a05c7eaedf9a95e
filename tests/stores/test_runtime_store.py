"""The runtime's life cycle against real stores: start, the scheduler, stop."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import typing

import pytest

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.contrib.join_raid import JoinRaid
from spamguard.core import (
    Guard,
    JoinContext,
    MemberJoin,
    MemberLeave,
    Policy,
    ScheduledAction,
    SetIncidentActions,
    SkipReason,
    Unban,
    hookimpl,
)
from spamguard.core.actions import Timeout, incident_actions_for
from spamguard.core.windows import Entry

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable

    from spamguard.core import Action, Message
    from spamguard.testing.redis_server import RedisServer

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


class Executor:
    """Carries actions out by writing them down (the runtime's side of a library)."""

    def __init__(self) -> None:
        self.done: list[Action] = []

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: typing.Any) -> int | None:
        self.done.append(action)
        return None

    def classify(self, error: BaseException) -> typing.Any:
        raise AssertionError(error)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime.datetime:
        return self.now


async def test_a_store_that_cannot_open_keeps_the_runtime_from_acting_until_it_opens(
    policy: Policy,
    tmp_path: pathlib.Path,
    flood: Callable[..., list[Message]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "state.json"
    path.write_text("{corrupt")
    executor, clock = Executor(), Clock()
    store = MemoryStore(path, save_interval=None)
    runtime = Runtime(Guard(policy), executor, store=store, clock=clock, poll_interval=3600)
    with pytest.raises(Exception, match="cannot restore the spamguard snapshot"):
        await runtime.start()
    assert not runtime.started

    # Not started: a flood is neither decided nor punished, and that is counted.
    with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
        plans = [await runtime.handle(m) for m in flood(31)]
    assert plans == [None] * 4
    assert executor.done == []
    assert runtime.stats.not_started == 4
    assert [r.getMessage() for r in caplog.records].count(
        "spamguard is not started (its store is not open); message 10 dropped"
    ) == 1

    # The next start opens the store (the bad file was kept aside): the TEMPBAN's unban
    # is stored and runs when due.
    await runtime.start()
    assert runtime.started
    plans = [await runtime.handle(m) for m in flood(32)]
    assert plans[-1] is not None and plans[-1].punishment == "TEMPBAN"
    unban = plans[-1].scheduled[0].action
    due = await store.next_due()
    assert due == clock.now + datetime.timedelta(seconds=600)
    clock.now = due
    assert await runtime.run_due() == 1
    assert executor.done[-1] == unban
    await runtime.stop()


async def test_the_scheduler_acknowledges_each_action_it_carried_out(
    redis_url: str, policy: Policy
) -> None:
    unbans = [ScheduledAction(T0, Unban(guild_id=900 + i, user_id=i)) for i in range(3)]
    executor, clock = Executor(), Clock()
    store = ConsistentRedisStore(redis_url, claim_lease=0.2)
    runtime = Runtime(Guard(policy), executor, store=store, clock=clock, poll_interval=3600)
    await runtime.start()
    await store.schedule(unbans)
    assert await runtime.run_due() == 3
    assert set(executor.done) == {item.action for item in unbans}
    await runtime.stop()
    # Past the lease, another process finds nothing to carry out again.
    await asyncio.sleep(0.3)
    other = ConsistentRedisStore(redis_url, claim_lease=0.2)
    await other.open(Guard(policy))
    assert await other.claim_due(T0 + datetime.timedelta(days=1)) == ()
    assert other.reclaimed == 0
    await other.close()


async def test_concurrent_starts_open_the_store_once(policy: Policy) -> None:
    opened: list[Guard] = []

    class CountingStore(MemoryStore):
        async def open(self, guard: Guard) -> None:
            opened.append(guard)
            await asyncio.sleep(0.01)
            await super().open(guard)

    runtime = Runtime(Guard(policy), Executor(), store=CountingStore(), poll_interval=3600)
    await asyncio.gather(*(runtime.start() for _ in range(5)))
    assert len(opened) == 1
    await runtime.stop()


async def test_stop_returns_in_bounded_time_with_redis_whenever_it_comes(
    redis_url: str, policy: Policy
) -> None:
    # The scheduler polls Redis without pause; stop() lands at every point of its loop.
    # On Python 3.11, asyncio.wait_for inside redis-py swallows a cancellation that
    # arrives as the wrapped call completes: the scheduler must still end.
    for step in range(60):
        store = ConsistentRedisStore(redis_url)
        runtime = Runtime(Guard(policy), Executor(), store=store, poll_interval=0.0)
        await runtime.start()
        for _ in range(step):
            await asyncio.sleep(0)
        stopping = asyncio.ensure_future(runtime.stop())
        done, _pending = await asyncio.wait({stopping}, timeout=10)
        if not done:
            await _end_by_force(stopping, runtime)
            pytest.fail(f"stop() did not return within 10 s (after {step} loop steps)")


async def _end_by_force(stopping: asyncio.Future[None], runtime: Runtime) -> None:
    """Cancel a hung stop() and its scheduler until both ended (a failed test's clean-up)."""
    tasks = [stopping, runtime.scheduler.task]
    for _ in range(1000):
        for task in tasks:
            if task is not None:
                task.cancel()
        await asyncio.sleep(0.001)
        if all(task is None or task.done() for task in tasks):
            return


async def test_stop_returns_while_the_scheduler_waits_on_a_frozen_redis(
    own_redis_server: RedisServer, policy: Policy
) -> None:
    store = ConsistentRedisStore(own_redis_server.url, timeout=30.0)
    runtime = Runtime(Guard(policy), Executor(), store=store, poll_interval=0.01, stop_timeout=0.3)
    await runtime.start()
    await asyncio.sleep(0.05)
    # The server stops answering: the scheduler's next call waits (up to its 30 s socket
    # timeout).
    own_redis_server.pause()
    try:
        await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await runtime.stop()
        assert loop.time() - started < 1.5
    finally:
        own_redis_server.resume()


async def test_a_scheduler_left_behind_by_stop_ends_when_it_wakes_after_a_restart(
    policy: Policy,
) -> None:
    # The scheduler's store call ignores cancellation, so stop() gives up on it; the
    # runtime starts again. When that call finally returns, the old scheduler must end,
    # not run beside the new one.
    release = asyncio.Event()
    entered = asyncio.Event()

    class StuckStore(MemoryStore):
        stuck = True

        async def next_due(self) -> datetime.datetime | None:
            if self.stuck:
                self.stuck = False
                entered.set()
                while not release.is_set():
                    with contextlib.suppress(asyncio.CancelledError):
                        await release.wait()
            return await super().next_due()

    runtime = Runtime(
        Guard(policy), Executor(), store=StuckStore(), poll_interval=0.01, stop_timeout=0.05
    )
    await runtime.start()
    await asyncio.wait_for(entered.wait(), timeout=5)
    left_behind = runtime.scheduler.task
    assert left_behind is not None
    await runtime.stop()
    assert not left_behind.done()
    await runtime.start()
    release.set()
    for _ in range(100):
        if left_behind.done():
            break
        await asyncio.sleep(0.01)
    assert left_behind.done()
    assert runtime.scheduler.task is not None and not runtime.scheduler.task.done()
    await runtime.stop()


async def test_a_naive_run_at_is_refused_and_the_scheduler_keeps_running(
    policy: Policy, redis_url: str
) -> None:
    from spamguard.core import ScheduleError

    naive = ScheduledAction(datetime.datetime(2024, 1, 1), Unban(guild_id=900, user_id=5))
    aware = ScheduledAction(T0, Unban(guild_id=900, user_id=6))
    for store in (MemoryStore(), ConsistentRedisStore(redis_url)):
        executor, clock = Executor(), Clock()
        runtime = Runtime(Guard(policy), executor, store=store, clock=clock, poll_interval=0.01)
        await runtime.start()
        with pytest.raises(ScheduleError, match="run_at must be timezone-aware"):
            await runtime.schedule([naive])
        with pytest.raises(ScheduleError, match="run_at must be timezone-aware"):
            await store.schedule([aware, naive])
        assert await store.next_due() is None  # nothing of the refused calls was kept
        await runtime.schedule([aware])
        for _ in range(500):
            if executor.done:
                break
            await asyncio.sleep(0.01)
        assert executor.done == [aware.action]
        await runtime.stop()  # no TypeError from a dead scheduler


# -- member joins and leaves ----------------------------------------------------------

JOIN_GUILD = 900


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class Lockdown:
    """Pauses invites for an hour from the third join within 10 seconds."""

    name = "lockdown"

    @hookimpl
    def spamguard_check_member_join(
        self, join: MemberJoin, context: JoinContext
    ) -> list[SetIncidentActions]:
        window = context.window("joins", interval=10)
        window.add(Entry(context.now.timestamp(), join.user_id, 0, join.user_id))
        if len(window) == 3:
            return [
                incident_actions_for(guild_id=join.guild_id, now=context.now, invites_seconds=3600)
            ]
        return []


def joined(user_id: int, seconds: float) -> MemberJoin:
    return MemberJoin(guild_id=JOIN_GUILD, user_id=user_id, joined_at=at(seconds))


async def test_joins_through_the_runtime_are_decided_and_carried_out_once(
    tmp_path: pathlib.Path,
) -> None:
    executor = Executor()
    store = MemoryStore(tmp_path / "state.json", save_interval=None)
    runtime = Runtime(
        Guard(Policy.default(), plugins=[Lockdown()]), executor, store=store, poll_interval=3600
    )
    await runtime.start()
    try:
        for user_id in (1, 2, 3, 3):  # the third join delivered twice
            await runtime.handle_member_event(lambda _now, u=user_id: joined(u, u))
        assert executor.done == [
            incident_actions_for(guild_id=JOIN_GUILD, now=at(3), invites_seconds=3600)
        ]
        plan = await runtime.handle_member(MemberLeave(guild_id=JOIN_GUILD, user_id=2, at=at(5)))
        assert plan is not None
        assert not plan
    finally:
        await runtime.stop()

    # The joins (and the plugin's window) were saved: the replayed third join after a
    # restart is still recognised.
    again = Runtime(
        Guard(Policy.default(), plugins=[Lockdown()]),
        executor,
        store=MemoryStore(tmp_path / "state.json", save_interval=None),
        poll_interval=3600,
    )
    await again.start()
    try:
        plan = await again.handle_member(joined(3, 3))
        assert plan is not None
        assert plan.skipped_reason is SkipReason.REDELIVERED
    finally:
        await again.stop()
    assert len(executor.done) == 1


async def test_member_events_that_fail_to_convert_are_counted_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    executor = Executor()
    runtime = Runtime(Guard(Policy.default()), executor, poll_interval=3600)
    await runtime.start()
    try:

        def broken(_now: datetime.datetime) -> MemberJoin:
            raise KeyError("user")

        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            assert await runtime.handle_member_event(broken) is None
        assert runtime.stats.malformed == 1
        assert "malformed member event" in caplog.text
        assert await runtime.handle_member_event(lambda _now: None) is None
        # The receive time is the converter's argument.
        plan = await runtime.handle_member_event(
            lambda now: MemberLeave(guild_id=JOIN_GUILD, user_id=5, at=now)
        )
        assert plan is not None
        # A naive time is a bad event: logged and counted, never raised into the bot.
        naive = MemberJoin(guild_id=JOIN_GUILD, user_id=6, joined_at=datetime.datetime(2024, 1, 1))
        assert await runtime.handle_member(naive) is None
        assert runtime.stats.errors == 1
    finally:
        await runtime.stop()
    assert executor.done == []


async def test_member_events_before_the_start_are_dropped() -> None:
    runtime = Runtime(Guard(Policy.default()), Executor(), poll_interval=3600)
    assert await runtime.handle_member(joined(1, 0)) is None
    assert runtime.stats.not_started == 1


# -- join_raid through two processes sharing one Redis -------------------------------------

RAID_GUILD = 902
JOIN_RAID_SETTINGS = {
    "joins": 5,
    "interval": 10,
    "quiet": 60,
    "lockdown": {"duration": 900},
    "raid_joiners": "TIMEOUT",
}


def _join_raid_runtime(
    store: MemoryStore | ConsistentRedisStore, executor: Executor, clock: Clock | None = None
) -> Runtime:
    policy = Policy.from_dict(
        {"spam": {"levels": {0: {}}}, "extensions": {"join_raid": JOIN_RAID_SETTINGS}}
    )
    guard = Guard(policy, plugins=[JoinRaid()])
    return Runtime(guard, executor, store=store, clock=clock or Clock(), poll_interval=3600)


def _raid_join(index: int, seconds: float) -> MemberJoin:
    return MemberJoin(
        guild_id=RAID_GUILD,
        user_id=1000 + index,
        joined_at=T0 + datetime.timedelta(seconds=seconds),
    )


def _lifted(action: Action, until: datetime.datetime) -> bool:
    """Whether ``action`` lifts the raid guild's pause, only while it still runs ``until``."""
    return isinstance(action, SetIncidentActions) and (
        action.guild_id,
        action.invites_disabled_until,
        action.dms_disabled_until,
        action.only_if_unchanged,
        action.expected_invites_disabled_until,
    ) == (RAID_GUILD, None, None, True, until)


async def test_two_processes_sharing_redis_see_one_raid_and_end_it_once(redis_url: str) -> None:
    executors = (Executor(), Executor())
    clock = Clock()
    runtimes = [_join_raid_runtime(ConsistentRedisStore(redis_url), e, clock) for e in executors]
    for runtime in runtimes:
        await runtime.start()
        # The test runs what is due itself, at the time it sets: a background scheduler
        # woken by a join's timer could otherwise claim the timer between two of its steps.
        await runtime.scheduler.stop()
    try:
        for index in range(12):  # the joins alternate between the two processes
            await runtimes[index % 2].handle_member(_raid_join(index, index * 0.5))
        # The quiet minute after the last join (5.5 s) passes: the raid's timer is due, in
        # Redis, claimed by one process; the other finds nothing.
        clock.now = T0 + datetime.timedelta(seconds=5.5 + 61)
        ran = [await runtimes[1].run_due(), await runtimes[0].run_due()]
        ran += [await runtimes[1].run_due(), await runtimes[0].run_due()]
        # A join after the end is an ordinary member's: no second end.
        late = _raid_join(99, 200)
        plan = await runtimes[0].handle_member(late)
    finally:
        for runtime in runtimes:
            await runtime.stop()

    # The start's timer (due at 2 + 60 s) set itself again at 5.5 + 60 s, then ended it.
    assert sum(ran) == 2
    done = [action for executor in executors for action in executor.done]
    lockdowns = [a for a in done if isinstance(a, SetIncidentActions)]
    pause_until = T0 + datetime.timedelta(seconds=2 + 900)
    assert lockdowns[0] == SetIncidentActions(
        guild_id=RAID_GUILD,
        invites_disabled_until=pause_until,
        dms_disabled_until=None,
        reason="spamguard: join raid",
    )
    assert len(lockdowns) == 2
    assert _lifted(lockdowns[1], pause_until)
    timed_out = sorted(a.user_id for a in done if isinstance(a, Timeout))
    assert timed_out == list(range(1000, 1012))
    assert plan is not None and plan.actions == ()


@pytest.mark.parametrize("kind", ["memory", "server", "cluster"])
async def test_a_raid_timer_survives_a_restart_and_runs_once(
    kind: str, tmp_path: pathlib.Path, empty_redis: Callable[[str], str]
) -> None:
    url = None if kind == "memory" else empty_redis(kind)

    def store() -> MemoryStore | ConsistentRedisStore:
        if url is None:
            return MemoryStore(tmp_path / "state.json")
        return ConsistentRedisStore(url)

    clock = Clock()
    before = _join_raid_runtime(store(), Executor(), clock)
    await before.start()
    try:
        # Exactly `joins` joins: the raid's last join is the one that started it.
        for index in range(5):
            await before.handle_member(_raid_join(index, index))
    finally:
        await before.stop()
    executor = Executor()
    after = _join_raid_runtime(store(), executor, clock)
    await after.start()
    try:
        clock.now = T0 + datetime.timedelta(seconds=4 + 59)
        assert await after.run_due() == 0
        clock.now = T0 + datetime.timedelta(seconds=4 + 60)
        assert await after.run_due() == 1
        assert await after.run_due() == 0
    finally:
        await after.stop()
    (lift,) = executor.done
    assert _lifted(lift, T0 + datetime.timedelta(seconds=4 + 900))
