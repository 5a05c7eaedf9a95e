"""Member joins and leaves through ConsistentRedisStore, against a real redis-server: decided exactly
like in memory, shared by processes, bounded, and failing open."""

from __future__ import annotations

import datetime
import json
import random
import typing

from support.redis_cluster import sync_client

from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.core import (
    Guard,
    JoinContext,
    MemberJoin,
    MemberLeave,
    Message,
    Policy,
    SkipReason,
    hookimpl,
)
from spamguard.core.actions import incident_actions_for
from spamguard.core.windows import Entry

if typing.TYPE_CHECKING:
    from spamguard.core import Action, Plan

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900

POLICY = Policy.from_dict(
    {
        "new_members": {"joined_within": 600},
        "spam": {
            "levels": {
                -1: {"punishment": "KICK", "max_links": {"count": 1, "interval": 60}},
                0: {"max_messages": {"count": 6, "interval": 5}},
            }
        },
    }
)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class Lockdown:
    """Pauses invites from the fifth join within 10 seconds, and times similar names out."""

    name = "lockdown"

    @hookimpl
    def spamguard_check_member_join(self, join: MemberJoin, context: JoinContext) -> list[Action]:
        now = context.now.timestamp()
        window = context.window("joins", interval=10)
        window.add(Entry(now, join.user_id, 0, join.user_id))
        names = context.window("names", interval=30, text=True)
        names.add(Entry(now, join.user_id, 0, join.user_id, 1, join.username))
        actions: list[Action] = []
        if len(window) == 5:
            actions.append(
                incident_actions_for(guild_id=join.guild_id, now=context.now, invites_seconds=600)
            )
        if context.member_joined_at(join.user_id) is not None and len(names) >= 3:
            actions.append(
                incident_actions_for(
                    guild_id=join.guild_id, now=context.now, invites_seconds=None, dms_seconds=60
                )
            )
        return actions


def events(seed: int = 3, count: int = 120) -> list[MemberJoin | MemberLeave | Message]:
    """Joins (some replayed, some late), leaves, and messages of the joiners, in time order."""
    rng = random.Random(seed)
    out: list[MemberJoin | MemberLeave | Message] = []
    joined: list[int] = []
    t = 0.0
    for index in range(count):
        t += rng.choice((0.2, 0.5, 1.0, 4.0, 15.0))
        roll = rng.random()
        if roll < 0.5 or not joined:
            user = 10_000 + index
            joined.append(user)
            out.append(
                MemberJoin(
                    guild_id=GUILD, user_id=user, joined_at=at(t), username=f"raider{index % 3}"
                )
            )
        elif roll < 0.6:
            user = rng.choice(joined)
            out.append(MemberJoin(guild_id=GUILD, user_id=user, joined_at=at(t - rng.random() * 5)))
        elif roll < 0.7:
            out.append(MemberLeave(guild_id=GUILD, user_id=rng.choice(joined), at=at(t)))
        else:
            out.append(
                Message(
                    id=1_000_000 + index,
                    guild_id=GUILD,
                    channel_id=50,
                    author_id=rng.choice(joined),
                    content=rng.choice(("hi", "join https://raid.example")),
                    created_at=at(t),
                )
            )
    return out


async def decide(
    store: ConsistentRedisStore | RedisStore,
    guard: Guard,
    event: MemberJoin | MemberLeave | Message,
) -> Plan:
    if isinstance(event, Message):
        return await store.process(guard, event)
    return await store.handle_event(guard, event)


async def test_joins_through_redis_are_decided_exactly_like_in_memory(redis_url: str) -> None:
    stream = events()
    reference = Guard(POLICY, plugins=[Lockdown()])
    expected = [reference.handle(event).to_dict() for event in stream]
    # Two processes (two guards, two stores) take turns: each decides on Redis's state.
    stores = [ConsistentRedisStore(redis_url), ConsistentRedisStore(redis_url)]
    guards = [Guard(POLICY, plugins=[Lockdown()]), Guard(POLICY, plugins=[Lockdown()])]
    for store, guard in zip(stores, guards, strict=True):
        await store.open(guard)
    got = []
    for index, event in enumerate(stream):
        got.append((await decide(stores[index % 2], guards[index % 2], event)).to_dict())
    for store in stores:
        await store.close()
    assert [store.failures for store in stores] == [0, 0]
    assert got == expected
    kinds = {action["kind"] for plan in got for action in plan["actions"]}
    assert {"incident_actions", "kick"} <= kinds
    assert sum(plan["skipped_reason"] == "redelivered" for plan in got) > 3


