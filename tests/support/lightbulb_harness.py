"""The contract suite's harness for hikari-lightbulb 3: a hikari bot whose lightbulb
client loads the ``spamguard.adapters.lightbulb`` extension, its settings registered in
lightbulb's dependency injection, as the extension's users do.

Imports lightbulb at the top: import it only in the lightbulb tox env.
"""

from __future__ import annotations

__all__ = ("LightbulbLibrary",)

import contextlib
import typing

import hikari
import lightbulb

import spamguard.adapters.lightbulb as sg_lightbulb
from spamguard.core import Policy

from .hikari_harness import HikariLibrary, hikari_bot

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from spamguard.adapters.runtime import Protection

    from . import payloads
    from .discord_api import DiscordAPI
    from .hikari_harness import HikariHarness

EXTENSION: typing.Final = "spamguard.adapters.lightbulb"


class LightbulbLibrary(HikariLibrary):
    """Like `HikariLibrary` (the same bot, REST client and failures), protected by the
    lightbulb extension instead of ``attach``."""

    name = "lightbulb"

    @contextlib.asynccontextmanager
    async def protected(
        self,
        world: payloads.GuildWorld,
        *,
        api: DiscordAPI | None,
        shards: tuple[Sequence[int], int] | None = None,
        **options: typing.Any,
    ) -> AsyncIterator[tuple[HikariHarness, Protection]]:
        """A started bot whose client loaded the extension; ``options`` other than
        ``policy`` become the extension's `Options`. On exit the extension is unloaded
        (which detaches spamguard)."""
        clients: list[lightbulb.GatewayEnabledClient] = []
        policy = options.pop("policy", None)

        async def build(bot: hikari.GatewayBot) -> None:
            client = lightbulb.client_from_app(bot)
            registry = client.di.registry_for(lightbulb.di.Contexts.DEFAULT)
            if policy is not None:
                registry.register_value(Policy, policy)
            registry.register_value(sg_lightbulb.Options, sg_lightbulb.Options(**options))
            bot.subscribe(hikari.StartedEvent, client.start)
            bot.subscribe(hikari.StoppingEvent, client.stop)
            await client.load_extensions(EXTENSION)
            clients.append(client)

        async with hikari_bot(world, api=api, before_start=build, shards=shards) as harness:
            (client,) = clients
            protection = sg_lightbulb.protection_for(client)
            assert protection is not None, "the extension built no protection on StartedEvent"
            try:
                yield harness, protection
            finally:
                await client.unload_extensions(EXTENSION)
