"""discord-anti-spam 1.9.1's public API under spamguard.contrib.antispam: the names, the
signatures, Options' defaults, the exceptions and the handler's methods, with 1.9.1's
semantics. No Discord library: ``Library.CUSTOM`` with a library handler that reads
spamguard ``Message`` values and keeps the plans it is given."""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing

import pytest
from support.antispam_lib import KeepingLib, custom_handler

from spamguard.contrib import antispam
from spamguard.contrib.antispam import (
    AntiSpamHandler,
    BasePlugin,
    CorePayload,
    InvocationCancelled,
    Options,
    PluginCache,
    PluginError,
)
from spamguard.contrib.antispam import exceptions as exc
from spamguard.contrib.antispam.caches import MemoryCache, MongoCache, RedisCache
from spamguard.contrib.antispam.dataclasses import Guild, Member, Message
from spamguard.contrib.antispam.enums import IgnoreType, Library, ResetType
from spamguard.contrib.antispam.plugins import AntiSpamTracker
from spamguard.core import DirectMessage, SendMessage, Timeout

LOG_CHANNEL = 4242


def custom(options: Options | None = None) -> tuple[AntiSpamHandler, KeepingLib]:
    return custom_handler(options)


async def spam(handler: AntiSpamHandler, msg, count: int, **fields) -> list[CorePayload]:
    fields.setdefault("content", "buy cheap followers now")
    start = fields.pop("start", 0)
    return [await handler.propagate(msg(t=start + i, **fields)) for i in range(count)]


# -- names and signatures -----------------------------------------------------------------

TOP_LEVEL_1_9_1 = {
    "AntiSpamHandler", "BasePlugin", "CorePayload", "Options", "PluginCache",
    "BaseASHException", "PropagateFailure", "InvocationCancelled", "UnsupportedAction",
    "DuplicateObject", "ObjectMismatch", "InvalidMessage", "LogicError",
    "MissingGuildPermissions", "NotFound", "MemberNotFound", "MemberAddonNotFound",
    "GuildNotFound", "GuildAddonNotFound", "PluginError", "ExistingEntry", "NonExistentEntry",
}  # fmt: skip


def test_every_top_level_name_of_1_9_1_is_there() -> None:
    assert set(dir(antispam)) >= TOP_LEVEL_1_9_1
    assert antispam.__version__ == "1.9.1"


