"""Which rules apply to whom: levels, roles, channel whitelists and exemptions."""

from __future__ import annotations

import typing

import pytest

from spamguard.core import Guard, Policy, SkipReason

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

STRICT = {"max_messages": {"count": 2, "interval": 10}}
LOOSE = {"max_messages": {"count": 4, "interval": 10}}


def fired_at(guard: Guard, msg: Msg, **fields: typing.Any) -> int | None:
    """Index (1-based) of the first message of a burst of 5 that fires, or None."""
    for i in range(5):
        if guard.process(msg(t=i, **fields)).violations:
            return i + 1
    return None


# -- levels and roles ----------------------------------------------------------------------------

LEVELS = {
    "role_levels": {10: 10, 50: 50},
    "spam": {"levels": {0: STRICT, 10: LOOSE}},
}


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        # Level 0 (no levelled role): both rules apply, the strict one fires first.
        (frozenset(), 2),
        (frozenset({777}), 2),
        # Level 10: only the level-10 rule (level <= 10); level 0's no longer applies.
        (frozenset({10}), 4),
        # The highest role level counts: level 50 is above every rule.
        (frozenset({10, 50}), None),
    ],
)
def test_a_level_rule_applies_to_members_at_or_below_it(
    msg: Msg, roles: frozenset[int], expected: int | None
) -> None:
    guard = Guard(Policy.from_dict(LEVELS))
    assert fired_at(guard, msg, author_role_ids=roles) == expected


def test_member_above_every_level_is_skipped_without_rules(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(LEVELS))
    plan = guard.process(msg(author_role_ids=frozenset({50})))
    assert plan.skipped_reason is SkipReason.NO_RULES
    assert not plan


def test_role_rules_apply_to_holders_of_the_role(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"roles": {"111": STRICT}}}))
    assert fired_at(guard, msg, author_role_ids=frozenset({111, 5})) == 2
    assert guard.process(msg(author_id=9)).skipped_reason is SkipReason.NO_RULES


def test_star_role_rule_applies_to_everyone(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"roles": {"*": STRICT}}}))
    assert fired_at(guard, msg) == 2


def test_role_and_level_rules_both_run(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {0: {"max_links": {"count": 1, "interval": 10}}},
                "roles": {"111": {"max_messages": {"count": 1, "interval": 10}}},
            }
        }
    )
    plan = Guard(policy).process(msg("https://x.example", author_role_ids=frozenset({111})))
    assert sorted(v.check for v in plan.violations) == ["max_links", "max_messages"]


# -- channel whitelists ----------------------------------------------------------------------------


def whitelist_policy(rule_list: list[int] | None, check_list: list[int] | None) -> Policy:
    check: dict[str, typing.Any] = {"count": 2, "interval": 10}
    if check_list is not None:
        check["channel_whitelist"] = check_list
    rule: dict[str, typing.Any] = {"max_messages": check, "max_links": {"count": 2, "interval": 10}}
    if rule_list is not None:
        rule["channel_whitelist"] = rule_list
    return Policy.from_dict({"spam": {"levels": {0: rule}}})


def test_rule_whitelist_stops_every_check_in_that_channel(msg: Msg) -> None:
    guard = Guard(whitelist_policy([555], None))
    for i in range(4):
        plan = guard.process(msg("https://x.example", t=i, channel_id=555))
        assert plan.violations == ()


def test_check_whitelist_only_stops_that_check(msg: Msg) -> None:
    guard = Guard(whitelist_policy(None, [555]))
    guard.process(msg("https://x.example", t=0, channel_id=555))
    plan = guard.process(msg("https://x.example", t=1, channel_id=555))
    assert [v.check for v in plan.violations] == ["max_links"]


def test_check_whitelist_adds_to_the_rule_whitelist(msg: Msg) -> None:
    # The rule says none of its checks run in 555; a check's own list cannot undo that.
    guard = Guard(whitelist_policy([555], [556]))
    for channel in (555, 556):
        for i in range(3):
            plan = guard.process(msg(t=i, channel_id=channel))
            assert [v.check for v in plan.violations] == []


def test_whitelist_covers_threads_of_the_channel(msg: Msg) -> None:
    guard = Guard(whitelist_policy([555], None))
    for i in range(3):
        assert guard.process(msg(t=i, channel_id=9001, parent_id=555)).violations == ()


