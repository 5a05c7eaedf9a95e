"""The contrib checks (mass mention, message length, link filter) through a real guard."""

from __future__ import annotations

import re

import pytest

from spamguard.contrib.link_filter import LinkFilter, find_invites, find_link_hosts
from spamguard.contrib.mass_mention import MassMention
from spamguard.contrib.message_length import MessageLength
from spamguard.core import DeleteMessages, Guard, PolicyError, Timeout


def deleted(plan) -> list[int]:
    return [mid for a in plan.actions if isinstance(a, DeleteMessages) for mid in a.message_ids]


# -- mass mention ------------------------------------------------------------------------------


def test_unconfigured_mass_mention_does_nothing(msg, policy) -> None:
    guard = Guard(policy(), plugins=[MassMention()])
    plan = guard.process(msg(mention_ids=tuple(range(1, 30))))
    assert plan.violations == ()


def test_one_message_with_enough_unique_users_and_roles_is_a_violation(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"mass_mention": {"per_message": 4, "total": 10}}),
        plugins=[MassMention()],
    )
    # 2 users (one repeated) + 2 roles (one repeated) = 4 unique mentions.
    plan = guard.process(msg(mention_ids=(1, 2, 2), role_mention_ids=(7, 8, 8)))
    assert [(v.check, v.count, v.limit, v.interval) for v in plan.violations] == [
        ("mass_mention", 4, 4, 0.0)
    ]
    assert any(isinstance(a, Timeout) for a in plan.actions)
    assert deleted(plan) == [plan.message_id]


@pytest.mark.parametrize("allowed_to_ping", [True, False])
def test_everyone_or_here_is_one_more_mention_pinged_or_only_written(
    allowed_to_ping: bool, msg, policy
) -> None:
    guard = Guard(
        policy(extensions={"mass_mention": {"per_message": 3, "total": 10}}),
        plugins=[MassMention()],
    )
    plan = guard.process(
        msg("@everyone @here", mention_ids=(1, 2), mentions_everyone=allowed_to_ping)
    )
    assert [(v.check, v.count) for v in plan.violations] == [("mass_mention", 3)]


def test_mentions_add_up_within_the_window_and_expire_after_it(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"mass_mention": {"per_message": 5, "total": 8, "interval": 10}}),
        plugins=[MassMention()],
    )
    assert not guard.process(msg(mention_ids=(1, 2, 3), t=0)).violations
    assert not guard.process(msg(mention_ids=(4, 5, 6), t=5)).violations
    over = guard.process(msg(mention_ids=(7, 8), t=9))
    assert [(v.count, v.limit, len(v.message_ids)) for v in over.violations] == [(8, 8, 3)]
    # At t=16 the first two messages (t=0, t=5) are out of the 10-second window.
    assert not guard.process(msg(mention_ids=(9, 10, 11), t=16)).violations


def test_a_message_without_mentions_never_fires_the_window_check(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"mass_mention": {"per_message": 5, "total": 5}}),
        plugins=[MassMention()],
    )
    guard.process(msg(mention_ids=(1, 2, 3, 4), t=0))
    assert not guard.process(msg("just talking", t=1)).violations


def test_mass_mention_settings_are_validated_with_their_paths(policy) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(
            policy(
                extensions={"mass_mention": {"per_message": 20, "total": 0, "punishmnet": "BAN"}}
            ),
            plugins=[MassMention()],
        )
    assert [str(i) for i in caught.value.issues] == [
        "extensions.mass_mention.punishmnet: unknown key (did you mean 'punishment'?); "
        "allowed: per_message, total, interval, punishment, delete, enabled",
        "extensions.mass_mention.total: must be a positive integer, got 0",
        "extensions.mass_mention.per_message: must not exceed total (10), got 20",
    ]


def test_enabled_false_switches_the_check_off(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"mass_mention": {"per_message": 1, "enabled": False}}),
        plugins=[MassMention()],
    )
    assert not guard.process(msg(mention_ids=(1, 2))).violations


