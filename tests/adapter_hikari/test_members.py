"""hikari's warning when the GUILD_MEMBERS intent is off (member joins and leaves never
arrive); the shared member behaviour is in tests/adapter_contract/test_members.py."""

from __future__ import annotations

import logging
import typing

import hikari
from support.hikari_harness import DEFAULT_INTENTS, hikari_bot
from support.library_harness import make_policy

import spamguard.adapters.hikari as sg_hikari

if typing.TYPE_CHECKING:
    import pytest
    from support import payloads


async def _warnings(
    world: payloads.GuildWorld, intents: hikari.Intents, caplog: pytest.LogCaptureFixture
) -> list[str]:
    holder: list[sg_hikari.HikariProtection] = []

    def before_start(bot: hikari.GatewayBot) -> None:
        holder.append(sg_hikari.attach(bot, policy=make_policy(), load_entrypoints=False))

    with caplog.at_level(logging.WARNING, logger="spamguard.adapters.hikari"):
        async with hikari_bot(world, intents=intents, before_start=before_start) as harness:
            await harness.send_message(content="hi")
            # A second start (after a reconnect) says nothing new.
            await holder[0].on_started(hikari.StartedEvent(app=harness.bot))
            await holder[0].detach()
    return [r.getMessage() for r in caplog.records if "GUILD_MEMBERS" in r.getMessage()]


async def test_without_the_members_intent_a_warning_says_so_once(
    world: payloads.GuildWorld, caplog: pytest.LogCaptureFixture
) -> None:
    warnings = await _warnings(world, DEFAULT_INTENTS & ~hikari.Intents.GUILD_MEMBERS, caplog)

    assert len(warnings) == 1
    assert "joins" in warnings[0]


async def test_with_the_members_intent_nothing_is_said(
    world: payloads.GuildWorld, caplog: pytest.LogCaptureFixture
) -> None:
    assert await _warnings(world, DEFAULT_INTENTS, caplog) == []
