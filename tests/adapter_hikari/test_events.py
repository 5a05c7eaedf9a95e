"""Redelivered and edited messages, concurrent messages, AutoMod executions."""

from __future__ import annotations

import logging
import typing

import pytest
from support import payloads

from spamguard.core import SkipReason

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy

    from .conftest import GuardedFactory

LINKS = {"max_links": {"count": 3, "interval": 60}}


async def test_redelivered_message_counts_once(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK")) as g:
        first = await g.send(content="one")
        await g.harness.dispatch("MESSAGE_CREATE", first)
        await g.send(content="two")
        assert g.api.requests == ()
        assert g.protection.guard.stats()["skipped:redelivered"] == 1

        await g.send(content="three")
        assert [r.method for r in g.api.requests] == ["DELETE"]


async def test_edit_replaces_the_messages_contribution(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", checks=LINKS)) as g:
        first = await g.send(content="https://a.example https://b.example")
        # Still two links: replaced, not added (added, the window would hold 4 >= 3).
        await g.harness.edit_message(first, content="https://c.example https://d.example")
        assert g.api.requests == ()

        await g.send(content="https://e.example")
        assert [r.method for r in g.api.requests] == ["DELETE"]


async def test_edit_that_removes_links_lowers_the_count(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", checks=LINKS)) as g:
        first = await g.send(content="https://a.example https://b.example")
        await g.harness.edit_message(first, content="no links any more")
        await g.send(content="https://e.example https://f.example")

        assert g.api.requests == ()


async def test_edit_never_resets_the_members_window(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK")) as g:
        first = await g.send(content="one")
        await g.send(content="two")
        await g.harness.edit_message(first, content="one, edited")
        assert g.api.requests == ()

        await g.send(content="three")
        assert [r.method for r in g.api.requests] == ["DELETE"]


async def test_edit_into_spam_is_caught(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", checks=LINKS)) as g:
        first = await g.send(content="hello")
        await g.harness.edit_message(
            first, content="https://a.example https://b.example https://c.example"
        )

        assert [r.method for r in g.api.requests] == ["DELETE"]


async def test_update_without_content_is_ignored(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK")) as g:
        first = await g.send(content="https://a.example")
        unfurl = g.world.edit(first, content="ignored")
        del unfurl["content"]
        await g.harness.dispatch("MESSAGE_UPDATE", unfurl)

        assert g.protection.stats["runtime"]["messages"] == 1


async def test_concurrent_messages_of_one_member_never_double_punish(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="TIMEOUT", clean=True)) as g:
        # Ten messages handed to the bot at once: ten listener tasks run concurrently.
        for i in range(10):
            g.harness.consume(
                "MESSAGE_CREATE",
                g.world.message(content=f"spam {i}", created_at=g.clock.advance(0.001)),
            )
        await g.harness.settle()

        assert len(g.api.find("PATCH", "/guilds/{g}/members/{u}")) == 1
        deleted = [
            int(i)
            for r in g.api.find("POST", "/channels/{c}/messages/bulk-delete")
            for i in r.json["messages"]
        ] + [
            int(r.path.rsplit("/", 1)[1])
            for r in g.api.find("DELETE", "/channels/{c}/messages/{m}")
        ]
        assert len(deleted) == len(set(deleted)) == 10


async def test_messages_of_the_bot_itself_are_skipped(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", ignore_bots=False)) as g:
        assert g.protection.guard.self_id == g.world.bot.id
        for i in range(3):
            await g.send(author=g.world.bot, content=f"notice {i}")

        assert g.api.requests == ()
        assert g.protection.guard.stats()[f"skipped:{SkipReason.SELF}"] == 3


async def test_webhook_messages_are_not_moderated(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", ignore_bots=False)) as g:
        for i in range(3):
            await g.send(content=f"hook {i}", webhook_id=g.world.general.id + 1)

        assert g.api.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0


# Member join notice, pin notice, boost, thread created, slash command.
SYSTEM_TYPES = [7, 6, 8, 18, 20]


@pytest.mark.parametrize("message_type", SYSTEM_TYPES)
async def test_system_messages_do_not_count_as_the_members_messages(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], message_type: int
) -> None:
    # A member joins (Discord posts the notice as theirs) and says hello twice.
    async with guarded(policy_factory(punishment="KICK", clean=True)) as g:
        await g.send(content="", message_type=message_type)
        await g.send(content="hello")
        await g.send(content="hello again")

        assert g.api.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 2


async def test_replies_count_as_the_members_messages(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    reply = 19
    async with guarded(policy_factory(punishment="KICK")) as g:
        for i in range(3):
            await g.send(content=f"me too {i}", message_type=reply)

        assert [r.method for r in g.api.requests] == ["DELETE"]


async def test_nothing_is_done_in_a_guild_hikari_has_not_cached(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = payloads.build_world(
        guild_name="Elsewhere", created_at=payloads.snowflake_time(1 << 60)
    )
    async with guarded(policy_factory(punishment="KICK", clean=True, exempt_admins=True)) as g:
        assert g.bot.cache.get_guild(stranger.guild_id) is None
        with caplog.at_level(logging.WARNING, logger="spamguard.adapters.hikari"):
            # Its administrator: without the guild, the exemption cannot be seen.
            for i in range(4):
                await g.harness.dispatch(
                    "MESSAGE_CREATE", stranger.message(author=stranger.admin, content=f"hi {i}")
                )

        assert g.api.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0
        warnings = [r for r in caplog.records if "not checked" in r.getMessage()]
        assert len(warnings) == 1
        assert str(stranger.guild_id) in warnings[0].getMessage()


async def test_exempt_moderator_is_skipped_through_cached_permissions(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK")) as g:
        for i in range(3):
            await g.send(author=g.world.moderator, content=f"spam {i}")

        assert g.api.requests == ()
        assert g.protection.guard.stats()[f"skipped:{SkipReason.MANAGE_MESSAGES}"] == 3


async def test_dry_run_reports_and_calls_nothing(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="BAN", clean=True, dry_run=True)) as g:
        for i in range(3):
            await g.send(content=f"spam {i}")

        assert g.api.requests == ()
        assert [(o.action.kind, o.dry_run) for o in g.recorder.outcomes] == [
            ("delete", True),
            ("ban", True),
        ]


# -- AutoMod ------------------------------------------------------------------------------

ESCALATION = {"kick_threshold": 2, "ban_threshold": 2}


async def test_automod_execution_counts_as_a_violation_when_the_policy_says_so(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=ESCALATION)
    async with guarded(policy) as g:
        await g.harness.automod_execution()

        alice = g.world.alice.id
        assert [(r.method, r.path, r.json) for r in g.api.requests] == [
            (
                "POST",
                f"/channels/{g.world.general.id}/messages",
                {
                    "content": f"Hey <@{alice}>, please stop spamming.",
                    "allowed_mentions": {"parse": [], "users": [str(alice)]},
                },
            )
        ]
        (execution,) = g.recorder.automod
        assert (execution.user_id, execution.channel_id, execution.matched_keyword) == (
            alice,
            g.world.general.id,
            "nitro",
        )
        assert g.protection.guard.member_counters(g.world.guild_id, alice)["warn_count"] == 1


async def test_automod_execution_is_only_reported_when_the_option_is_off(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(escalation=ESCALATION)) as g:
        await g.harness.automod_execution()

        assert g.api.requests == ()
        assert len(g.recorder.automod) == 1


async def test_one_automod_trigger_with_several_actions_counts_once(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=ESCALATION)
    async with guarded(policy) as g:
        # Discord sends one event per action of the rule: block, then alert.
        block = g.world.automod_execution(rule_id=1234, action_type=1)
        alert = g.world.automod_execution(
            rule_id=1234, action_type=2, action_metadata={"channel_id": str(g.world.mod_log.id)}
        )
        await g.harness.dispatch("AUTO_MODERATION_ACTION_EXECUTION", block)
        await g.harness.dispatch("AUTO_MODERATION_ACTION_EXECUTION", alert)

        assert len(g.recorder.automod) == 1
        assert len(g.api.requests) == 1
        assert (
            g.protection.guard.member_counters(g.world.guild_id, g.world.alice.id)["violations"]
            == 1
        )


async def test_an_everyone_ping_typed_without_permission_counts_as_a_mention(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    # Carol may not ping everyone: Discord sends mention_everyone false, the text is there.
    mentions = {"max_mentions": {"count": 3, "interval": 30}}
    async with guarded(policy_factory(punishment="KICK", checks=mentions)) as g:
        w = g.world
        await g.send(author=w.carol, content="@everyone look", mentions=(w.bob,))
        assert g.api.requests == ()
        await g.send(author=w.carol, content="@here look", mentions=(), mention_everyone=False)
        assert [r.method for r in g.api.requests] == ["DELETE"]
        assert g.calls()[0][1] == f"/guilds/{w.guild_id}/members/{w.carol.id}"
