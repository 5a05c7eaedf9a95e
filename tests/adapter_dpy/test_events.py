"""What the adapter hears: messages normalised from real library objects, edits through
``on_raw_message_edit``, and Discord's AutoMod executions."""

from __future__ import annotations

import asyncio
import typing

import pytest
from adapter_dpy.dpy_world import LIBRARY, adapter, make_policy, protected_bot
from support import payloads
from support.dpy_harness import dpy_bot

from spamguard.core import hookimpl

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import GuildPolicy


class MessageRecorder:
    """A plugin keeping every message the guard is asked about (after exemptions)."""

    def __init__(self) -> None:
        self.messages: list[MessageLike] = []

    @hookimpl
    def spamguard_pre_invoke(
        self, message: MessageLike, policy: GuildPolicy, now: datetime.datetime
    ) -> None:
        self.messages.append(message)


async def test_a_guild_message_is_normalised_from_the_library_objects() -> None:
    recorder = MessageRecorder()
    policy = make_policy("NONE", exempt_admins=False)
    async with protected_bot(policy) as p:
        w = p.world
        p.protection.guard.register_plugin(recorder)
        sent = await p.h.send_message(
            author=w.moderator,
            content="hey <@&1> look https://example.com",
            mentions=[w.alice, w.bob, w.alice],
            mention_roles=[w.muted_role.id],
            attachments=[payloads.attachment()],
            embeds=[payloads.embed()],
        )
        (message,) = recorder.messages
        assert message.id == int(sent["id"])
        assert message.guild_id == w.guild_id
        assert message.channel_id == w.general.id
        assert message.author_id == w.moderator.id
        assert message.content == "hey <@&1> look https://example.com"
        assert message.created_at == payloads.snowflake_time(sent["id"])
        assert message.author_role_ids == frozenset({w.moderator_role.id})
        assert message.mention_ids == (w.alice.id, w.bob.id)
        assert message.role_mention_ids == (w.muted_role.id,)
        assert (message.attachment_count, message.embed_count, message.sticker_count) == (1, 1, 0)
        assert (message.category_id, message.parent_id) == (w.category.id, None)
        assert message.author_can_manage_messages
        assert not message.author_is_admin
        assert not message.author_is_owner
        assert not message.author_is_bot
        assert (message.author_name, message.guild_name, message.channel_name) == (
            "Morgan",
            w.guild.name,
            "general",
        )


async def test_a_thread_message_carries_its_parent_and_the_parents_category() -> None:
    recorder = MessageRecorder()
    async with protected_bot(make_policy("NONE", exempt_admins=False)) as p:
        p.protection.guard.register_plugin(recorder)
        w = p.world
        await p.h.send_message(author=w.owner, channel=w.thread, content="in a thread")
        await p.h.send_message(author=w.admin, content="in general")
        thread_message, general_message = recorder.messages
        assert thread_message.channel_id == w.thread.id
        assert (thread_message.parent_id, thread_message.category_id) == (
            w.general.id,
            w.category.id,
        )
        assert thread_message.author_is_owner
        assert thread_message.channel_name == "spam-talk"
        assert general_message.author_is_admin
        assert general_message.author_can_manage_messages


async def test_a_thread_of_an_ignored_channel_is_ignored() -> None:
    world = payloads.build_world()
    policy = make_policy("KICK", ignore={"channels": [world.general.id]})
    async with protected_bot(policy, world=world) as p:
        await p.spam(5, channel=world.thread)
        assert p.actions() == []
        assert p.protection.guard.stats()["skipped:ignored_channel"] == 5


async def test_moderators_and_the_bot_itself_are_exempt() -> None:
    async with protected_bot(make_policy("KICK")) as p:
        await p.spam(4, author=p.world.moderator)
        await p.spam(4, author=p.world.bot)
        stats = p.protection.guard.stats()
        assert p.actions() == []
        assert (stats["skipped:manage_messages"], stats["skipped:self"]) == (4, 4)


NO_MESSAGE_CACHE = {"max_messages": None}
"""Without a message cache on_message_edit never fires; on_raw_message_edit does."""


