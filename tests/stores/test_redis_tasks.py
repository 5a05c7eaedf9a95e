"""Guild tasks once across processes: AutoMod rules provisioned once per guild when several
processes share a Redis, over real HTTP to the Discord REST stand-in."""

from __future__ import annotations

import asyncio
import typing

import aiohttp
import pytest
from support.automod import automod_section, policy_of
from support.discord_api import DiscordAPI
from support.payloads import build_world

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.adapters.stores.redis_tasks import GuildTasks
from spamguard.core import Guard, Policy
from spamguard.core.outcomes import FailureKind
from spamguard.core.policy.automod import CreateAutoModRule

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence

    from support.payloads import GuildWorld
    from support.redis_server import RedisServer

    from spamguard.core import Action

RULES = "/guilds/{guild_id}/auto-moderation/rules"


class RestExecutor:
    """A bot process's REST side, in plain HTTP: AutoMod rule creations only."""

    def __init__(self, api: DiscordAPI, session: aiohttp.ClientSession) -> None:
        self.api = api
        self.session = session

    async def call(self, method: str, path: str, body: typing.Any = None) -> typing.Any:
        headers = {"Authorization": f"Bot {self.api.token}"}
        async with self.session.request(
            method, self.api.url + path, json=body, headers=headers
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def refuse(self, action: Action) -> str | None:
        return None

    async def execute(self, action: Action) -> int | None:
        assert isinstance(action, CreateAutoModRule)
        await self.call("POST", f"/guilds/{action.guild_id}/auto-moderation/rules", action.rule)
        return None

    def classify(self, error: BaseException) -> FailureKind:
        return FailureKind.ERROR

    async def fetch_rules(self, guild_id: int) -> Sequence[Mapping[str, typing.Any]]:
        return typing.cast(
            "Sequence[Mapping[str, typing.Any]]",
            await self.call("GET", f"/guilds/{guild_id}/auto-moderation/rules"),
        )


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[GuildWorld, DiscordAPI, aiohttp.ClientSession]]:
    world = build_world()
    async with DiscordAPI.for_world(world, rate_limits=None) as api, aiohttp.ClientSession() as s:
        yield world, api, s


async def test_two_processes_syncing_a_guild_at_once_create_each_automod_rule_once(
    redis_url: str, stand_in: tuple[GuildWorld, DiscordAPI, aiohttp.ClientSession]
) -> None:
    world, api, session = stand_in
    policy = policy_of(automod_section(world))
    processes = []
    for _ in range(3):  # three bot processes, each its own store, guard and REST client
        executor = RestExecutor(api, session)
        runtime = Runtime(Guard(policy), executor, store=ConsistentRedisStore(redis_url))
        await runtime.start()
        processes.append((runtime, executor))
    guild = world.guild_id

    async def sync(runtime: Runtime, executor: RestExecutor) -> tuple[typing.Any, ...]:
        return await runtime.sync_automod(guild, lambda: executor.fetch_rules(guild))

    # A shard moving, or every process starting together: all sync the guild at once.
    outcomes = await asyncio.gather(*(sync(*process) for process in processes))

    assert sorted(len(done) for done in outcomes) == [0, 0, 5]
    assert len(api.find("POST", RULES)) == 5
    assert sorted(rule["name"] for rule in api.automod_rules[guild].values()) == [
        "spamguard: invites",
        "spamguard: names",
        "spamguard: pings",
        "spamguard: slurs",
        "spamguard: spam",
    ]
    # Later syncs, in any process, find the rules and change nothing.
    api.clear()
    assert [await sync(*process) for process in processes] == [(), (), ()]
    assert [r.method for r in api.requests] == ["GET"] * 3
    for runtime, _executor in processes:
        await runtime.stop()


async def test_a_task_lock_left_by_a_dead_process_frees_itself_after_its_ttl(
    redis_url: str, policy: Policy
) -> None:
    store = ConsistentRedisStore(redis_url)
    await store.open(Guard(policy))
    dead = GuildTasks(store._connection, "spamguard", ttl=0.2)
    entered = asyncio.Event()

    async def dies_holding_it() -> None:
        async with dead.exclusive(900, "automod") as ours:
            assert ours
            entered.set()
            await asyncio.Event().wait()  # never leaves: its process is gone

    holder = asyncio.create_task(dies_holding_it())
    await entered.wait()
    async with store.exclusive(900, "automod") as ours:
        assert not ours
    async with store.exclusive(901, "automod") as ours:
        assert ours  # another guild's task is another lock
    await asyncio.sleep(0.3)
    async with store.exclusive(900, "automod") as ours:
        assert ours
    holder.cancel()
    await store.close()


async def test_with_redis_down_the_task_runs_rather_than_never(
    own_redis_server: RedisServer, policy: Policy
) -> None:
    store = ConsistentRedisStore(own_redis_server.url, retry_interval=0.05)
    await store.open(Guard(policy))
    own_redis_server.stop()
    async with store.exclusive(900, "automod") as ours:
        assert ours
    assert store.failures == 1
    await store.close()
