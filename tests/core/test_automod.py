"""The ``automod:`` policy section: Discord's limits enforced, and a diff that converges."""

from __future__ import annotations

import pytest

from spamguard.core import Policy, PolicyError, action_from_dict, action_to_dict
from spamguard.core.policy.automod import (
    CreateAutoModRule,
    DeleteAutoModRule,
    EditAutoModRule,
    diff_rules,
)

GUILD = 81384788765712384


def keyword_rule(**overrides: object) -> dict[str, object]:
    rule: dict[str, object] = {
        "name": "invites",
        "trigger": "keyword",
        "keyword_filter": ["discord.gg/*", "*free nitro*"],
        "actions": [
            {"type": "block_message", "custom_message": "No invites here."},
            {"type": "send_alert_message", "channel_id": 381870553235193857},
            {"type": "timeout", "duration_seconds": 60},
        ],
        "exempt_roles": [381870553235193858],
    }
    rule.update(overrides)
    return rule


def section(*rules: dict[str, object], prefix: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"rules": list(rules)}
    if prefix is not None:
        body["prefix"] = prefix
    return {"automod": body}


def errors_of(document: dict[str, object]) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(document)
    return [str(issue) for issue in caught.value.issues]


def echoed(action: CreateAutoModRule, rule_id: int) -> dict[str, object]:
    """What Discord returns for a created rule: the body plus ids and full metadata."""
    metadata = {
        "keyword_filter": [],
        "regex_patterns": [],
        "presets": [],
        "allow_list": [],
        "mention_total_limit": 0,
    }
    metadata.update(action.rule["trigger_metadata"])
    return {
        **action.rule,
        "id": str(rule_id),
        "guild_id": str(GUILD),
        "creator_id": "1",
        "trigger_metadata": metadata,
        "actions": [
            {"type": a["type"], "metadata": dict(a["metadata"])} for a in action.rule["actions"]
        ],
    }


def test_a_valid_section_becomes_discord_bodies_with_the_prefix() -> None:
    policy = Policy.from_dict(
        section(
            keyword_rule(),
            {
                "name": "pings",
                "trigger": "mention_spam",
                "mention_total_limit": 8,
                "mention_raid_protection_enabled": True,
                "actions": [{"type": "block_message"}],
            },
        )
    )
    automod = policy.base.automod
    assert automod is not None
    created = diff_rules(automod, [], guild_id=GUILD)
    assert [type(a) for a in created] == [CreateAutoModRule, CreateAutoModRule]
    first = created[0].rule
    assert first["name"] == "spamguard: invites"
    assert first["event_type"] == 1
    assert first["trigger_type"] == 1
    assert first["trigger_metadata"]["keyword_filter"] == ["discord.gg/*", "*free nitro*"]
    assert first["actions"] == [
        {"type": 1, "metadata": {"custom_message": "No invites here."}},
        {"type": 2, "metadata": {"channel_id": "381870553235193857"}},
        {"type": 3, "metadata": {"duration_seconds": 60}},
    ]
    assert first["exempt_roles"] == ["381870553235193858"]
    assert created[1].rule["trigger_metadata"] == {
        "mention_total_limit": 8,
        "mention_raid_protection_enabled": True,
    }


def test_applying_the_diff_then_diffing_again_changes_nothing() -> None:
    automod = Policy.from_dict(
        section(
            keyword_rule(),
            {"name": "spam", "trigger": "spam", "actions": [{"type": "block_message"}]},
        )
    ).base.automod
    assert automod is not None
    created = diff_rules(automod, [], guild_id=GUILD)
    existing = [
        echoed(action, 900 + i)
        for i, action in enumerate(created)
        if isinstance(action, CreateAutoModRule)
    ]
    assert diff_rules(automod, existing, guild_id=GUILD) == ()


def test_a_changed_rule_is_edited_and_a_dropped_one_deleted_but_foreign_rules_are_untouched() -> (
    None
):
    old = Policy.from_dict(
        section(
            keyword_rule(),
            {"name": "spam", "trigger": "spam", "actions": [{"type": "block_message"}]},
        )
    ).base.automod
    assert old is not None
    existing = [
        echoed(action, 900 + i)
        for i, action in enumerate(diff_rules(old, [], guild_id=GUILD))
        if isinstance(action, CreateAutoModRule)
    ]
    foreign = {
        "id": "777",
        "name": "mods' own rule",
        "trigger_type": 1,
        "trigger_metadata": {"keyword_filter": ["x"]},
        "actions": [{"type": 1, "metadata": {}}],
        "enabled": True,
    }
    new = Policy.from_dict(section(keyword_rule(keyword_filter=["discord.gg/*"]))).base.automod
    assert new is not None
    changes = diff_rules(new, [*existing, foreign], guild_id=GUILD)
    assert [type(c) for c in changes] == [EditAutoModRule, DeleteAutoModRule]
    edit, delete = changes
    assert isinstance(edit, EditAutoModRule) and isinstance(delete, DeleteAutoModRule)
    assert edit.rule_id == 900
    assert edit.rule["trigger_metadata"]["keyword_filter"] == ["discord.gg/*"]
    assert "trigger_type" not in edit.rule and "event_type" not in edit.rule
    assert delete.rule_id == 901
    assert all(getattr(c, "rule_id", None) != 777 for c in changes)


