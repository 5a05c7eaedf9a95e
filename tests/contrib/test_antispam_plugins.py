"""discord-anti-spam 1.9.1's plugins under spamguard.contrib.antispam.plugins, registered on
a handler and driven with spamguard ``Message`` values (``Library.CUSTOM``)."""

from __future__ import annotations

import json
import typing

import pytest
from support.antispam_lib import KeepingLib, custom_handler

from spamguard.contrib.antispam import AntiSpamHandler, InvocationCancelled, Options
from spamguard.contrib.antispam.dataclasses import CorePayload, Member
from spamguard.contrib.antispam.enums import Library
from spamguard.contrib.antispam.plugins import (
    AdminLogs,
    AntiMassMention,
    MassMentionPunishment,
    MaxMessageLimiter,
    Stats,
)
from spamguard.core import SendMessage, Timeout

if typing.TYPE_CHECKING:
    import pathlib


def custom(**options: typing.Any) -> tuple[AntiSpamHandler, KeepingLib]:
    return custom_handler(Options(**options))


async def test_stats_counts_calls_messages_and_punishments(msg) -> None:
    handler, _ = custom(no_punish=True)
    stats = Stats(handler)
    handler.register_plugin(stats)
    for t in range(6):
        await handler.propagate(msg(t=t, content="same old spam"))
    data = stats.data
    assert data["propagate_calls"] == 6
    assert data["after_invoke_calls"] == {"stats": {"calls": 6}}
    assert data["guilds"][msg.GUILD] == {"calls": 6, "total_messages_punished": 2}
    assert data["members"][msg.USER] == {"calls": 6, "times_punished": 2}
    saved = await handler.save_to_dict()
    restored = await AntiSpamHandler.load_from_dict(
        None, json.loads(json.dumps(saved)), Library.CUSTOM, plugins={Stats}
    )
    assert restored.after_invoke_plugins["stats"].data["propagate_calls"] == 6


async def test_stats_counts_the_messages_a_pre_invoke_plugin_cancelled(msg) -> None:
    from spamguard.contrib.antispam import BasePlugin

    class Closed(BasePlugin):
        async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> dict:
            return {"cancel_next_invocation": True}

    handler, _ = custom()
    stats = Stats(handler)
    handler.register_plugin(stats)
    handler.register_plugin(Closed())
    with pytest.raises(InvocationCancelled):
        await handler.propagate(msg())
    assert stats.data["pre_invoke_calls"]["Closed"] == {"cancel_next_invocation_calls": 1}


async def test_anti_mass_mention_reports_one_message_then_a_period(msg) -> None:
    handler, lib = custom()
    plugin = AntiMassMention(None, handler, total_mentions_before_punishment=6)
    handler.register_plugin(plugin)
    one = await handler.propagate(msg(t=0, content="hi all", mention_ids=(1, 2, 3, 4, 5)))
    punishment = one.pre_invoke_extensions["AntiMassMention"]
    assert punishment == MassMentionPunishment(
        member_id=msg.USER, guild_id=msg.GUILD, channel_id=msg.CHANNEL, is_overall_punishment=False
    )
    calm = await handler.propagate(msg(t=1, content="and you", mention_ids=()))
    assert calm.pre_invoke_extensions["AntiMassMention"] == {"action": "No action taken"}
    again = await handler.propagate(msg(t=2, content="you two", mention_ids=(6,)))
    assert again.pre_invoke_extensions["AntiMassMention"].is_overall_punishment
    # After the period the earlier mentions no longer count.
    later = await handler.propagate(msg(t=40, content="you", mention_ids=(7,)))
    assert later.pre_invoke_extensions["AntiMassMention"] == {"action": "No action taken"}
    assert lib.plans == []  # it reports; it punishes nobody


