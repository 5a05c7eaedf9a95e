"""The runtime's deletion queue and its order of work, without a library: deletions gather
per channel into bulk deletes, never one id twice, one request in flight per channel,
bounded, flushed on stop; punishments never wait behind them; no deadline by default.

The executor here is a real :class:`ActionExecutor` that records what it is asked to do
(with the event loop's time) and can hold its requests, as a rate-limited library would;
the adapter contract suite runs the same rules on every library against the REST stand-in.
"""

from __future__ import annotations

import asyncio
import datetime
import logging

import pytest

from spamguard.adapters.runtime import RecentMembers, RoleView, Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import DeleteMessages, Guard, Policy, Timeout
from spamguard.core.outcomes import FailureKind
from spamguard.core.plan import Plan

GUILD, CHANNEL, OTHER_CHANNEL, ALICE, BOB = 1, 2, 3, 50, 60
EPOCH_MS = 1_420_070_400_000


def _message_id(seconds_ago: float, increment: int) -> int:
    """A snowflake of a message sent ``seconds_ago`` (bulk delete takes recent ones only)."""
    now = datetime.datetime.now(tz=datetime.UTC).timestamp()
    return (int((now - seconds_ago) * 1000) - EPOCH_MS) << 22 | increment


IDS = [_message_id(60, i) for i in range(300)]


