"""Cases in both Redis stores, on a single server and on a Redis Cluster: numbers taken
atomically and shared by every process, never reused, bounded per guild; a Redis failure
leaves a case unnumbered (``#?``), never raises, and the case is numbered once Redis is
back."""

from __future__ import annotations

import asyncio
import datetime
import typing

import pytest
from support.executors import RecordingExecutor
from support.redis_cluster import sync_client

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.core import Guard, Policy
from spamguard.core.cases import Case, UndoState

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.redis_server import RedisServer

    from spamguard.core import Message

GUILD, OTHER_GUILD = 900, 901
T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
STORES = (RedisStore, ConsistentRedisStore)


def _draft(user_id: int | None, guild_id: int = GUILD, punishment: str = "KICK") -> Case:
    return Case(
        guild_id=guild_id,
        user_id=user_id,
        opened_at=T0,
        updated_at=T0,
        punishment=punishment,
        excerpts=("free nitro @\u200beveryone",),
    )


@pytest.mark.parametrize("kind", STORES)
async def test_cases_are_numbered_per_guild_kept_and_listed_newest_first(
    redis_url: str, policy: Policy, kind: type[RedisStore | ConsistentRedisStore]
) -> None:
    store = kind(redis_url)
    await store.open(Guard(policy))
    first = await store.cases.open(_draft(11))
    second = await store.cases.open(_draft(12))
    third = await store.cases.open(_draft(11, punishment="BAN"))
    elsewhere = await store.cases.open(_draft(11, guild_id=OTHER_GUILD))
    guildwide = await store.cases.open(_draft(None))
    assert [first.number, second.number, third.number, guildwide.number] == [1, 2, 3, 4]
    assert elsewhere.number == 1
    assert await store.cases.get(GUILD, 3) == third
    assert await store.cases.get(GUILD, 99) is None
    assert await store.cases.of_member(GUILD, 11) == (third, first)
    assert await store.cases.of_member(GUILD, 11, limit=1) == (third,)
    assert await store.cases.of_member(OTHER_GUILD, 11) == (elsewhere,)
    assert await store.cases.of_member(GUILD, 13) == ()

    pardoned = Case(**{**_fields(first), "undo": UndoState.PARDONED, "pardoned_by": 7})
    assert await store.cases.save(pardoned)
    assert await store.cases.get(GUILD, 1) == pardoned
    assert store.failures == 0
    await store.close()


def _fields(case: Case) -> dict[str, typing.Any]:
    return {name: getattr(case, name) for name in case.__dataclass_fields__}


async def test_every_key_of_a_guilds_cases_is_in_its_slot(redis_url: str, policy: Policy) -> None:
    store = RedisStore(redis_url)
    await store.open(Guard(policy))
    await store.cases.open(_draft(11))
    keys = store.cases.keys(GUILD, 11)
    assert all("{g:900}" in key for key in keys)
    await store.close()


async def test_two_stores_on_one_redis_share_the_numbering_and_never_reuse_a_number(
    redis_url: str, policy: Policy
) -> None:
    # Two processes of a sharded bot: each its own store (and connection) on one Redis.
    one, two = RedisStore(redis_url), ConsistentRedisStore(redis_url)
    await one.open(Guard(policy))
    await two.open(Guard(policy))
    opened = await asyncio.gather(
        *(store.cases.open(_draft(20 + index)) for index in range(20) for store in (one, two))
    )
    assert sorted(case.number for case in opened) == list(range(1, 41))
    # A case seen by one is read by the other.
    assert await two.cases.get(GUILD, opened[0].number) == opened[0]
    await one.close()
    await two.close()


async def test_a_guild_keeps_its_newest_cases_and_numbers_go_on(
    redis_url: str, policy: Policy
) -> None:
    store = ConsistentRedisStore(redis_url)
    await store.open(Guard(policy))
    store.cases.per_guild = 3
    for _ in range(5):
        await store.cases.open(_draft(11))
    assert await store.cases.get(GUILD, 2) is None
    assert [c.number for c in await store.cases.of_member(GUILD, 11)] == [5, 4, 3]
    forgotten = await store.cases.get(GUILD, 5)
    assert forgotten is not None
    assert not await store.cases.save(Case(**{**_fields(forgotten), "number": 1}))
    assert (await store.cases.open(_draft(11))).number == 6
    with sync_client(redis_url) as client:
        assert client.hlen(store.cases.keys(GUILD)[1]) == 3
    await store.close()


