"""The per-member locks: one event of a member decided at a time, a lock kept only while
an event needs it."""

from __future__ import annotations

import asyncio

import pytest

from spamguard.adapters.runtime.member_locks import MemberLocks

KEY = (1, 2)


async def test_an_event_taking_the_lock_as_it_passes_on_waits_for_the_woken_one() -> None:
    # Between a release and the woken waiter's next step the lock reads unlocked: an
    # event arriving then must still wait its turn, not get a fresh lock of its own.
    locks = MemberLocks()
    inside: list[str] = []
    peak = 0
    first_in, let_go = asyncio.Event(), asyncio.Event()

    async def decide(name: str) -> None:
        nonlocal peak
        inside.append(name)
        peak = max(peak, len(inside))
        await asyncio.sleep(0)
        inside.remove(name)

    async def first_then_again() -> None:
        async with locks.hold(KEY):
            first_in.set()
            await let_go.wait()
        # No await between the release and the next hold: the waiter has not run yet.
        async with locks.hold(KEY):
            await decide("again")

    async def waiter() -> None:
        async with locks.hold(KEY):
            await decide("waiter")

    first = asyncio.create_task(first_then_again())
    await first_in.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    let_go.set()
    await asyncio.gather(first, second)

    assert peak == 1
    assert len(locks) == 0


async def test_a_lock_is_forgotten_once_no_event_holds_or_waits_for_it() -> None:
    locks = MemberLocks()
    order: list[int] = []

    async def event(n: int) -> None:
        async with locks.hold(KEY):
            assert len(locks) == 1
            order.append(n)
            await asyncio.sleep(0)

    await asyncio.gather(*(event(n) for n in range(5)))

    assert order == [0, 1, 2, 3, 4]
    assert len(locks) == 0


async def test_a_cancelled_waiter_and_a_failing_event_leave_no_lock_behind() -> None:
    locks = MemberLocks()
    holding, let_go = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with locks.hold(KEY):
            holding.set()
            await let_go.wait()
            raise RuntimeError("the store failed")

    async def waiter() -> None:
        async with locks.hold(KEY):
            pytest.fail("a cancelled waiter never holds the lock")

    first = asyncio.create_task(holder())
    await holding.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    second.cancel()
    let_go.set()
    results = await asyncio.gather(first, second, return_exceptions=True)

    assert isinstance(results[0], RuntimeError)
    assert isinstance(results[1], asyncio.CancelledError)
    assert len(locks) == 0