class _Library:
    """A library's executor that records each request; ``hold`` keeps them waiting."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, object]] = []
        self.hold: asyncio.Event | None = None
        self.failures: list[BaseException] = []

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: object) -> int | None:
        self.requests.append((asyncio.get_running_loop().time(), action))
        if self.hold is not None:
            await self.hold.wait()
        if self.failures:
            raise self.failures.pop(0)
        return None

    def classify(self, error: BaseException) -> FailureKind:
        return FailureKind.FORBIDDEN if isinstance(error, PermissionError) else FailureKind.ERROR

    def deletes(self) -> list[tuple[int, ...]]:
        return [a.message_ids for _, a in self.requests if isinstance(a, DeleteMessages)]


async def _runtime(library: _Library, **options: object) -> Runtime:
    guard = Guard(Policy.default(), load_entrypoints=False)
    runtime = Runtime(guard, library, store=MemoryStore(), **options)  # type: ignore[arg-type]
    await runtime.start()
    return runtime


def _delete(*ids: int, channel: int = CHANNEL, reason: str = "spam cleaned") -> DeleteMessages:
    return DeleteMessages(channel_id=channel, message_ids=ids, guild_id=GUILD, reason=reason)


def _timeout(user_id: int = ALICE) -> Timeout:
    until = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5)
    return Timeout(guild_id=GUILD, user_id=user_id, until=until, reason="spam")


def _plan(*actions: object, user_id: int = ALICE) -> Plan:
    return Plan(guild_id=GUILD, user_id=user_id, actions=actions)  # type: ignore[arg-type]


async def test_deletions_of_several_plans_leave_in_one_bulk_delete() -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=0.1)

    outcomes = await asyncio.gather(
        runtime.carry_out(_plan(_delete(*IDS[:5]), _timeout(ALICE), user_id=ALICE)),
        runtime.carry_out(_plan(_delete(IDS[5]), user_id=ALICE)),
        runtime.carry_out(_plan(_delete(*IDS[6:9]), _timeout(BOB), user_id=BOB)),
    )

    assert library.deletes() == [tuple(IDS[:9])]
    assert all(o.ok for plan in outcomes for o in plan)
    # Outcomes come in each plan's order, whatever finished first.
    assert [o.action.kind for o in outcomes[0]] == ["delete", "timeout"]
    assert runtime.stats.deletion_batches == 1
    await runtime.stop()


async def test_punishments_are_sent_before_the_deletions_gather() -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=0.1)

    await runtime.carry_out(_plan(_delete(*IDS[:5]), _timeout()))

    kinds = [a.kind for _, a in library.requests]  # type: ignore[attr-defined]
    assert kinds == ["timeout", "delete"]
    (sent_at, _), (deleted_at, _) = library.requests
    assert deleted_at - sent_at >= 0.09
    await runtime.stop()


async def test_an_id_is_deleted_once_whether_pending_in_flight_or_done() -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=0.05)

    # Pending: two plans ask for the same messages within one window.
    first = await asyncio.gather(
        runtime.carry_out(_plan(_delete(IDS[0], IDS[1]))),
        runtime.carry_out(_plan(_delete(IDS[1], IDS[2]))),
    )
    # Done: asked again after it was deleted.
    again = await runtime.carry_out(_plan(_delete(IDS[0])))
    # In flight: asked while the request carrying it waits for Discord.
    library.hold = asyncio.Event()
    carrying = asyncio.ensure_future(runtime.carry_out(_plan(_delete(IDS[3], IDS[4]))))
    while len(library.requests) < 2:
        await asyncio.sleep(0.01)
    joining = asyncio.ensure_future(runtime.carry_out(_plan(_delete(IDS[4]))))
    await asyncio.sleep(0.1)
    library.hold.set()
    later = await asyncio.gather(carrying, joining)

    assert library.deletes() == [(IDS[0], IDS[1], IDS[2]), (IDS[3], IDS[4])]
    assert all(o.ok for plan in (*first, again, *later) for o in plan)
    await runtime.stop()


async def test_ids_arriving_while_a_request_is_in_flight_leave_together_after_it() -> None:
    library = _Library()
    library.hold = asyncio.Event()
    runtime = await _runtime(library, delete_window=0.02)

    plans = [asyncio.ensure_future(runtime.carry_out(_plan(_delete(IDS[0]))))]
    while not library.requests:
        await asyncio.sleep(0.01)
    # Discord holds the first request (a rate limit): the next ids gather behind it.
    for message_id in IDS[1:6]:
        plans.append(asyncio.ensure_future(runtime.carry_out(_plan(_delete(message_id)))))
        await asyncio.sleep(0.03)
    assert len(library.requests) == 1
    library.hold.set()
    await asyncio.gather(*plans)

    assert library.deletes() == [(IDS[0],), tuple(IDS[1:6])]
    await runtime.stop()


async def test_a_full_batch_leaves_at_once_and_channels_and_reasons_stay_apart() -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=30.0)

    start = asyncio.get_running_loop().time()
    await asyncio.gather(
        *(runtime.carry_out(_plan(_delete(*IDS[i : i + 50]))) for i in range(0, 200, 50))
    )
    assert asyncio.get_running_loop().time() - start < 5.0
    assert library.deletes() == [tuple(IDS[:100]), tuple(IDS[100:200])]

    library.requests.clear()
    runtime.deletions.window = 0.05
    await asyncio.gather(
        runtime.carry_out(_plan(_delete(IDS[200], IDS[201]))),
        runtime.carry_out(_plan(_delete(IDS[202], channel=OTHER_CHANNEL))),
        runtime.carry_out(_plan(_delete(IDS[203], reason="link filter"))),
    )
    sent = sorted((a.channel_id, a.reason, a.message_ids) for _, a in library.requests)  # type: ignore[attr-defined]
    assert sent == [
        (CHANNEL, "link filter", (IDS[203],)),
        (CHANNEL, "spam cleaned", (IDS[200], IDS[201])),
        (OTHER_CHANNEL, "spam cleaned", (IDS[202],)),
    ]
    await runtime.stop()


async def test_a_failed_request_fails_every_action_it_carried_and_may_be_asked_again() -> None:
    library = _Library()
    library.failures = [PermissionError("Missing Permissions")]
    runtime = await _runtime(library, delete_window=0.05)

    failed = await asyncio.gather(
        runtime.carry_out(_plan(_delete(IDS[0]))),
        runtime.carry_out(_plan(_delete(IDS[1]))),
    )
    retried = await runtime.carry_out(_plan(_delete(IDS[0])))

    assert [o.failure for plan in failed for o in plan] == [FailureKind.FORBIDDEN] * 2
    assert retried[0].ok
    assert library.deletes() == [(IDS[0], IDS[1]), (IDS[0],)]
    await runtime.stop()


async def test_past_the_bound_the_oldest_deletions_are_dropped_never_punishments(
    caplog: pytest.LogCaptureFixture,
) -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=0.2, max_pending_deletions=3)

    with caplog.at_level(logging.WARNING, logger="spamguard.runtime.deletions"):
        outcomes = await asyncio.gather(
            runtime.carry_out(_plan(_delete(IDS[0], IDS[1]), _timeout(ALICE), user_id=ALICE)),
            runtime.carry_out(_plan(_delete(IDS[2], IDS[3]), _timeout(BOB), user_id=BOB)),
        )

    (alice_delete, alice_timeout), (bob_delete, bob_timeout) = outcomes
    assert (alice_delete.ok, alice_delete.failure) == (False, FailureKind.DROPPED)
    assert bob_delete.ok and alice_timeout.ok and bob_timeout.ok
    # The oldest id went; the three newest left in one request.
    assert library.deletes() == [(IDS[1], IDS[2], IDS[3])]
    assert runtime.stats.deletions_dropped == 1
    assert "dropped 1 pending deletions of guild 1" in caplog.text
    await runtime.stop()


async def test_stop_sends_the_pending_deletions_without_waiting_out_the_window() -> None:
    library = _Library()
    runtime = await _runtime(library, delete_window=60.0)
    plan = asyncio.ensure_future(runtime.carry_out(_plan(_delete(IDS[0], IDS[1]))))
    await asyncio.sleep(0.01)

    await asyncio.wait_for(runtime.stop(), timeout=5)

    assert library.deletes() == [(IDS[0], IDS[1])]
    assert plan.result()[0].ok


async def test_stop_gives_up_on_deletions_discord_does_not_answer_in_time() -> None:
    library = _Library()
    library.hold = asyncio.Event()  # never set: Discord keeps the request
    runtime = await _runtime(library, delete_window=0.01, stop_timeout=0.2)
    plan = asyncio.ensure_future(runtime.carry_out(_plan(_delete(IDS[0]))))
    while not library.requests:
        await asyncio.sleep(0.01)

    await asyncio.wait_for(runtime.stop(), timeout=5)

    (outcome,) = await plan
    assert (outcome.ok, outcome.failure) == (False, FailureKind.DROPPED)


async def test_no_deadline_by_default_and_a_set_one_counts_from_the_request() -> None:
    library = _Library()
    library.hold = asyncio.Event()
    runtime = await _runtime(library, delete_window=0.01)
    plan = asyncio.ensure_future(runtime.carry_out(_plan(_timeout(), _delete(IDS[0]))))
    # Rate limited well past the old fixed 10 s deadline would be the same: it waits.
    await asyncio.sleep(0.3)
    library.hold.set()
    assert all(o.ok for o in await plan)
    await runtime.stop()

    # With a deadline, the time a deletion spends gathering does not count against it.
    library = _Library()
    runtime = await _runtime(library, delete_window=0.3, action_timeout=0.1)
    (outcome,) = await runtime.carry_out(_plan(_delete(IDS[1])))
    assert outcome.ok
    await runtime.stop()


class _Roles:
    """A library's role cache as the hierarchy rules read it."""

    library = "testlib"

    def __init__(self) -> None:
        self.roles = {100: RoleView(position=3, name="Members"), 200: RoleView(position=6)}

    def role(self, guild_id: int, role_id: int) -> RoleView | None:
        return self.roles.get(role_id)


