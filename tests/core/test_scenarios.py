"""Scenarios on the two seed configurations in fixtures/ (Rowboat's docs example, a roles variant)."""

from __future__ import annotations

import pathlib
import typing

import pytest

from spamguard.core import (
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Guard,
    Kick,
    Plan,
    Policy,
    RemoveRole,
    SendMessage,
    SkipReason,
    Timeout,
)

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

CHAT = [
    "morning all",
    "anyone tried the new patch?",
    "yeah, the loading screens are faster",
    "https://patchnotes.example/1.2",
    "nice :)",
    "I still get the crash on startup",
    "did you update the drivers?",
    "oh, no, will try",
]


def deleted_ids(plan: Plan) -> list[int]:
    return sorted(i for a in plan.actions if isinstance(a, DeleteMessages) for i in a.message_ids)


# -- (a) Rowboat's documentation example ---------------------------------------------------


@pytest.fixture
def rowboat(fixtures_dir: pathlib.Path) -> Guard:
    return Guard(Policy.from_file(fixtures_dir / "rowboat_docs.yaml"))


def test_rowboat_ordinary_conversation_is_left_alone(rowboat: Guard, msg: Msg) -> None:
    plans = []
    for i in range(60):
        author = msg.USER + i % 3
        plans.append(rowboat.process(msg(CHAT[i % len(CHAT)], t=i * 2, author_id=author)))
    assert not any(plans)
    assert not any(p.violations for p in plans)
    assert rowboat.stats()["messages"] == 60


def test_rowboat_flood_is_muted_for_two_minutes_and_cleaned(rowboat: Guard, msg: Msg) -> None:
    plans = [rowboat.process(msg(f"message {i}", t=i * 0.5)) for i in range(10)]
    assert not any(plans[:9])
    flood = plans[9]
    (violation,) = flood.violations
    assert (violation.check, violation.count, violation.limit, violation.interval) == (
        "max_messages",
        10,
        10,
        7.0,
    )
    assert flood.punishment == "TEMPMUTE"
    assert deleted_ids(flood) == list(range(1, 11))
    timeouts = [a for a in flood.actions if isinstance(a, Timeout)]
    assert [t.until for t in timeouts] == [msg.at(4.5 + 120)]
    assert flood.actions[-1] is timeouts[0]  # cleaned first, then muted
    # The member keeps going while the incident is open: cleaned, not muted again.
    more = [rowboat.process(msg(f"more {i}", t=5 + i * 0.5)) for i in range(3)]
    assert [deleted_ids(p) for p in more] == [[11], [12], [13]]
    assert [p.punishment for p in more] == ["NONE"] * 3


def test_rowboat_duplicate_spam_is_caught_by_max_duplicates(rowboat: Guard, msg: Msg) -> None:
    plans = [rowboat.process(msg("Join discord.gg/free-nitro NOW", t=i * 3)) for i in range(5)]
    assert [p.violations for p in plans[:4]] == [()] * 4
    (violation,) = plans[4].violations
    assert violation.check == "max_duplicates"
    assert violation.message_ids == (1, 2, 3, 4, 5)
    assert deleted_ids(plans[4]) == [1, 2, 3, 4, 5]


def test_rowboat_mention_spam(rowboat: Guard, msg: Msg) -> None:
    first = rowboat.process(msg("hey", t=0, mention_ids=(1, 2, 3, 4)))
    second = rowboat.process(msg("hey", t=20, mention_ids=(5, 6), role_mention_ids=(7, 8)))
    assert not first.violations
    assert [(v.check, v.count) for v in second.violations] == [("max_mentions", 8)]


def test_rowboat_one_huge_message(rowboat: Guard, msg: Msg) -> None:
    wall = rowboat.process(msg("\n".join(["line"] * 61), t=0))
    assert [(v.check, v.count) for v in wall.violations] == [("max_newlines", 60)]
    emojis = rowboat.process(msg("😀" * 100, t=30))
    assert [(v.check, v.count) for v in emojis.violations] == [("max_emojis", 100)]


def test_rowboat_attachments_over_a_minute(rowboat: Guard, msg: Msg) -> None:
    plans = [rowboat.process(msg("", t=i * 10, attachment_count=2)) for i in range(5)]
    assert [bool(p.violations) for p in plans] == [False] * 4 + [True]
    assert plans[4].violations[0].check == "max_attachments"


def test_rowboat_members_are_counted_apart(rowboat: Guard, msg: Msg) -> None:
    plans = [rowboat.process(msg(f"hi {i}", t=i * 0.2, author_id=i % 3)) for i in range(27)]
    assert not any(p.violations for p in plans)


def test_rowboat_moderators_are_exempt(rowboat: Guard, msg: Msg) -> None:
    plans = [
        rowboat.process(msg("stop", t=i * 0.1, author_can_manage_messages=True)) for i in range(20)
    ]
    assert {p.skipped_reason for p in plans} == {SkipReason.MANAGE_MESSAGES}


# -- (b) roles, max_upper_case and channel whitelists ----------------------------------------