async def test_a_flood_through_the_runtime_is_one_case_in_redis(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store = RedisStore(redis_url)
    runtime = Runtime(Guard(policy), RecordingExecutor(), store=store)  # type: ignore[arg-type]
    await runtime.start()
    for index in range(12):
        await runtime.handle(make_message(100 + index, 11, f"flood {index}", 0.1 * index))
    await runtime.stop()

    again = ConsistentRedisStore(redis_url)  # another process reads it
    await again.open(Guard(policy))
    (case,) = await again.cases.of_member(GUILD, 11)
    assert case.number == 1
    assert case.punishment == "TEMPBAN"
    assert case.undo is UndoState.SCHEDULED
    assert sum(a.count for a in case.actions if a.kind == "delete") == 12
    assert "max_messages" in {v.check for v in case.violations}
    await again.close()


async def test_redis_down_leaves_the_case_unnumbered_then_numbers_it_when_back(
    own_redis_server: RedisServer, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store = RedisStore(own_redis_server.url, timeout=0.5, retry_interval=0.1)
    runtime = Runtime(Guard(policy), RecordingExecutor(), store=store)  # type: ignore[arg-type]
    seen: list[Case] = []
    runtime.cases.subscribe(lambda update: seen.append(update.case))
    await runtime.start()
    own_redis_server.stop()
    for index in range(6):
        await runtime.handle(make_message(100 + index, 11, f"flood {index}", 0.1 * index))
    assert seen
    assert seen[-1].number == 0
    assert seen[-1].label == "#?"
    assert runtime.cases.failures >= 1
    assert await runtime.cases.of_member(GUILD, 11) == ()
    assert await runtime.cases.get(GUILD, 1) is None

    own_redis_server.start()
    await asyncio.sleep(0.2)
    await runtime.handle(make_message(106, 11, "flood 6", 0.7))  # joins the open incident
    assert seen[-1].number == 1
    assert await runtime.cases.get(GUILD, 1) == seen[-1]
    await runtime.stop()


async def test_a_key_of_another_type_is_set_aside_and_a_lost_counter_counts_on(
    redis_url: str, policy: Policy
) -> None:
    store = RedisStore(redis_url)
    await store.open(Guard(policy))
    for _ in range(3):
        await store.cases.open(_draft(11))
    counter, _cases, member = store.cases.keys(GUILD, 11)
    with sync_client(redis_url) as client:
        client.delete(counter)  # evicted, or deleted by hand
        client.delete(member)
        client.set(member, "not a sorted set")
    assert await store.cases.of_member(GUILD, 11) == ()
    assert store.bad_keys == 1
    # No kept case is overwritten: the numbering goes on from the highest kept.
    assert (await store.cases.open(_draft(11))).number == 4
    assert [c.number for c in await store.cases.of_member(GUILD, 11)] == [4]
    assert (await store.cases.get(GUILD, 1)) is not None
    assert store.failures == 0
    with sync_client(redis_url) as client:
        (bad,) = client.scan_iter(match="*:bad:*")
        assert bad.startswith(f"{member}:bad:")
    await store.close()


async def test_a_plan_in_another_process_joins_the_members_open_case(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    # Two processes deciding against one Redis: the second finds the case the first opened.
    first, second = (
        Runtime(Guard(policy), RecordingExecutor(), store=ConsistentRedisStore(redis_url))  # type: ignore[arg-type]
        for _ in range(2)
    )
    await first.start()
    await second.start()
    for index in range(6):
        await first.handle(make_message(100 + index, 11, f"flood {index}", 0.1 * index))
    await second.handle(make_message(106, 11, "flood 6", 0.7))

    (case,) = await second.cases.of_member(GUILD, 11)
    assert case.number == 1
    assert sum(a.count for a in case.actions if a.kind == "delete") == 7
    assert case.excerpts[-1] == "flood 6"
    await first.stop()
    await second.stop()