# -- message length ----------------------------------------------------------------------------


def test_a_message_longer_than_the_limit_is_deleted(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"message_length": {"max_length": 10}}), plugins=[MessageLength()]
    )
    assert not guard.process(msg("x" * 10)).violations
    plan = guard.process(msg("x" * 11))
    assert [(v.check, v.count, v.limit) for v in plan.violations] == [("message_length", 11, 10)]
    assert plan.punishment == "NONE"
    assert deleted(plan) == [plan.message_id]


def test_too_many_lines_is_a_violation_when_a_line_limit_is_set(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"message_length": {"max_lines": 3, "delete": False}}),
        plugins=[MessageLength()],
    )
    assert not guard.process(msg("a\nb\nc")).violations
    plan = guard.process(msg("a\nb\nc\nd"))
    assert [(v.count, v.limit) for v in plan.violations] == [(4, 3)]
    assert deleted(plan) == []


def test_message_length_rejects_a_bad_limit(policy) -> None:
    with pytest.raises(
        PolicyError,
        match=re.escape("extensions.message_length.max_length: must be a positive integer, got -5"),
    ):
        Guard(policy(extensions={"message_length": {"max_length": -5}}), plugins=[MessageLength()])


# -- link filter -------------------------------------------------------------------------------


def test_invites_are_found_with_or_without_a_scheme() -> None:
    text = "join discord.gg/abc, https://discord.com/invite/Py-thon or www.discordapp.com/invite/x1"
    assert find_invites(text) == ["abc", "Py-thon", "x1"]


def test_link_hosts_ignore_invites_and_trailing_punctuation() -> None:
    text = "see (https://Sub.Example.com/path?q=1), www.test.org. and discord.gg/abc"
    assert find_link_hosts(text) == ["sub.example.com", "www.test.org"]


@pytest.mark.parametrize(
    ("content", "count"),
    [
        ("plain words, example.com without scheme", 0),
        ("https://youtube.com/watch?v=1 and https://m.youtube.com/x", 0),
        ("https://evil.example/x", 1),
        ("https://grabify.link/abc https://youtube.com", 1),
        ("discord.gg/python is ok, discord.gg/other is not", 1),
        ("https://notyoutube.com/x", 1),
    ],
)
def test_links_and_invites_are_judged_by_the_lists(msg, policy, content, count) -> None:
    settings = {
        "allow_domains": ["youtube.com", "grabify.link"],
        "deny_domains": ["grabify.link"],
        "allowed_invites": ["https://discord.gg/python"],
    }
    guard = Guard(policy(extensions={"link_filter": settings}), plugins=[LinkFilter()])
    plan = guard.process(msg(content))
    assert [v.count for v in plan.violations] == ([count] if count else [])
    assert bool(deleted(plan)) == bool(count)


def test_invites_are_allowed_when_blocking_is_off(msg, policy) -> None:
    guard = Guard(
        policy(extensions={"link_filter": {"block_invites": False}}), plugins=[LinkFilter()]
    )
    assert not guard.process(msg("discord.gg/anything")).violations


def test_link_filter_rejects_urls_where_domains_are_expected(policy) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(
            policy(extensions={"link_filter": {"deny_domains": ["https://bad.example/x", 5]}}),
            plugins=[LinkFilter()],
        )
    assert [str(i) for i in caught.value.issues] == [
        "extensions.link_filter.deny_domains.0: must be a domain like example.com (no scheme, "
        "no path), got 'https://bad.example/x'",
        "extensions.link_filter.deny_domains.1: must be a domain like example.com (no scheme, "
        "no path), got 5",
    ]


def test_settings_that_are_not_a_mapping_are_reported(policy) -> None:
    with pytest.raises(
        PolicyError,
        match=re.escape("extensions.link_filter: must be a mapping of settings, got a list"),
    ):
        Guard(policy(extensions={"link_filter": ["youtube.com"]}), plugins=[LinkFilter()])
