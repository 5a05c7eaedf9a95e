"""Compromised accounts: one member spraying the same content over channels, through a real
guard with ``Message`` values."""

from __future__ import annotations

import json

import pytest

from spamguard.contrib.compromised import Compromised, attachment_signature
from spamguard.core import (
    Attachment,
    Ban,
    DeleteMessages,
    DirectMessage,
    Guard,
    PolicyError,
    Timeout,
    get_plugin_manager,
)

SCAM = "Free $50 gift for everyone, claim it here: https://gift-claims.example/now"
PHOTO = Attachment(
    filename="gift.png", size=48_213, content_type="image/png", width=800, height=600
)
OTHER = Attachment(
    filename="gift2.png", size=51_002, content_type="image/png", width=800, height=600
)
CHANNELS = (2001, 2002, 2003, 2004)


def deletes(plan) -> dict[int, set[int]]:
    """Channel -> ids the plan deletes there."""
    out: dict[int, set[int]] = {}
    for action in plan.actions:
        if isinstance(action, DeleteMessages):
            out.setdefault(action.channel_id, set()).update(action.message_ids)
    return out


@pytest.fixture
def guard(policy):
    def build(**settings) -> Guard:
        return Guard(policy(extensions={"compromised": settings}), plugins=[Compromised()])

    return build


def spray(guard, msg, content=SCAM, *, channels=CHANNELS[:3], step=2.0, **fields):
    return [
        guard.process(msg(content, channel_id=channel, t=index * step, **fields))
        for index, channel in enumerate(channels)
    ]


def test_the_same_text_in_three_channels_times_out_for_a_day_and_deletes_every_copy(
    msg, guard
) -> None:
    first, second, third = spray(guard(), msg)
    assert first.violations == second.violations == ()
    assert not first and not second
    [violation] = third.violations
    assert (violation.check, violation.count, violation.limit, violation.interval) == (
        "compromised",
        3,
        3,
        60.0,
    )
    assert violation.message_ids == (first.message_id, second.message_id, third.message_id)
    assert third.punishment == "TIMEOUT"
    [timeout] = [a for a in third.actions if isinstance(a, Timeout)]
    assert timeout.user_id == msg.USER
    assert timeout.until == msg.at(4 + 86_400)
    assert deletes(third) == {
        2001: {first.message_id},
        2002: {second.message_id},
        2003: {third.message_id},
    }


def test_a_later_copy_is_deleted_without_a_second_punishment(msg, guard) -> None:
    g = guard()
    *_, third = spray(g, msg)
    fourth = g.process(msg(SCAM, channel_id=CHANNELS[3], t=6))
    assert [v.check for v in fourth.violations] == ["compromised"]
    assert fourth.punishment == "NONE"  # inside the open incident
    assert deletes(fourth) == {CHANNELS[3]: {fourth.message_id}}
    assert not set(deletes(third)[2003]) & set(deletes(fourth).get(2003, ()))


def test_two_channels_or_one_channel_repeated_is_not_a_spray(msg, guard) -> None:
    g = guard()
    plans = spray(g, msg, channels=CHANNELS[:2])
    plans += spray(g, msg, "another scam text, claim it", channels=(2001, 2001, 2001))
    assert [p.violations for p in plans] == [()] * 5


def test_near_identical_texts_match_unless_accuracy_is_100(msg, guard) -> None:
    variants = (SCAM, SCAM.upper() + "!!", SCAM + " :)")
    fuzzy = guard()
    exact = guard(accuracy=100)
    assert [
        bool(fuzzy.process(msg(text, channel_id=c, t=i)).violations)
        for i, (text, c) in enumerate(zip(variants, CHANNELS, strict=False))
    ] == [False, False, True]
    assert not any(
        exact.process(msg(text, channel_id=c, t=i)).violations
        for i, (text, c) in enumerate(zip(variants, CHANNELS, strict=False))
    )


def test_identical_images_without_text_are_a_spray(msg, guard) -> None:
    plans = spray(guard(), msg, "", attachments=(PHOTO, OTHER))
    assert [bool(p.violations) for p in plans] == [False, False, True]
    assert set(deletes(plans[2])) == set(CHANNELS[:3])


def test_three_different_photos_in_three_channels_are_not_a_spray(msg, guard) -> None:
    g = guard()
    photos = [
        Attachment(filename="image.png", size=size, content_type="image/png", width=1080, height=h)
        for size, h in ((120_001, 1920), (98_450, 1350), (143_877, 1920))
    ]
    plans = [
        g.process(msg("", channel_id=channel, t=i, attachments=(photo,)))
        for i, (photo, channel) in enumerate(zip(photos, CHANNELS, strict=False))
    ]
    assert [p.violations for p in plans] == [(), (), ()]


def test_short_texts_never_match_by_text(msg, guard) -> None:
    plans = spray(guard(), msg, "gm all")
    assert [p.violations for p in plans] == [(), (), ()]


def test_a_forwarded_scam_matches_the_same_files_typed_elsewhere(msg, guard) -> None:
    g = guard()
    g.process(msg("", channel_id=2001, t=0, attachments=(PHOTO,)))
    g.process(msg("", channel_id=2002, t=1, attachments=(PHOTO,), forwarded=True))
    third = g.process(msg("look", channel_id=2003, t=2, attachments=(PHOTO,), forwarded=True))
    assert [v.check for v in third.violations] == ["compromised"]


def test_copies_older_than_the_interval_do_not_count(msg, guard) -> None:
    plans = spray(guard(interval=10), msg, step=6.0)
    assert [p.violations for p in plans] == [(), (), ()]