SIGNATURES = {
    "__init__": "(self, bot: 'object' = None, library: 'Library | None' = None, *, options",
    "propagate": "(self, message: 'typing.Any') -> 'CorePayload'",
    "add_ignored_item": "(self, item: 'int', ignore_type: 'IgnoreType') -> 'None'",
    "remove_ignored_item": "(self, item: 'int', ignore_type: 'IgnoreType') -> 'None'",
    "add_guild_options": "(self, guild_id: 'int', options: 'Options') -> 'None'",
    "get_guild_options": "(self, guild_id: 'int') -> 'Options'",
    "get_options": "(self) -> 'Options'",
    "remove_guild_options": "(self, guild_id: 'int') -> 'None'",
    "reset_member_count": "(self, member_id: 'int', guild_id: 'int', reset_type: 'ResetType')",
    "add_guild_log_channel": "(self, log_channel: 'int', guild_id: 'int') -> 'None'",
    "remove_guild_log_channel": "(self, guild_id: 'int') -> 'None'",
    "load_from_dict": "(bot: 'object', data: 'Mapping[str, typing.Any]', library: 'Library | None' = None, *, raise_on_exception: 'bool' = True, plugins",
    "save_to_dict": "(self) -> 'dict[str, typing.Any]'",
    "register_plugin": "(self, plugin: 'object', force_overwrite: 'bool' = False) -> 'None'",
    "unregister_plugin": "(self, plugin_name: 'str') -> 'None'",
    "clean_cache": "(self, strict: 'bool' = False) -> 'None'",
    "visualize": "(self, content: 'str', message: 'typing.Any', warn_count: 'int' = 1, kick_count: 'int' = 2)",
    "set_cache": "(self, cache: 'Cache') -> 'None'",
    "init": "(self) -> 'None'",
}
COROUTINES = {
    "propagate", "add_guild_options", "get_guild_options", "get_options",
    "remove_guild_options", "reset_member_count", "add_guild_log_channel",
    "remove_guild_log_channel", "load_from_dict", "save_to_dict", "clean_cache", "visualize",
    "init",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_handlers_methods_have_1_9_1s_parameters_and_kind(name: str) -> None:
    method = getattr(AntiSpamHandler, name)
    assert str(inspect.signature(method)).startswith(SIGNATURES[name])
    assert inspect.iscoroutinefunction(method) == (name in COROUTINES)


def test_the_enums_have_1_9_1s_members_and_values() -> None:
    assert {m.name: m.value for m in Library} == {
        "DPY": 1, "HIKARI": 2, "ENHANCED_DPY": 4, "DISNAKE": 5, "NEXTCORD": 6, "PYCORD": 7,
        "CUSTOM": 8,
    }  # fmt: skip
    assert [(m.name, m.value) for m in IgnoreType][:4] == [
        ("MEMBER", 0), ("CHANNEL", 1), ("GUILD", 2), ("ROLE", 3),
    ]  # fmt: skip
    assert [(m.name, m.value) for m in ResetType] == [("WARN_COUNTER", 0), ("KICK_COUNTER", 1)]


def test_the_exceptions_keep_1_9_1s_hierarchy_and_messages() -> None:
    assert issubclass(exc.MemberNotFound, exc.NotFound)
    assert issubclass(exc.GuildAddonNotFound, exc.GuildNotFound)
    assert issubclass(exc.MemberAddonNotFound, exc.NotFound)
    assert all(
        issubclass(getattr(exc, name), exc.BaseASHException)
        for name in exc.__all__
        if name != "BaseASHException"
    )
    assert (
        str(exc.ExistingEntry()) == "An entry was already found in the timed cache with this key."
    )
    assert exc.PropagateFailure(data={"status": "x"}).data == {"status": "x"}
    # 0.x's names are the same classes.
    assert exc.ExtensionError is exc.PluginError
    assert exc.UserNotFound is exc.MemberNotFound


def test_options_have_1_9_1s_defaults() -> None:
    options = Options()
    assert (options.warn_threshold, options.kick_threshold, options.ban_threshold) == (3, 2, 2)
    assert (options.message_interval, options.message_duplicate_count) == (30000, 5)
    assert options.message_duplicate_accuracy == 90
    assert options.use_timeouts is True
    assert options.delete_spam is False
    assert options.ignored_members == set()
    assert options.member_warn_message == (
        "Hey $MENTIONMEMBER, please stop spamming/sending duplicate messages."
    )
    assert options.guild_log_timeout_message == (
        "$MEMBERNAME was timed out for spamming/sending duplicate messages."
    )
    assert Options(ignored_members=[1, 2]).ignored_members == {1, 2}
    assert Options() == Options()


@pytest.mark.parametrize(
    ("fields", "error", "named"),
    [
        ({"warn_threshold": "3"}, TypeError, "'warn_threshold'"),
        ({"no_punish": 1}, TypeError, "'no_punish'"),
        ({"member_warn_message": 5}, TypeError, "'member_warn_message'"),
        ({"ignored_members": 5}, TypeError, "'ignored_members'"),
        ({"delete_zero_width_chars": False}, exc.UnsupportedOption, "delete_zero_width_chars"),
        ({"is_per_channel_per_guild": True}, exc.UnsupportedOption, "is_per_channel_per_guild"),
        ({"mention_on_embed": False}, exc.UnsupportedOption, "mention_on_embed"),
    ],
)
def test_bad_or_unsupported_options_raise_naming_the_option(fields, error, named) -> None:
    with pytest.raises(error, match=named):
        Options(**fields)
    with pytest.raises(TypeError):
        Options(**fields)  # UnsupportedOption is a TypeError too


def test_an_unsupported_value_set_later_is_refused_at_the_next_decision(msg) -> None:
    handler, _ = custom()
    handler.options.delete_zero_width_chars = False
    with pytest.raises(exc.UnsupportedOption, match="delete_zero_width_chars"):
        handler._rebuild()


@pytest.mark.parametrize("library", ["dpy", 1, Library])
def test_an_unknown_library_is_refused_as_1_9_1_refuses_it(library) -> None:
    with pytest.raises(exc.UnsupportedAction, match="You must set a library for usage"):
        AntiSpamHandler(None, library)


@pytest.mark.parametrize("library", [Library.PYCORD, Library.ENHANCED_DPY])
def test_libraries_without_a_spamguard_adapter_are_refused(library) -> None:
    with pytest.raises(exc.UnsupportedAction):
        AntiSpamHandler(None, library)


async def test_custom_needs_a_library_handler_before_use(msg) -> None:
    handler = AntiSpamHandler(None, Library.CUSTOM)
    with pytest.raises(exc.UnsupportedAction, match="lib_handler needs to be set before usage"):
        await handler.propagate(msg())


def test_options_must_be_an_options_object_or_0x_keywords() -> None:
    with pytest.raises(ValueError, match="Expected `option`s of type `Option`"):
        AntiSpamHandler(None, Library.CUSTOM, options=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="either as Options or as keyword options"):
        AntiSpamHandler(None, Library.CUSTOM, options=Options(), warn_threshold=2)


def test_redis_and_mongo_caches_do_not_carry_over_and_say_what_to_use() -> None:
    with pytest.raises(exc.UnsupportedOption, match="RedisStore"):
        RedisCache()
    with pytest.raises(exc.UnsupportedOption, match="save_to_dict"):
        MongoCache("mongodb://x")
    handler, _ = custom()
    with pytest.raises(ValueError, match="Expected `cache` that inherits from the `Cache`"):
        handler.set_cache(object())  # type: ignore[arg-type]
    handler.set_cache(MemoryCache(handler))


# -- the handler's decisions, 1.9.1's way ----------------------------------------------------


async def test_by_default_members_are_timed_out_five_twenty_then_fortyfive_minutes(msg) -> None:
    handler, lib = custom()
    results = await spam(handler, msg, 7)
    assert [r.member_should_be_punished_this_message for r in results] == [False] * 4 + [True] * 3
    assert [r.member_status for r in results[4:]] == ["Member was timed out"] * 3
    assert all(r.member_was_timed_out and not r.member_was_warned for r in results[4:])
    timeouts = [a for p in lib.plans for a in p.actions if isinstance(a, Timeout)]
    at = [msg.at(4), msg.at(5), msg.at(6)]
    assert [(t.until - start).total_seconds() for t, start in zip(timeouts, at, strict=True)] == [
        300.0,
        1200.0,
        2700.0,
    ]
    # The member is told first; without a log channel nothing else is posted.
    first = lib.plans[0].actions
    assert isinstance(first[0], DirectMessage)
    assert "you are being timed out from" in first[0].content
    assert not any(isinstance(a, SendMessage) for a in first)


async def test_guild_log_messages_go_to_the_log_channel(msg) -> None:
    handler, lib = custom(Options(use_timeouts=False))
    await handler.add_guild_log_channel(LOG_CHANNEL, msg.GUILD)
    [*_, warned] = await spam(handler, msg, 5)
    assert warned.member_was_warned and warned.member_status == "Member was warned"
    sends = [a for a in lib.plans[-1].actions if isinstance(a, SendMessage)]
    assert [(s.channel_id, s.content.split(",")[0]) for s in sends] == [
        (msg.CHANNEL, f"Hey <@{msg.USER}>"),
        (LOG_CHANNEL, f"{sends[1].content}"),
    ]
    assert sends[1].content.endswith("was warned for spamming/sending duplicate messages.")
    await handler.remove_guild_log_channel(msg.GUILD)
    await spam(handler, msg, 1, start=5)
    assert [a.channel_id for a in lib.plans[-1].actions if isinstance(a, SendMessage)] == [
        msg.CHANNEL
    ]


async def test_kicks_tell_the_member_then_log(msg) -> None:
    handler, lib = custom(Options(use_timeouts=False, kick_threshold=1))
    await handler.add_guild_log_channel(LOG_CHANNEL, msg.GUILD)
    results = await spam(handler, msg, 6)
    assert results[-1].member_was_kicked
    assert (results[-1].member_warn_count, results[-1].member_kick_count) == (1, 1)
    kinds = [type(a).__name__ for a in lib.plans[-1].actions]
    assert kinds[:3] == ["DirectMessage", "Kick", "SendMessage"]
    failed = lib.plans[-1].on_failure
    assert [type(a).__name__ for a in failed] == ["SendMessage", "DirectMessage"]
    assert failed[0].content == f"An error occurred trying to kick: <@{msg.USER}>"


async def test_no_punish_reports_1_9_1s_status_and_carries_nothing_out(msg) -> None:
    handler, lib = custom(Options(no_punish=True))
    [*_, last] = await spam(handler, msg, 5)
    assert last.member_should_be_punished_this_message
    assert last.member_status == (
        "Member should be punished, however, was not due to no_punish being True"
    )
    assert lib.plans == []


async def test_ignored_messages_say_why_in_1_9_1s_words(msg) -> None:
    handler, _ = custom()
    handler.add_ignored_item(msg.USER, IgnoreType.MEMBER)
    [result] = await spam(handler, msg, 1)
    assert result["status"] == result.member_status == f"Ignoring this member: {msg.USER}"
    assert result.plan is None
    handler.remove_ignored_item(msg.USER, IgnoreType.MEMBER)
    [bot] = await spam(handler, msg, 1, start=1, author_is_bot=True)
    assert bot.member_status == "Ignoring messages from bots"


def test_a_string_ignore_type_of_no_0x_name_raises_1_9_1s_value_error() -> None:
    handler, _ = custom()
    with pytest.raises(ValueError, match="Expected `ignore_type` to be of type IgnoreType"):
        handler.add_ignored_item(1, "planet")  # type: ignore[arg-type]
    handler.add_ignored_item(1, "member")  # type: ignore[arg-type]  # 0.x's name, an alias
    assert handler.options.ignored_members == {1}


async def test_options_edited_in_place_apply_to_the_next_message(msg) -> None:
    handler, _ = custom()
    handler.options.ignored_channels.add(msg.CHANNEL)
    [result] = await spam(handler, msg, 1)
    assert result.member_status == f"Ignoring this channel: {msg.CHANNEL}"
    handler.options.message_duplicate_count = 2
    handler.options.ignored_channels.clear()
    results = await spam(handler, msg, 2, start=1)
    assert results[-1].member_should_be_punished_this_message


async def test_guild_options_are_copies_and_can_be_removed(msg) -> None:
    handler, _ = custom()
    with pytest.raises(exc.GuildNotFound):
        await handler.get_guild_options(msg.GUILD)
    mine = await handler.get_options()
    mine.message_duplicate_count = 2
    assert handler.options.message_duplicate_count == 5
    await handler.add_guild_options(msg.GUILD, mine)
    mine.message_duplicate_count = 9
    assert (await handler.get_guild_options(msg.GUILD)).message_duplicate_count == 2
    assert (await spam(handler, msg, 2))[-1].member_should_be_punished_this_message
    await handler.remove_guild_options(msg.GUILD)
    await handler.remove_guild_options(999)
    assert await handler.get_guild_options(msg.GUILD) == handler.options
    with pytest.raises(ValueError, match="Expected options of type Options"):
        await handler.add_guild_options(msg.GUILD, {"warn_threshold": 1})  # type: ignore[arg-type]


async def test_reset_member_count_takes_a_reset_type_only(msg) -> None:
    handler, _ = custom(Options(use_timeouts=False))
    await spam(handler, msg, 6)
    await handler.reset_member_count(msg.USER, msg.GUILD, ResetType.WARN_COUNTER)
    [after] = await spam(handler, msg, 1, start=6)
    assert (after.member_was_warned, after.member_warn_count) == (True, 1)
    with pytest.raises(ValueError, match="Expected reset_type of type ResetType"):
        await handler.reset_member_count(msg.USER, msg.GUILD, "warn_counter")  # type: ignore[arg-type]


async def test_add_guild_log_channel_wants_an_int() -> None:
    handler, _ = custom()
    with pytest.raises(ValueError, match="Expected log_channel with correct type"):
        await handler.add_guild_log_channel("123", 1)  # type: ignore[arg-type]


# -- plugins, 1.9.1's protocol -----------------------------------------------------------------


class Gate(BasePlugin):
    def __init__(self) -> None:
        super().__init__(is_pre_invoke=True)
        self.closed = False

    async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> dict:
        assert data is None
        return {"cancel_next_invocation": self.closed}


class Seen(BasePlugin):
    def __init__(self) -> None:
        super().__init__(is_pre_invoke=False)
        self.payloads: list[CorePayload] = []

    async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> str:
        assert isinstance(data, CorePayload)
        self.payloads.append(data)
        return "seen"


async def test_pre_and_after_invoke_plugins_run_as_in_1_9_1(msg) -> None:
    handler, _ = custom()
    gate, seen = Gate(), Seen()
    handler.register_plugin(gate)
    handler.register_plugin(seen)
    assert set(handler.pre_invoke_plugins) == {"gate"}
    assert set(handler.after_invoke_plugins) == {"seen"}
    [result] = await spam(handler, msg, 1)
    assert result.pre_invoke_extensions == {"Gate": {"cancel_next_invocation": False}}
    assert result.after_invoke_extensions == {"Seen": "seen"}
    assert seen.payloads == [result]
    gate.closed = True
    with pytest.raises(InvocationCancelled):
        await spam(handler, msg, 1, start=1)
    seen.blacklisted_guilds.add(msg.GUILD)
    gate.closed = False
    [quiet] = await spam(handler, msg, 1, start=2)
    assert quiet.after_invoke_extensions == {}
    with pytest.raises(PluginError):
        handler.register_plugin(Seen())
    handler.unregister_plugin("Seen")
    with pytest.raises(PluginError):
        handler.unregister_plugin("seen")


async def test_the_tracker_counts_punishable_payloads(msg) -> None:
    handler, lib = custom(Options(no_punish=True, message_duplicate_count=3))
    tracker = AntiSpamTracker(handler, 2)
    handler.register_plugin(tracker)
    await spam(handler, msg, 4)
    last = msg(t=4, content="buy cheap followers now")
    assert await tracker.get_member_count(last) == 2
    assert await tracker.is_spamming(last)
    await tracker.remove_punishments(last)
    assert not await tracker.is_spamming(last)
    assert lib.plans == []


async def test_plugin_cache_stores_per_member_and_guild(msg) -> None:
    handler, _ = custom()
    cache = PluginCache(handler, Seen())
    with pytest.raises(exc.GuildNotFound):
        await cache.get_member_data(1, 2)
    await cache.set_member_data(1, 2, {"n": 1})
    assert await cache.get_member_data(1, 2) == {"n": 1}
    with pytest.raises(exc.MemberNotFound):
        await cache.get_member_data(5, 2)
    with pytest.raises(exc.GuildAddonNotFound):
        await cache.get_guild_data(2)
    await cache.set_guild_data(2, [1])
    assert await cache.get_guild_data(2) == [1]
    other = PluginCache(handler, Gate())
    with pytest.raises(exc.MemberAddonNotFound):
        await other.get_member_data(1, 2)
    assert isinstance(await handler.cache.get_guild(2), Guild)
    assert isinstance(await handler.cache.get_member(1, 2), Member)
    await handler.clean_cache()
    assert await cache.get_member_data(1, 2) == {"n": 1}
    await handler.clean_cache(strict=True)
    with pytest.raises(exc.MemberNotFound):
        await cache.get_member_data(1, 2)


async def test_state_round_trips_through_json_with_options_and_log_channels(msg) -> None:
    handler, _ = custom(Options(use_timeouts=False, ignored_roles={7}))
    await handler.add_guild_log_channel(LOG_CHANNEL, msg.GUILD)
    await handler.add_guild_options(msg.OTHER_GUILD, Options(message_duplicate_count=2))
    await spam(handler, msg, 6)
    saved = json.loads(json.dumps(await handler.save_to_dict()))
    restored = await AntiSpamHandler.load_from_dict(None, saved, Library.CUSTOM)
    restored.lib_handler = KeepingLib()
    assert restored.options == handler.options
    assert (await restored.get_guild_options(msg.OTHER_GUILD)).message_duplicate_count == 2
    [after] = await spam(restored, msg, 1, start=6)
    assert (after.member_was_kicked, after.member_warn_count) == (True, 2)
    sends = [a for a in restored.lib_handler.plans[-1].actions if isinstance(a, SendMessage)]
    assert [s.channel_id for s in sends] == [LOG_CHANNEL]


async def test_visualize_renders_a_template_for_a_message(msg) -> None:
    handler, _ = custom()
    text = await handler.visualize("$MENTIONMEMBER has $WARNCOUNT warns", msg())
    assert text == f"<@{msg.USER}> has 1 warns"
    embed = await handler.visualize("{'title': '$KICKCOUNT kicks'}", msg())
    assert embed == {"title": "2 kicks"}


def test_the_cache_records_have_1_9_1s_fields() -> None:
    assert [f.name for f in dataclasses.fields(Message)] == [
        "id", "channel_id", "guild_id", "author_id", "content", "creation_time", "is_duplicate",
    ]  # fmt: skip
    assert Member(id=1, guild_id=2).duplicate_counter == 1
    assert Guild(id=1).options == Options()
