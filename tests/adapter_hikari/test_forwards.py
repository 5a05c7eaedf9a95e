"""What only hikari does about forwards: the snapshot check sits in front of hikari's own
MESSAGE_CREATE consumer while spamguard is attached, and is gone after ``detach`` (the
shared behaviour is in tests/adapter_contract/test_message_parts.py)."""

from __future__ import annotations

import typing

from support import payloads
from support.hikari_harness import hikari_bot

import spamguard.adapters.hikari as sg_hikari

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy


async def test_detaching_gives_hikari_its_own_message_consumer_back(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy]
) -> None:
    async with hikari_bot(world) as h:
        consumer = h.bot.event_manager._consumers["message_create"]
        original = consumer.callback
        protection = sg_hikari.attach(h.bot, policy=policy_factory(), load_entrypoints=False)
        assert consumer.callback is not original
        assert consumer.callback.__name__ == original.__name__  # hikari logs it by name

        await protection.detach()

        assert consumer.callback is original
        # A malformed snapshot now reaches hikari, which drops the whole message itself.
        await h.send_message(content="hi", message_snapshots=({},))
        assert protection.stats["runtime"]["malformed"] == 0
