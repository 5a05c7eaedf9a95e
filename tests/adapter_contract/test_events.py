"""What the adapter hears: redelivered and edited messages, system and webhook messages,
exemptions, mentions, threads, and messages from guilds the library has not cached."""

from __future__ import annotations

import logging
import typing

import pytest
from support import payloads

from spamguard.core import SkipReason

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import LibraryHarness

    from spamguard.core import Policy

LINKS = {"max_links": {"count": 3, "interval": 60}}
MENTIONS = {"max_mentions": {"count": 3, "interval": 30}}


async def test_a_redelivered_message_counts_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK")) as g:
        first = await g.send(content="one")
        await g.dispatch("MESSAGE_CREATE", first)
        await g.send(content="two")
        assert g.requests == ()
        assert g.protection.guard.stats()["skipped:redelivered"] == 1

        await g.send(content="three")
        assert [r.method for r in g.requests] == ["DELETE"]


async def test_an_edit_replaces_the_messages_contribution(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK", checks=LINKS)) as g:
        first = await g.send(content="https://a.example https://b.example")
        # Still two links: replaced, not added (added, the window would hold 4 >= 3).
        await g.edit(first, content="https://c.example https://d.example")
        assert g.requests == ()

        await g.send(content="https://e.example")
        assert [r.method for r in g.requests] == ["DELETE"]


async def test_an_edit_that_removes_links_lowers_the_count(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK", checks=LINKS)) as g:
        first = await g.send(content="https://a.example https://b.example")
        await g.edit(first, content="no links any more")
        await g.send(content="https://e.example https://f.example")

        assert g.requests == ()


async def test_an_edit_never_counts_as_a_new_message_nor_resets_the_window(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK")) as g:
        first = await g.send(content="one")
        await g.send(content="two")
        for i in range(4):
            await g.edit(first, content=f"one, edited {i}")
        assert g.requests == ()

        await g.send(content="three")
        assert g.calls() == [("DELETE", f"/guilds/{g.world.guild_id}/members/{g.world.alice.id}")]


async def test_an_edit_into_spam_is_caught(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK", checks=LINKS)) as g:
        first = await g.send(content="hello")
        await g.edit(first, content="https://a.example https://b.example https://c.example")

        assert [r.method for r in g.requests] == ["DELETE"]


async def test_an_edit_that_adds_mentions_is_checked_again(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TIMEOUT", clean=True, checks=MENTIONS)) as g:
        w = g.world
        sent = await g.send(content="hello")
        assert g.requests == ()
        await g.edit(sent, content="@bob @carol @adam", mentions=[w.bob, w.carol, w.admin])

        assert g.calls() == [
            ("PATCH", f"/guilds/{w.guild_id}/members/{w.alice.id}"),
            ("DELETE", f"/channels/{w.general.id}/messages/{sent['id']}"),
        ]


async def test_an_update_without_content_is_ignored(
    library: LibraryHarness, guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # An embed unfurled by Discord: MESSAGE_UPDATE with the embeds and no content, or,
    # as Discord sends it now (and discord.py 2.5+ parses nothing else), the whole
    # message with its embeds and without an edit time.
    async with guard(
        policy_factory("KICK", checks={"max_messages": {"count": 2, "interval": 10}})
    ) as g:
        sent = await g.send(content="https://a.example")
        partial = {
            "id": sent["id"],
            "channel_id": sent["channel_id"],
            "guild_id": sent["guild_id"],
            "embeds": [payloads.embed()],
        }
        unfurled = partial if library.parses_partial_updates else sent | partial
        await g.dispatch("MESSAGE_UPDATE", unfurled)

        assert g.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 1
        assert g.protection.stats["runtime"]["malformed"] == 0


async def test_messages_of_the_bot_itself_and_of_moderators_are_exempt(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK", ignore_bots=False)) as g:
        assert g.protection.guard.self_id == g.world.bot.id
        await g.spam(4, author=g.world.moderator)
        await g.spam(4, author=g.world.bot)

        stats = g.protection.guard.stats()
        assert g.requests == ()
        assert stats[f"skipped:{SkipReason.MANAGE_MESSAGES}"] == 4
        assert stats[f"skipped:{SkipReason.SELF}"] == 4


async def test_webhook_messages_are_not_moderated(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # A webhook is never a member, whatever ignore_bots says.
    async with guard(policy_factory("KICK", ignore_bots=False)) as g:
        await g.spam(3, webhook_id=g.world.general.id + 1)

        assert g.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0


# Member join notice, pin notice, boost, thread created, slash command.
SYSTEM_TYPES = [7, 6, 8, 18, 20]


@pytest.mark.parametrize("message_type", SYSTEM_TYPES)
async def test_system_messages_do_not_count_as_the_members_messages(
    guard: GuardFactory, policy_factory: Callable[..., Policy], message_type: int
) -> None:
    # A member joins (Discord posts the notice as theirs) and says hello twice.
    async with guard(policy_factory("KICK", clean=True)) as g:
        await g.spam(3, message_type=message_type)
        await g.send(content="hello")
        await g.send(content="hello again")

        assert g.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 2
        assert g.protection.guard.stats()["messages"] == 2


async def test_replies_count_as_the_members_messages(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    reply = 19
    async with guard(policy_factory("KICK")) as g:
        await g.spam(3, message_type=reply)

        assert [r.method for r in g.requests] == ["DELETE"]


async def test_an_everyone_ping_typed_without_permission_counts_as_a_mention(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # Carol may not ping everyone: Discord sends mention_everyone false, the text is there.
    async with guard(policy_factory("KICK", checks=MENTIONS)) as g:
        w = g.world
        await g.send(author=w.carol, content="@everyone look", mentions=(w.bob,))
        assert g.requests == ()
        await g.send(author=w.carol, content="@here look", mentions=(), mention_everyone=False)

        assert g.calls() == [("DELETE", f"/guilds/{w.guild_id}/members/{w.carol.id}")]


async def test_everyone_and_here_count_as_one_mention_each_message(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TIMEOUT", checks=MENTIONS)) as g:
        w = g.world
        # The gateway says mention_everyone false for alice's attempt; Discord pinged it
        # for the moderator's: mention_everyone true. Each message counts it once.
        await g.send(author=w.alice, content="@everyone @everyone", mentions=[w.bob])
        assert g.requests == ()
        await g.send(author=w.alice, content="@here", mention_everyone=True)

        assert g.calls()[-1] == ("PATCH", f"/guilds/{w.guild_id}/members/{w.alice.id}")


async def test_a_thread_of_an_ignored_channel_is_ignored(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guard(policy_factory("KICK", ignore={"channels": [world.general.id]})) as g:
        await g.spam(5, channel=world.thread)

        assert g.requests == ()
        assert g.protection.guard.stats()["skipped:ignored_channel"] == 5


async def test_nothing_is_done_in_a_guild_the_library_has_not_cached(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    stranger = payloads.build_world(
        guild_name="Elsewhere", created_at=payloads.snowflake_time(1 << 60)
    )
    async with guard(policy_factory("KICK", clean=True, exempt_admins=True)) as g:
        with caplog.at_level(logging.WARNING, logger="spamguard"):
            # Its administrator: without the guild, the exemption cannot be seen.
            for i in range(4):
                await g.dispatch(
                    "MESSAGE_CREATE", stranger.message(author=stranger.admin, content=f"hi {i}")
                )

        assert g.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0
        # Said once, not once per message.
        warnings = [r for r in caplog.records if "not checked" in r.getMessage()]
        assert len(warnings) == 1
        assert warnings[0].levelno == logging.WARNING
