"""``cancel_scheduled``: a pardon takes a member's pending undos out of every store."""

from __future__ import annotations

import datetime
import typing

import pytest
from support.redis_cluster import sync_client

from spamguard.adapters.store_memory import MemoryStore
from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.adapters.stores.redis_layout import schedule_bucket_of, schedule_keys
from spamguard.core import Guard, Policy, RemoveRole, ScheduledAction, Unban
from spamguard.core.events import GuildTimer

if typing.TYPE_CHECKING:
    import pathlib

    from spamguard.adapters.stores.base import Store

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD, OTHER_GUILD = 900, 901
MEMBER, OTHER_MEMBER = 5, 6


def _at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


MEMBERS_UNBAN = ScheduledAction(_at(60), Unban(guild_id=GUILD, user_id=MEMBER))
MEMBERS_UNMUTE = ScheduledAction(_at(30), RemoveRole(guild_id=GUILD, user_id=MEMBER, role_id=7))
OTHERS = (
    ScheduledAction(_at(10), Unban(guild_id=GUILD, user_id=OTHER_MEMBER)),
    ScheduledAction(_at(20), Unban(guild_id=OTHER_GUILD, user_id=MEMBER)),
    ScheduledAction(_at(40), GuildTimer(guild_id=GUILD, name="raid_end", at=_at(40))),
)


async def _cancel_and_check(store: Store) -> None:
    await store.schedule([MEMBERS_UNBAN, *OTHERS, MEMBERS_UNMUTE])
    cancelled = await store.cancel_scheduled(GUILD, MEMBER)
    assert cancelled == (MEMBERS_UNMUTE, MEMBERS_UNBAN)  # earliest first
    assert await store.cancel_scheduled(GUILD, MEMBER) == ()
    # The others are still due, and nothing of the member's.
    due = await store.claim_due(_at(3600))
    assert sorted(due, key=lambda item: item.run_at) == list(OTHERS)
    await store.done(due)


async def test_the_memory_store_cancels_a_members_undos_and_saves_it(
    policy: Policy, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "state.json"
    store = MemoryStore(path, save_interval=None)
    await store.open(Guard(policy))
    await store.schedule([MEMBERS_UNBAN, *OTHERS])
    assert await store.cancel_scheduled(GUILD, MEMBER) == (MEMBERS_UNBAN,)
    # Written before returning: a restart does not bring the unban back.
    restored = MemoryStore(path, save_interval=None)
    await restored.open(Guard(policy))
    assert MEMBERS_UNBAN not in await restored.claim_due(_at(3600))
    await store.close()
    await restored.close()
    store = MemoryStore()
    await store.open(Guard(policy))
    await _cancel_and_check(store)


@pytest.mark.parametrize("store_class", [RedisStore, ConsistentRedisStore])
async def test_a_redis_store_cancels_a_members_undos_in_its_guilds_bucket(
    redis_url: str, policy: Policy, store_class: type[RedisStore | ConsistentRedisStore]
) -> None:
    store = store_class(redis_url)
    await store.open(Guard(policy))
    try:
        await _cancel_and_check(store)
        with sync_client(redis_url) as client:
            pending = schedule_keys("spamguard", schedule_bucket_of(GUILD))[0]
            assert client.zcard(pending) == 0
    finally:
        await store.close()


async def test_a_claimed_undo_is_left_to_the_process_carrying_it_out(
    redis_url: str, policy: Policy
) -> None:
    store = ConsistentRedisStore(redis_url)
    other = ConsistentRedisStore(redis_url)
    await store.open(Guard(policy))
    await other.open(Guard(policy))
    try:
        await store.schedule([MEMBERS_UNMUTE, MEMBERS_UNBAN])
        # Another process claimed the role removal (due): being carried out, not cancelled.
        assert await other.claim_due(_at(30)) == (MEMBERS_UNMUTE,)
        assert await store.cancel_scheduled(GUILD, MEMBER) == (MEMBERS_UNBAN,)
    finally:
        await store.close()
        await other.close()
