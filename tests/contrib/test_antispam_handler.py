"""The discord-anti-spam compatibility facade, driven through scenarios with the original
defaults (5 duplicates within 30 s, warn threshold 3, kick after 2 warns, ban after 2 kicks).
No Discord library: messages are spamguard ``Message`` values.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import types
import typing

import pytest

from spamguard.contrib.antispam import (
    AntiSpamHandler,
    BaseASHException,
    BasePlugin,
    CorePayload,
    DuplicateObject,
    ExtensionError,
    GuildNotFound,
    IgnoreType,
    InvocationCancelled,
    LogicError,
    ResetType,
)
from spamguard.contrib.antispam.options import DEFAULTS, from_legacy
from spamguard.contrib.mass_mention import MassMention
from spamguard.core import Ban, DeleteMessages, DirectMessage, Kick, Plan, SendMessage

RESULT_KEYS = {
    "should_be_punished_this_message",
    "was_warned",
    "was_kicked",
    "was_banned",
    "status",
    "warn_count",
    "kick_count",
    "duplicate_counter",
    "pre_invoke_extensions",
    "after_invoke_extensions",
    "plan",
}


@pytest.fixture
def spam(msg):
    """``await spam(handler, n, **fields)``: ``n`` identical messages one second apart."""

    async def send(handler: AntiSpamHandler, count: int, *, start: float = 0.0, **fields):
        results = []
        for index in range(count):
            fields.setdefault("content", "buy cheap followers now")
            results.append(await handler.propagate(msg(t=start + index, **fields)))
        return results

    return send


def summary(result: dict[str, typing.Any]) -> tuple[typing.Any, ...]:
    return (
        result["should_be_punished_this_message"],
        result["was_warned"],
        result["was_kicked"],
        result["was_banned"],
        result["warn_count"],
        result["kick_count"],
    )


async def test_the_defaults_are_discord_anti_spams() -> None:
    # 0.x code (no Library) keeps 0.x's defaults, held in a 1.9.1 Options.
    handler = AntiSpamHandler()
    assert handler.options == from_legacy(DEFAULTS)
    assert (handler.options.use_timeouts, handler.options.delete_spam) == (False, True)
    assert handler.options["message_interval"] == 30000
    assert handler.options["ignore_perms"] == [8]
    rule = handler.policy.base.levels[0][1]
    [check] = rule.checks
    assert (check.name, check.count, check.interval, check.accuracy) == (
        "max_duplicates",
        5,
        30.0,
        90,
    )
    assert handler.policy.base.escalation is not None
    assert handler.policy.base.incident_window == 0


async def test_five_duplicates_warn_then_two_warns_kick_then_two_kicks_ban(spam) -> None:
    handler = AntiSpamHandler()
    results = await spam(handler, 9)
    assert all(isinstance(r, CorePayload) for r in results)
    assert all(key in r for r in results for key in RESULT_KEYS)
    assert [summary(r) for r in results] == [
        (False, False, False, False, 0, 0),
        (False, False, False, False, 0, 0),
        (False, False, False, False, 0, 0),
        (False, False, False, False, 0, 0),
        (True, True, False, False, 1, 0),
        (True, True, False, False, 2, 0),
        (True, False, True, False, 2, 1),
        (True, False, True, False, 2, 2),
        (True, False, False, True, 2, 3),
    ]
    assert [r["status"] for r in results[3:]] == [
        "Unknown",
        "Member was warned",
        "Member was warned",
        "Member was kicked",
        "Member was kicked",
        "Member was banned",
    ]
    assert [r["duplicate_counter"] for r in results] == [0, 1, 2, 3, 4, 5, 6, 7, 8]


async def test_warn_threshold_counts_duplicates_as_in_discord_anti_spam(spam) -> None:
    # The core's ladder climbs a step per incident; the facade keeps discord-anti-spam's
    # counting: below warn_threshold duplicates a violation is reported, not warned.
    handler = AntiSpamHandler(message_duplicate_count=2, warn_threshold=4)
    results = await spam(handler, 6)
    assert [summary(r) for r in results] == [
        (False, False, False, False, 0, 0),
        (True, False, False, False, 0, 0),
        (True, False, False, False, 0, 0),
        (True, True, False, False, 1, 0),
        (True, True, False, False, 2, 0),
        (True, False, True, False, 2, 1),
    ]


async def test_a_warning_is_posted_in_the_channel_and_the_spam_deleted(spam, msg) -> None:
    handler = AntiSpamHandler(guild_warn_message_delete_after=15)
    *_, warned = await spam(handler, 5)
    plan: Plan = warned["plan"]
    deletes = [a for a in plan.actions if isinstance(a, DeleteMessages)]
    assert [d.message_ids for d in deletes] == [(1, 2, 3, 4, 5)]
    [notice] = [a for a in plan.actions if isinstance(a, SendMessage)]
    assert notice.content == f"Hey <@{msg.USER}>, please stop spamming/sending duplicate messages."
    assert (notice.channel_id, notice.delete_after, notice.mention_user_ids) == (
        msg.CHANNEL,
        15,
        (msg.USER,),
    )


async def test_a_kick_carries_the_members_dm_first_and_the_guild_notice_after(spam, msg) -> None:
    handler = AntiSpamHandler(guild_kick_message_delete_after=20)
    results = await spam(handler, 7, author_name="Spammer", guild_name="Cafe")
    plan: Plan = results[-1]["plan"]
    kinds = [a.kind for a in plan.actions]
    assert kinds == ["delete", "dm", "kick", "send"]
    dm, kick, notice = plan.actions[1:]
    assert isinstance(dm, DirectMessage)
    assert dm.content == (
        f"Hey <@{msg.USER}>, you are being kicked from Cafe for spamming/sending duplicate messages."
    )
    assert isinstance(kick, Kick)
    assert isinstance(notice, SendMessage)
    assert notice.content == "Spammer was kicked for spamming/sending duplicate messages."
    assert notice.delete_after == 20
    assert [a.kind for a in plan.on_failure] == ["send", "dm"]
    assert plan.on_failure[0].content == f"I do not have permission to kick: <@{msg.USER}>"
    assert plan.on_failure[1].content == (
        "I failed to punish you because I lack permissions, but still you shouldn't spam."
    )


async def test_a_ban_uses_the_ban_texts_with_embeds_kept_as_embeds(spam, msg) -> None:
    handler = AntiSpamHandler(
        kick_threshold=0,
        ban_threshold=0,
        guild_ban_message={
            "title": "$USERNAME ($USERID) was banned",
            "description": "$WARNCOUNT warns",
        },
    )
    *_, banned = await spam(handler, 5, author_name="Spammer")
    plan = banned["plan"]
    assert banned["was_banned"]
    assert [a.kind for a in plan.actions] == ["delete", "dm", "ban", "send"]
    notice = plan.actions[-1]
    assert notice.embed == {"title": f"Spammer ({msg.USER}) was banned", "description": "0 warns"}
    assert isinstance(plan.actions[2], Ban)


async def test_templates_keep_string_template_syntax_with_the_0x_names(spam, msg) -> None:
    # discord-anti-spam renders with string.Template: ``${USERNAME}`` is a variable,
    # ``$$USERNAME`` the literal text, ``$USERID123`` an unknown name left as written.
    handler = AntiSpamHandler(
        warn_threshold=1,
        guild_warn_message="${USERNAME}s: $$USERNAME $USERID123 ${MENTIONUSER}!",
        guild_kick_message="${USERNAME}s kicked, $$5 fine",
    )
    results = await spam(handler, 7, author_name="Sam")
    warn = next(a for a in results[4]["plan"].actions if isinstance(a, SendMessage))
    assert warn.content == f"Sams: $USERNAME $USERID123 <@{msg.USER}>!"
    assert results[6]["was_kicked"]
    kicked = results[6]["plan"].actions[-1]
    assert isinstance(kicked, SendMessage)
    assert kicked.content == "Sams kicked, $5 fine"


ANTISPAM_VARIABLES = (
    "$MENTIONMEMBER $MEMBERNAME $MEMBERID $MEMBERAVATAR $MENTIONBOT $BOTNAME $BOTID $BOTAVATAR "
    "$GUILDNAME $GUILDID $GUILDICON $TIMESTAMPNOW $TIMESTAMPTODAY $WARNCOUNT $KICKCOUNT "
    "$USERAVATAR"
)


async def test_every_discord_anti_spam_variable_is_replaced_in_every_notice(spam, msg) -> None:
    handler = AntiSpamHandler(
        guild_warn_message=ANTISPAM_VARIABLES,
        guild_kick_message={
            "description": ANTISPAM_VARIABLES,
            "author": {"name": "$BOTNAME", "icon_url": "$BOTAVATAR"},
            "footer": {"text": "$GUILDNAME", "icon_url": "$USERAVATAR"},
        },
        user_kick_message=ANTISPAM_VARIABLES,
    )
    fields = {
        "author_name": "Sam",
        "guild_name": "Cafe",
        "author_avatar_url": "https://cdn.example/avatars/sam.png",
        "guild_icon_url": "https://cdn.example/icons/cafe.png",
        "bot_id": 55,
        "bot_name": "Guardian",
        "bot_avatar_url": "https://cdn.example/avatars/guardian.png",
    }
    results = await spam(handler, 7, **fields)
    warn = next(a for a in results[4]["plan"].actions if isinstance(a, SendMessage))
    # The 5th duplicate was sent at T0 + 4 s: 12:00:04 PM on 1 May 2024, in UTC.
    expected = (
        f"<@{msg.USER}> Sam {msg.USER} https://cdn.example/avatars/sam.png <@55> Guardian 55 "
        f"https://cdn.example/avatars/guardian.png Cafe {msg.GUILD} "
        "https://cdn.example/icons/cafe.png 12:00:04 PM, 01/05/2024 01/05/2024 1 0 "
        "https://cdn.example/avatars/sam.png"
    )
    assert warn.content == expected
    kicked = results[6]["plan"]
    dm = next(a for a in kicked.actions if isinstance(a, DirectMessage))
    notice = kicked.actions[-1]
    assert isinstance(notice, SendMessage)
    assert "$" not in dm.content
    assert dm.content.startswith(f"<@{msg.USER}> Sam")
    assert "12:00:06 PM, 01/05/2024 01/05/2024 2 1" in dm.content
    assert notice.embed == {
        "description": dm.content,
        "author": {"name": "Guardian", "icon_url": "https://cdn.example/avatars/guardian.png"},
        "footer": {"text": "Cafe", "icon_url": "https://cdn.example/avatars/sam.png"},
    }


async def test_duplicates_are_counted_across_channels_unless_per_channel_spam(spam, msg) -> None:
    across = AntiSpamHandler()
    per_channel = AntiSpamHandler(per_channel_spam=True)
    channels = [msg.CHANNEL, msg.OTHER_CHANNEL] * 3
    for index, channel in enumerate(channels[:5]):
        message = msg("same text here", t=index, channel_id=channel)
        last_across = await across.propagate(message)
        last_per_channel = await per_channel.propagate(message)
    assert last_across["should_be_punished_this_message"]
    assert not last_per_channel["should_be_punished_this_message"]
    assert last_per_channel["duplicate_counter"] == 2
    results = await spam(per_channel, 2, start=10, channel_id=msg.CHANNEL, content="same text here")
    assert results[-1]["was_warned"]


async def test_duplicates_older_than_the_message_interval_no_longer_count(spam) -> None:
    handler = AntiSpamHandler(message_interval=4000)
    results = await spam(handler, 8)
    assert not any(r["should_be_punished_this_message"] for r in results)
    assert results[-1]["duplicate_counter"] == 3


async def test_near_duplicates_count_with_the_accuracy(msg) -> None:
    handler = AntiSpamHandler(message_duplicate_count=3)
    texts = ["free nitro here", "free nitro here!", "FREE  nitro\u200b here"]
    results = [await handler.propagate(msg(text, t=i)) for i, text in enumerate(texts)]
    assert results[-1]["should_be_punished_this_message"]


async def test_no_punish_only_reports(spam) -> None:
    handler = AntiSpamHandler(no_punish=True)
    *_, last = await spam(handler, 6)
    assert last["should_be_punished_this_message"]
    assert (
        last["status"] == "Member should be punished, however, was not due to no_punish being True"
    )
    assert last["plan"].actions == ()
    assert (last["was_warned"], last["warn_count"]) == (False, 0)


async def test_warn_only_never_kicks(spam) -> None:
    handler = AntiSpamHandler(warn_only=True, message_duplicate_count=2)
    results = await spam(handler, 8)
    assert [r["was_warned"] for r in results] == [False] + [True] * 7
    assert not any(r["was_kicked"] or r["was_banned"] for r in results)
    assert results[-1]["warn_count"] == 7


def _admin(**fields: typing.Any) -> dict[str, typing.Any]:
    return {"author_is_admin": True, **fields}


IGNORE_MATRIX = [
    ({}, {"guild_id": None}, "Ignoring messages from dm's"),
    ({}, {"author_is_bot": True}, "Ignoring messages from bots"),
    ({"ignore_bots": False}, {"author_is_bot": True}, None),
    ({"ignore_users": [3000]}, {}, "Ignoring this member: 3000"),
    ({"ignore_channels": [2000]}, {}, "Ignoring this channel: 2000"),
    (
        {"ignore_channels": [2000]},
        {"channel_id": 2999, "parent_id": 2000},
        "Ignoring this channel: 2999",
    ),
    ({"ignore_channels": ["general"]}, {"channel_name": "general"}, "Ignoring this channel: 2000"),
    ({"ignore_roles": [55]}, {"author_role_ids": frozenset({55, 66})}, "Ignoring this role: 55"),
    ({"ignore_guilds": [1000]}, {}, "Ignoring this guild: 1000"),
    ({}, _admin(), "Ignoring this member's permissions: 3000"),
    ({"ignore_perms": []}, _admin(), None),
    ({}, {"author_can_manage_messages": True}, None),
    (
        {"ignore_perms": [8192]},
        {"author_can_manage_messages": True},
        "Ignoring this member's permissions: 3000",
    ),
    # discord-anti-spam 1.9.1's order: the guild is checked before the member.
    ({"ignore_users": [3000], "ignore_guilds": [1000]}, {}, "Ignoring this guild: 1000"),
]


@pytest.mark.parametrize(("options", "fields", "status"), IGNORE_MATRIX)
async def test_ignore_matrix(spam, options, fields, status) -> None:
    handler = AntiSpamHandler(**options)
    results = await spam(handler, 5, **fields)
    if status is None:
        assert results[-1]["should_be_punished_this_message"]
    else:
        assert {r["status"] for r in results} == {status}
        assert not any(r["should_be_punished_this_message"] for r in results)
        assert all(r["plan"] is None for r in results)


async def test_the_bots_own_messages_are_ignored(spam) -> None:
    bot = types.SimpleNamespace(user=types.SimpleNamespace(id=3000))
    results = await spam(AntiSpamHandler(bot), 5)
    assert {r["status"] for r in results} == {"Ignoring messages from myself (the bot)"}


async def test_ignored_items_can_be_added_and_removed_by_type_name_or_enum(spam, msg) -> None:
    handler = AntiSpamHandler()
    handler.add_ignored_item(msg.USER, "member")
    handler.add_ignored_item(str(msg.CHANNEL), IgnoreType.CHANNEL)
    handler.add_ignored_item(msg.USER, "Member")
    assert handler.options["ignore_users"] == [msg.USER]
    assert handler.policy.base.ignore.users == frozenset({msg.USER})
    assert (await spam(handler, 1))[0]["status"] == f"Ignoring this member: {msg.USER}"
    handler.remove_ignored_item(msg.USER, IgnoreType.MEMBER)
    handler.remove_ignored_item(msg.CHANNEL, "channel")
    handler.remove_ignored_item(12345, "guild")
    results = await spam(handler, 5, start=1)
    assert results[-1]["was_warned"]


@pytest.mark.parametrize(
    ("item", "ignore_type", "error", "message"),
    [
        ("abc", "member", ValueError, "Expected item of type: int"),
        # An unknown name raises what 1.9.1 raises for any string.
        (1, "planet", ValueError, "Expected `ignore_type` to be of type IgnoreType"),
        (1, 3, ValueError, "Expected `ignore_type` to be of type IgnoreType"),
    ],
)
def test_add_ignored_item_rejects_bad_input_like_the_original(
    item, ignore_type, error, message
) -> None:
    handler = AntiSpamHandler()
    with pytest.raises(error) as caught:
        handler.add_ignored_item(item, ignore_type)
    assert str(caught.value) == message
    with pytest.raises(error):
        handler.remove_ignored_item(item, ignore_type)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"warn_threshold": "3"}, ValueError, "Expected warn_threshold of type int"),
        (
            {"message_interval": 999},
            BaseASHException,
            "Minimum message_interval is 1 seconds (1000 ms)",
        ),
        ({"guild_warn_message": 5}, ValueError, "Expected guild_warn_message of type str or dict"),
        (
            {"message_duplicate_accuracy": 101},
            ValueError,
            "Expected message_duplicate_accuracy between 1 and 100",
        ),
        ({"delete_spam": "yes"}, ValueError, "Expected delete_spam of type bool"),
        ({"ignore_users": 5}, ValueError, "Expected ignore_users of type list"),
        (
            {"user_ban_message_delete_after": "10"},
            ValueError,
            "Expected user_ban_message_delete_after of type int",
        ),
        (
            {"warn_only": True, "no_punish": True},
            BaseASHException,
            "Cannot do BOTH warn_only and no_punish. Pick one and try again",
        ),
        (
            {"warn_treshold": 3},
            TypeError,
            "AntiSpamHandler got an unknown option 'warn_treshold'; did you mean 'warn_threshold'?",
        ),
        (
            {"ignore_roles": ["Moderators"]},
            ValueError,
            "ignore_roles takes role ids; spamguard cannot match the role name 'Moderators' (messages carry role ids only)",
        ),
    ],
)
def test_bad_options_raise_the_originals_errors(options, error, message) -> None:
    with pytest.raises(error) as caught:
        AntiSpamHandler(**options)
    assert str(caught.value) == message


def test_discord_anti_spam_1x_option_names_are_accepted() -> None:
    handler = AntiSpamHandler(ignored_members={5, 6}, member_warn_message="stop")
    assert sorted(handler.options["ignore_users"]) == [5, 6]
    assert handler.policy.base.notices.warn == "stop"


async def test_custom_guild_options_apply_to_that_guild_only(spam, msg) -> None:
    handler = AntiSpamHandler()
    with pytest.raises(GuildNotFound):
        await handler.get_guild_options(msg.GUILD)
    handler.add_custom_guild_options(msg.OTHER_GUILD, message_duplicate_count=2, warn_only=True)
    options = await handler.get_guild_options(msg.OTHER_GUILD)
    assert options["message_duplicate_count"] == 2
    options.message_duplicate_count = 99
    assert (await handler.get_guild_options(msg.OTHER_GUILD)).message_duplicate_count == 2

    base = await spam(handler, 2)
    other = await spam(handler, 2, guild_id=msg.OTHER_GUILD)
    assert not base[-1]["should_be_punished_this_message"]
    assert other[-1]["was_warned"]
    assert await handler.get_guild_options(msg.GUILD) == handler.options

    handler.remove_custom_guild_options(msg.OTHER_GUILD)
    handler.remove_custom_guild_options(424242)
    assert await handler.get_guild_options(msg.OTHER_GUILD) == handler.options
    later = await spam(handler, 1, start=100, guild_id=msg.OTHER_GUILD)
    assert not later[0]["should_be_punished_this_message"]


async def test_reset_user_count_resets_the_named_counter(spam, msg) -> None:
    handler = AntiSpamHandler()
    await spam(handler, 6)
    handler.reset_user_count(msg.USER, msg.GUILD, "warn_counter")
    after_reset = await spam(handler, 1, start=6)
    assert after_reset[0]["was_warned"]
    assert after_reset[0]["warn_count"] == 1
    handler.reset_user_count(msg.USER, msg.GUILD, ResetType.KICK_COUNTER)
    handler.reset_user_count(999, msg.GUILD, "kick_counter")
    with pytest.raises(
        LogicError, match=re.escape("Invalid counter argument, please select a valid counter.")
    ):
        handler.reset_user_count(msg.USER, msg.GUILD, "ban_counter")
    with pytest.raises(ValueError, match="Expected reset_type of type ResetType"):
        handler.reset_user_count(msg.USER, msg.GUILD, 1)  # type: ignore[arg-type]


async def test_the_same_message_twice_raises_duplicate_object(msg) -> None:
    handler = AntiSpamHandler()
    message = msg()
    await handler.propagate(message)
    with pytest.raises(DuplicateObject) as caught:
        await handler.propagate(message)
    assert "exact same id's" in str(caught.value)


async def test_any_message_like_object_is_accepted_and_others_are_refused(msg) -> None:
    @dataclasses.dataclass
    class LibraryMessage:
        id: int
        content: str
        created_at: typing.Any
        guild_id: int | None = msg.GUILD
        channel_id: int = msg.CHANNEL
        author_id: int = msg.USER
        author_is_bot: bool = False
        author_role_ids: frozenset[int] = frozenset()
        mention_ids: tuple[int, ...] = ()
        role_mention_ids: tuple[int, ...] = ()
        mentions_everyone: bool = False
        attachment_count: int = 0
        sticker_count: int = 0
        embed_count: int = 0
        category_id: int | None = None
        parent_id: int | None = None
        author_is_admin: bool = False
        author_can_manage_messages: bool = False
        author_is_owner: bool = False
        author_name: str = ""
        guild_name: str = ""
        channel_name: str = ""

    handler = AntiSpamHandler()
    result = await handler.propagate(LibraryMessage(id=1, content="hi", created_at=msg.at(0)))
    assert result["status"] == "Unknown"
    with pytest.raises(
        ValueError, match="Expected message of type: spamguard Message or MessageLike"
    ):
        await handler.propagate(object())


async def test_the_executor_receives_each_plan_with_something_to_do(spam) -> None:
    carried: list[Plan] = []

    async def executor(plan: Plan) -> None:
        carried.append(plan)

    handler = AntiSpamHandler(executor=executor)
    results = await spam(handler, 6)
    assert carried == [results[4]["plan"], results[5]["plan"]]

    synchronous: list[Plan] = []
    handler = AntiSpamHandler(executor=synchronous.append)
    await spam(handler, 5)
    assert len(synchronous) == 1


async def test_a_failing_executor_is_logged_and_the_result_still_returned(spam, caplog) -> None:
    def executor(plan: Plan) -> None:
        raise RuntimeError("adapter down")

    handler = AntiSpamHandler(executor=executor)
    with caplog.at_level(logging.ERROR, logger="spamguard.contrib.antispam"):
        results = await spam(handler, 5)
    assert results[-1]["was_warned"]
    assert "adapter down" in caplog.text


class Announcements(BasePlugin):
    """A pre-invoke extension cancelling announcements, as users wrote them."""

    async def propagate(self, message, data=None):
        if message.content.startswith("!"):
            return {"cancel_next_invocation": True}
        return {"status": "checked"}


class Counter(BasePlugin):
    def __init__(self) -> None:
        super().__init__(is_pre_invoke=False)
        self.seen: list[bool] = []

    async def propagate(self, message, data=None):
        self.seen.append(data["should_be_punished_this_message"])
        return len(self.seen)


async def test_extensions_run_before_and_after_with_their_results_by_class_name(spam, msg) -> None:
    handler = AntiSpamHandler()
    counter = Counter()
    handler.register_extension(Announcements())
    handler.register_plugin(counter)
    results = await spam(handler, 5)
    assert results[-1]["pre_invoke_extensions"] == {"Announcements": {"status": "checked"}}
    assert results[-1]["after_invoke_extensions"] == {"Counter": 5}
    assert counter.seen == [False, False, False, False, True]
    with pytest.raises(InvocationCancelled):
        await handler.propagate(msg("!announce", t=10))

    counter.blacklisted_guilds.add(msg.GUILD)
    await spam(handler, 1, start=20, content="other")
    assert len(counter.seen) == 5


def test_extension_registration_errors_are_the_originals() -> None:
    handler = AntiSpamHandler()
    handler.register_extension(Counter())
    with pytest.raises(ExtensionError, match="an extension with this name already exists"):
        handler.register_extension(Counter())
    handler.register_extension(Counter(), force_overwrite=True)
    with pytest.raises(ExtensionError, match="Expected extension that subclassed BaseExtension"):
        handler.register_extension(object())
    with pytest.raises(ExtensionError, match="Expected extension that subclassed BaseExtension"):
        handler.register_extension(Counter)
    handler.unregister_extension("COUNTER")
    with pytest.raises(ExtensionError, match="An extension matching this name doesn't exist!"):
        handler.unregister_extension("counter")


async def test_a_spamguard_plugin_registers_as_an_extension_too(msg) -> None:
    settings = {"mass_mention": {"per_message": 3, "punishment": "KICK"}}
    handler = AntiSpamHandler(extensions=settings, load_entrypoints=False)
    handler.register_extension(MassMention())
    result = await handler.propagate(msg(mention_ids=(1, 2, 3)))
    assert result["was_kicked"]
    assert [v.check for v in result["plan"].violations] == ["mass_mention"]
    handler.unregister_extension("MassMention")
    result = await handler.propagate(msg(mention_ids=(1, 2, 3), t=1))
    assert result["plan"].violations == ()


async def test_a_plugin_named_like_an_installed_extension_replaces_it_while_registered(
    msg,
) -> None:
    from spamguard.contrib import mass_mention

    handler = AntiSpamHandler(extensions={"mass_mention": {"per_message": 3}})
    pm = handler.guard.plugin_manager
    assert pm.get_plugin("mass_mention") is mass_mention.plugin
    mine = MassMention()
    handler.register_extension(mine)
    assert pm.get_plugin("mass_mention") is mine
    result = await handler.propagate(msg(mention_ids=(1, 2, 3)))
    assert [v.check for v in result["plan"].violations] == ["mass_mention"]
    handler.unregister_extension("massmention")
    assert pm.get_plugin("mass_mention") is mass_mention.plugin


async def test_save_and_load_round_trip_keeps_members_guilds_and_options(spam, msg) -> None:
    handler = AntiSpamHandler(warn_threshold=2, extensions={"message_length": {"max_length": 500}})
    handler.add_custom_guild_options(msg.OTHER_GUILD, message_duplicate_count=3)
    handler.add_ignored_item(777, "role")
    handler.register_extension(Counter())
    await spam(handler, 6)
    await spam(handler, 2, guild_id=msg.OTHER_GUILD)
    saved = json.loads(json.dumps(await handler.save_to_dict()))

    restored = await AntiSpamHandler.load_from_dict(None, saved)
    assert restored.options == handler.options
    assert await restored.get_guild_options(msg.OTHER_GUILD) == await handler.get_guild_options(
        msg.OTHER_GUILD
    )
    assert await restored.get_guild_options(msg.GUILD) == restored.options
    assert restored.extensions == {"message_length": {"max_length": 500}}
    # The member's two warnings survived: the next duplicate kicks.
    [after] = await spam(restored, 1, start=6)
    assert after["was_kicked"]
    assert after["warn_count"] == 2
    # And the other guild's duplicate window survived too.
    [other] = await spam(restored, 1, start=2, guild_id=msg.OTHER_GUILD)
    assert other["was_warned"]


async def test_load_from_dict_raises_on_bad_data_unless_told_not_to() -> None:
    with pytest.raises(KeyError):
        await AntiSpamHandler.load_from_dict(None, {"guilds": []})
    fresh = await AntiSpamHandler.load_from_dict(
        None, {"options": {"warn_threshold": "x"}}, raise_on_exception=False
    )
    assert fresh.options == from_legacy(DEFAULTS)


def test_every_0x_result_key_reads_a_core_payload_field() -> None:
    payload = CorePayload(member_warn_count=2, member_status="Member was warned")
    assert all(key in payload for key in RESULT_KEYS)
    assert (payload["warn_count"], payload["status"], payload.get("nope", 1)) == (
        2,
        "Member was warned",
        1,
    )
    with pytest.raises(KeyError):
        payload["nope"]