def test_anti_mass_mention_refuses_1_9_1s_bad_arguments() -> None:
    handler, _ = custom()
    with pytest.raises(ValueError, match="min_mentions_per_message"):
        AntiMassMention(None, handler, total_mentions_before_punishment=2)
    with pytest.raises(ValueError, match="time_period"):
        AntiMassMention(None, handler, time_period=0)


async def test_max_message_limiter_times_out_at_the_cap_per_channel(msg) -> None:
    handler, lib = custom()
    limiter = MaxMessageLimiter(handler, hard_cap=3, message_interval=10000)
    handler.register_plugin(limiter)
    words = ["one", "two", "three", "four"]
    results = [await handler.propagate(msg(t=t, content=word)) for t, word in enumerate(words[:2])]
    other = await handler.propagate(msg(t=2, content="elsewhere", channel_id=msg.CHANNEL + 1))
    capped = await handler.propagate(msg(t=3, content=words[2]))
    assert [r.after_invoke_extensions["MaxMessageLimiter"] for r in results] == [
        "Under hard cap",
        "Under hard cap",
    ]
    assert other.after_invoke_extensions["MaxMessageLimiter"] == "Under hard cap"
    assert capped.after_invoke_extensions["MaxMessageLimiter"] is None
    [timeout] = [a for p in lib.plans for a in p.actions if isinstance(a, Timeout)]
    assert (timeout.user_id, (timeout.until - msg.at(3)).total_seconds()) == (msg.USER, 300.0)


async def test_max_message_limiters_punishment_can_be_overridden(msg) -> None:
    punished: list[Member] = []

    class Gentle(MaxMessageLimiter):
        async def do_punishment(self, member: Member, message: typing.Any) -> None:
            punished.append(member)

    handler, lib = custom()
    handler.register_plugin(Gentle(handler, hard_cap=2))
    for t, word in enumerate(["a", "b"]):
        await handler.propagate(msg(t=t, content=word))
    assert punished == [Member(id=msg.USER, guild_id=msg.GUILD)]
    assert lib.plans == []


async def test_admin_logs_writes_transcripts_and_posts_them_in_the_log_channel(
    msg, tmp_path: pathlib.Path
) -> None:
    handler, lib = custom(use_timeouts=False)
    await handler.add_guild_log_channel(77, msg.GUILD)
    handler.register_plugin(AdminLogs(handler, str(tmp_path)))
    for t in range(5):
        await handler.propagate(msg(t=t, content="the same spam again"))
    await handler.propagate(msg(t=5, content="something else"))
    [file] = (tmp_path / str(msg.GUILD) / str(msg.USER) / "warn").iterdir()
    assert file.name == "1.txt"
    text = file.read_text(encoding="utf-8")
    assert text.startswith(f"Author id: {msg.USER}\n-----\nGuild id: {msg.GUILD}\n")
    assert "Punishment type: Warn" in text
    assert text.count("| the same spam again") == 5
    assert "something else" not in text
    posted = [a for p in lib.plans for a in p.actions if isinstance(a, SendMessage)]
    log = [p for p in posted if p.content.startswith("Punishment logs")]
    assert [p.channel_id for p in log] == [77]
    assert f"Punishment logs for a __Warn__ on <@{msg.USER}>(`{msg.USER}`)" in log[0].content


async def test_admin_logs_without_a_log_channel_saves_only_when_told(msg, tmp_path) -> None:
    handler, lib = custom(no_punish=True)
    handler.register_plugin(AdminLogs(handler, str(tmp_path), punishment_type=lambda m, d: "mute"))
    for t in range(5):
        await handler.propagate(msg(t=t, content="spam spam"))
    assert [p.name for p in (tmp_path / str(msg.GUILD) / str(msg.USER)).iterdir()] == ["mute"]
    assert lib.plans == []
    quiet, _ = custom(no_punish=True)
    quiet.register_plugin(AdminLogs(quiet, str(tmp_path / "q"), save_all_transcripts=False))
    for t in range(5):
        await quiet.propagate(msg(t=t, content="spam spam"))
    assert not (tmp_path / "q").exists()
