"""The simulator: ids, clock, members and a real guard deciding in time order."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from spamguard.core import Attachment, Policy, snowflake_time
from spamguard.core.message_parts import MessageParts
from spamguard.testing import (
    DEFAULT_START,
    LogRecord,
    Simulation,
    SimulationError,
    parse_line,
)

FLOOD_POLICY = {
    "spam": {
        "levels": {
            0: {
                "punishment": "TEMPMUTE",
                "punishment_duration": 60,
                "clean": True,
                "max_messages": {"count": 5, "interval": 5},
                "max_links": {"count": 3, "interval": 30},
            }
        }
    }
}


def test_messages_get_unique_snowflakes_whose_time_is_their_created_at() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member(name="alice")
    first = alice.says("one", at=1.5)
    second = alice.says("two", at=1.5)
    assert first.id != second.id
    assert first.created_at == DEFAULT_START + datetime.timedelta(seconds=1.5)
    assert snowflake_time(first.id) == first.created_at
    assert first.author_id == alice.id and first.author_name == "alice"


def test_says_without_a_time_comes_gap_seconds_after_the_latest_message() -> None:
    sim = Simulation(FLOOD_POLICY, gap=2.0)
    bob = sim.member()
    a = bob.says("a", at=10)
    b = bob.says("b")
    c = bob.says("c", after=0.25)
    sim.wait(30)
    d = bob.says("d")
    offsets = [(m.created_at - DEFAULT_START).total_seconds() for m in (a, b, c, d)]
    assert offsets == [10.0, 12.0, 12.25, 44.25]


def test_run_decides_queued_messages_in_time_order_not_queue_order() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member(name="alice")
    late = alice.says("late", at=5)
    early = alice.says("early", at=1)
    result = sim.run()
    assert [step.message.id for step in result.steps] == [early.id, late.id]
    assert [step.at for step in result.steps] == [1.0, 5.0]
    assert len(result) == 2 and result[0].message_id == early.id


def test_a_flood_is_punished_once_and_every_flood_message_cleaned() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member(name="alice")
    bob = sim.member(name="bob")
    flood = alice.spams("hi", times=7, every=0.5, at=0)
    bob.says("hello alice", at=1.2)
    result = sim.run()
    assert result.punishments(alice) == ["TEMPMUTE"]
    assert result.punished == {alice.id}
    assert result.deleted == {m.id for m in flood}
    assert result.fired() == {"max_messages": 3}
    assert [a.kind for a in result.plan_for(flood[4]).actions] == ["delete", "timeout"]


def test_members_carry_their_roles_and_exemptions_into_messages() -> None:
    sim = Simulation(FLOOD_POLICY)
    mod = sim.member(name="mod", roles=[42], manage_messages=True)
    bot = sim.member(name="bot", bot=True)
    message = mod.says("hi")
    bot.says("beep")
    result = sim.run()
    assert message.author_role_ids == frozenset({42})
    assert [str(p.skipped_reason) for p in result] == ["manage_messages", "bot"]


def test_channels_threads_and_guilds_are_separate_places() -> None:
    sim = Simulation(FLOOD_POLICY)
    memes = sim.channel("memes", category=77)
    thread = sim.default_guild.channel("clips", parent=memes)
    other = sim.guild("other")
    stranger = other.member(name="stranger")
    alice = sim.member(name="alice")
    in_thread = alice.says("look", channel=thread)
    elsewhere = stranger.says("hi")
    assert (in_thread.parent_id, in_thread.category_id) == (memes.id, 77)
    assert elsewhere.guild_id == other.id != in_thread.guild_id
    with pytest.raises(SimulationError, match="belongs to guild"):
        stranger.says("hi", channel=memes)


def test_mentions_accept_members_and_ids_and_count_toward_max_mentions() -> None:
    sim = Simulation(
        {
            "spam": {
                "levels": {0: {"punishment": "KICK", "max_mentions": {"count": 3, "interval": 10}}}
            }
        }
    )
    alice, bob = sim.member(name="alice"), sim.member(name="bob")
    alice.says("hey", mentions=[bob, 5, 6])
    result = sim.run()
    assert result.steps[0].message.mention_ids == (bob.id, 5, 6)
    assert [a.kind for a in result.actions()] == ["kick"]


def test_an_edit_keeps_the_id_and_replaces_the_contribution() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member(name="alice")
    original = alice.says("see https://a.example https://b.example", at=0)
    alice.edits(original, "nothing to see", at=1)
    alice.says("https://c.example https://d.example", at=2)
    result = sim.run()
    assert result.steps[1].edit and result.steps[1].message.id == original.id
    # Without the edit the window would hold 4 links against a limit of 3.
    assert result.violations("max_links") == []
    assert sim.explain(result.steps[2].message).measures[1].count == 2


def test_run_until_leaves_later_messages_queued_and_reports_due_unbans() -> None:
    policy = {
        "spam": {
            "levels": {
                0: {
                    "punishment": "TEMPBAN",
                    "punishment_duration": 30,
                    "max_messages": {"count": 2, "interval": 5},
                }
            }
        }
    }
    sim = Simulation(policy)
    alice = sim.member(name="alice")
    alice.spams("x", times=2, every=1, at=0)
    alice.says("later", at=100)
    first = sim.run(until=50)
    assert len(first) == 2 and sim.pending == 1
    assert [(at, item.action.kind) for at, item in first.due] == [(31.0, "unban")]
    assert len(sim.run()) == 1
    assert len(sim.history) == 3


def test_queueing_a_message_before_what_run_decided_is_refused() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member()
    alice.says("x", at=10)
    sim.run()
    with pytest.raises(SimulationError, match="already decided"):
        alice.says("too late", at=5)
    with pytest.raises(SimulationError, match="not both"):
        alice.says("x", at=20, after=1)


def test_feed_takes_log_records_and_their_decision_time() -> None:
    sim = Simulation(FLOOD_POLICY, start=datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC))
    lines = [
        '{"id": 10, "guild_id": 1, "channel_id": 2, "author_id": 3, "content": "a", "created_at": "2024-05-01T12:00:01Z"}',
        '{"id": 10, "guild_id": 1, "channel_id": 2, "author_id": 3, "content": "b", '
        '"created_at": "2024-05-01T12:00:01Z", "edited_at": "2024-05-01T12:00:04Z"}',
    ]
    records = [parse_line(text, n) for n, text in enumerate(lines, 1)]
    assert all(isinstance(r, LogRecord) for r in records)
    assert sim.feed(r for r in records if r is not None) == 2
    result = sim.run()
    assert [s.at for s in result.steps] == [1.0, 4.0]
    assert result.steps[1].edit


def test_a_simulation_accepts_a_policy_object_a_path_or_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("spam: {levels: {0: {max_messages: {count: 2, interval: 5}}}}\n")
    assert Simulation(path).policy.base.levels[0][1].checks[0].count == 2
    assert Simulation(str(path)).policy.base.levels[0][1].checks[0].count == 2
    assert Simulation().policy == Policy.default()
    policy = Policy.from_dict(FLOOD_POLICY)
    assert Simulation(policy).policy is policy


def test_plugins_take_part_like_in_a_real_guard() -> None:
    from spamguard.core import Violation, hookimpl

    class ShoutCheck:
        @hookimpl
        def spamguard_check_message(self, message, context):  # type: ignore[no-untyped-def]
            if message.content.isupper():
                return [
                    Violation(
                        check="shouting",
                        count=1,
                        limit=1,
                        interval=0.0,
                        message_ids=(message.id,),
                        punishment="WARN",
                    )
                ]
            return []

    sim = Simulation(FLOOD_POLICY, plugins=[ShoutCheck()])
    alice = sim.member(name="alice")
    alice.says("quiet", at=0)
    alice.says("LOUD", at=1)
    result = sim.run()
    assert result.fired() == {"shouting": 1}
    assert result.punishments(alice) == ["WARN"]


def test_a_member_says_and_edits_through_the_simulations_public_say_and_edit() -> None:
    sim = Simulation(FLOOD_POLICY)
    alice = sim.member(name="alice")
    general = sim.general_channel(sim.default_guild)
    assert general is alice.guild.general
    assert sim.names[general.id] == "#general"
    said = sim.say(
        alice,
        "hello",
        at=2,
        after=None,
        channel=None,
        mentions=(),
        role_mentions=(),
        everyone=False,
        attachments=0,
        stickers=0,
        embeds=0,
    )
    edited = sim.edit(alice, said, "hello again", at=3, after=None)
    assert (said.channel_id, said.author_id) == (general.id, alice.id)
    assert (edited.id, edited.content) == (said.id, "hello again")
    steps = sim.run().steps
    assert [(s.message.content, s.edit, s.at) for s in steps] == [
        ("hello", False, 2.0),
        ("hello again", True, 3.0),
    ]
    assert sim.small_id() not in {alice.id, general.id, alice.guild.id}


def test_the_clock_places_messages_and_refuses_a_time_a_run_decided() -> None:
    from spamguard.testing.clock import SimClock

    clock = SimClock(DEFAULT_START, 1.5)
    assert clock.place(None, None) == 1.5
    assert clock.place(10, None) == 10.0
    assert clock.place(None, 0.25) == 10.25
    assert clock.place(DEFAULT_START + datetime.timedelta(seconds=4), None) == 4.0
    assert clock.latest == 10.25
    clock.decided(20)
    assert (clock.decided_until, clock.latest) == (20, 20)
    with pytest.raises(SimulationError, match="which run\\(\\) already decided"):
        clock.place(19, None)
    with pytest.raises(SimulationError, match="not both"):
        clock.place(30, 1)
    with pytest.raises(SimulationError, match="timezone-aware"):
        clock.place(datetime.datetime(2024, 1, 1), None)
    assert clock.time_of(1.5) == DEFAULT_START + datetime.timedelta(seconds=1.5)


def test_a_member_says_attachments_stickers_and_forwards_with_their_values() -> None:
    sim = Simulation(FLOOD_POLICY)
    eve = sim.member(name="eve")
    gift = Attachment(filename="gift.png", size=500, content_type="image/png", width=64, height=64)
    own = Attachment(filename="own.jpg", size=80)
    forward = MessageParts(content="free nitro", attachments=(gift,), sticker_ids=(9,))

    message = eve.says("look", attachments=[own], stickers=[8], forwards=forward)

    assert message.content == "look\nfree nitro"
    assert message.attachments == (own, gift)
    assert (message.attachment_count, message.sticker_ids, message.sticker_count) == (2, (8, 9), 2)
    assert message.forwarded is True
    assert eve.says("", forwards="claim now").content == "claim now"
    counted = eve.says("x", attachments=3, stickers=2)
    assert (counted.attachments, counted.attachment_count, counted.sticker_count) == ((), 3, 2)
