"""Cleaning exactly the offending messages, and incidents: one punishment per burst."""

from __future__ import annotations

import typing

from spamguard.core import DeleteMessages, Guard, Plan, Policy

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""


def rule_guard(rule: dict[str, typing.Any], **top: typing.Any) -> Guard:
    return Guard(Policy.from_dict({"spam": {"levels": {0: rule}}, **top}))


def deleted(plan: Plan) -> dict[int, tuple[int, ...]]:
    """channel -> ids deleted by the plan (all deletes of one channel joined)."""
    result: dict[int, tuple[int, ...]] = {}
    for action in plan.actions:
        if isinstance(action, DeleteMessages):
            result[action.channel_id] = result.get(action.channel_id, ()) + action.message_ids
    return result


CLEAN_MESSAGES = {"clean": True, "max_messages": {"count": 3, "interval": 10}}


def test_clean_deletes_the_messages_in_the_window_only(msg: Msg) -> None:
    guard = rule_guard(CLEAN_MESSAGES)
    guard.process(msg(t=0))  # 20 s before the burst: not part of it
    plans = [guard.process(msg(t=t)) for t in (20, 21, 22)]
    assert deleted(plans[2]) == {msg.CHANNEL: (2, 3, 4)}
    assert plans[2].actions[0].reason == "spamguard: spam cleaned"  # type: ignore[union-attr]


def test_clean_deletes_only_messages_that_added_to_the_check(msg: Msg) -> None:
    guard = rule_guard({"clean": True, "max_links": {"count": 2, "interval": 10}})
    guard.process(msg("https://a.example", t=0))
    guard.process(msg("just chatting", t=1))
    plan = guard.process(msg("https://b.example", t=2))
    assert deleted(plan) == {msg.CHANNEL: (1, 3)}


def test_clean_deletes_only_the_similar_duplicates(msg: Msg) -> None:
    guard = rule_guard({"clean": True, "max_duplicates": {"count": 2, "interval": 30}})
    guard.process(msg("spam spam", t=0))
    guard.process(msg("a normal message", t=1))
    plan = guard.process(msg("SPAM  spam", t=2))
    assert deleted(plan) == {msg.CHANNEL: (1, 3)}


def test_clean_groups_deletes_per_channel(msg: Msg) -> None:
    guard = rule_guard(CLEAN_MESSAGES)
    guard.process(msg(t=0, channel_id=1))
    guard.process(msg(t=1, channel_id=2))
    plan = guard.process(msg(t=2, channel_id=1))
    assert [
        (a.channel_id, a.message_ids) for a in plan.actions if isinstance(a, DeleteMessages)
    ] == [
        (1, (1, 3)),
        (2, (2,)),
    ]


def test_clean_count_keeps_the_newest(msg: Msg) -> None:
    guard = rule_guard(
        {"clean": True, "clean_count": 2, "max_messages": {"count": 5, "interval": 10}}
    )
    plans = [guard.process(msg(t=i)) for i in range(5)]
    assert deleted(plans[4]) == {msg.CHANNEL: (4, 5)}


def test_clean_duration_limits_how_far_back(msg: Msg) -> None:
    guard = rule_guard(
        {"clean": True, "clean_duration": 5, "max_messages": {"count": 4, "interval": 60}}
    )
    for t in (0, 10, 18):
        guard.process(msg(t=t))
    plan = guard.process(msg(t=24))
    assert plan.violations[0].message_ids == (1, 2, 3, 4)
    # Only messages younger than 5 s are cleaned: the trigger.
    assert deleted(plan) == {msg.CHANNEL: (4,)}


def test_without_clean_nothing_is_deleted(msg: Msg) -> None:
    guard = rule_guard({"punishment": "WARN", "max_messages": {"count": 2, "interval": 10}})
    guard.process(msg(t=0))
    assert [a.kind for a in guard.process(msg(t=1)).actions] == ["send"]


def test_clean_with_channel_scope_deletes_every_contributor(msg: Msg) -> None:
    guard = rule_guard(
        {"clean": True, "max_messages": {"count": 3, "interval": 10, "scope": "channel"}}
    )
    guard.process(msg(t=0, author_id=1))
    guard.process(msg(t=1, author_id=2))
    plan = guard.process(msg(t=2, author_id=3))
    assert deleted(plan) == {msg.CHANNEL: (1, 2, 3)}


