"""Fixtures of the lightbulb adapter tests: a real offline bot with a lightbulb 3 client.

Like ``support.hikari_harness.lightbulb_client``, but the test may register values in
lightbulb's dependency injection before the bot starts (the registry freezes once the
first listener runs).
"""

from __future__ import annotations

import contextlib
import datetime
import typing

import hikari
import lightbulb
import pytest
from support import payloads
from support.hikari_harness import hikari_bot
from support.library_harness import FakeClock, Recorder

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from support.hikari_harness import HikariHarness


EXTENSION = "spamguard.adapters.lightbulb"


@pytest.fixture
def world() -> payloads.GuildWorld:
    """The standard moderation guild."""
    return payloads.build_world()


@pytest.fixture
def recorder() -> Recorder:
    """A plugin recording outcomes."""
    return Recorder()


@pytest.fixture
def clock() -> FakeClock:
    """A fake wall clock starting now."""
    return FakeClock(datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0))


LightbulbFactory = typing.Callable[
    ...,
    contextlib.AbstractAsyncContextManager[tuple["HikariHarness", lightbulb.GatewayEnabledClient]],
]


@pytest.fixture
def lightbulb_bot(world: payloads.GuildWorld) -> LightbulbFactory:
    """``async with lightbulb_bot(di={Type: value}, extensions=[...]) as (h, client)``."""

    @contextlib.asynccontextmanager
    async def factory(
        *,
        di: Mapping[type[typing.Any], typing.Any] | None = None,
        extensions: tuple[str, ...] = (EXTENSION,),
    ) -> AsyncIterator[tuple[HikariHarness, lightbulb.GatewayEnabledClient]]:
        clients: list[lightbulb.GatewayEnabledClient] = []

        async def build(bot: hikari.GatewayBot) -> None:
            client = lightbulb.client_from_app(bot)
            registry = client.di.registry_for(lightbulb.di.Contexts.DEFAULT)
            for kind, value in (di or {}).items():
                registry.register_value(kind, value)
            bot.subscribe(hikari.StartedEvent, client.start)
            bot.subscribe(hikari.StoppingEvent, client.stop)
            if extensions:
                await client.load_extensions(*extensions)
            clients.append(client)

        async with hikari_bot(world, before_start=build) as harness:
            harness.api.clear()
            yield harness, clients[0]

    return factory
