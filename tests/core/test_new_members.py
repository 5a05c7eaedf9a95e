"""The ``new_members`` section: new members' level, from the join time or the account age."""

from __future__ import annotations

import datetime
import typing

import pytest

from spamguard.core import Guard, MemberJoin, MemberLeave, Message, Policy, PolicyError
from spamguard.core.messages import snowflake_seconds
from spamguard.reporting import Explainer

T0 = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
GUILD = 100
CHANNEL = 5
MOD_ROLE = 77


def user_created(at: datetime.datetime, index: int = 0) -> int:
    """A user id whose account was created at ``at`` (its snowflake time)."""
    ms = int(at.timestamp() * 1000) - 1_420_070_400_000
    return (ms << 22) + index


OLD_ACCOUNT = user_created(T0 - datetime.timedelta(days=400))
NEW_ACCOUNT = user_created(T0 - datetime.timedelta(hours=1))

DOC: dict[str, typing.Any] = {
    "new_members": {"joined_within": 600, "account_younger_than": 86400},
    "role_levels": {str(MOD_ROLE): 50},
    "spam": {
        "levels": {
            -1: {"punishment": "KICK", "max_links": {"count": 1, "interval": 60}},
            0: {"punishment": "TIMEOUT", "max_messages": {"count": 3, "interval": 10}},
        }
    },
}


def message(
    index: int,
    author_id: int,
    seconds: float,
    content: str = "see https://example.com",
    **fields: typing.Any,
) -> Message:
    return Message(
        id=1000 + index,
        guild_id=GUILD,
        channel_id=CHANNEL,
        author_id=author_id,
        content=content,
        created_at=T0 + datetime.timedelta(seconds=seconds),
        **fields,
    )


def test_a_member_who_joined_recently_gets_the_new_member_rules_and_the_level_0_ones() -> None:
    guard = Guard(Policy.from_dict(DOC))
    joined = T0 - datetime.timedelta(seconds=60)
    link = guard.handle(message(1, OLD_ACCOUNT, 0, author_joined_at=joined))
    assert link.punishment == "KICK"
    assert [v.check for v in link.violations] == ["max_links"]

    # Level 0 applies to new members too: three messages without links in ten seconds.
    other = OLD_ACCOUNT + 1
    for index in range(3):
        plan = guard.handle(message(10 + index, other, index, "hi", author_joined_at=joined))
    assert [v.check for v in plan.violations] == ["max_messages"]


def test_a_member_who_joined_long_ago_has_only_the_level_0_rules() -> None:
    guard = Guard(Policy.from_dict(DOC))
    joined = T0 - datetime.timedelta(days=30)
    plan = guard.handle(message(1, OLD_ACCOUNT, 0, author_joined_at=joined))
    assert plan.violations == ()
    # joined_within is measured at the message's time: 600 seconds after joining, not new.
    edge = guard.handle(
        message(2, OLD_ACCOUNT + 1, 600, author_joined_at=T0),
    )
    assert edge.violations == ()
    inside = guard.handle(message(3, OLD_ACCOUNT + 2, 599.5, author_joined_at=T0))
    assert inside.punishment == "KICK"


def test_without_the_members_join_time_the_join_the_guard_saw_counts() -> None:
    guard = Guard(Policy.from_dict(DOC))
    guard.handle(MemberJoin(guild_id=GUILD, user_id=OLD_ACCOUNT, joined_at=T0))
    assert guard.handle(message(1, OLD_ACCOUNT, 30)).punishment == "KICK"
    # After leaving, the join is forgotten: an old account is not new any more.
    guard.handle(
        MemberLeave(guild_id=GUILD, user_id=OLD_ACCOUNT, at=T0 + datetime.timedelta(seconds=40))
    )
    assert guard.handle(message(2, OLD_ACCOUNT, 100)).violations == ()


def test_the_messages_join_time_wins_over_the_join_the_guard_saw() -> None:
    guard = Guard(Policy.from_dict(DOC))
    guard.handle(MemberJoin(guild_id=GUILD, user_id=OLD_ACCOUNT, joined_at=T0))
    long_ago = T0 - datetime.timedelta(days=30)
    assert guard.handle(message(1, OLD_ACCOUNT, 30, author_joined_at=long_ago)).violations == ()


def test_when_the_join_time_is_unknown_only_the_account_age_counts() -> None:
    guard = Guard(Policy.from_dict(DOC))
    assert snowflake_seconds(NEW_ACCOUNT) == pytest.approx((T0.timestamp() - 3600), abs=0.001)
    assert guard.handle(message(1, NEW_ACCOUNT, 0)).punishment == "KICK"
    assert guard.handle(message(2, OLD_ACCOUNT, 0)).violations == ()
    # A new account is new whenever it joined.
    long_ago = T0 - datetime.timedelta(days=30)
    plan = guard.handle(message(3, NEW_ACCOUNT + 1, 0, author_joined_at=long_ago))
    assert plan.punishment == "KICK"


