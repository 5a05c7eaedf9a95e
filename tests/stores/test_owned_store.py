"""The guild-owned Redis store against a real redis-server: decisions from memory, write-behind,
takeover, fencing, release, corrupt guild state, an outage, a crash (SIGKILL)."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import typing

import pytest
from support.redis_cluster import sync_client
from support.store_workers import StoreWorker

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.adapters.stores.redis_write_behind import encode_part, part_key
from spamguard.core import Guard, Policy, StoreMode

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.redis_server import RedisServer

    from spamguard.core import Message

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900
LOGGER = "spamguard.store.redis"


def stored_part(url: str, guild_id: int) -> typing.Any:
    """The guild's part as Redis holds it (None: no key)."""
    with sync_client(url) as client:
        text = client.get(part_key("spamguard", guild_id))
    return None if text is None else json.loads(text)


def expected_part(guard: Guard, guild_id: int) -> typing.Any:
    """What the store writes for the guild the guard holds (JSON's lists for tuples)."""
    return json.loads(encode_part(guard.guild_part(guild_id)))


async def test_decisions_are_the_memory_stores_on_the_same_stream(
    redis_url: str, policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    reference = Guard(policy)
    guard = Guard(policy)
    store = RedisStore(redis_url, write_interval=0.05)
    await store.open(guard)
    for message in stream():
        assert await store.process(guard, message) == reference.process(message)
    await store.close()
    assert store.loads == 2  # one per guild of the stream
    assert stored_part(redis_url, GUILD) == expected_part(guard, GUILD)


async def test_a_released_guild_is_taken_over_by_another_process_where_it_was_left(
    redis_url: str, policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    messages = stream()
    half = len(messages) // 2
    reference = Guard(policy)
    expected = [reference.process(m) for m in messages]
    first, second = Guard(policy), Guard(policy)
    a = RedisStore(redis_url, write_interval=60)
    b = RedisStore(redis_url, write_interval=60)
    await a.open(first)
    await b.open(second)
    plans = [await a.process(first, m) for m in messages[:half]]
    assert a.held_guilds == {GUILD, 901}
    await a.release(lambda guild_id: guild_id == GUILD)
    assert a.held_guilds == {901}
    assert GUILD not in first.held_guilds()
    plans += [
        await (b.process(second, m) if m.guild_id == GUILD else a.process(first, m))
        for m in messages[half:]
    ]
    assert plans == expected
    assert b.loads == 1
    await a.close()
    await b.close()


async def test_concurrent_first_events_of_a_guild_wait_for_one_load(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy)
    store = RedisStore(redis_url)
    await store.open(guard)
    messages = [make_message(i, 10 + i, "hello", 0.01 * i) for i in range(20)]
    await asyncio.gather(*(store.process(guard, m) for m in messages))
    assert store.loads == 1
    assert guard.stats(GUILD)["messages"] == 20
    await store.close()


async def test_the_write_behind_sends_one_pipeline_per_batch_of_guilds(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    guard = Guard(policy)
    store = RedisStore(redis_url, write_interval=60, batch_size=20)
    await store.open(guard)
    for guild_id in range(1, 51):
        await store.process(guard, make_message(guild_id, 10, "hello", 0.0, guild=guild_id))
    assert store.queued_writes == 50
    before = store.round_trips
    assert await store.flush()
    assert store.round_trips - before == 3  # 20 + 20 + 10 guilds
    assert store.written == 50
    assert stored_part(redis_url, 7) == expected_part(guard, 7)
    await store.close()


async def test_the_write_behind_runs_every_write_interval_by_itself(
    redis_url: str, policy: Policy, flood: Callable[..., list[Message]]
) -> None:
    guard = Guard(policy)
    store = RedisStore(redis_url, write_interval=0.05)
    await store.open(guard)
    for message in flood(51):
        await store.process(guard, message)
    for _ in range(100):
        if store.queued_writes == 0:
            break
        await asyncio.sleep(0.01)
    assert stored_part(redis_url, GUILD) == expected_part(guard, GUILD)
    await store.close()


async def test_a_process_whose_guild_was_taken_over_is_refused_forgets_it_and_loads_it_again(
    redis_url: str,
    policy: Policy,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = Guard(policy), Guard(policy)
    a = RedisStore(redis_url, write_interval=60)
    b = RedisStore(redis_url, write_interval=60)
    await a.open(first)
    await b.open(second)
    await a.process(first, make_message(1, 10, "one", 0.0))
    assert await a.flush()
    await b.process(second, make_message(2, 11, "two", 1.0))  # b takes the guild over
    assert await b.flush()
    await a.process(first, make_message(3, 12, "three", 2.0))  # a still holds it
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        await a.flush()
    assert a.refused_writes == 1
    assert "taken over by another process" in caplog.text
    assert GUILD not in a.held_guilds
    assert GUILD not in first.held_guilds()
    assert stored_part(redis_url, GUILD) == expected_part(second, GUILD)  # a wrote nothing
    assert stored_part(redis_url, GUILD)["counters"]["messages"] == 2
    await a.process(first, make_message(4, 13, "four", 3.0))  # loads b's state first
    assert a.loads == 2
    assert first.stats(GUILD)["messages"] == 3
    await a.close()
    await b.close()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("not json {", id="not-json"),
        pytest.param(json.dumps({"version": 99}), id="other-version"),
        pytest.param(
            json.dumps(
                {
                    "version": 1,
                    "guild_id": GUILD,
                    "members": [[GUILD, 51, {"warn_count": "lots"}]],
                    "windows": [],
                    "cleaned": [],
                    "counters": {},
                }
            ),
            id="malformed-member",
        ),
        pytest.param(None, id="a-hash"),
    ],
)
async def test_a_takeover_finding_corrupt_guild_state_starts_the_guild_as_new_and_says_so_once(
    redis_url: str,
    policy: Policy,
    flood: Callable[..., list[Message]],
    caplog: pytest.LogCaptureFixture,
    bad: str | None,
) -> None:
    key = part_key("spamguard", GUILD)
    with sync_client(redis_url) as client:
        if bad is None:
            client.hset(key, "field", "value")
        else:
            client.set(key, bad)
    reference = Guard(policy)
    guard = Guard(policy)
    store = RedisStore(redis_url)
    await store.open(guard)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        plans = [await store.process(guard, m) for m in flood(51)]
    assert plans == [reference.process(m) for m in flood(51)]
    assert plans[-1].punishment == "TEMPBAN"
    assert (store.corrupt_guilds, store.bad_keys, store.failures) == (1, 1, 0)
    said = [r for r in caplog.records if key in r.getMessage()]
    assert len(said) == 1
    assert said[0].levelno == logging.ERROR
    assert f"guild {GUILD} was taken over as new" in said[0].getMessage()
    with sync_client(redis_url) as client:
        assert len(client.keys(f"{key}:bad:*")) == 1  # kept aside for inspection
    assert await store.flush()
    assert stored_part(redis_url, GUILD) == expected_part(guard, GUILD)
    await store.close()


async def test_redis_down_for_ten_seconds_decisions_go_on_writes_queue_and_catch_up(
    own_redis_server: RedisServer,
    policy: Policy,
    make_message: Callable[..., Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    guilds = (1, 2, 3, 4, 5)
    reference = Guard(policy)
    guard = Guard(policy)
    store = RedisStore(
        own_redis_server.url, timeout=0.3, retry_interval=0.2, write_interval=0.2, max_queued=3
    )
    await store.open(guard)
    mid = 0

    async def decide(guild_id: int, at: float) -> None:
        nonlocal mid
        mid += 1
        message = make_message(mid, 50 + mid % 3, "same text", at, guild=guild_id)
        assert await store.process(guard, message) == reference.process(message)

    for guild_id in guilds:
        await decide(guild_id, 0.0)
        assert await store.flush()
    assert store.dropped_writes == 0
    own_redis_server.stop()
    loop = asyncio.get_running_loop()
    outage_ends = loop.time() + 10.0
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        while loop.time() < outage_ends:
            await decide(guilds[mid % 5], 1.0 + mid * 0.25)
            await asyncio.sleep(0.25)
        assert any(plan_guild in guard.held_guilds() for plan_guild in guilds)
        queue_full = [r for r in caplog.records if "dropped the write" in r.getMessage()]
        assert len(queue_full) == 1  # said once, counted every time
        assert store.dropped_writes >= 30
        assert store.queued_writes == 3
        waiting = [guilds[(mid - 1 - n) % 5] for n in range(3)]  # the three touched last
        own_redis_server.start()  # same port, empty (no persistence)
        for _ in range(100):
            if store.queued_writes == 0:
                break
            await asyncio.sleep(0.05)
    assert store.queued_writes == 0
    assert "caught up" in caplog.text
    for guild_id in guilds:
        expected = expected_part(guard, guild_id) if guild_id in waiting else None
        assert stored_part(own_redis_server.url, guild_id) == expected
    for guild_id in guilds:  # a dropped guild reaches Redis when it changes again
        await decide(guild_id, 100.0)
        assert await store.flush()
    for guild_id in guilds:
        assert stored_part(own_redis_server.url, guild_id) == expected_part(guard, guild_id)
    await store.close()


def test_a_sigkilled_process_loses_at_most_its_unwritten_changes_never_a_scheduled_undo(
    redis_url: str,
    policy_doc: dict[str, typing.Any],
    encode_message: Callable[[Message], dict[str, typing.Any]],
    make_message: Callable[..., Message],
    flood: Callable[..., list[Message]],
) -> None:
    policy = Policy.from_dict(policy_doc)
    written = [make_message(1 + i, 61, f"chat {i}", 0.5 * i) for i in range(4)]
    unwritten = flood(62, first=100)  # a TEMPBAN, whose unban goes to Redis at once
    worker = StoreWorker(redis_url, policy_doc, store="guild-owned", write_interval=60)
    try:
        worker.ask({"op": "process", "messages": [encode_message(m) for m in written]})
        assert worker.ask({"op": "flush"}) == {"flushed": True}
        plans = worker.ask({"op": "process", "messages": [encode_message(m) for m in unwritten]})
        assert plans["plans"][-1]["punishment"] == "TEMPBAN"
        worker.kill()
    finally:
        worker.close()

    survivor = Guard(policy)
    reference = Guard(policy)  # saw only what was written
    for message in written:
        reference.process(message)

    async def take_over() -> None:
        store = RedisStore(redis_url)
        await store.open(survivor)
        probe = make_message(200, 61, "chat 4", 2.5)
        assert await store.process(survivor, probe) == reference.process(probe)
        assert survivor.guild_part(GUILD) == reference.guild_part(GUILD)
        far = T0 + datetime.timedelta(days=1)
        claimed = await store.claim_due(far)
        assert [item.action.kind for item in claimed] == ["unban"]
        assert claimed[0].action.user_id == 62
        await store.done(claimed)
        assert await store.claim_due(far + datetime.timedelta(hours=1)) == ()  # once
        await store.close()

    asyncio.run(take_over())


async def test_scheduled_actions_are_claimed_once_across_guild_owned_stores(
    redis_url: str, policy: Policy, flood: Callable[..., list[Message]]
) -> None:
    stores = [RedisStore(redis_url), RedisStore(redis_url)]
    guards = [Guard(policy), Guard(policy)]
    for store, guard in zip(stores, guards, strict=True):
        await store.open(guard)
    for author in (51, 52, 53):
        plans = [await stores[0].process(guards[0], m) for m in flood(author, first=author * 10)]
        await stores[0].schedule(plans[-1].undos_after(T0))
    far = T0 + datetime.timedelta(days=1)
    claims = await asyncio.gather(*(store.claim_due(far) for store in stores))
    assert sorted(item.action.user_id for claim in claims for item in claim) == [51, 52, 53]
    for store in stores:
        await store.close()


@pytest.mark.parametrize(
    ("mode", "kind"),
    [(None, RedisStore), ("guild-owned", RedisStore), ("consistent", ConsistentRedisStore)],
)
def test_the_runtime_builds_the_redis_store_of_the_policys_store_mode(
    redis_url: str, policy_doc: dict[str, typing.Any], mode: str | None, kind: type
) -> None:
    store = {"url": redis_url} if mode is None else {"url": redis_url, "mode": mode}
    policy = Policy.from_dict({**policy_doc, "store": store})
    assert policy.store_mode is (
        StoreMode.CONSISTENT if mode == "consistent" else StoreMode.GUILD_OWNED
    )
    runtime = Runtime(Guard(policy), typing.cast("typing.Any", object()))
    assert type(runtime.store) is kind