def test_recent_members_give_the_noted_roles_and_forget_the_least_recent() -> None:
    recent = RecentMembers(size=2)
    roles = _Roles()
    recent.note(GUILD, ALICE, frozenset({100, 200}), is_administrator=False)
    recent.note(GUILD, BOB, frozenset(), is_administrator=True)

    alice = recent.view(GUILD, ALICE, roles)  # type: ignore[arg-type]
    bob = recent.view(GUILD, BOB, roles)  # type: ignore[arg-type]
    assert alice is not None and alice.top_role.position == 6
    assert not alice.is_administrator
    assert bob is not None and (bob.top_role.position, bob.is_administrator) == (0, True)

    # A role the cache lacks: no view (the executor asks Discord instead).
    recent.note(GUILD, 70, frozenset({999}), is_administrator=False)
    assert recent.view(GUILD, 70, roles) is None  # type: ignore[arg-type]
    # Bounded: noting a third member forgot the least recent (alice).
    assert recent.view(GUILD, ALICE, roles) is None  # type: ignore[arg-type]


def test_a_noted_member_is_trusted_for_max_age_seconds() -> None:
    now = [100.0]
    recent = RecentMembers(max_age=60.0, clock=lambda: now[0])
    recent.note(GUILD, ALICE, frozenset({100}), is_administrator=False)

    now[0] += 59.0
    assert recent.view(GUILD, ALICE, _Roles()) is not None  # type: ignore[arg-type]
    now[0] += 2.0
    # A role given or taken since could be missed: ask the cache or Discord again.
    assert recent.view(GUILD, ALICE, _Roles()) is None  # type: ignore[arg-type]