def test_only_the_cleaning_rule_violation_is_cleaned(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {0: {"clean": True, "max_links": {"count": 2, "interval": 10}}},
                "roles": {"*": {"max_messages": {"count": 3, "interval": 10}}},
            }
        }
    )
    guard = Guard(policy)
    guard.process(msg("hi", t=0))
    guard.process(msg("https://a.example", t=1))
    plan = guard.process(msg("https://b.example", t=2))
    assert sorted(v.check for v in plan.violations) == ["max_links", "max_messages"]
    assert deleted(plan) == {msg.CHANNEL: (2, 3)}


# -- incidents ----------------------------------------------------------------------------------

PUNISH_AND_CLEAN = {
    "punishment": "TEMPMUTE",
    "punishment_duration": 60,
    "clean": True,
    "max_messages": {"count": 3, "interval": 10},
}


def test_spam_during_an_open_incident_is_cleaned_without_a_second_punishment(msg: Msg) -> None:
    guard = rule_guard(PUNISH_AND_CLEAN)
    plans = [guard.process(msg(t=t)) for t in (0, 1, 2, 3, 4)]
    assert [p.kind for p in plans[2].actions] == ["delete", "timeout"]
    assert plans[2].punishment == "TEMPMUTE"
    for later, expected in ((plans[3], (4,)), (plans[4], (5,))):
        assert later.violations
        assert later.punishment == "NONE"
        assert deleted(later) == {msg.CHANNEL: expected}
        assert [a.kind for a in later.actions] == ["delete"]
    assert guard.stats()["incidents"] == 1


def test_incident_stays_open_ten_seconds_after_the_last_violation(msg: Msg) -> None:
    guard = rule_guard(PUNISH_AND_CLEAN)
    times = [0, 1, 2, 8, 11.9, 21.8, 31.7]
    plans = [guard.process(msg(t=t)) for t in times]
    # Each violation keeps the incident open for 10 more seconds.
    assert [p.punishment for p in plans] == [
        "NONE",
        "NONE",
        "TEMPMUTE",
        "NONE",
        "NONE",
        "NONE",
        "NONE",
    ]
    # Once 10 s pass without a violation, the next burst is a new incident.
    for t in (50, 51):
        guard.process(msg(t=t))
    assert guard.process(msg(t=52)).punishment == "TEMPMUTE"
    assert guard.stats()["incidents"] == 2


def test_incident_window_is_configurable(msg: Msg) -> None:
    guard = rule_guard(PUNISH_AND_CLEAN, incident_window=0)
    plans = [guard.process(msg(t=t)) for t in (0, 1, 2, 3)]
    assert [p.punishment for p in plans] == ["NONE", "NONE", "TEMPMUTE", "TEMPMUTE"]


def test_a_more_severe_violation_upgrades_the_open_incident(msg: Msg) -> None:
    guard = rule_guard(
        {
            **PUNISH_AND_CLEAN,
            "max_mentions": {"count": 5, "interval": 10, "punishment": "BAN"},
        }
    )
    for t in (0, 1, 2):
        guard.process(msg(t=t))
    upgraded = guard.process(msg(t=3, mention_ids=(1, 2, 3, 4, 5)))
    assert upgraded.punishment == "BAN"
    assert [a.kind for a in upgraded.actions] == ["delete", "ban"]
    # Back to the milder check: nothing to upgrade, nothing repeated.
    assert guard.process(msg(t=4)).punishment == "NONE"
    # The ban is never repeated either.
    assert guard.process(msg(t=5, mention_ids=(1, 2, 3, 4, 5))).punishment == "NONE"


def test_a_milder_punishment_of_equal_severity_is_not_repeated(msg: Msg) -> None:
    guard = rule_guard(
        {**PUNISH_AND_CLEAN, "max_links": {"count": 1, "interval": 10, "punishment": "TIMEOUT"}}
    )
    for t in (0, 1, 2):
        guard.process(msg(t=t))
    assert guard.process(msg("https://x.example", t=3)).punishment == "NONE"


def test_incidents_are_per_member(msg: Msg) -> None:
    guard = rule_guard(PUNISH_AND_CLEAN)
    for t in (0, 1, 2):
        guard.process(msg(t=t))
    plans = [guard.process(msg(t=t, author_id=77)) for t in (3, 4, 5)]
    assert plans[2].punishment == "TEMPMUTE"


