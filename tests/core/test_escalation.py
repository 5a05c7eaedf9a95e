"""The escalation ladder over repeated incidents, with discord-anti-spam's counting."""

from __future__ import annotations

import typing

import pytest

from spamguard.core import Guard, Plan, Policy, PolicyError, Timeout

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

THREE_LINKS = "https://a.example https://b.example https://c.example"
FIVE_STEPS = {"warn_count": 2, "timeout_count": 0, "kick_count": 2, "ban_count": 1, "violations": 5}
"""The counters after five incidents on the default ladder: WARN, WARN, KICK, KICK, BAN."""


def ladder_guard(rule_punishment: str = "NONE", **escalation: typing.Any) -> Guard:
    """Every message with 3 links is a violation of count 3 (one link is the limit)."""
    return Guard(
        Policy.from_dict(
            {
                "escalation": escalation,
                "notices": {"warn": "$MENTIONMEMBER warning $WARNCOUNT, kicks $KICKCOUNT"},
                "spam": {
                    "levels": {
                        0: {"punishment": rule_punishment, "max_links": {"count": 1, "interval": 5}}
                    }
                },
            }
        )
    )


def incidents(
    guard: Guard, msg: Msg, n: int, *, every: float = 20, content: str = THREE_LINKS
) -> list[Plan]:
    """``n`` violations, each ``every`` seconds after the previous (a new incident each)."""
    return [guard.process(msg(content, t=i * every)) for i in range(n)]


def test_default_ladder_warns_twice_then_kicks_twice_then_bans(msg: Msg) -> None:
    plans = incidents(ladder_guard(), msg, 6)
    assert [p.punishment for p in plans] == ["WARN", "WARN", "KICK", "KICK", "BAN", "BAN"]
    assert [a.kind for a in plans[2].actions] == ["kick"]
    assert [a.kind for a in plans[4].actions] == ["ban"]
    assert ladder_guard().member_counters(msg.GUILD, msg.USER) == {
        "warn_count": 0,
        "timeout_count": 0,
        "kick_count": 0,
        "ban_count": 0,
        "violations": 0,
    }


def test_counters_follow_the_ladder(msg: Msg) -> None:
    guard = ladder_guard()
    incidents(guard, msg, 5)
    assert guard.member_counters(msg.GUILD, msg.USER) == FIVE_STEPS


def test_warning_text_shows_the_counts(msg: Msg) -> None:
    plans = incidents(ladder_guard(), msg, 2)
    assert [a.content for p in plans for a in p.actions] == [  # type: ignore[union-attr]
        f"<@{msg.USER}> warning 1, kicks 0",
        f"<@{msg.USER}> warning 2, kicks 0",
    ]


def test_timeouts_between_warnings_and_kicks_grow_quadratically(msg: Msg) -> None:
    guard = ladder_guard(timeout_threshold=2, timeout_duration=60)
    plans = incidents(guard, msg, 7)
    assert [p.punishment for p in plans] == [
        "WARN",
        "WARN",
        "TIMEOUT",
        "TIMEOUT",
        "KICK",
        "KICK",
        "BAN",
    ]
    first, second = (p.actions[0] for p in plans[2:4])
    assert isinstance(first, Timeout)
    assert isinstance(second, Timeout)
    assert first.until == msg.at(40 + 60)
    assert second.until == msg.at(60 + 240)


def test_thresholds_shape_the_ladder(msg: Msg) -> None:
    plans = incidents(ladder_guard(kick_threshold=1, ban_threshold=1), msg, 4)
    assert [p.punishment for p in plans] == ["WARN", "KICK", "BAN", "BAN"]
    plans = incidents(ladder_guard(kick_threshold=0, ban_threshold=0), msg, 2)
    assert [p.punishment for p in plans] == ["BAN", "BAN"]


def test_each_incident_climbs_one_step_whatever_the_checks_count(msg: Msg) -> None:
    # max_invites fires at 2 invites, below the default warn_threshold of 3: a repeat
    # offender is still warned, then kicked, then banned.
    guard = Guard(
        Policy.from_dict(
            {
                "escalation": {},
                "spam": {"levels": {0: {"max_invites": {"count": 2, "interval": 5}}}},
            }
        )
    )
    plans = incidents(guard, msg, 6, content="discord.gg/abc discord.gg/def")
    assert [len(p.violations) for p in plans] == [1] * 6
    assert [p.punishment for p in plans] == ["WARN", "WARN", "KICK", "KICK", "BAN", "BAN"]
    assert guard.member_counters(msg.GUILD, msg.USER)["violations"] == 6


def test_a_count_of_one_climbs_the_ladder_too(msg: Msg) -> None:
    guard = Guard(
        Policy.from_dict(
            {"escalation": {}, "spam": {"levels": {0: {"max_links": {"count": 1, "interval": 5}}}}}
        )
    )
    plans = incidents(guard, msg, 3, content="https://a.example")
    assert [p.punishment for p in plans] == ["WARN", "WARN", "KICK"]


