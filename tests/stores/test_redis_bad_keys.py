"""ConsistentRedisStore and keys it cannot read: set aside, logged, counted; nobody else affected."""

from __future__ import annotations

import datetime
import logging
import typing

import pytest
import redis
from support.redis_cluster import sync_client

from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.adapters.stores.redis_layout import schedule_bucket, schedule_keys
from spamguard.core import Guard, Policy, ScheduledAction, Unban

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Message, Plan

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
LOGGER = "spamguard.store.redis"
MEMBER_KEY = "spamguard:{g:900}:m:31"


async def _decide(store: ConsistentRedisStore, guard: Guard, messages: list[Message]) -> list[Plan]:
    return [await store.process(guard, m) for m in messages]


BAD_MEMBER_KEYS: list[tuple[str, Callable[[redis.Redis], typing.Any]]] = [
    ("not-json", lambda c: c.set(MEMBER_KEY, "{broken")),
    ("json-list", lambda c: c.set(MEMBER_KEY, "[1, 2]")),
    ("last-violation-text", lambda c: c.set(MEMBER_KEY, '{"last_violation": "yesterday"}')),
    ("counter-text", lambda c: c.set(MEMBER_KEY, '{"warn_count": "two"}')),
    ("a-list-key", lambda c: c.rpush(MEMBER_KEY, "x")),
    ("recent-entry", lambda c: c.zadd("spamguard:{g:900}:r:31", {"garbage": 1e12})),
    ("window-entry", lambda c: c.zadd("spamguard:{g:900}:w:max_messages:u:31", {"x|y": 1e12})),
]


@pytest.mark.parametrize(
    "damage", [d for _name, d in BAD_MEMBER_KEYS], ids=[n for n, _d in BAD_MEMBER_KEYS]
)
async def test_a_bad_member_key_is_set_aside_and_nobody_else_is_affected(
    redis_url: str,
    policy: Policy,
    make_message: Callable[..., Message],
    flood: Callable[..., list[Message]],
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[redis.Redis], typing.Any],
) -> None:
    client = sync_client(redis_url)
    damage(client)
    guard = Guard(policy)
    store = ConsistentRedisStore(redis_url)
    await store.open(guard)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        bad_member = await _decide(store, guard, flood(31, 100))
        others = await _decide(store, guard, flood(32, 200))

    # The member is decided as new (its flood is punished), so is everyone else, and the
    # store never failed open.
    assert bad_member[-1].punishment == "TEMPBAN"
    assert others[-1].punishment == "TEMPBAN"
    assert store.failures == 0
    assert store.bad_keys == 1
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "unreadable Redis key spamguard:{g:900}:" in record.getMessage()
    assert "set aside as" in record.getMessage()
    (kept,) = client.keys("spamguard:{g:900}:*:bad:*")
    assert kept in record.getMessage()
    # The member's state is readable again: its next message is no new incident.
    more = await _decide(store, guard, [make_message(105, 31, "buy now", 2.5)])
    assert more[0].violations and more[0].punishment == "NONE"
    assert store.bad_keys == 1
    await store.close()
    client.close()


UNBAN = ScheduledAction(T0, Unban(guild_id=900, user_id=5))
PENDING_KEY, CLAIMED_KEY = schedule_keys("spamguard", schedule_bucket(UNBAN))


async def test_a_legacy_scheduled_set_of_the_wrong_type_is_set_aside_at_open(
    redis_url: str, policy: Policy, caplog: pytest.LogCaptureFixture
) -> None:
    client = sync_client(redis_url)
    client.set("spamguard:scheduled", "not a sorted set")
    guard = Guard(policy)
    store = ConsistentRedisStore(redis_url)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        await store.open(guard)
        await store.schedule([UNBAN])
        assert await store.claim_due(T0) == (UNBAN,)
    await store.close()
    assert store.failures == 0
    assert store.bad_keys == 1
    (kept,) = client.keys("{spamguard:scheduled}:bad:*")  # in the key's cluster slot
    assert client.get(kept) == "not a sorted set"
    assert f"set aside as {kept}" in caplog.text
    client.close()


@pytest.mark.parametrize("key", [PENDING_KEY, CLAIMED_KEY])
async def test_a_scheduled_bucket_of_the_wrong_type_is_set_aside_and_scheduling_goes_on(
    redis_url: str, policy: Policy, caplog: pytest.LogCaptureFixture, key: str
) -> None:
    client = sync_client(redis_url)
    client.set(key, "not a sorted set")
    guard = Guard(policy)
    store = ConsistentRedisStore(redis_url)
    await store.open(guard)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        assert await store.claim_due(T0) == ()
        assert await store.next_due() is None
        await store.schedule([UNBAN])
        assert await store.next_due() == T0
        assert await store.claim_due(T0) == (UNBAN,)
    await store.close()
    assert store.failures == 0
    assert store.bad_keys == 1
    (kept,) = client.keys(f"{key}:bad:*")
    assert client.get(kept) == "not a sorted set"
    assert f"set aside as {kept}" in caplog.text
    client.close()


async def test_a_scheduled_bucket_that_turns_bad_while_running_is_set_aside_at_the_next_write(
    redis_url: str, policy: Policy
) -> None:
    client = sync_client(redis_url)
    guard = Guard(policy)
    store = ConsistentRedisStore(redis_url)
    await store.open(guard)
    client.hset(PENDING_KEY, "a", "b")
    await store.schedule([UNBAN])
    assert await store.claim_due(T0) == (UNBAN,)
    assert store.failures == 0
    assert store.bad_keys == 1
    await store.close()
    client.close()
