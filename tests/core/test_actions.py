"""Actions: Discord's hard limits are enforced where the values are made."""

from __future__ import annotations

import datetime
import json
import typing

import pytest

from spamguard.core import (
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Guard,
    Kick,
    Policy,
    RemoveRole,
    SendMessage,
    Timeout,
    Unban,
    action_from_dict,
    action_to_dict,
)
from spamguard.core.actions import MAX_TIMEOUT, delete_messages, delete_one, timeout_for

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

NOW = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)


def ago(**delta: float) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (60, datetime.timedelta(seconds=60)),
        (28 * 86_400, MAX_TIMEOUT),
        (28 * 86_400 + 1, MAX_TIMEOUT),
        (10**12, MAX_TIMEOUT),
        (10**15, MAX_TIMEOUT),  # beyond what a timedelta can hold
        (-5, datetime.timedelta(0)),
    ],
)
def test_timeout_is_clamped_to_28_days(seconds: float, expected: datetime.timedelta) -> None:
    timeout = timeout_for(guild_id=1, user_id=2, now=NOW, seconds=seconds)
    assert timeout.until - NOW == expected


@pytest.mark.parametrize(
    ("asked", "expected"), [(0, 0), (3600, 3600), (604_800, 604_800), (10**7, 604_800), (-1, 0)]
)
def test_ban_history_is_clamped_to_7_days(asked: int, expected: int) -> None:
    assert (
        Ban(guild_id=1, user_id=2, delete_message_seconds=asked).delete_message_seconds == expected
    )


def test_deletes_are_grouped_per_channel_in_chunks_of_100() -> None:
    triples = [(7, i, ago(seconds=i)) for i in range(1, 251)]
    triples += [(8, 1000 + i, ago(seconds=i)) for i in range(3)]
    actions = delete_messages(triples, now=NOW, guild_id=5, reason="why")
    assert [(a.channel_id, len(a.message_ids)) for a in actions] == [
        (7, 100),
        (7, 100),
        (7, 50),
        (8, 3),
    ]
    assert actions[0].message_ids == tuple(range(1, 101))
    assert sorted(i for a in actions[:3] for i in a.message_ids) == list(range(1, 251))
    assert {a.guild_id for a in actions} == {5}
    assert {a.reason for a in actions} == {"why"}


def test_deletes_leave_out_messages_older_than_14_days_and_repeats() -> None:
    actions = delete_messages(
        [
            (7, 1, ago(days=14, seconds=1)),
            (7, 2, ago(days=14)),
            (7, 3, ago(days=13, hours=23)),
            (7, 3, ago(days=13, hours=23)),
        ],
        now=NOW,
    )
    assert [a.message_ids for a in actions] == [(3,)]


def test_nothing_to_delete_gives_no_action() -> None:
    assert delete_messages([(7, 1, ago(days=20))], now=NOW) == ()


def test_a_delete_names_1_to_100_messages() -> None:
    with pytest.raises(ValueError, match="1 to 100 ids, got 0"):
        DeleteMessages(channel_id=1, message_ids=())
    with pytest.raises(ValueError, match="1 to 100 ids, got 101"):
        DeleteMessages(channel_id=1, message_ids=tuple(range(101)))


def test_texts_are_cut_to_discord_limits() -> None:
    assert len(SendMessage(channel_id=1, content="x" * 5000).content) == 2000
    assert len(DirectMessage(user_id=1, content="x" * 5000).content) == 2000
    assert len(Kick(guild_id=1, user_id=2, reason="r" * 600).reason) == 512


def test_guard_clean_never_deletes_messages_older_than_14_days(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "clean": True,
                        "clean_duration": 30 * 86_400,
                        "max_messages": {"count": 2, "interval": 20 * 86_400},
                    }
                }
            }
        }
    )
    guard = Guard(policy)
    guard.process(msg(t=0))
    plan = guard.process(msg(t=15 * 86_400))
    assert plan.violations[0].message_ids == (1, 2)
    assert [a.message_ids for a in plan.actions if isinstance(a, DeleteMessages)] == [(2,)]


def test_guard_clean_splits_a_large_burst(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "clean": True,
                        "clean_count": 250,
                        "max_messages": {"count": 250, "interval": 60},
                    }
                }
            }
        }
    )
    guard = Guard(policy)
    plans = [guard.process(msg(t=i * 0.1)) for i in range(250)]
    deletes = [a for a in plans[-1].actions if isinstance(a, DeleteMessages)]
    assert [len(a.message_ids) for a in deletes] == [100, 100, 50]


ACTIONS = [
    DeleteMessages(channel_id=1, message_ids=(2, 3), guild_id=4, reason="r"),
    SendMessage(
        channel_id=1, content="hi", embed={"title": "t"}, delete_after=5.0, mention_user_ids=(9,)
    ),
    DirectMessage(user_id=1, content="dm", guild_id=2),
    Timeout(guild_id=1, user_id=2, until=NOW, reason="r"),
    AddRole(guild_id=1, user_id=2, role_id=3),
    RemoveRole(guild_id=1, user_id=2, role_id=3),
    Kick(guild_id=1, user_id=2),
    Ban(guild_id=1, user_id=2, delete_message_seconds=60),
    Unban(guild_id=1, user_id=2),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.kind)
def test_actions_survive_a_json_round_trip(action: typing.Any) -> None:
    data = json.loads(json.dumps(action_to_dict(action)))
    assert data["kind"] == action.kind
    assert action_from_dict(data) == action


def test_action_kinds() -> None:
    assert [a.kind for a in ACTIONS] == [
        "delete",
        "send",
        "dm",
        "timeout",
        "add_role",
        "remove_role",
        "kick",
        "ban",
        "unban",
    ]


def test_unknown_action_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown action kind 'explode'"):
        action_from_dict({"kind": "explode"})
    with pytest.raises(ValueError, match="bad fields for action 'kick'"):
        action_from_dict({"kind": "kick", "guild_id": 1})


def test_delete_one_equals_the_validated_constructor() -> None:
    fast = delete_one(5, 7, 1, "spamguard: spam cleaned")
    assert fast == DeleteMessages(
        channel_id=5, message_ids=(7,), guild_id=1, reason="spamguard: spam cleaned"
    )
    assert type(fast) is DeleteMessages
    assert fast.kind == "delete"
