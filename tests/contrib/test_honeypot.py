"""Honeypot channels: any message there from a non-exempt member is punished at once,
through a real guard with ``Message`` values."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from spamguard.contrib.compromised import Compromised
from spamguard.contrib.honeypot import Honeypot
from spamguard.core import (
    Attachment,
    Ban,
    DeleteMessages,
    DirectMessage,
    Guard,
    Kick,
    Policy,
    PolicyError,
    ScheduledAction,
    Timeout,
    Unban,
)

HONEYPOT = 2900


@pytest.fixture
def guard(policy):
    def build(**settings) -> Guard:
        document = policy(extensions={"honeypot": {"channels": [HONEYPOT], **settings}})
        return Guard(document, plugins=[Honeypot()])

    return build


def test_a_message_in_the_honeypot_is_softbanned_purging_a_day(msg, guard) -> None:
    plan = guard().process(msg("hello", channel_id=HONEYPOT))
    [violation] = plan.violations
    assert (violation.check, violation.count, violation.limit) == ("honeypot", 1, 1)
    assert plan.punishment == "SOFTBAN"
    delete, ban = plan.actions
    assert delete == DeleteMessages(
        channel_id=HONEYPOT,
        message_ids=(plan.message_id,),
        guild_id=msg.GUILD,
        reason="spamguard: honeypot channel",
    )
    assert ban == Ban(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        reason="spamguard: honeypot (1/1 in 0s)",
        delete_message_seconds=86_400,
    )
    # The unban is kept only once the ban succeeded, due the moment it completed.
    done = msg.at(1)
    assert plan.undos_of(ban, done) == (
        ScheduledAction(
            done,
            Unban(
                guild_id=msg.GUILD,
                user_id=msg.USER,
                reason="spamguard: softban (messages purged, ban lifted)",
            ),
        ),
    )
    assert plan.undos_of(delete, done) == ()


def test_an_image_only_message_and_a_thread_of_the_honeypot_count(msg, guard) -> None:
    g = guard()
    photo = Attachment(filename="x.png", size=10, content_type="image/png")
    assert g.process(msg("", channel_id=HONEYPOT, attachments=(photo,))).punishment == "SOFTBAN"
    thread = g.process(msg("hi", channel_id=2950, parent_id=HONEYPOT, author_id=msg.OTHER_USER))
    assert thread.punishment == "SOFTBAN"


def test_other_channels_are_left_alone(msg, guard) -> None:
    plan = guard().process(msg("hello", channel_id=msg.CHANNEL))
    assert plan.violations == ()
    assert not plan


@pytest.mark.parametrize(
    ("settings", "kind", "check"),
    [
        ({"punishment": "BAN", "delete_message_seconds": 3600}, Ban, "delete_message_seconds"),
        ({"punishment": "KICK"}, Kick, None),
        ({"punishment": "timeout", "punishment_duration": 600}, Timeout, "until"),
    ],
)
def test_each_punishment_is_carried_with_its_settings(msg, guard, settings, kind, check) -> None:
    plan = guard(**settings).process(msg("hello", channel_id=HONEYPOT, t=0))
    [punished] = [a for a in plan.actions if isinstance(a, kind)]
    assert plan.scheduled == ()
    if check == "delete_message_seconds":
        assert punished.delete_message_seconds == 3600
    elif check == "until":
        assert punished.until == msg.at(600)


@pytest.mark.parametrize(
    "exempt",
    [
        {"author_is_admin": True},
        {"author_is_owner": True},
        {"author_can_manage_messages": True},
        {"author_role_ids": frozenset({77})},
        {"author_is_bot": True},
    ],
)
def test_exempt_members_and_bots_are_never_touched(msg, policy, exempt) -> None:
    g = Guard(
        policy(extensions={"honeypot": {"channels": [HONEYPOT]}}, ignore={"roles": [77]}),
        plugins=[Honeypot()],
    )
    plan = g.process(msg("hello", channel_id=HONEYPOT, **exempt))
    assert plan.skipped_reason is not None
    assert not plan


def test_a_second_message_gets_neither_a_second_punishment_nor_a_second_dm(msg, guard) -> None:
    g = guard(dm=True)
    first = g.process(msg("hello", channel_id=HONEYPOT, t=0, guild_name="Cats"))
    second = g.process(msg("hello?", channel_id=HONEYPOT, t=1, guild_name="Cats"))
    dm = first.actions[0]
    assert isinstance(dm, DirectMessage)
    assert "a channel of Cats" in dm.content
    assert "softban" in dm.content
    assert second.punishment == "NONE"
    assert [a.kind for a in second.actions] == ["delete"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "extensions.honeypot.channels: must list at least one channel id (the honeypot)"),
        (
            {"channels": ["general"]},
            "extensions.honeypot.channels.0: must be a Discord id (a positive integer), "
            "got 'general'",
        ),
        (
            {"channels": [1], "delete_message_seconds": 604_801},
            "extensions.honeypot.delete_message_seconds: must be an integer from 0 to 604800, "
            "got 604801",
        ),
        (
            {"channels": [1], "delete_message_seconds": -1},
            "extensions.honeypot.delete_message_seconds: must be an integer from 0 to 604800, "
            "got -1",
        ),
        (
            {"channels": [1], "punishment": "WARN"},
            "extensions.honeypot.punishment: must be one of SOFTBAN, BAN, KICK, TIMEOUT, "
            "got 'WARN'",
        ),
        (
            {"channels": [1], "punishment": "TIMEOUT", "punishment_duration": 3_000_000},
            "extensions.honeypot.punishment_duration: a TIMEOUT lasts at most Discord's "
            "28 days (2419200 seconds), got 3000000",
        ),
    ],
)
def test_bad_settings_name_the_field(policy, settings, expected) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(policy(extensions={"honeypot": settings}), plugins=[Honeypot()])
    assert str(caught.value).startswith(expected)


def test_enabled_false_switches_it_off(msg, guard) -> None:
    plan = guard(enabled=False).process(msg("hello", channel_id=HONEYPOT))
    assert plan.violations == ()


def test_the_readmes_ready_policy_is_valid_with_both_extensions(msg) -> None:
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## Compromised accounts and honeypots", 1)[1]
    document = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    g = Guard(Policy.from_dict(document), plugins=[Compromised(), Honeypot()])
    honeypot = document["extensions"]["honeypot"]["channels"][0]
    assert g.process(msg("hi", channel_id=honeypot)).punishment == "SOFTBAN"