@pytest.mark.parametrize(
    "exempt",
    [
        {"author_is_admin": True},
        {"author_can_manage_messages": True},
        {"author_role_ids": frozenset({77})},
    ],
)
def test_exempt_members_are_never_touched(msg, policy, exempt) -> None:
    g = Guard(
        policy(extensions={"compromised": {}}, ignore={"roles": [77]}),
        plugins=[Compromised()],
    )
    plans = spray(g, msg, **exempt)
    assert [bool(p) for p in plans] == [False] * 3
    assert all(p.skipped_reason is not None for p in plans)


def test_the_dm_tells_the_member_once_before_the_punishment(msg, guard) -> None:
    g = guard(dm=True)
    *_, third = spray(g, msg, guild_name="@everyone's server")
    dm = third.actions[0]
    assert isinstance(dm, DirectMessage)
    assert dm.user_id == msg.USER
    assert "3 channels of @\u200beveryone's server" in dm.content
    fourth = g.process(msg(SCAM, channel_id=CHANNELS[3], t=6))
    assert not [a for a in fourth.actions if isinstance(a, DirectMessage)]


def test_the_dm_template_is_the_guilds_own(msg, guard) -> None:
    *_, third = spray(guard(dm={"title": "$GUILDNAME", "description": "$COUNT/$LIMIT"}), msg)
    dm = third.actions[0]
    assert isinstance(dm, DirectMessage)
    assert dm.embed == {"title": str(msg.GUILD), "description": "3/3"}


def test_softban_bans_purging_the_policys_history_then_lifts_it(msg, guard) -> None:
    *_, third = spray(guard(punishment="SOFTBAN"), msg)
    [ban] = [a for a in third.actions if isinstance(a, Ban)]
    assert ban.delete_message_seconds == 86_400
    [(_at, unban, undoes, duration)] = third.scheduled
    assert (unban.kind, undoes, duration) == ("unban", ban, 0.0)


def test_without_delete_only_the_punishment_is_planned(msg, guard) -> None:
    *_, third = spray(guard(delete=False), msg)
    assert deletes(third) == {}
    assert third.punishment == "TIMEOUT"


def test_the_spray_survives_a_snapshot_round_trip(msg, policy) -> None:
    doc = policy(extensions={"compromised": {}})
    first = Guard(doc, plugins=[Compromised()])
    spray(first, msg, channels=CHANNELS[:2])
    snapshot = json.loads(json.dumps(first.snapshot()))
    second = Guard.restore(doc, snapshot, plugins=[Compromised()])
    third = second.process(msg(SCAM, channel_id=CHANNELS[2], t=4))
    assert [v.check for v in third.violations] == ["compromised"]
    assert len(deletes(third)) == 3


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"channels": 1}, "extensions.compromised.channels: must be an integer >= 2, got 1"),
        (
            {"accuracy": 101},
            "extensions.compromised.accuracy: must be an integer from 0 to 100, got 101",
        ),
        (
            {"punishment_duration": 30 * 86_400},
            "extensions.compromised.punishment_duration: a TIMEOUT lasts at most Discord's "
            "28 days (2419200 seconds), got 2592000",
        ),
        (
            {"dm": 5},
            "extensions.compromised.dm: must be a text or an embed mapping, or null, got 5",
        ),
        ({"chanels": 3}, "extensions.compromised.chanels: unknown key (did you mean 'channels'?)"),
    ],
)
def test_bad_settings_name_the_field(policy, settings, expected) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(policy(extensions={"compromised": settings}), plugins=[Compromised()])
    assert str(caught.value).startswith(expected)


def test_attachment_signatures_ignore_order_and_repeats() -> None:
    assert attachment_signature([PHOTO, OTHER]) == attachment_signature([OTHER, PHOTO, PHOTO])
    assert attachment_signature([PHOTO]) != attachment_signature([OTHER])
    assert attachment_signature([]) == ""


def test_both_extensions_are_registered_by_entry_point() -> None:
    pm = get_plugin_manager()
    assert type(pm.get_plugin("compromised")).__module__ == "spamguard.contrib.compromised"
    assert type(pm.get_plugin("honeypot")).__module__ == "spamguard.contrib.honeypot"


def test_beside_the_policys_own_max_duplicates_the_texts_are_kept_once_for_both(
    msg, policy
) -> None:
    # max_duplicates reads 30 s of the member's texts, compromised 60 s: one window, kept
    # 60 s, serves both; a spray spread over 50 s is still caught.
    rule = {"max_duplicates": {"count": 5, "interval": 30}, "punishment": "NONE"}
    g = Guard(policy(rule=rule, extensions={"compromised": {}}), plugins=[Compromised()])
    plans = spray(g, msg, step=25.0)
    assert [v.check for v in plans[-1].violations] == ["compromised"]
    assert sum(len(ids) for ids in deletes(plans[-1]).values()) == 3
    assert [key[0] for key in g.state.windows if key[0] != "plugin:compromised_handled"] == [
        "max_duplicates"
    ]
    assert {w.horizon for w in g.state.windows.values() if len(w.times) == 3} == {60.0}


def test_ordinary_chat_across_channels_is_not_a_spray(msg, guard) -> None:
    g = guard()
    lines = ["good morning everyone", "anyone up for a raid tonight", "that patch broke my build"]
    plans = [
        g.process(msg(line, channel_id=CHANNELS[i % 3], t=i)) for i, line in enumerate(lines * 3)
    ]
    assert all(not plan.violations for plan in plans)
    assert not any(key[0].startswith("plugin:") for key in g.state.windows)
