"""ConsistentRedisStore against a real redis-server: decisions, key layout, round trips, restarts."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import os
import typing

import pytest
import redis
import redis.asyncio as aioredis
from support.redis_cluster import ClusterClient, async_client, info_of_each, is_cluster, sync_client

from spamguard.adapters.store_redis import ENV_URL, ConsistentRedisStore, StoreConfigError
from spamguard.adapters.stores.redis_layout import schedule_bucket, schedule_keys
from spamguard.adapters.stores.redis_scripts import SCRIPTS
from spamguard.core import Guard, Policy, ScheduledAction, SkipReason, Unban

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Message, Plan

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


async def _open(
    url: str, policy: Policy, **kwargs: typing.Any
) -> tuple[ConsistentRedisStore, Guard]:
    guard = Guard(policy)
    store = ConsistentRedisStore(url, **kwargs)
    await store.open(guard)
    return store, guard


def _evalsha_calls(url: str) -> int:
    """EVALSHA commands the server ran (commandstats also counts the commands run inside
    scripts, so only the top-level command is comparable)."""
    with sync_client(url) as client:
        stats = info_of_each(client, "commandstats")
    return sum(int(node.get("cmdstat_evalsha", {}).get("calls", 0)) for node in stats)


async def test_decisions_match_one_in_memory_guard(
    redis_url: str, policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    messages = stream()
    reference = Guard(policy)
    expected = [reference.process(m).to_dict() for m in messages]
    store, guard = await _open(redis_url, policy)
    got = []
    for message in messages:
        plan = await store.process(guard, message)
        await store.schedule(plan.undos_after(message.created_at))
        got.append(plan.to_dict())
    await store.close()
    assert store.failures == 0
    assert got == expected
    kinds = {p["punishment"] for p in got}
    assert {"TEMPBAN", "KICK", "TIMEOUT", "WARN"} <= kinds
    assert sum(p["skipped_reason"] == "redelivered" for p in got) > 0
    assert guard.stats() == reference.stats()


async def test_each_checked_message_costs_two_round_trips(
    redis_url: str, policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    messages = stream(length=120)
    store, guard = await _open(redis_url, policy)
    setup = store.round_trips
    evalsha_before = _evalsha_calls(redis_url)
    with_unbans = 0
    for message in messages:
        plan = await store.process(guard, message)
        # (An unban is written when its ban succeeded: one more round trip, not counted.)
        with_unbans += bool(plan.scheduled)
    assert with_unbans > 0
    assert store.round_trips - setup == 2 * len(messages)
    # Counted by the server too: one EVALSHA per round trip.
    assert _evalsha_calls(redis_url) - evalsha_before == 2 * len(messages)
    bot = dataclasses.replace(messages[0], id=5, author_is_bot=True)
    before = store.round_trips
    assert (await store.process(guard, bot)).skipped_reason is SkipReason.BOT
    assert store.round_trips == before  # decided without state: no round trip
    await store.close()


async def test_a_redelivered_message_is_counted_once(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store, guard = await _open(redis_url, policy)
    other_store, other_guard = await _open(redis_url, policy)
    plans = []
    for index in range(3):
        message = make_message(100 + index, 41, "same text", index)
        plans.append(await store.process(guard, message))
        # The gateway delivers it again, to another process.
        plans.append(await other_store.process(other_guard, message))
    assert [p.skipped_reason for p in plans[1::2]] == [SkipReason.REDELIVERED] * 3
    assert not any(p.violations for p in plans)  # 3 duplicates, the limit is 4
    fourth = await store.process(guard, make_message(103, 41, "same text", 3))
    assert fourth.punishment == "TEMPBAN"
    assert fourth.violations[0].message_ids == (100, 101, 102, 103)
    await store.close()
    await other_store.close()


async def test_keys_are_prefixed_guild_scoped_and_expire(
    redis_url: str, policy: Policy, stream: Callable[..., list[Message]]
) -> None:
    store, guard = await _open(redis_url, policy, prefix="bot7", ttl_slack=5)
    for message in stream(length=150):
        await store.process(guard, message)
    await store.close()
    with sync_client(redis_url) as client:
        keys = client.keys("*")
        assert keys
        for key in keys:
            assert key.startswith(("bot7:{s:", "bot7:{g:900}:", "bot7:{g:901}:")), key
            ttl = client.pttl(key)
            if ":w:" in key or ":r:" in key or key.endswith(":cleaned"):
                # horizon (at most clean_duration 600 s) + slack
                assert 0 < ttl <= (600 + 5) * 1000, key
            if ":lock:" in key:
                pytest.fail(f"lock left behind: {key}")
        channel_links = client.zrange("bot7:{g:900}:w:max_links:c:50", 0, -1)
        assert channel_links and all(m.split("|")[2] == "14" for m in channel_links)


async def test_messages_of_the_same_millisecond_are_all_counted(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store, guard = await _open(redis_url, policy)
    plans = [await store.process(guard, make_message(200 + i, 42, f"m{i}", 1.0)) for i in range(6)]
    assert plans[-1].violations[0].check == "max_messages"
    assert plans[-1].violations[0].count == 6
    await store.close()


async def test_windows_hold_only_their_horizon(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store, guard = await _open(redis_url, policy)
    # One message every 2 s for 200 s: the 5 s window holds 3, the 30 s one 15.
    for i in range(100):
        await store.process(guard, make_message(300 + i, 43, f"text number {i}", 2.0 * i))
    await store.close()
    with sync_client(redis_url) as client:
        assert client.zcard("spamguard:{g:900}:w:max_messages:u:43") == 3
        assert client.zcard("spamguard:{g:900}:w:max_duplicates:u:43") == 15
        assert client.zcard("spamguard:{g:900}:r:43") <= 300  # clean_duration 600 s


async def test_unban_happens_on_time_after_a_restart(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    store, guard = await _open(redis_url, policy)
    plan: Plan | None = None
    for i in range(4):
        message = make_message(400 + i, 44, "buy now", 0.5 * i)
        plan = await store.process(guard, message)
        await store.schedule(plan.undos_after(message.created_at))
    assert plan is not None
    assert plan.punishment == "TEMPBAN"
    (due, unban, *_) = plan.scheduled[0]
    assert isinstance(unban, Unban)
    await store.close()  # the bot stops; Redis keeps running

    store, restarted = await _open(redis_url, policy)
    assert await store.next_due() == due
    assert await store.claim_due(due - datetime.timedelta(seconds=1)) == ()
    assert await store.claim_due(due) == (ScheduledAction(due, unban),)
    assert await store.claim_due(due + datetime.timedelta(hours=1)) == ()
    assert await store.next_due() is None
    # The open incident survived too: one more duplicate is cleaned, not punished again.
    after = await store.process(restarted, make_message(404, 44, "buy now", 2.5))
    assert after.violations
    assert after.punishment == "NONE"
    await store.close()


async def test_each_due_action_is_claimed_by_exactly_one_of_many_pollers(
    redis_url: str, policy: Policy
) -> None:
    items = [
        ScheduledAction(T0 + datetime.timedelta(seconds=i), Unban(guild_id=900, user_id=i))
        for i in range(300)
    ]
    scheduler, _guard = await _open(redis_url, policy)
    await scheduler.schedule(items)
    pollers = [(await _open(redis_url, policy))[0] for _ in range(4)]
    now = T0 + datetime.timedelta(seconds=400)
    claims = await asyncio.gather(*(p.claim_due(now) for _round in range(3) for p in pollers))
    claimed = [item for batch in claims for item in batch]
    assert sorted(claimed) == sorted(items)
    for store in (scheduler, *pollers):
        await store.close()


async def test_concurrent_messages_of_one_member_on_two_stores_punish_once(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    """Two stores (own clients, own guards) race on one member: the member lock serialises."""
    first, first_guard = await _open(redis_url, policy)
    second, second_guard = await _open(redis_url, policy)
    flood = [make_message(500 + i, 45, f"flood {i}", 0.1 * i) for i in range(24)]
    plans = await asyncio.gather(
        *(
            (first if i % 2 else second).process(first_guard if i % 2 else second_guard, m)
            for i, m in enumerate(flood)
        )
    )
    assert first.failures == second.failures == 0
    assert [p.punishment for p in plans].count("TEMPBAN") == 1
    deleted = [mid for p in plans for a in p.actions if a.kind == "delete" for mid in a.message_ids]
    assert sorted(deleted) == [m.id for m in flood]  # each message deleted exactly once
    await first.close()
    await second.close()


async def test_url_comes_from_the_policy_then_the_environment(
    redis_url: str, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_policy = Policy.from_dict({"version": 1, "store": {"url": redis_url}})
    store = ConsistentRedisStore()
    await store.open(Guard(from_policy))
    assert store.url == redis_url
    await store.close()

    monkeypatch.setenv(ENV_URL, redis_url)
    store = ConsistentRedisStore()
    await store.open(Guard(policy))
    assert store.url == redis_url
    assert store.failures == 0
    await store.close()


async def test_a_missing_or_bad_url_is_a_clear_error(
    policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    with pytest.raises(StoreConfigError, match=ENV_URL):
        await ConsistentRedisStore().open(Guard(policy))
    with pytest.raises(StoreConfigError, match="is not usable"):
        await ConsistentRedisStore("http://localhost:6379").open(Guard(policy))
    with pytest.raises(StoreConfigError, match="timeout must be a positive"):
        ConsistentRedisStore("redis://localhost", timeout=0)


async def test_a_ready_client_is_used_and_left_open(redis_url: str, policy: Policy) -> None:
    client = async_client(redis_url)
    store = ConsistentRedisStore(client=client)
    await store.open(Guard(policy))
    item = ScheduledAction(T0, Unban(guild_id=900, user_id=1))
    await store.schedule([item])
    await store.close()
    assert await client.zcard(schedule_keys("spamguard", schedule_bucket(item))[0]) == 1
    await client.aclose()


async def test_clean_marks_are_bounded_by_count_in_a_long_flood(
    redis_url: str, policy: Policy, make_message: Callable[..., Message]
) -> None:
    # A flood cleans every message; the guild's marks stay at the newest max_clean_marks
    # instead of growing for the whole 600 s horizon, and no message is deleted twice
    # (the 30 s duplicate window holds 30 of them, fewer than the marks kept).
    store, guard = await _open(redis_url, policy, max_clean_marks=40)
    deleted: list[int] = []
    for i in range(120):
        plan = await store.process(guard, make_message(5000 + i, 44, "buy cheap nitro", 1.0 * i))
        for action in plan.actions:
            if action.kind == "delete":
                deleted += action.message_ids
    await store.close()
    assert len(deleted) > 100
    assert len(deleted) == len(set(deleted))
    with sync_client(redis_url) as client:
        marks = client.zrange("spamguard:{g:900}:cleaned", 0, -1)
    assert len(marks) == 40
    assert marks == [str(mid) for mid in sorted(deleted)[-40:]]


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100"])
async def test_max_clean_marks_must_be_a_positive_whole_number(bad: typing.Any) -> None:
    with pytest.raises(StoreConfigError, match="max_clean_marks must be a positive whole number"):
        ConsistentRedisStore("redis://127.0.0.1:1", max_clean_marks=bad)


async def test_a_cluster_node_gets_a_cluster_client_with_the_scripts_on_every_primary(
    redis_url: str, policy: Policy
) -> None:
    store, _guard = await _open(redis_url, policy)
    assert isinstance(store.client, aioredis.RedisCluster) == is_cluster(redis_url)
    urls = [redis_url]
    if is_cluster(redis_url):
        with sync_client(redis_url) as client:
            assert isinstance(client, ClusterClient)
            urls = [f"redis://{node.host}:{node.port}/0" for node in client.get_primaries()]
        assert len(urls) == 3
    for url in urls:
        with redis.Redis.from_url(url) as node_client:
            assert all(node_client.script_exists(*(script.sha for script in SCRIPTS)))
    await store.close()


def test_the_server_is_the_kind_the_environment_names(redis_url: str) -> None:
    """The valkey tox environment sets SPAMGUARD_REDIS_KIND=valkey: its tests must not pass
    against a Redis found elsewhere."""
    valkey = os.environ.get("SPAMGUARD_REDIS_KIND", "redis") == "valkey"
    with sync_client(redis_url) as client:
        servers = info_of_each(client, "server")
    assert len(servers) == (3 if is_cluster(redis_url) else 1)
    assert all(("valkey_version" in server) == valkey for server in servers)