def test_rules_known_by_id_are_owned_even_after_a_rename() -> None:
    automod = Policy.from_dict(section()).base.automod
    assert automod is not None
    renamed = {"id": "55", "name": "renamed by a moderator", "trigger_type": 3, "actions": []}
    assert diff_rules(automod, [renamed], guild_id=GUILD, owned_ids=[55]) == (
        DeleteAutoModRule(guild_id=GUILD, rule_id=55),
    )
    assert diff_rules(automod, [renamed], guild_id=GUILD) == ()


def test_automod_actions_round_trip_through_plain_data() -> None:
    action = EditAutoModRule(
        guild_id=GUILD, rule_id=5, rule={"name": "spamguard: x", "enabled": False}
    )
    assert action_from_dict(action_to_dict(action)) == action


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            keyword_rule(keyword_filter=["k"] * 1001),
            "automod.rules.0.keyword_filter: Discord allows at most 1000 entries, got 1001",
        ),
        (
            keyword_rule(keyword_filter=["x" * 61]),
            "automod.rules.0.keyword_filter.0: Discord allows at most 60 characters, got 61",
        ),
        (
            keyword_rule(regex_patterns=["a"] * 11),
            "automod.rules.0.regex_patterns: Discord allows at most 10 entries, got 11",
        ),
        (
            keyword_rule(regex_patterns=["a" * 261]),
            "automod.rules.0.regex_patterns.0: Discord allows at most 260 characters, got 261",
        ),
        (
            keyword_rule(allow_list=["ok"] * 101),
            "automod.rules.0.allow_list: Discord allows at most 100 entries, got 101",
        ),
        (
            {
                "name": "m",
                "trigger": "mention_spam",
                "mention_total_limit": 51,
                "actions": [{"type": "block_message"}],
            },
            "automod.rules.0.mention_total_limit: must be an integer from 1 to 50, got 51",
        ),
        (
            keyword_rule(exempt_roles=list(range(1, 22))),
            "automod.rules.0.exempt_roles: Discord allows at most 20 entries, got 21",
        ),
        (
            keyword_rule(exempt_channels=list(range(1, 52))),
            "automod.rules.0.exempt_channels: Discord allows at most 50 entries, got 51",
        ),
        (keyword_rule(actions=[]), "automod.rules.0.actions: needs at least one action"),
        (
            {
                "name": "s",
                "trigger": "spam",
                "actions": [{"type": "timeout", "duration_seconds": 60}],
            },
            "automod.rules.0.actions.0.type: a spam rule takes only block_message, send_alert_message, got 'timeout'",
        ),
        (
            keyword_rule(actions=[{"type": "timeout", "duration_seconds": 2_419_201}]),
            "automod.rules.0.actions.0.duration_seconds: must be 1 to 2419200 seconds (28 days), got 2419201",
        ),
        (
            keyword_rule(trigger="harmful_link"),
            "automod.rules.0.trigger: must be one of keyword, spam, keyword_preset, mention_spam, member_profile, got 'harmful_link'",
        ),
        (
            {
                "name": "p",
                "trigger": "keyword_preset",
                "presets": ["rude"],
                "actions": [{"type": "block_message"}],
            },
            "automod.rules.0.presets: must be a non-empty list of profanity, sexual_content, slurs, got ['rude']",
        ),
    ],
)
def test_discord_limits_are_enforced_with_the_path_of_the_field(
    rule: dict[str, object], expected: str
) -> None:
    assert expected in errors_of(section(rule))


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        # Superscript digits pass str.isdigit(), and ids of 2**64 or more are not Discord ids.
        (
            keyword_rule(actions=[{"type": "send_alert_message", "channel_id": "\u00b2"}]),
            "automod.rules.0.actions.0.channel_id",
        ),
        (
            keyword_rule(actions=[{"type": "send_alert_message", "channel_id": 2**64}]),
            "automod.rules.0.actions.0.channel_id",
        ),
        (
            keyword_rule(actions=[{"type": "send_alert_message", "channel_id": "1" * 21}]),
            "automod.rules.0.actions.0.channel_id",
        ),
        (keyword_rule(exempt_roles=[2**64]), "automod.rules.0.exempt_roles"),
        (keyword_rule(exempt_channels=["99999999999999999999"]), "automod.rules.0.exempt_channels"),
    ],
)
def test_an_id_that_is_no_discord_id_is_refused_wherever_automod_takes_one(
    rule: dict[str, object], path: str
) -> None:
    assert any(error.startswith(f"{path}: ") for error in errors_of(section(rule)))


def test_the_largest_discord_id_is_taken_as_a_number_or_a_text() -> None:
    largest = 2**64 - 1
    action = {"type": "send_alert_message", "channel_id": str(largest)}
    rule = keyword_rule(actions=[action], exempt_roles=[largest], exempt_channels=[str(largest)])
    automod = Policy.from_dict(section(rule)).base.automod
    assert automod is not None
    spec = automod.rules[0]
    assert spec.exempt_roles == (largest,)
    assert spec.exempt_channels == (largest,)
    assert spec.actions[0]["metadata"] == {"channel_id": str(largest)}


def test_at_most_one_spam_rule_per_guild() -> None:
    spam = {"name": "a", "trigger": "spam", "actions": [{"type": "block_message"}]}
    assert "automod.rules: Discord allows at most 1 spam rule(s) per guild, got 2" in errors_of(
        section(spam, {**spam, "name": "b"})
    )
