"""A duration that becomes a Discord timeout must fit Discord's 28 days: the policy says so
when it loads, naming the field, instead of the adapter silently cutting it short."""

from __future__ import annotations

import typing

import pytest

from spamguard.core import Policy, PolicyError

DAYS = 86_400
LIMIT = 28 * DAYS


def issues_of(document: dict[str, typing.Any]) -> list[str]:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(document)
    return [str(issue) for issue in info.value.issues]


def level0(**rule: typing.Any) -> dict[str, typing.Any]:
    return {"spam": {"levels": {0: {"max_messages": {"count": 5, "interval": 5}, **rule}}}}


def test_a_tempmute_longer_than_28_days_without_a_mute_role_is_an_error() -> None:
    assert issues_of(level0(punishment="TEMPMUTE", punishment_duration=30 * DAYS)) == [
        f"spam.levels.0.punishment_duration: a TEMPMUTE of {30 * DAYS} seconds is longer than "
        f"Discord's 28-day timeout ({LIMIT} seconds), which is what it becomes here; set "
        f"mute_role_id (a mute role has no limit), or at most {LIMIT}"
    ]


def test_a_tempmute_of_exactly_28_days_or_with_a_mute_role_loads() -> None:
    Policy.from_dict(level0(punishment="TEMPMUTE", punishment_duration=LIMIT))
    policy = Policy.from_dict(
        {**level0(punishment="TEMPMUTE", punishment_duration=90 * DAYS), "mute_role_id": 42}
    )
    assert policy.base.levels[0][1].punishment_duration == 90 * DAYS


def test_a_timeout_is_a_timeout_even_with_a_mute_role() -> None:
    document = {**level0(punishment="TIMEOUT", punishment_duration=30 * DAYS), "mute_role_id": 42}
    (line,) = issues_of(document)
    assert line.startswith("spam.levels.0.punishment_duration: a TIMEOUT of 2592000 seconds")
    assert line.endswith(f"at most {LIMIT}, or TEMPMUTE with a mute_role_id, or TEMPBAN")


def test_a_checks_own_duration_is_named_at_the_check() -> None:
    document = level0(
        punishment="TEMPMUTE",
        punishment_duration=120,
        max_links={"count": 3, "interval": 10, "punishment_duration": 40 * DAYS},
    )
    (line,) = issues_of(document)
    assert line.startswith("spam.levels.0.max_links.punishment_duration: a TEMPMUTE of 3456000")


def test_a_check_turning_the_rules_long_duration_into_a_tempmute_names_the_rules_duration() -> None:
    # A 60-day TEMPBAN is fine; the check's TEMPMUTE takes the rule's 60 days.
    document = level0(
        punishment="TEMPBAN",
        punishment_duration=60 * DAYS,
        max_mentions={"count": 3, "interval": 10, "punishment": "TEMPMUTE"},
    )
    (line,) = issues_of(document)
    assert line.startswith("spam.levels.0.punishment_duration: a TEMPMUTE of 5184000 seconds")


def test_a_role_rule_is_named_by_its_role() -> None:
    document = {
        "spam": {
            "roles": {
                "*": {
                    "punishment": "TEMPMUTE",
                    "punishment_duration": 29 * DAYS,
                    "max_messages": {"count": 5, "interval": 5},
                }
            }
        }
    }
    (line,) = issues_of(document)
    assert line.startswith("spam.roles.*.punishment_duration: a TEMPMUTE")


def test_an_escalation_ladder_whose_last_timeout_is_too_long_is_an_error() -> None:
    # The n-th timeout lasts n*n times timeout_duration: the third lasts 9 x 300000.
    document = {"escalation": {"timeout_threshold": 3, "timeout_duration": 300_000}}
    assert issues_of(document) == [
        "escalation.timeout_duration: the ladder's timeout number 3 would last 3x3x300000 = "
        f"2700000 seconds, longer than Discord's 28-day timeout ({LIMIT} seconds); lower "
        "timeout_duration or timeout_threshold"
    ]
    Policy.from_dict({"escalation": {"timeout_threshold": 3, "timeout_duration": LIMIT // 9}})
    # Without timeout steps the duration is never used.
    Policy.from_dict({"escalation": {"timeout_threshold": 0, "timeout_duration": 300_000}})


def test_a_guild_that_drops_the_mute_role_is_named_under_its_override() -> None:
    document = {
        **level0(punishment="TEMPMUTE", punishment_duration=30 * DAYS),
        "mute_role_id": 42,
        "guilds": {"555": {"mute_role_id": None}, "556": {"dry_run": True}},
    }
    (line,) = issues_of(document)
    assert line.startswith("guilds.555.spam.levels.0.punishment_duration: a TEMPMUTE of 2592000")


def test_a_guild_override_with_its_own_mute_role_may_mute_longer() -> None:
    long_mute = {"spam": {"levels": {0: {"punishment_duration": 30 * DAYS}}}}
    base = level0(punishment="TEMPMUTE", punishment_duration=600)
    policy = Policy.from_dict({**base, "guilds": {"555": {**long_mute, "mute_role_id": 42}}})
    assert policy.for_guild(555).levels[0][1].punishment_duration == 30 * DAYS
    # The same override without a mute role: that guild's TEMPMUTE would be cut short.
    (line,) = issues_of({**base, "guilds": {"556": long_mute}})
    assert line.startswith("guilds.556.spam.levels.0.punishment_duration: a TEMPMUTE")
