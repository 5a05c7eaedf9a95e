"""Redelivered and edited messages: the same id again never counts twice."""

from __future__ import annotations

import dataclasses
import typing

from spamguard.core import Guard, Policy, SkipReason

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""


def rule_guard(rule: dict[str, typing.Any], **top: typing.Any) -> Guard:
    return Guard(Policy.from_dict({"spam": {"levels": {0: rule}}, **top}))


def test_redelivered_message_is_skipped_and_not_counted(msg: Msg) -> None:
    guard = rule_guard({"max_messages": {"count": 2, "interval": 10}})
    first = msg(t=0)
    assert guard.process(first).skipped_reason is None
    again = guard.process(first)
    assert again.skipped_reason is SkipReason.REDELIVERED
    assert not again
    assert guard.stats()["messages"] == 1
    assert guard.stats()["skipped:redelivered"] == 1
    assert guard.process(msg(t=1)).violations[0].message_ids == (1, 2)


def test_redelivery_after_a_violation_is_not_punished_again(msg: Msg) -> None:
    guard = rule_guard(
        {"punishment": "KICK", "max_messages": {"count": 2, "interval": 10}}, incident_window=0
    )
    guard.process(msg(t=0))
    trigger = msg(t=1)
    assert guard.process(trigger).punishment == "KICK"
    assert guard.process(trigger).skipped_reason is SkipReason.REDELIVERED


def test_edit_replaces_the_contribution(msg: Msg) -> None:
    guard = rule_guard({"max_links": {"count": 3, "interval": 10}})
    guard.process(msg("https://a.example", t=0))
    original = msg("hi", t=1)
    assert not guard.process(original).violations
    edited = dataclasses.replace(original, content="https://b.example https://c.example")
    plan = guard.process(edited)
    assert plan.skipped_reason is None
    (violation,) = plan.violations
    assert (violation.count, violation.message_ids) == (3, (1, 2))


def test_edit_can_lower_the_contribution(msg: Msg) -> None:
    guard = rule_guard({"max_links": {"count": 3, "interval": 10}})
    two_links = msg("https://a.example https://b.example", t=0)
    guard.process(two_links)
    guard.process(dataclasses.replace(two_links, content="no links any more"))
    assert not guard.process(msg("https://c.example", t=1)).violations
    assert guard.process(msg("https://d.example https://e.example", t=2)).violations[0].count == 3


def test_edit_never_resets_nor_doubles_the_window(msg: Msg) -> None:
    guard = rule_guard({"max_messages": {"count": 3, "interval": 10}})
    guard.process(msg(t=0))
    second = msg("typo", t=1)
    guard.process(second)
    assert not guard.process(dataclasses.replace(second, content="fixed")).violations
    (violation,) = guard.process(msg(t=2)).violations
    assert (violation.count, violation.message_ids) == (3, (1, 2, 3))


def test_edit_into_a_duplicate_counts_as_one(msg: Msg) -> None:
    guard = rule_guard({"max_duplicates": {"count": 3, "interval": 30}})
    guard.process(msg("buy nitro", t=0))
    guard.process(msg("buy nitro", t=1))
    innocent = msg("hello", t=2)
    assert not guard.process(innocent).violations
    (violation,) = guard.process(dataclasses.replace(innocent, content="BUY NITRO")).violations
    assert violation.message_ids == (1, 2, 3)


def test_edit_out_of_a_duplicate_removes_it(msg: Msg) -> None:
    guard = rule_guard({"max_duplicates": {"count": 3, "interval": 30}})
    first = msg("buy nitro", t=0)
    guard.process(first)
    guard.process(msg("buy nitro", t=1))
    guard.process(dataclasses.replace(first, content="sorry"))
    assert not guard.process(msg("buy nitro", t=2)).violations


def test_an_edit_that_adds_nothing_does_not_fire_again(msg: Msg) -> None:
    guard = rule_guard(
        {"punishment": "KICK", "max_messages": {"count": 2, "interval": 10}}, incident_window=0
    )
    guard.process(msg(t=0))
    second = msg("hello", t=1)
    assert guard.process(second).punishment == "KICK"
    # Fixing a typo is not a new message: no new violation, no second kick.
    edited = guard.process(dataclasses.replace(second, content="hello!"))
    assert edited.violations == ()
    assert not edited


def test_an_edit_that_adds_links_fires_the_link_check(msg: Msg) -> None:
    guard = rule_guard(
        {
            "punishment": "KICK",
            "max_messages": {"count": 2, "interval": 10},
            "max_links": {"count": 2, "interval": 10},
        },
        incident_window=0,
    )
    guard.process(msg("https://a.example", t=0))
    second = msg("hello", t=1)
    assert [v.check for v in guard.process(second).violations] == ["max_messages"]
    edited = guard.process(dataclasses.replace(second, content="https://b.example"))
    assert [v.check for v in edited.violations] == ["max_links"]


def test_the_edited_text_is_then_a_redelivery(msg: Msg) -> None:
    guard = rule_guard({"max_messages": {"count": 5, "interval": 10}})
    original = msg("a", t=0)
    guard.process(original)
    edited = dataclasses.replace(original, content="b")
    assert guard.process(edited).skipped_reason is None
    assert guard.process(edited).skipped_reason is SkipReason.REDELIVERED


def test_an_edited_message_keeps_its_place_in_the_window(msg: Msg) -> None:
    guard = rule_guard({"max_links": {"count": 3, "interval": 10}})
    early = msg("no link", t=0)
    guard.process(early)
    guard.process(msg("https://x.example", t=8))
    # Edited into a link after a later link: it still dates from t=0 and leaves the
    # window at t=10, whatever order the entries arrived in.
    guard.process(dataclasses.replace(early, content="https://a.example"))
    assert not guard.process(msg("https://c.example", t=10.5)).violations
    (violation,) = guard.process(msg("https://d.example", t=11)).violations
    assert violation.message_ids == (2, 3, 4)
