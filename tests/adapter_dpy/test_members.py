"""What only discord.py, nextcord and disnake do about members: the warning when the
members intent is off, and the check in front of the library's member parsers, removed
with spamguard (the shared member behaviour is in tests/adapter_contract/test_members.py)."""

from __future__ import annotations

import logging
import typing

from adapter_dpy.dpy_world import LIBRARY, adapter, make_policy, protected_bot
from support import payloads
from support.dpy_harness import default_intents, dpy_bot

if typing.TYPE_CHECKING:
    import pytest

EVENTS = ("GUILD_MEMBER_ADD", "GUILD_MEMBER_REMOVE")


async def test_without_the_members_intent_a_warning_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    intents = default_intents(__import__(LIBRARY))
    intents.members = False
    with caplog.at_level(logging.WARNING, logger="spamguard.adapters.dpy"):
        async with protected_bot(make_policy(), bot_options={"intents": intents}) as p:
            await p.spam(2)
            await p.protection.runtime.stop()
            await p.spam(1)

    warnings = [r.getMessage() for r in caplog.records if "Intents.members" in r.getMessage()]
    assert len(warnings) == 1
    assert "joins" in warnings[0]


async def test_with_the_members_intent_nothing_is_said() -> None:
    async with protected_bot(make_policy()) as p:
        await p.spam(1)
        binding = p.harness.bot.get_cog("SpamGuard").binding
        assert "members" not in binding._warned


async def test_detaching_gives_the_library_its_own_member_parsers_back() -> None:
    async with dpy_bot(LIBRARY, payloads.build_world()) as h:
        parsers = h.bot._connection.parsers
        originals = {name: parsers[name] for name in EVENTS}
        protection = adapter().attach(h.bot, policy=make_policy(), load_entrypoints=False)
        assert all(parsers[name] is not originals[name] for name in EVENTS)

        await protection.detach()

        assert all(parsers[name] is originals[name] for name in EVENTS)