async def test_a_guilds_join_windows_are_one_key_that_expires(redis_url: str) -> None:
    store, guard = (
        ConsistentRedisStore(redis_url, prefix="joins1"),
        Guard(POLICY, plugins=[Lockdown()]),
    )
    await store.open(guard)
    await store.handle_event(guard, MemberJoin(guild_id=GUILD, user_id=7, joined_at=at(0)))
    await store.handle_event(guard, MemberLeave(guild_id=GUILD, user_id=8, at=at(1)))
    await store.close()
    with sync_client(redis_url) as client:
        keys = sorted(client.keys("joins1:*"))
        assert keys == [
            f"joins1:{{g:{GUILD}}}:joins",
            f"joins1:{{g:{GUILD}}}:m:7",
            f"joins1:{{g:{GUILD}}}:m:8",
        ]
        # The longest window (30 s) plus the slack; the member's join as long as
        # new_members reads it (600 s) plus the slack.
        assert 30_000 < client.pttl(f"joins1:{{g:{GUILD}}}:joins") <= 60_000
        assert 600_000 < client.pttl(f"joins1:{{g:{GUILD}}}:m:7") <= 630_000
    # The guard of the deciding process kept none of it.
    assert guard.state.members == {}
    assert guard.state.windows == {}


async def test_the_join_windows_hold_their_intervals_joins_only(redis_url: str) -> None:
    # (MAX_ENTRIES bounds them too, as in memory: tests/core/test_member_events.py.)
    store, guard = (
        ConsistentRedisStore(redis_url, prefix="flood"),
        Guard(POLICY, plugins=[Lockdown()]),
    )
    await store.open(guard)
    for index in range(400):
        join = MemberJoin(guild_id=GUILD, user_id=10_000 + index, joined_at=at(index * 0.1))
        await store.handle_event(guard, join)
    await store.close()
    assert store.failures == 0
    with sync_client(redis_url) as client:
        windows = json.loads(client.get(f"flood:{{g:{GUILD}}}:joins"))
    # 10 and 30 seconds of joins, one every 0.1 s.
    assert {window[0][0]: len(window[3]) for window in windows} == {
        "join:lockdown:joins": 100,
        "join:lockdown:names": 300,
    }


async def test_an_unreadable_join_windows_key_is_set_aside(redis_url: str) -> None:
    store, guard = (
        ConsistentRedisStore(redis_url, prefix="bad"),
        Guard(POLICY, plugins=[Lockdown()]),
    )
    await store.open(guard)
    with sync_client(redis_url) as client:
        client.set(f"bad:{{g:{GUILD}}}:joins", "[[1, 2]]")
    plan = await store.handle_event(guard, MemberJoin(guild_id=GUILD, user_id=7, joined_at=at(0)))
    assert plan.skipped_reason is None
    with sync_client(redis_url) as client:
        client.delete(f"bad:{{g:{GUILD}}}:joins")
        client.lpush(f"bad:{{g:{GUILD}}}:joins", "a list")
    plan = await store.handle_event(guard, MemberJoin(guild_id=GUILD, user_id=8, joined_at=at(1)))
    assert plan.skipped_reason is None
    await store.close()
    assert store.bad_keys == 2
    assert store.failures == 0


async def test_member_events_fail_open_without_redis() -> None:
    store, guard = ConsistentRedisStore("redis://127.0.0.1:1/0", timeout=0.2), Guard(POLICY)
    await store.open(guard)
    plan = await store.handle_event(guard, MemberJoin(guild_id=GUILD, user_id=7, joined_at=at(0)))
    assert (plan.guild_id, plan.user_id, plan.actions, plan.skipped_reason) == (GUILD, 7, (), None)
    assert store.failures >= 1
    await store.close()


async def test_a_replayed_join_is_recognised_by_another_process(redis_url: str) -> None:
    one, two = (
        ConsistentRedisStore(redis_url, prefix="replay"),
        ConsistentRedisStore(redis_url, prefix="replay"),
    )
    guard_one, guard_two = Guard(POLICY), Guard(POLICY)
    await one.open(guard_one)
    await two.open(guard_two)
    join = MemberJoin(guild_id=GUILD, user_id=7, joined_at=at(0))
    assert (await one.handle_event(guard_one, join)).skipped_reason is None
    assert (await two.handle_event(guard_two, join)).skipped_reason is SkipReason.REDELIVERED
    # The other process reads the join time for new_members too.
    link = Message(
        id=1,
        guild_id=GUILD,
        channel_id=50,
        author_id=7,
        content="https://x.example",
        created_at=at(5),
    )
    assert (await two.process(guard_two, link)).punishment == "KICK"
    await one.close()
    await two.close()


async def test_joins_through_the_guild_owned_store_are_decided_like_in_memory_across_a_takeover(
    redis_url: str,
) -> None:
    stream = events()
    reference = Guard(POLICY, plugins=[Lockdown()])
    expected = [reference.handle(event).to_dict() for event in stream]
    # One process decides the first half from memory, lets the guild go (its shard moved),
    # and another takes it over from what was written: join times and join windows too.
    stores = [RedisStore(redis_url, write_interval=60), RedisStore(redis_url, write_interval=60)]
    guards = [Guard(POLICY, plugins=[Lockdown()]), Guard(POLICY, plugins=[Lockdown()])]
    for store, guard in zip(stores, guards, strict=True):
        await store.open(guard)
    half = len(stream) // 2
    got = [(await decide(stores[0], guards[0], event)).to_dict() for event in stream[:half]]
    await stores[0].release(lambda guild_id: True)
    got += [(await decide(stores[1], guards[1], event)).to_dict() for event in stream[half:]]
    for store in stores:
        await store.close()
    assert [store.failures for store in stores] == [0, 0]
    assert got == expected
    assert stores[1].loads == 1