async def test_an_edit_replaces_the_message_and_never_counts_as_a_new_one() -> None:
    async with protected_bot(make_policy("KICK", clean=False), bot_options=NO_MESSAGE_CACHE) as p:
        first, _second = await p.spam(2)
        for i in range(4):
            await p.h.edit_message(first, content=f"edited {i}")
        assert p.actions() == []
        await p.spam(1)
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions() == [("DELETE", f"/guilds/{g}/members/{alice}")]


async def test_an_edit_that_adds_mentions_is_checked_again() -> None:
    policy = make_policy(
        "TIMEOUT",
        clean=True,
        rule={"max_messages": None, "max_mentions": {"count": 3, "interval": 30}},
    )
    async with protected_bot(policy, bot_options=NO_MESSAGE_CACHE) as p:
        w = p.world
        (sent,) = await p.spam(1)
        assert p.actions() == []
        await p.h.edit_message(
            sent, content="@bob @carol @adam", mentions=[w.bob, w.carol, w.admin]
        )
        c = w.general.id
        assert p.actions() == [
            ("DELETE", f"/channels/{c}/messages/{sent['id']}"),
            ("PATCH", f"/guilds/{w.guild_id}/members/{w.alice.id}"),
        ]


async def test_everyone_and_here_count_as_one_mention_each_message() -> None:
    policy = make_policy(
        "TIMEOUT", rule={"max_messages": None, "max_mentions": {"count": 3, "interval": 30}}
    )
    async with protected_bot(policy) as p:
        w = p.world
        # Alice may not ping everyone: the gateway says mention_everyone false, the text
        # is the attempt. Discord pinged it for the moderator: mention_everyone true.
        await p.h.send_message(author=w.alice, content="@everyone @everyone", mentions=[w.bob])
        assert p.actions() == []
        await p.h.send_message(author=w.alice, content="@here", mention_everyone=True)
        assert p.actions()[-1] == ("PATCH", f"/guilds/{w.guild_id}/members/{w.alice.id}")


async def test_an_embed_only_update_is_ignored() -> None:
    async with protected_bot(make_policy("KICK", count=2)) as p:
        (sent,) = await p.spam(1)
        partial = {
            "id": sent["id"],
            "channel_id": sent["channel_id"],
            "guild_id": sent["guild_id"],
            "embeds": [payloads.embed()],
        }
        await p.h.dispatch("MESSAGE_UPDATE", partial)
        assert p.actions() == []
        assert p.protection.stats["runtime"]["malformed"] == 0


AUTOMOD_LADDER = {"kick_threshold": 0, "ban_threshold": 1}
"""First violation: a kick."""


async def test_an_automod_execution_counts_as_a_violation_when_the_policy_says_so() -> None:
    policy = make_policy("NONE", automod_executions_count=True, escalation=AUTOMOD_LADDER)
    async with protected_bot(policy) as p:
        await p.h.automod_execution(user=p.world.alice)
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions() == [("DELETE", f"/guilds/{g}/members/{alice}")]
        (kick,) = p.recorder.by_kind("kick")
        assert kick.ok
        assert p.protection.guard.stats()["automod_executions"] == 1


async def test_repeated_automod_executions_walk_the_ladder_a_step_each() -> None:
    # Each execution is a violation of count 1: an incident, one step of the ladder.
    ladder = {"kick_threshold": 1, "ban_threshold": 1}
    policy = make_policy("NONE", automod_executions_count=True, escalation=ladder)
    async with protected_bot(policy) as p:
        g, alice = p.world.guild_id, p.world.alice.id
        for minute in range(3):
            await p.h.automod_execution(user=p.world.alice, content=f"buy cheap nitro {minute}")
            p.clock.advance(60)
        (warning,) = p.api.find("POST", "/channels/{c}/messages")
        assert f"<@{alice}>" in warning.json["content"]
        assert [(r.method, r.path) for r in p.api.find(pattern="/guilds/{g}/{kind}/{u}")] == [
            ("DELETE", f"/guilds/{g}/members/{alice}"),
            ("PUT", f"/guilds/{g}/bans/{alice}"),
        ]