def test_a_new_member_has_the_new_member_level_whatever_its_roles() -> None:
    guard = Guard(Policy.from_dict(DOC))
    roles = frozenset({MOD_ROLE})
    # The same role set decides differently for a new and an old member (the compiled
    # policy remembers the rules per role set and newness).
    old = guard.handle(message(1, OLD_ACCOUNT, 0, author_role_ids=roles))
    new = guard.handle(message(2, NEW_ACCOUNT, 0, author_role_ids=roles))
    again = guard.handle(message(3, OLD_ACCOUNT + 1, 0, author_role_ids=roles))
    assert (old.skipped_reason, new.punishment, again.skipped_reason) == (
        "no_rules",
        "KICK",
        "no_rules",
    )


def test_a_guild_override_sets_its_own_new_members() -> None:
    doc = {**DOC, "guilds": {"200": {"new_members": {"account_younger_than": None}}}}
    guard = Guard(Policy.from_dict(doc))
    assert guard.handle(message(1, NEW_ACCOUNT, 0)).punishment == "KICK"
    in_other = Message(
        id=2,
        guild_id=200,
        channel_id=CHANNEL,
        author_id=NEW_ACCOUNT,
        content="see https://example.com",
        created_at=T0,
    )
    assert guard.handle(in_other).violations == ()
    off = Guard(
        Policy.from_dict(
            {**DOC, "guilds": {"200": {"new_members": None, "spam": {"levels": {-1: None}}}}}
        )
    )
    assert off.handle(in_other).violations == ()


def test_the_join_time_survives_a_snapshot() -> None:
    guard = Guard(Policy.from_dict(DOC))
    guard.handle(MemberJoin(guild_id=GUILD, user_id=OLD_ACCOUNT, joined_at=T0))
    restored = Guard.restore(Policy.from_dict(DOC), guard.snapshot())
    assert restored.handle(message(1, OLD_ACCOUNT, 30)).punishment == "KICK"


def test_joins_are_kept_as_long_as_joined_within_reads_them() -> None:
    guard = Guard(Policy.from_dict({**DOC, "new_members": {"joined_within": 7200}}))
    guard.handle(MemberJoin(guild_id=GUILD, user_id=OLD_ACCOUNT, joined_at=T0))
    guard.prune(T0 + datetime.timedelta(seconds=7000))
    assert guard.is_new_member(message(1, OLD_ACCOUNT, 7000))
    guard.prune(T0 + datetime.timedelta(seconds=7201))
    assert guard.state.member(GUILD, OLD_ACCOUNT) is None


def test_explain_names_the_new_member_rules() -> None:
    explainer = Explainer(Guard(Policy.from_dict(DOC)))
    new = explainer.explain(message(1, NEW_ACCOUNT, 0))
    assert new.rules == ("level:-1", "level:0")
    assert [m.check for m in new.measures] == ["max_links", "max_messages"]
    old = explainer.explain(message(2, OLD_ACCOUNT, 0, author_role_ids=frozenset({MOD_ROLE})))
    assert old.rules == ()
    assert old.rules_not_applying == (
        ("level:-1", "the author's level is 50, above -1"),
        ("level:0", "the author's level is 50, above 0"),
    )


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            {"new_members": {"level": -1}},
            "new_members: names nobody as new: give joined_within (seconds since joining), "
            "account_younger_than (seconds since the account was created) or both",
        ),
        (
            {"new_members": {"joined_within": "10m"}},
            "new_members.joined_within: must be a positive number of seconds, got '10m'",
        ),
        (
            {"new_members": {"joined_within": 60, "level": -1001}},
            "new_members.level: must be an integer >= -1000, got -1001",
        ),
        (
            {"new_members": {"joined_within": 60, "levle": -1}},
            "new_members.levle: unknown key (did you mean 'level'?); allowed: joined_within, "
            "account_younger_than, level",
        ),
        (
            {"spam": {"levels": {-1: {}}}},
            "spam.levels.-1: applies to nobody: only new members have a level below 0; add "
            "new_members: {joined_within: 600, level: -1}",
        ),
        (
            {
                "new_members": {"joined_within": 60},
                "guilds": {"7": {"spam": {"levels": {"-2": {}}}}},
            },
            "guilds.7.spam.levels.-2: applies to nobody: only new members have a level below 0; "
            "new_members.level is -1: set it to -2 or lower",
        ),
    ],
)
def test_a_bad_new_members_section_names_the_field(
    doc: dict[str, typing.Any], expected: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(doc)
    assert [f"{issue.path}: {issue.message}" for issue in caught.value.issues] == [expected]