def test_messages_in_a_whitelisted_channel_do_not_count_elsewhere(msg: Msg) -> None:
    guard = Guard(whitelist_policy([555], None))
    for i in range(5):
        guard.process(msg(t=i, channel_id=555))
    # One message outside #555 is one message, not the sixth of a burst.
    assert guard.process(msg(t=5, channel_id=1)).violations == ()
    (violation,) = guard.process(msg(t=6, channel_id=1)).violations
    assert violation.message_ids == (6, 7)


def test_whitelisted_thread_messages_do_not_count_elsewhere(msg: Msg) -> None:
    guard = Guard(whitelist_policy([555], None))
    for i in range(3):
        guard.process(msg(t=i, channel_id=9001, parent_id=555))
    assert guard.process(msg(t=3, channel_id=1)).violations == ()


# -- exemptions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "fields", "reason"),
    [
        ({}, {"guild_id": None}, SkipReason.DM),
        ({}, {"author_is_bot": True}, SkipReason.BOT),
        ({"ignore": {"users": [3000]}}, {}, SkipReason.IGNORED_USER),
        (
            {"ignore": {"roles": [44]}},
            {"author_role_ids": frozenset({44, 45})},
            SkipReason.IGNORED_ROLE,
        ),
        ({"ignore": {"channels": [2000]}}, {}, SkipReason.IGNORED_CHANNEL),
        (
            {"ignore": {"channels": [2000]}},
            {"channel_id": 7, "parent_id": 2000},
            SkipReason.IGNORED_CHANNEL,
        ),
        ({"ignore": {"categories": [66]}}, {"category_id": 66}, SkipReason.IGNORED_CATEGORY),
        ({"ignore": {"guilds": [1000]}}, {}, SkipReason.IGNORED_GUILD),
        ({}, {"author_is_owner": True}, SkipReason.OWNER),
        ({}, {"author_is_admin": True}, SkipReason.ADMIN),
        ({}, {"author_can_manage_messages": True}, SkipReason.MANAGE_MESSAGES),
    ],
)
def test_exempt_messages_are_skipped_with_a_reason(
    msg: Msg, top: dict[str, typing.Any], fields: dict[str, typing.Any], reason: SkipReason
) -> None:
    guard = Guard(
        Policy.from_dict(
            {"spam": {"levels": {0: {"max_messages": {"count": 1, "interval": 5}}}}, **top}
        )
    )
    plan = guard.process(msg(**fields))
    assert plan.skipped_reason is reason
    assert plan.violations == ()
    assert plan.actions == ()
    assert not plan
    assert guard.stats()[f"skipped:{reason}"] == 1


def test_bots_are_checked_when_ignore_bots_is_off(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "ignore_bots": False,
            "spam": {"levels": {0: {"max_messages": {"count": 1, "interval": 5}}}},
        }
    )
    assert Guard(policy).process(msg(author_is_bot=True)).violations


def test_admins_are_checked_when_exempt_admins_is_off(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "exempt_admins": False,
            "spam": {"levels": {0: {"max_messages": {"count": 1, "interval": 5}}}},
        }
    )
    guard = Guard(policy)
    for fields in (
        {"author_is_admin": True},
        {"author_is_owner": True},
        {"author_can_manage_messages": True},
    ):
        assert guard.process(msg(**fields)).violations


def test_the_bot_never_acts_on_itself(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "ignore_bots": False,
            "spam": {"levels": {0: {"max_messages": {"count": 1, "interval": 5}}}},
        }
    )
    guard = Guard(policy, self_id=4242)
    plan = guard.process(msg(author_id=4242, author_is_bot=True))
    assert plan.skipped_reason is SkipReason.SELF
    assert not plan


def test_skipped_messages_do_not_count_later(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "ignore": {"channels": [9]},
            "spam": {"levels": {0: {"max_messages": {"count": 2, "interval": 5}}}},
        }
    )
    guard = Guard(policy)
    guard.process(msg(t=0, channel_id=9))
    assert guard.process(msg(t=1)).violations == ()


def test_per_guild_override_changes_exemptions(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {"levels": {0: {"max_messages": {"count": 1, "interval": 5}}}},
            "guilds": {1000: {"exempt_admins": False}},
        }
    )
    guard = Guard(policy)
    assert guard.process(msg(author_is_admin=True)).violations
    assert guard.process(msg(author_is_admin=True, guild_id=5)).skipped_reason is SkipReason.ADMIN
