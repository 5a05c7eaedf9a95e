"""ShardOwnership (which guilds a process decides) and the runtime letting its store go of
a lost shard's guilds."""

from __future__ import annotations

import logging
import typing

import pytest
from support.executors import RecordingExecutor

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.runtime.shards import EVERY_GUILD, ShardOwnership, shard_of
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Guard, Policy

if typing.TYPE_CHECKING:
    from collections.abc import Callable

# Real snowflakes: a guild's shard is (id >> 22) % shard_count.
GUILDS = tuple((n << 22) | 0x3FF for n in range(12))


class _Releases(MemoryStore):
    """Notes which of `GUILDS` each release lets go of; raises once when told to."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.released: list[set[int]] = []
        self.fail = fail

    async def release(self, lost: Callable[[int], bool]) -> None:
        if self.fail:
            msg = "the store is down"
            raise OSError(msg)
        self.released.append({g for g in GUILDS if lost(g)})


def _runtime(store: MemoryStore) -> Runtime:
    return Runtime(
        Guard(Policy.default(), load_entrypoints=False), RecordingExecutor(), store=store
    )


def test_a_guild_is_owned_by_the_process_running_its_shard() -> None:
    shards = ShardOwnership(shard_count=4, shard_ids=frozenset({1, 3}))

    assert [shards.shard_of(g) for g in GUILDS[:5]] == [0, 1, 2, 3, 0]
    assert [g >> 22 for g in GUILDS if shards.owns(g)] == [1, 3, 5, 7, 9, 11]
    assert shard_of(GUILDS[6], 4) == 2
    assert all(EVERY_GUILD.owns(g) for g in GUILDS)


@pytest.mark.parametrize(
    ("ids", "count", "expected"),
    [
        (None, None, EVERY_GUILD),
        ((), 0, EVERY_GUILD),
        (None, 3, ShardOwnership(shard_count=3, shard_ids=frozenset({0, 1, 2}))),
        ([2], 3, ShardOwnership(shard_count=3, shard_ids=frozenset({2}))),
    ],
)
def test_what_a_library_says_becomes_an_ownership(
    ids: list[int] | None, count: int | None, expected: ShardOwnership
) -> None:
    assert ShardOwnership.of(ids, count) == expected


@pytest.mark.parametrize(
    ("count", "ids", "message"),
    [(0, {0}, "shard_count must be at least 1"), (2, {0, 2}, r"shard ids \[2\] are outside")],
)
def test_an_impossible_ownership_is_refused(count: int, ids: set[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ShardOwnership(shard_count=count, shard_ids=frozenset(ids))


async def test_a_lost_shard_releases_that_shards_guilds() -> None:
    store = _Releases()
    runtime = _runtime(store)
    await runtime.start()

    await runtime.shard_lost(2, 4)

    assert store.released == [{GUILDS[2], GUILDS[6], GUILDS[10]}]
    assert runtime.stats.shards_lost == 1
    await runtime.stop()


async def test_owning_fewer_shards_releases_the_guilds_of_the_others() -> None:
    store = _Releases()
    runtime = _runtime(store)
    await runtime.start()

    await runtime.shard_watch.own(ShardOwnership(shard_count=3, shard_ids=frozenset({0})))
    await runtime.shard_watch.own(ShardOwnership(shard_count=3, shard_ids=frozenset({0})))

    assert store.released == [{g for g in GUILDS if (g >> 22) % 3 != 0}]
    await runtime.stop()


async def test_a_stopped_runtime_has_nothing_to_release() -> None:
    store = _Releases()
    runtime = _runtime(store)

    await runtime.shard_lost(0, 2)

    assert store.released == []
    assert runtime.stats.shards_lost == 1


async def test_a_store_failing_to_release_is_logged_and_counted_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = _Releases(fail=True)
    runtime = _runtime(store)
    await runtime.start()
    caplog.set_level(logging.ERROR, logger="spamguard")

    await runtime.shard_lost(1, 2)
    await runtime.shard_lost(5, 2)  # no such shard: counted as malformed

    assert runtime.stats.errors == 1
    assert runtime.stats.malformed == 1
    assert "failed to let go of the guilds of shard 1 of 2" in caplog.text
    store.fail = False
    await runtime.stop()
