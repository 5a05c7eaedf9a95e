"""Shards: each library's shard information read with no user code, and a shard lost
(disconnected or stopped) letting the store go of that shard's guilds (``Store.release``)
so another process can take them over."""

from __future__ import annotations

import importlib
import typing

import pytest

from spamguard.adapters.runtime.shards import EVERY_GUILD, ShardOwnership
from spamguard.adapters.store_memory import MemoryStore

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from adapter_contract.conftest import GuardFactory
    from support.dpy_harness import Library
    from support.library_harness import LibraryHarness
    from support.payloads import GuildWorld

    from spamguard.core import Policy

SHARD_COUNT = 4


class ReleaseLog(MemoryStore):
    """A memory store that notes, for each ``release``, which of ``guild_ids`` it was
    asked to let go of."""

    def __init__(self, guild_ids: Iterable[int]) -> None:
        super().__init__()
        self.guild_ids = tuple(guild_ids)
        self.released: list[set[int]] = []

    async def release(self, lost: Callable[[int], bool]) -> None:
        self.released.append({g for g in self.guild_ids if lost(g)})


def neighbours(guild_id: int) -> tuple[int, int]:
    """A guild on the same shard as ``guild_id`` (of `SHARD_COUNT`), and one on the next
    shard."""
    return guild_id + (SHARD_COUNT << 22), guild_id + (1 << 22)


def shards_for(library: LibraryHarness, world: GuildWorld) -> tuple[tuple[int, ...], int]:
    """The shards the bot runs: the world's guild's shard, and for hikari (which runs
    several shards in one process) the one two further on too."""
    mine = (world.guild_id >> 22) % SHARD_COUNT
    if library.name in {"hikari", "lightbulb"}:
        return (mine, (mine + 2) % SHARD_COUNT), SHARD_COUNT
    return (mine,), SHARD_COUNT


async def test_a_bot_that_is_not_sharded_owns_every_guild_and_lets_all_go_when_it_disconnects(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: GuildWorld
) -> None:
    store = ReleaseLog((world.guild_id, *neighbours(world.guild_id)))
    async with guard(policy_factory("KICK"), store=store) as g:
        runtime = g.protection.runtime
        assert runtime.shard_watch.ownership == EVERY_GUILD

        await g.lose_shard(0)

        assert store.released == [set(store.guild_ids)]
        assert g.protection.stats["runtime"]["shards_lost"] == 1


async def test_the_shards_the_library_runs_are_read_with_no_user_code(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
    world: GuildWorld,
) -> None:
    shard_ids, shard_count = shards_for(library, world)
    async with guard(policy_factory("KICK"), shards=(shard_ids, shard_count)) as g:
        ownership = g.protection.runtime.shard_watch.ownership

        assert ownership == ShardOwnership(shard_count=shard_count, shard_ids=frozenset(shard_ids))
        assert ownership.owns(world.guild_id)
        assert not ownership.owns(neighbours(world.guild_id)[1])


async def test_a_lost_shard_lets_the_store_go_of_its_guilds_only_and_decisions_go_on(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
    world: GuildWorld,
) -> None:
    same_shard, next_shard = neighbours(world.guild_id)
    store = ReleaseLog((world.guild_id, same_shard, next_shard))
    shard_ids, shard_count = shards_for(library, world)
    async with guard(policy_factory("KICK"), store=store, shards=(shard_ids, shard_count)) as g:
        await g.spam(2)

        await g.lose_shard(shard_ids[0])

        assert store.released == [{world.guild_id, same_shard}]
        assert g.protection.stats["runtime"]["shards_lost"] == 1
        # The shard came back (or was never gone from this memory store): the guild is
        # decided again, from whatever the store loads.
        await g.spam(3)
        assert g.calls() == [("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}")]


@pytest.mark.only_for_libraries("discordpy", "nextcord", "disnake")
async def test_an_auto_sharded_bot_names_the_shard_it_lost(
    library: LibraryHarness, world: GuildWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real AutoShardedBot, logged in to the stand-in but with no gateway: its shard ids
    # and count are what launching uses, and its shards dispatch shard_disconnect (then
    # disconnect) as done here.
    from support.discord_api import DiscordAPI
    from support.dpy_harness import ADAPTERS, default_intents, drain_library_tasks, settle_listeners

    name = typing.cast("Library", library.name)  # the import name: discord, nextcord...
    module = importlib.import_module(name)
    commands = importlib.import_module(f"{name}.ext.commands")
    http = importlib.import_module(f"{name}.http")
    adapter = importlib.import_module(f"spamguard.adapters.{ADAPTERS[name]}")
    bot = commands.AutoShardedBot(
        command_prefix="!", intents=default_intents(module), shard_ids=[1, 3], shard_count=4
    )
    guild_ids = [(n << 22) + 7 for n in range(8)]
    store = ReleaseLog(guild_ids)
    protection = adapter.attach(bot, store=store, load_entrypoints=False)
    async with DiscordAPI.for_world(world) as api:
        monkeypatch.setattr(http.Route, "BASE", api.url)
        try:
            await bot.login(api.token)
            bot.dispatch("ready")
            await settle_listeners(name)
            assert protection.runtime.shard_watch.ownership == ShardOwnership(
                shard_count=4, shard_ids=frozenset({1, 3})
            )

            bot.dispatch("shard_disconnect", 3)
            bot.dispatch("disconnect")
            await settle_listeners(name)

            assert store.released == [{(3 << 22) + 7, (7 << 22) + 7}]
            assert protection.stats["runtime"]["shards_lost"] == 1
        finally:
            await protection.detach()
            await bot.close()
            await drain_library_tasks(name)