def test_a_message_is_never_deleted_twice(msg: Msg) -> None:
    guard = rule_guard(
        {
            "clean": True,
            "max_messages": {"count": 3, "interval": 10},
            "max_duplicates": {"count": 3, "interval": 10},
        }
    )
    plans = [guard.process(msg("same", t=t)) for t in (0, 1, 2, 3)]
    assert len(plans[2].violations) == 2
    assert deleted(plans[2]) == {msg.CHANNEL: (1, 2, 3)}
    assert deleted(plans[3]) == {msg.CHANNEL: (4,)}


# A flood's clean looks only at what the messages before it left uncleaned (the window's
# sweep mark); these pin that nothing it should delete is missed that way.


def test_a_flood_deletes_each_new_message_once(msg: Msg) -> None:
    guard = rule_guard({"clean": True, "max_messages": {"count": 3, "interval": 60}})
    plans = [guard.process(msg(t=t / 10)) for t in range(40)]
    assert deleted(plans[2]) == {msg.CHANNEL: (1, 2, 3)}
    assert [deleted(p) for p in plans[3:]] == [{msg.CHANNEL: (i,)} for i in range(4, 41)]


def test_a_late_message_inside_a_cleaned_flood_is_still_deleted(msg: Msg) -> None:
    guard = rule_guard({"clean": True, "max_messages": {"count": 3, "interval": 60}})
    for t in range(10):
        guard.process(msg(t=t))
    late = guard.process(msg(t=4.5))  # delivered late: it sorts among the cleaned ones
    assert deleted(late) == {msg.CHANNEL: (11,)}
    assert deleted(guard.process(msg(t=10))) == {msg.CHANNEL: (12,)}


def test_a_late_message_older_than_the_clean_reach_is_not_deleted_by_the_next(
    msg: Msg,
) -> None:
    guard = rule_guard(
        {
            "clean": True,
            "clean_duration": 5,
            "max_messages": {"count": 3, "interval": 60},
        }
    )
    for t in range(10, 20):
        guard.process(msg(t=t))
    late = guard.process(msg(t=1))  # counts, and is cleaned itself as the trigger
    assert deleted(late) == {msg.CHANNEL: (11,)}
    assert deleted(guard.process(msg(t=20))) == {msg.CHANNEL: (12,)}


def test_clean_after_a_window_emptied_finds_a_late_message(msg: Msg) -> None:
    # The window empties (everything expires), then a message sent before the last
    # cleaned one arrives late: it must not pass for cleaned.
    guard = rule_guard({"clean": True, "max_messages": {"count": 2, "interval": 5}})
    for t in (0, 1, 2):
        guard.process(msg(t=t))
    guard.process(msg(t=100))  # expires the burst, window now holds only this
    late = guard.process(msg(t=99.5))
    assert deleted(late) == {msg.CHANNEL: (5, 4)} or deleted(late) == {msg.CHANNEL: (4, 5)}


def test_clean_marks_are_bounded_by_count_in_a_long_flood(msg: Msg) -> None:
    # Policy.default() keeps clean marks for its 600 s history: a flood of 100 messages a
    # second from one member would hold 6,000 of them after a minute without a count bound.
    from spamguard.core.engine import MAX_CLEAN_MARKS

    guard = Guard(Policy.default())
    deletes: list[int] = []
    for i in range(6000):
        plan = guard.process(msg(f"buy {i % 7} now", t=i / 100))
        for ids in deleted(plan).values():
            deletes.extend(ids)
    assert len(deletes) == len(set(deletes))  # never deleted twice
    assert len(deletes) > 5900  # the flood is cleaned throughout
    marks = guard.snapshot()["cleaned"]
    assert len(guard.snapshot()["members"]) == 1
    assert MAX_CLEAN_MARKS <= len(marks) <= MAX_CLEAN_MARKS * 5 // 4
    assert {mid for mid, _ts in marks} == set(range(6001 - len(marks), 6001))  # the newest


def test_clean_marks_of_many_members_are_bounded_per_member(msg: Msg) -> None:
    from spamguard.core.engine import MAX_CLEAN_MARKS

    guard = Guard(Policy.default())
    for i in range(9000):
        guard.process(msg(f"spam {i}", t=i / 300, author_id=10 + i % 3))
    snapshot = guard.snapshot()
    assert len(snapshot["members"]) == 3
    assert len(snapshot["cleaned"]) <= 3 * MAX_CLEAN_MARKS * 5 // 4