def test_automod_executions_walk_the_default_ladder(msg: Msg) -> None:
    # The default ladder (warn_threshold 3 in discord-anti-spam's counting) with
    # automod_executions_count: each execution is a violation of count 1, one step each.
    guard = Guard(Policy.from_dict({"escalation": {}, "automod_executions_count": True}))
    plans = [guard.record_automod_execution(msg.automod_execution(t=i * 60)) for i in range(5)]
    assert [p.punishment for p in plans] == ["WARN", "WARN", "KICK", "KICK", "BAN"]
    assert [[a.kind for a in p.actions] for p in plans[2:]] == [["kick"], ["kick"], ["ban"]]
    assert guard.member_counters(msg.GUILD, msg.USER) == FIVE_STEPS


def test_automod_executions_inside_one_incident_climb_one_step(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"escalation": {}, "automod_executions_count": True}))
    plans = [guard.record_automod_execution(msg.automod_execution(t=t)) for t in (0, 2, 4, 30)]
    assert [p.punishment for p in plans] == ["WARN", "NONE", "NONE", "WARN"]


def test_violation_count_counting_does_not_warn_below_warn_threshold(msg: Msg) -> None:
    guard = ladder_guard(counting="violation_count", warn_threshold=3)
    low = incidents(guard, msg, 2, content="https://a.example https://b.example")
    assert [p.punishment for p in low] == ["NONE", "NONE"]
    assert guard.member_counters(msg.GUILD, msg.USER)["warn_count"] == 0
    assert guard.process(msg(THREE_LINKS, t=100)).punishment == "WARN"


def test_counters_decay_after_a_quiet_period(msg: Msg) -> None:
    guard = ladder_guard(decay=3600)
    incidents(guard, msg, 3)  # WARN, WARN, KICK by t=40
    assert guard.process(msg(THREE_LINKS, t=40 + 3599)).punishment == "KICK"
    # An hour after the last violation the ladder starts again.
    assert guard.process(msg(THREE_LINKS, t=40 + 3599 + 3600)).punishment == "WARN"
    assert guard.member_counters(msg.GUILD, msg.USER)["warn_count"] == 1


def test_without_decay_counters_never_reset(msg: Msg) -> None:
    guard = ladder_guard()
    incidents(guard, msg, 2)
    assert guard.process(msg(THREE_LINKS, t=10 * 86_400)).punishment == "KICK"


def test_an_open_incident_climbs_no_step(msg: Msg) -> None:
    guard = ladder_guard()
    plans = incidents(guard, msg, 4, every=2)
    assert [p.punishment for p in plans] == ["WARN", "NONE", "NONE", "NONE"]
    assert guard.member_counters(msg.GUILD, msg.USER)["warn_count"] == 1


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # The rule's TEMPMUTE is more severe than a warning; the ladder still climbs beneath it.
        ("TEMPMUTE", ["TEMPMUTE", "TEMPMUTE", "KICK", "KICK", "BAN"]),
        # A rule that always bans stays a ban.
        ("BAN", ["BAN", "BAN", "BAN", "BAN", "BAN"]),
    ],
)
def test_the_rule_punishment_applies_when_more_severe(
    msg: Msg, rule: str, expected: list[str]
) -> None:
    plans = incidents(ladder_guard(rule), msg, 5)
    assert [p.punishment for p in plans] == expected


def test_reset_member_starts_the_ladder_again(msg: Msg) -> None:
    guard = ladder_guard()
    incidents(guard, msg, 3)
    guard.reset_member(msg.GUILD, msg.USER)
    assert guard.process(msg(THREE_LINKS, t=1000)).punishment == "WARN"


def test_violation_count_counting_kicks_and_bans_whatever_the_count(msg: Msg) -> None:
    guard = ladder_guard(counting="violation_count", warn_threshold=3)
    incidents(guard, msg, 2)  # two warnings at count 3
    two_links = "https://a.example https://b.example"
    plans = [guard.process(msg(two_links, t=100 + i * 20)) for i in range(3)]
    assert [p.punishment for p in plans] == ["KICK", "KICK", "BAN"]


def test_a_violation_below_warn_threshold_opens_no_incident(msg: Msg) -> None:
    guard = Guard(
        Policy.from_dict(
            {
                "escalation": {"counting": "violation_count", "warn_threshold": 3},
                "spam": {"levels": {0: {"max_messages": {"count": 2, "interval": 10}}}},
            }
        )
    )
    plans = [guard.process(msg(f"m{t}", t=t)) for t in (0, 1, 2, 3)]
    # The second message is a violation of count 2, let pass; the third (count 3) is
    # the burst the ladder warns about, right away, not after a quiet incident window.
    assert [len(p.violations) for p in plans] == [0, 1, 1, 1]
    assert [p.punishment for p in plans] == ["NONE", "NONE", "WARN", "NONE"]
    assert guard.stats()["incidents"] == 1
    assert guard.member_counters(msg.GUILD, msg.USER)["violations"] == 1


def test_warn_threshold_without_violation_count_counting_is_an_error() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict({"escalation": {"warn_threshold": 2}})
    assert str(caught.value) == (
        "escalation.warn_threshold: is read only with counting: violation_count "
        "(discord-anti-spam's counting); with the default counting each incident is one step "
        "whatever its count: remove warn_threshold, or add counting: violation_count"
    )


def test_an_unknown_counting_is_an_error() -> None:
    with pytest.raises(PolicyError, match=r"escalation\.counting: must be one of incidents"):
        Policy.from_dict({"escalation": {"counting": "duplicates"}})
