"""How long the guard remembers a member's messages: as long as a decision can look back."""

from __future__ import annotations

import typing

import pytest

from spamguard.core import Guard, Policy

if typing.TYPE_CHECKING:
    from collections.abc import Callable

Msg = typing.Any


def remembered(guard: Guard) -> int:
    """How many recent messages the snapshot keeps across all members."""
    return sum(len(state["recent"]) for _g, _u, state in guard.snapshot()["members"])


@pytest.mark.parametrize(("clean", "kept"), [(False, 0), (True, 3)])
def test_history_is_kept_for_clean_duration_only_when_the_rule_cleans(
    msg: Msg, make_policy: Callable[..., Policy], clean: bool, kept: int
) -> None:
    rule = {"clean": clean, "clean_duration": 600, "max_messages": {"count": 10, "interval": 30}}
    guard = Guard(make_policy(rule))
    for t in (0.0, 1.0, 2.0):
        guard.process(msg(f"message {t}", t=t))

    # Past every check's window but within clean_duration.
    guard.prune(msg.at(120))

    assert remembered(guard) == kept


@pytest.mark.parametrize(
    ("rule", "top", "seconds"),
    [
        # The longest check interval, when no rule cleans.
        (
            {
                "max_messages": {"count": 5, "interval": 7},
                "max_links": {"count": 3, "interval": 60},
            },
            {},
            60.0,
        ),
        # A cleaning rule looks back clean_duration (the Rowboat default is 900 s).
        ({"clean": True, "max_messages": {"count": 5, "interval": 7}}, {}, 900.0),
        (
            {"clean": True, "clean_duration": 5, "max_messages": {"count": 5, "interval": 7}},
            {},
            10.0,
        ),  # the incident window outlasts both
        (None, {"incident_window": 45}, 45.0),
    ],
)
def test_history_seconds_is_the_longest_look_back_of_the_policy(
    make_policy: Callable[..., Policy],
    rule: dict[str, typing.Any] | None,
    top: dict[str, typing.Any],
    seconds: float,
) -> None:
    assert make_policy(rule, **top).base.history_seconds == seconds


def test_a_role_rule_counts_towards_history_seconds(make_policy: Callable[..., Policy]) -> None:
    policy = make_policy({"max_messages": {"count": 5, "interval": 7}})
    with_role = Policy.from_dict(
        {
            "spam": {
                "levels": {0: {"max_messages": {"count": 5, "interval": 7}}},
                "roles": {"42": {"max_duplicates": {"count": 3, "interval": 120}}},
            }
        }
    )

    assert policy.base.history_seconds == 10.0
    assert with_role.base.history_seconds == 120.0


def test_a_redelivery_after_history_is_forgotten_does_not_count_again(
    msg: Msg, make_policy: Callable[..., Policy]
) -> None:
    guard = Guard(make_policy({"punishment": "KICK", "max_messages": {"count": 2, "interval": 30}}))
    first = msg("hello", t=0)
    guard.process(first)
    guard.prune(msg.at(120))

    # The same message delivered again much later is too old for any window.
    assert not guard.process(first, now=msg.at(121))
    assert not guard.process(msg("hello again", t=121))
