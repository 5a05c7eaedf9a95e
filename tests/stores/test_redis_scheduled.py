"""The Redis stores' scheduled actions: buckets per guild, claims under a lease, ``done``."""

from __future__ import annotations

import asyncio
import datetime
import logging
import typing

import pytest
from redis.crc import key_slot
from support.redis_cluster import sync_client
from support.store_workers import StoreWorker

from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.adapters.stores.redis_layout import (
    SCHEDULE_BUCKETS,
    encode_item,
    schedule_bucket,
    schedule_keys,
)
from spamguard.core import Guard, Policy, ScheduledAction, Unban

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
LATER = T0 + datetime.timedelta(days=1)
LEASE = 0.3
"""A short lease: long enough for a claim to come back, short enough to wait out."""


def _unbans(count: int, guilds: int = 40) -> list[ScheduledAction]:
    return [
        ScheduledAction(
            T0 + datetime.timedelta(seconds=i), Unban(guild_id=10**17 + i % guilds, user_id=i)
        )
        for i in range(count)
    ]


@pytest.fixture
async def open_store(redis_url: str, policy: Policy) -> AsyncIterator[Callable[..., typing.Any]]:
    """Open RedisStores on the test's server (closed after the test)."""
    opened: list[ConsistentRedisStore] = []

    async def make(**options: typing.Any) -> ConsistentRedisStore:
        store = ConsistentRedisStore(redis_url, **options)
        await store.open(Guard(policy))
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


async def test_actions_spread_over_buckets_each_in_its_own_slot_keys(
    open_store: Callable[..., typing.Any], redis_url: str
) -> None:
    store = await open_store()
    items = _unbans(200)
    await store.schedule(items)
    with sync_client(redis_url) as client:
        counts = {
            bucket: client.zcard(schedule_keys("spamguard", bucket)[0])
            for bucket in range(SCHEDULE_BUCKETS)
        }
        assert sum(counts.values()) == len(items)
        assert sum(1 for count in counts.values() if count) >= SCHEDULE_BUCKETS // 2
        assert client.keys("spamguard:scheduled*") == []
        for item in items:
            pending, claimed = schedule_keys("spamguard", schedule_bucket(item))
            assert client.zscore(pending, encode_item(item)) == item.run_at.timestamp()
            assert key_slot(pending.encode()) == key_slot(claimed.encode())


async def test_a_claim_unacknowledged_within_its_lease_goes_to_the_next_claimer(
    open_store: Callable[..., typing.Any], caplog: pytest.LogCaptureFixture
) -> None:
    first = await open_store(claim_lease=LEASE)
    second = await open_store(claim_lease=LEASE)
    items = _unbans(30)
    await first.schedule(items)
    assert sorted(await first.claim_due(LATER)) == sorted(items)
    assert await second.claim_due(LATER) == ()  # leased to the first
    await asyncio.sleep(LEASE + 0.1)
    with caplog.at_level(logging.WARNING, logger="spamguard.store.redis"):
        assert sorted(await second.claim_due(LATER)) == sorted(items)
    assert second.reclaimed == len(items)
    assert "lease (0.3s) ran out unacknowledged" in caplog.text
    await second.done(items)
    await asyncio.sleep(LEASE + 0.1)
    assert await first.claim_due(LATER) == ()
    assert await second.claim_due(LATER) == ()
    assert first.failures == second.failures == 0


async def test_an_acknowledged_action_is_never_handed_out_again(
    open_store: Callable[..., typing.Any], redis_url: str
) -> None:
    store = await open_store(claim_lease=LEASE)
    other = await open_store(claim_lease=LEASE)
    (item,) = _unbans(1)
    await store.schedule([item])
    assert await store.next_due() == item.run_at
    assert await store.claim_due(LATER) == (item,)
    assert await store.next_due() is None
    await store.done([item])
    await asyncio.sleep(LEASE + 0.1)
    assert await other.claim_due(LATER) == ()
    with sync_client(redis_url) as client:
        assert client.keys("spamguard:{s:*") == []


async def test_acknowledgements_during_an_outage_are_sent_once_redis_is_back(
    own_redis_server: typing.Any, policy: Policy
) -> None:
    store = ConsistentRedisStore(own_redis_server.url, claim_lease=LEASE, retry_interval=0.05)
    await store.open(Guard(policy))
    items = _unbans(5)
    await store.schedule(items)
    claimed = await store.claim_due(LATER)
    own_redis_server.pause()
    try:
        await store.done(claimed)  # times out: kept in memory
    finally:
        own_redis_server.resume()
    assert store.failures == 1
    await asyncio.sleep(LEASE + 0.1)
    # The next claim sends the acknowledgements first: nothing comes back.
    assert await store.claim_due(LATER) == ()
    assert store.reclaimed == 0
    await store.close()


async def test_the_set_used_before_the_split_moves_into_the_buckets_at_open(
    open_store: Callable[..., typing.Any], redis_url: str
) -> None:
    items = _unbans(20)
    with sync_client(redis_url) as client:
        client.zadd(
            "spamguard:scheduled", {encode_item(item): item.run_at.timestamp() for item in items}
        )
        store = await open_store()
        assert client.exists("spamguard:scheduled") == 0
    assert await store.next_due() == T0
    assert sorted(await store.claim_due(LATER)) == sorted(items)


def test_an_unban_claimed_by_a_process_killed_before_acknowledging_it_runs_once_elsewhere(
    redis_url: str, policy_doc: dict[str, typing.Any]
) -> None:
    setup = {"claim_lease": LEASE}
    crashing = StoreWorker(redis_url, policy_doc, **setup)
    survivor = StoreWorker(redis_url, policy_doc, **setup)
    try:
        (item,) = _unbans(1)
        later = LATER.isoformat()
        store = ConsistentRedisStore(redis_url)
        asyncio.run(_schedule(store, policy_doc, item))
        assert crashing.ask({"op": "claim", "now": later})["claimed"] == [item.to_dict()]
        crashing.kill()  # SIGKILL: it never acknowledges
        assert survivor.ask({"op": "claim", "now": later})["claimed"] == []  # still leased
        claimed: list[typing.Any] = []
        for _ in range(50):  # polls, as the scheduler does, until the lease ends
            claimed = survivor.ask({"op": "claim", "now": later})["claimed"]
            if claimed:
                break
            asyncio.run(asyncio.sleep(0.05))
        assert claimed == [item.to_dict()]
        assert survivor.ask({"op": "done", "items": claimed})["failures"] == 0
        asyncio.run(asyncio.sleep(LEASE + 0.1))
        assert survivor.ask({"op": "claim", "now": later})["claimed"] == []
    finally:
        crashing.close()
        survivor.close()


async def _schedule(
    store: ConsistentRedisStore, policy_doc: dict[str, typing.Any], item: ScheduledAction
) -> None:
    await store.open(Guard(Policy.from_dict(policy_doc)))
    await store.schedule([item])
    await store.close()