async def test_an_automod_execution_is_only_counted_when_the_option_is_off() -> None:
    policy = make_policy("NONE", escalation=AUTOMOD_LADDER)
    async with protected_bot(policy) as p:
        await p.h.automod_execution(user=p.world.alice)
        assert p.actions() == []
        assert p.protection.guard.stats()["automod_executions"] == 1


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_an_automod_execution_never_punishes_the_owner_or_admins(who: str) -> None:
    policy = make_policy("NONE", automod_executions_count=True, escalation=AUTOMOD_LADDER)
    async with protected_bot(policy) as p:
        await p.h.automod_execution(user=getattr(p.world, who))
        assert not p.api.find("DELETE", "/guilds/{g}/members/{u}")
        assert p.recorder.by_kind("kick")[0].failure == "hierarchy"


def test_the_library_under_test_is_installed() -> None:
    # A missing install is an error here, never a skip.
    module = __import__(LIBRARY)
    assert module.__version__


async def test_system_messages_do_not_count_as_the_members_messages() -> None:
    async with protected_bot(make_policy("KICK")) as p:
        await p.spam(2)
        pin_notice = 6
        await p.spam(3, message_type=pin_notice)
        assert p.actions() == []
        assert p.protection.guard.stats()["messages"] == 2


async def test_webhook_messages_are_not_moderated() -> None:
    # A webhook is never a member, whatever ignore_bots says.
    async with protected_bot(make_policy("KICK", ignore_bots=False)) as p:
        await p.spam(3, webhook_id=p.world.general.id + 1)
        assert p.actions() == []
        assert p.protection.stats["runtime"]["messages"] == 0


async def test_a_message_from_a_guild_the_library_has_not_cached_is_not_checked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with protected_bot(make_policy("KICK", count=1)) as p:
        stranger = payloads.build_world(
            guild_name="Elsewhere", created_at=payloads.snowflake_time(1 << 60)
        )
        await p.h.dispatch("MESSAGE_CREATE", stranger.message(content="hi"))
        await p.h.dispatch("MESSAGE_CREATE", stranger.message(content="hi again"))
        assert p.actions() == []
        assert p.protection.stats["runtime"]["messages"] == 0
        warnings = [r.getMessage() for r in caplog.records if "Intents.guilds" in r.getMessage()]
        assert len(warnings) == 1


async def test_the_events_of_one_automod_trigger_count_once() -> None:
    # Discord sends one execution per action of the rule: block, alert, timeout.
    policy = make_policy("NONE", automod_executions_count=True, escalation=AUTOMOD_LADDER)
    async with protected_bot(policy) as p:
        rule_id = payloads.snowflake(p.clock.now)
        for action_type in (1, 2, 3):
            await p.h.automod_execution(
                user=p.world.alice, rule_id=rule_id, action_type=action_type
            )
        assert len(p.api.find("DELETE", "/guilds/{g}/members/{u}")) == 1
        assert p.protection.guard.stats()["automod_executions"] == 1


async def test_a_guild_becoming_available_gets_the_policys_automod_rules() -> None:
    world = payloads.build_world()
    rules = [
        {
            "name": "pings",
            "trigger": "mention_spam",
            "mention_total_limit": 8,
            "actions": [{"type": "block_message"}],
        },
        {
            "name": "words",
            "trigger": "keyword",
            "keyword_filter": ["*nitro*"],
            "actions": [{"type": "block_message"}],
        },
    ]
    policy = make_policy("NONE", automod={"rules": rules})
    rules_path = f"/guilds/{world.guild_id}/auto-moderation/rules"

    def protect(bot: typing.Any) -> None:
        # Attached before login, as load_extension does: GUILD_CREATE makes it available.
        adapter().attach(bot, policy=policy, load_entrypoints=False)

    async with dpy_bot(LIBRARY, world, before_login=protect) as h:
        created = await h.api.wait_for("POST", rules_path, count=2)
        assert sorted(r.json["name"] for r in created) == ["spamguard: pings", "spamguard: words"]
        assert [r.path for r in h.api.find("GET", rules_path)] == [rules_path]

        # The guild comes back after an outage: the rules already match, nothing changes.
        await h.dispatch("GUILD_CREATE", world.guild_create())
        await asyncio.sleep(0.05)
        assert len(h.api.find("GET", rules_path)) == 2
        assert len(h.api.find("POST", rules_path)) == 2
        assert not h.api.find("PATCH") and not h.api.find("DELETE")
