"""What only discord.py, nextcord and disnake hear that way: edits through ``on_raw_message_edit``
when the bot keeps no message cache, and the warning (naming the intent) about messages
from guilds the library has not cached. The shared event behaviour is in
tests/adapter_contract/test_events.py."""

from __future__ import annotations

import pytest
from adapter_dpy.dpy_world import LIBRARY, make_policy, protected_bot
from support import payloads

NO_MESSAGE_CACHE = {"max_messages": None}
"""Without a message cache on_message_edit never fires; on_raw_message_edit does."""


async def test_an_edit_replaces_the_message_and_never_counts_as_a_new_one() -> None:
    async with protected_bot(make_policy("KICK", clean=False), bot_options=NO_MESSAGE_CACHE) as p:
        first, _second = await p.spam(2)
        for i in range(4):
            await p.harness.edit_message(first, content=f"edited {i}")
        assert p.calls() == []
        await p.spam(1)
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.calls() == [("DELETE", f"/guilds/{g}/members/{alice}")]


async def test_an_edit_that_adds_mentions_is_checked_again() -> None:
    policy = make_policy(
        "TIMEOUT",
        clean=True,
        rule={"max_messages": None, "max_mentions": {"count": 3, "interval": 30}},
    )
    async with protected_bot(policy, bot_options=NO_MESSAGE_CACHE) as p:
        w = p.world
        (sent,) = await p.spam(1)
        assert p.calls() == []
        await p.harness.edit_message(
            sent, content="@bob @carol @adam", mentions=[w.bob, w.carol, w.admin]
        )
        c = w.general.id
        assert p.calls() == [
            ("PATCH", f"/guilds/{w.guild_id}/members/{w.alice.id}"),
            ("DELETE", f"/channels/{c}/messages/{sent['id']}"),
        ]


def test_the_library_under_test_is_installed() -> None:
    # A missing install is an error here, never a skip.
    module = __import__(LIBRARY)
    assert module.__version__


async def test_a_message_from_a_guild_the_library_has_not_cached_is_not_checked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with protected_bot(make_policy("KICK", count=1)) as p:
        stranger = payloads.build_world(
            guild_name="Elsewhere", created_at=payloads.snowflake_time(1 << 60)
        )
        await p.harness.dispatch("MESSAGE_CREATE", stranger.message(content="hi"))
        await p.harness.dispatch("MESSAGE_CREATE", stranger.message(content="hi again"))
        assert p.calls() == []
        assert p.protection.stats["runtime"]["messages"] == 0
        warnings = [r.getMessage() for r in caplog.records if "Intents.guilds" in r.getMessage()]
        assert len(warnings) == 1