NEW_MEMBER = frozenset({111})
REGULAR = frozenset({222})
MEMES, SHOUTING = 555, 556
SHOUT = "A" * 25


@pytest.fixture
def roles(fixtures_dir: pathlib.Path) -> Guard:
    return Guard(Policy.from_file(fixtures_dir / "rowboat_roles.yaml"))


def test_roles_shouting_is_warned_and_cleaned(roles: Guard, msg: Msg) -> None:
    first = roles.process(msg(SHOUT, t=0))
    second = roles.process(msg(SHOUT + "!", t=5))
    assert not first.violations
    (violation,) = second.violations
    assert (violation.check, violation.count, violation.limit) == ("max_upper_case", 50, 40)
    assert second.punishment == "WARN"
    assert deleted_ids(second) == [1, 2]
    assert [type(a) for a in second.actions] == [DeleteMessages, SendMessage]


def test_roles_shouting_channel_only_lifts_the_caps_check(roles: Guard, msg: Msg) -> None:
    shouts = ["WHAT IS THIS", "NO WAY THAT HAPPENED", "GOOOOAL", "AMAZING PLAY", "UNREAL SCENES"]
    caps = [roles.process(msg(text, t=i, channel_id=SHOUTING)) for i, text in enumerate(shouts)]
    assert not any(p.violations for p in caps)
    flood = roles.process(msg("WHO SCORED", t=5, channel_id=SHOUTING))
    assert [v.check for v in flood.violations] == ["max_messages"]
    assert flood.punishment == "KICK"
    assert [type(a) for a in flood.actions][-1] is Kick


def test_roles_memes_channel_is_free_and_does_not_count_elsewhere(roles: Guard, msg: Msg) -> None:
    memes = [roles.process(msg("LOL " * 20, t=i * 0.5, channel_id=MEMES)) for i in range(12)]
    assert not any(p.violations for p in memes)
    # Five more messages outside #memes: the twelve memes do not make them a flood.
    elsewhere = [roles.process(msg(f"back {i}", t=7 + i * 0.5)) for i in range(5)]
    assert not any(p.violations for p in elsewhere)


def test_roles_near_duplicates_at_85_percent_get_a_kick(roles: Guard, msg: Msg) -> None:
    texts = [
        "check out my server",
        "Check out my servers",
        "check out my server!!",
        "CHECK OUT MY SERVER",
    ]
    plans = [roles.process(msg(text, t=i * 15)) for i, text in enumerate(texts)]
    assert not any(p.violations for p in plans[:3])
    (violation,) = plans[3].violations
    assert violation.check == "max_duplicates"
    assert plans[3].punishment == "KICK"
    assert deleted_ids(plans[3]) == [1, 2, 3, 4]


def test_roles_new_member_posting_links_is_muted_with_the_role(roles: Guard, msg: Msg) -> None:
    roles.process(msg("https://a.example", t=0, author_role_ids=NEW_MEMBER))
    plan = roles.process(msg("https://b.example", t=100, author_role_ids=NEW_MEMBER))
    (violation,) = plan.violations
    assert violation.check == "max_links"
    assert plan.punishment == "TEMPMUTE"
    # The role rule sends a DM first, adds the mute role, and does not clean.
    assert [type(a) for a in plan.actions] == [DirectMessage, AddRole]
    assert plan.actions[1] == AddRole(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        role_id=999,
        reason="spamguard: max_links (2/2 in 300s)",
    )
    ((run_at, undo, undoes, duration),) = plan.scheduled
    assert run_at == msg.at(100 + 600)
    assert isinstance(undo, RemoveRole)
    # The removal is tied to the role add: kept only once it succeeded, 600 s after it.
    assert (undoes, duration) == (plan.actions[1], 600)
    assert roles.pending() == ()


def test_roles_new_member_mass_mentions_are_banned(roles: Guard, msg: Msg) -> None:
    plan = roles.process(msg("hi", t=0, author_role_ids=NEW_MEMBER, mention_ids=(1, 2, 3, 4)))
    assert plan.punishment == "BAN"
    assert [type(a) for a in plan.actions] == [DirectMessage, Ban]


def test_roles_links_from_members_without_the_role_are_fine(roles: Guard, msg: Msg) -> None:
    plans = [roles.process(msg(f"https://{i}.example", t=i * 20)) for i in range(5)]
    assert not any(p.violations for p in plans)


def test_roles_regulars_are_above_the_level_rule(roles: Guard, msg: Msg) -> None:
    plans = [roles.process(msg(SHOUT, t=i * 0.5, author_role_ids=REGULAR)) for i in range(10)]
    assert {p.skipped_reason for p in plans} == {SkipReason.NO_RULES}


def test_roles_a_regular_new_member_only_gets_the_role_rule(roles: Guard, msg: Msg) -> None:
    both = REGULAR | NEW_MEMBER
    plans = [roles.process(msg(f"msg {i}", t=i * 0.5, author_role_ids=both)) for i in range(10)]
    assert not any(p.violations for p in plans)  # no max_messages for level 10
    links = roles.process(msg("https://a.example https://b.example", t=6, author_role_ids=both))
    assert [v.check for v in links.violations] == ["max_links"]
