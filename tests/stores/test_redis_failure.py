"""ConsistentRedisStore when Redis goes away mid-stream: fail open, log, count, reconnect by itself."""

from __future__ import annotations

import asyncio
import datetime
import logging
import typing

from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.core import Guard, Policy, ScheduledAction, Unban

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    import pytest
    from support.redis_cluster import RedisClusterNodes
    from support.redis_server import RedisServer

    from spamguard.core import Message, Plan

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
LOGGER = "spamguard.store.redis"


def _flood(make_message: Callable[..., Message], first: int, author: int) -> list[Message]:
    """Six messages in 0.5 s: the sixth reaches max_messages (6 in 5 s)."""
    return [make_message(first + i, author, f"flood {i}", 0.1 * i) for i in range(6)]


async def _wait_past_retry(store: ConsistentRedisStore) -> None:
    await asyncio.sleep(store.retry_interval * 1.5)


async def test_stopped_server_fails_open_then_the_store_reconnects_by_itself(
    own_redis_server: RedisServer,
    policy: Policy,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = Guard(policy)
    store = ConsistentRedisStore(own_redis_server.url, timeout=0.5, retry_interval=0.1)
    await store.open(guard)
    before = [await store.process(guard, m) for m in _flood(make_message, 100, 51)]
    assert before[-1].punishment == "TEMPBAN"
    assert store.failures == 0

    own_redis_server.stop()
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        during: list[Plan] = []
        for m in _flood(make_message, 200, 52):
            during.append(await store.process(guard, m))
        await _wait_past_retry(store)
        during.append(await store.process(guard, make_message(300, 52, "probe", 1.0)))
        claimed = await store.claim_due(T0 + datetime.timedelta(days=1))
        await store.schedule([ScheduledAction(T0, Unban(guild_id=900, user_id=52))])
    assert all(not plan and not plan.violations for plan in during)
    assert [p.message_id for p in during] == [*range(200, 206), 300]
    assert claimed == ()
    assert store.failures == len(during) + 2
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    # The first failure and the probe after retry_interval are logged, not every message.
    assert len(errors) == 2
    assert "failing open" in errors[0].getMessage()

    own_redis_server.start()  # same port, empty (no persistence)
    await _wait_past_retry(store)
    failures = store.failures
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        after = [await store.process(guard, m) for m in _flood(make_message, 400, 53)]
    assert store.failures == failures
    assert "reachable again" in caplog.text
    assert after[-1].punishment == "TEMPBAN"
    # The unban scheduled during the outage was kept and written once Redis came back.
    assert await store.claim_due(T0) == (ScheduledAction(T0, Unban(guild_id=900, user_id=52)),)
    await store.close()


async def test_a_hung_server_times_out_and_fails_open_within_the_timeout(
    own_redis_server: RedisServer, policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy)
    store = ConsistentRedisStore(own_redis_server.url, timeout=0.2, retry_interval=0.1)
    await store.open(guard)
    assert (await store.process(guard, make_message(1, 54, "hello", 0))).skipped_reason is None

    own_redis_server.pause()  # accepts connections, never answers
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        plans = [await store.process(guard, m) for m in _flood(make_message, 10, 55)]
        elapsed = loop.time() - started
    finally:
        own_redis_server.resume()
    assert not any(plans)
    assert store.failures == 6
    # One call waited for the timeout; the others failed open at once.
    assert elapsed < 2.0

    await _wait_past_retry(store)
    started = loop.time()
    flood = [await store.process(guard, m) for m in _flood(make_message, 20, 56)]
    assert flood[-1].punishment == "TEMPBAN"
    assert store.failures == 6
    # The load that timed out ran when the server woke up and took the guild's lock; the
    # store freed it instead of waiting for it to expire (lock_timeout, 5 s).
    assert loop.time() - started < store.lock_timeout / 2
    assert store.lock_waits == 0
    await store.close()


async def test_unreachable_redis_at_start_is_logged_not_raised(
    own_redis_server: RedisServer,
    policy: Policy,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    own_redis_server.stop()
    guard = Guard(policy)
    store = ConsistentRedisStore(own_redis_server.url, timeout=0.2, retry_interval=0.05)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        await store.open(guard)
    assert store.failures == 1
    assert "failed on connect" in caplog.text
    assert await store.next_due() is not None  # "ask again soon", not "nothing scheduled"

    own_redis_server.start()
    await _wait_past_retry(store)
    plans = [await store.process(guard, m) for m in _flood(make_message, 30, 57)]
    assert plans[-1].punishment == "TEMPBAN"
    await store.close()


async def test_a_cluster_node_restarting_fails_open_meanwhile_then_the_store_recovers(
    own_redis_cluster: RedisClusterNodes,
    policy: Policy,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = Guard(policy)
    store = ConsistentRedisStore(own_redis_cluster.url, retry_interval=0.2, timeout=0.5)
    await store.open(guard)
    guilds = range(900, 930)  # spread over the three masters' slots
    mid = 0

    async def each_guild() -> list[Plan]:
        nonlocal mid
        plans = []
        for guild in guilds:
            mid += 1
            plans.append(await store.process(guard, make_message(mid, 5, "hi", mid, guild=guild)))
        return plans

    await each_guild()
    assert store.failures == 0
    own_redis_cluster.nodes[1].stop()  # its slots' keys are gone; the others still answer
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        await each_guild()
        assert store.failures > 0
        own_redis_cluster.nodes[1].start()  # it rejoins with its slots (nodes.conf), empty
        for _ in range(40):  # 20 s at most: redis-py finds the node again
            await _wait_past_retry(store)
            failures = store.failures
            await each_guild()
            if store.failures == failures:
                break
        else:
            raise AssertionError(f"still failing after the node came back: {store.failures}")
    assert "Redis store reachable again" in caplog.text
    # A duplicate flood in the restarted node's guilds is decided again from Redis.
    flood = [make_message(9000 + i, 77, "buy now", 2000 + 0.5 * i, guild=901) for i in range(4)]
    plans = [await store.process(guard, message) for message in flood]
    assert plans[-1].punishment == "TEMPBAN"
    await store.close()
