"""examples/lightbulb_bot.py: spamguard as a lightbulb extension, its command synced."""

from __future__ import annotations

import importlib.util
import pathlib
import types

import hikari
import lightbulb
from support import payloads
from support.hikari_harness import hikari_bot

from spamguard.core import Policy

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "lightbulb_bot.py"


def _load_example() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("lightbulb_bot_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_example_setup_protects_the_bot_and_syncs_its_command(
    world: payloads.GuildWorld,
) -> None:
    example = _load_example()
    policy = Policy.from_dict(
        {
            "version": 1,
            "spam": {
                "levels": {0: {"punishment": "KICK", "max_messages": {"count": 3, "interval": 10}}}
            },
        }
    )

    async def before_start(bot: hikari.GatewayBot) -> None:
        client = lightbulb.client_from_app(bot)
        await example.setup(client, policy)
        bot.subscribe(hikari.StartedEvent, client.start)

    async with hikari_bot(world, before_start=before_start) as h:
        assert "spamstats" in {
            c["name"] for scope in h.api.commands.values() for c in scope.values()
        }
        h.api.clear()
        for i in range(3):
            await h.send_message(content=f"spam {i}")

        assert [(r.method, r.path) for r in h.api.requests] == [
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}")
        ]
