"""Policy documents: formats, Rowboat compatibility, overrides and the errors for bad input."""

from __future__ import annotations

import json
import pathlib
import typing

import pytest
import yaml

from spamguard.core import Policy, PolicyError, Punishment, Scope
from spamguard.core.policy import CHECK_NAMES

ROWBOAT_RULE = {
    "punishment": "TEMPMUTE",
    "punishment_duration": 120,
    "clean": True,
    "clean_count": 50,
    "clean_duration": 500,
    "max_messages": {"count": 10, "interval": 7},
}


def errors_of(document: typing.Any) -> list[str]:
    """The lines of the PolicyError raised for ``document``."""
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(document)
    assert str(info.value) == "\n".join(str(issue) for issue in info.value.issues)
    return str(info.value).splitlines()


# -- loading ---------------------------------------------------------------------------------


def test_rowboat_docs_fixture_loads_every_field(fixtures_dir: pathlib.Path) -> None:
    policy = Policy.from_file(fixtures_dir / "rowboat_docs.yaml")
    ((level, rule),) = policy.base.levels
    assert level == 0
    assert rule.punishment is Punishment.TEMPMUTE
    assert (rule.punishment_duration, rule.clean, rule.clean_count, rule.clean_duration) == (
        120,
        True,
        50,
        500,
    )
    limits = {c.name: (c.count, c.interval) for c in rule.checks}
    assert limits == {
        "max_messages": (10, 7.0),
        "max_mentions": (8, 30.0),
        "max_links": (10, 60.0),
        "max_attachments": (10, 60.0),
        "max_emojis": (100, 120.0),
        "max_newlines": (60, 120.0),
        "max_duplicates": (5, 30.0),
    }
    # Checks are kept in evaluation order whatever the document's order.
    assert [c.name for c in rule.checks] == [n for n in CHECK_NAMES if n in limits]
    assert all(c.scope is Scope.USER for c in rule.checks)
    assert next(c for c in rule.checks if c.name == "max_duplicates").accuracy == 90


def test_rowboat_plugin_body_without_spam_key_loads(fixtures_dir: pathlib.Path) -> None:
    policy = Policy.from_file(fixtures_dir / "rowboat_roles.yaml")
    assert [level for level, _rule in policy.base.levels] == [0]
    assert [key for key, _rule in policy.base.roles] == ["111"]
    assert policy.base.role_levels == {222: 10}
    assert policy.base.mute_role_id == 999
    level0 = policy.base.levels[0][1]
    assert level0.channel_whitelist == frozenset({555})
    upper = next(c for c in level0.checks if c.name == "max_upper_case")
    assert upper.punishment is Punishment.WARN
    assert upper.channel_whitelist == frozenset({556})


def test_same_policy_from_yaml_toml_and_json(tmp_path: pathlib.Path) -> None:
    (tmp_path / "p.yaml").write_text(
        yaml.safe_dump({"spam": {"levels": {0: ROWBOAT_RULE}}}), encoding="utf-8"
    )
    (tmp_path / "p.json").write_text(
        json.dumps({"spam": {"levels": {"0": ROWBOAT_RULE}}}), encoding="utf-8"
    )
    (tmp_path / "p.toml").write_text(
        '[spam.levels.0]\npunishment = "TEMPMUTE"\npunishment_duration = 120\n'
        "clean = true\nclean_count = 50\nclean_duration = 500\n"
        "max_messages = {count = 10, interval = 7}\n",
        encoding="utf-8",
    )
    loaded = [Policy.from_file(tmp_path / name) for name in ("p.yaml", "p.json", "p.toml")]
    assert loaded[0].base == loaded[1].base == loaded[2].base
    assert loaded[0].base.levels[0][1].checks[0].count == 10


def test_default_policy_is_a_valid_level0_rule() -> None:
    policy = Policy.default()
    ((level, rule),) = policy.base.levels
    assert level == 0
    assert rule.checks
    assert policy.base.ignore_bots
    assert policy.base.exempt_admins


def test_defaults_of_an_empty_rule() -> None:
    policy = Policy.from_dict({"spam": {"levels": {0: {}}}})
    rule = policy.base.levels[0][1]
    assert rule.punishment is Punishment.NONE
    assert (rule.punishment_duration, rule.clean_count, rule.clean_duration) == (300, 100, 900)
    assert not rule.clean
    assert not rule.punishment_dms
    assert policy.base.incident_window == 10.0
    assert policy.base.escalation is None


def test_punishment_and_scope_names_are_case_insensitive() -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "punishment": "tempban",
                        "max_links": {"count": 1, "interval": 1, "scope": "USER_CHANNEL"},
                    }
                }
            }
        }
    )
    rule = policy.base.levels[0][1]
    assert rule.punishment is Punishment.TEMPBAN
    assert rule.checks[0].scope is Scope.USER_CHANNEL


def test_ids_may_be_written_as_strings() -> None:
    policy = Policy.from_dict(
        {"mute_role_id": "42", "role_levels": {"7": 3}, "ignore": {"channels": ["9"]}}
    )
    assert policy.base.mute_role_id == 42
    assert policy.base.role_levels == {7: 3}
    assert policy.base.ignore.channels == frozenset({9})


# -- per-guild overrides -----------------------------------------------------------------------


def test_guild_override_deep_merges_onto_the_base() -> None:
    policy = Policy.from_dict(
        {
            "spam": {"levels": {0: ROWBOAT_RULE}},
            "guilds": {
                "123": {"spam": {"levels": {0: {"max_messages": {"count": 3}}}}, "dry_run": True}
            },
        }
    )
    rule = policy.for_guild(123).levels[0][1]
    assert rule.checks[0].count == 3
    assert rule.checks[0].interval == 7.0  # kept from the base
    assert rule.punishment is Punishment.TEMPMUTE  # kept from the base
    assert policy.for_guild(123).dry_run
    assert not policy.base.dry_run
    assert policy.for_guild(456) is policy.base
    assert policy.for_guild(None) is policy.base


def test_null_in_a_guild_override_removes_the_setting() -> None:
    policy = Policy.from_dict(
        {
            "spam": {"levels": {0: {**ROWBOAT_RULE, "max_links": {"count": 5, "interval": 10}}}},
            "mute_role_id": 77,
            "guilds": {123: {"spam": {"levels": {0: {"max_links": None}}}, "mute_role_id": None}},
        }
    )
    assert [c.name for c in policy.for_guild(123).levels[0][1].checks] == ["max_messages"]
    assert policy.for_guild(123).mute_role_id is None
    assert [c.name for c in policy.base.levels[0][1].checks] == ["max_messages", "max_links"]
    assert policy.base.mute_role_id == 77


def test_guild_override_adds_a_level() -> None:
    policy = Policy.from_dict(
        {
            "spam": {"levels": {0: ROWBOAT_RULE}},
            "guilds": {
                123: {"spam": {"levels": {5: {"max_messages": {"count": 2, "interval": 1}}}}}
            },
        }
    )
    assert [level for level, _ in policy.for_guild(123).levels] == [0, 5]
    assert [level for level, _ in policy.base.levels] == [0]


# -- bad policies: every mistake named by its path, with what is allowed ----------------------

BAD_POLICIES: list[tuple[str, dict[str, typing.Any], str]] = [
    (
        "negative count",
        {"spam": {"levels": {0: {"max_messages": {"count": -1, "interval": 5}}}}},
        "spam.levels.0.max_messages.count: must be a positive integer, got -1",
    ),
    (
        "count as text",
        {"spam": {"levels": {0: {"max_messages": {"count": "10", "interval": 5}}}}},
        "spam.levels.0.max_messages.count: must be a positive integer, got '10'",
    ),
    (
        "zero interval",
        {"spam": {"levels": {0: {"max_links": {"count": 3, "interval": 0}}}}},
        "spam.levels.0.max_links.interval: must be a positive number of seconds, got 0",
    ),
    (
        "missing interval",
        {"spam": {"levels": {0: {"max_links": {"count": 3}}}}},
        "spam.levels.0.max_links.interval: is required",
    ),
    (
        "misspelled check",
        {"spam": {"levels": {0: {"max_mesages": {"count": 3, "interval": 5}}}}},
        "spam.levels.0.max_mesages: unknown key (did you mean 'max_messages'?); allowed: "
        "punishment, punishment_duration, punishment_dms, clean, clean_count, clean_duration, "
        "channel_whitelist, max_messages, max_mentions, max_links, max_upper_case, max_emojis, "
        "max_newlines, max_attachments, max_duplicates, max_characters, max_stickers, max_invites",
    ),
    (
        "unknown punishment",
        {"spam": {"levels": {0: {"punishment": "JAIL"}}}},
        "spam.levels.0.punishment: must be one of NONE, WARN, MUTE, TEMPMUTE, TIMEOUT, KICK, "
        "BAN, TEMPBAN, SOFTBAN, got 'JAIL'",
    ),
    (
        "unknown scope",
        {"spam": {"levels": {0: {"max_messages": {"count": 3, "interval": 5, "scope": "server"}}}}},
        "spam.levels.0.max_messages.scope: must be one of user, user_channel, channel, guild, "
        "got 'server'",
    ),
    (
        "accuracy on another check",
        {"spam": {"levels": {0: {"max_links": {"count": 3, "interval": 5, "accuracy": 80}}}}},
        "spam.levels.0.max_links.accuracy: only max_duplicates takes accuracy",
    ),
    (
        "accuracy above 100",
        {"spam": {"levels": {0: {"max_duplicates": {"count": 3, "interval": 5, "accuracy": 150}}}}},
        "spam.levels.0.max_duplicates.accuracy: must be an integer from 0 to 100, got 150",
    ),
    (
        "whitelist entry is a name",
        {"spam": {"levels": {0: {"channel_whitelist": [555, "general"]}}}},
        "spam.levels.0.channel_whitelist.1: must be a Discord id (a positive integer), "
        "got 'general'",
    ),
    (
        "whitelist is not a list",
        {
            "spam": {
                "levels": {0: {"max_links": {"count": 1, "interval": 1, "channel_whitelist": 5}}}
            }
        },
        "spam.levels.0.max_links.channel_whitelist: must be a list of Discord ids, got 5",
    ),
    (
        "level is not a number",
        {"spam": {"levels": {"mods": {}}}},
        "spam.levels.mods: a level must be an integer >= 0 (or down to -1000 for new members, "
        "see new_members), got 'mods'",
    ),
    (
        "role key is a name",
        {"spam": {"roles": {"moderators": {}}}},
        "spam.roles.moderators: a role key must be a role id or '*', got 'moderators'",
    ),
    (
        "clean_count zero",
        {"spam": {"levels": {0: {"clean": True, "clean_count": 0}}}},
        "spam.levels.0.clean_count: must be a positive integer, got 0",
    ),
    (
        "punishment longer than ten years",
        {"spam": {"levels": {0: {"punishment": "TEMPBAN", "punishment_duration": 10**12}}}},
        "spam.levels.0.punishment_duration: must be an integer from 1 to 315360000, "
        "got 1000000000000",
    ),
    (
        "clean as text",
        {"spam": {"levels": {0: {"clean": "yes"}}}},
        "spam.levels.0.clean: must be true or false, got 'yes'",
    ),
    (
        "misspelled top-level key",
        {"ignroe_bots": True},
        "ignroe_bots: unknown key (did you mean 'ignore_bots'?); allowed: version, spam, "
        "role_levels, mute_role_id, ignore_bots, exempt_admins, ignore, escalation, new_members, notices, "
        "modlog, incident_window, ban_delete_message_seconds, softban_delete_message_seconds, "
        "dry_run, disabled_extensions, extensions, automod, automod_executions_count, store, "
        "guilds",
    ),
    (
        "ban history beyond 7 days",
        {"ban_delete_message_seconds": 1_000_000},
        "ban_delete_message_seconds: must be an integer from 0 to 604800, got 1000000",
    ),
    (
        "log channel without its id",
        {"modlog": {"group_seconds": 5}},
        "modlog.channel_id: is required: the id of the log channel (or modlog: null for none)",
    ),
    (
        "log channel grouping over a minute",
        {"modlog": {"channel_id": 423456789012345678, "group_seconds": 600}},
        "modlog.group_seconds: must be a positive number of seconds up to 60, got 600",
    ),
    (
        "log channel in a guild override with a misspelled key",
        {"guilds": {"5": {"modlog": {"channel_id": 1, "grup_seconds": 2}}}},
        "guilds.5.modlog.grup_seconds: unknown key (did you mean 'group_seconds'?); allowed: "
        "channel_id, group_seconds, excerpts, excerpt_length, undos, raids, "
        "automod_executions, dry_run",
    ),
    (
        "mute role is negative",
        {"mute_role_id": -5},
        "mute_role_id: must be a Discord id (a positive integer), got -5",
    ),
    (
        "misspelled escalation key",
        {"escalation": {"warn_treshold": 2}},
        "escalation.warn_treshold: unknown key (did you mean 'warn_threshold'?); allowed: "
        "warn_threshold, kick_threshold, ban_threshold, timeout_threshold, timeout_duration, decay, "
        "counting",
    ),
    (
        "bad value in a guild override",
        {"guilds": {123: {"spam": {"levels": {0: {"max_messages": {"count": 0, "interval": 5}}}}}}},
        "guilds.123.spam.levels.0.max_messages.count: must be a positive integer, got 0",
    ),
    (
        "guild id is a name",
        {"guilds": {"main": {"dry_run": True}}},
        "guilds.main: must be a Discord id (a positive integer), got 'main'",
    ),
    (
        "unknown document version",
        {"version": 2},
        "version: must be 1, got 2",
    ),
    (
        "store url without a scheme",
        {"store": {"url": "localhost:6379"}},
        "store.url: must be a connection URL like redis://localhost:6379/0, got 'localhost:6379'",
    ),
]


@pytest.mark.parametrize(
    ("document", "expected"),
    [pytest.param(doc, expected, id=name) for name, doc, expected in BAD_POLICIES],
)
def test_bad_policy_names_the_field_and_what_is_allowed(
    document: dict[str, typing.Any], expected: str
) -> None:
    assert errors_of(document) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    lines = errors_of(
        {
            "spam": {"levels": {0: {"max_messages": {"count": -1, "interval": -2}}}},
            "dry_run": "no",
        }
    )
    assert lines == [
        "spam.levels.0.max_messages.count: must be a positive integer, got -1",
        "spam.levels.0.max_messages.interval: must be a positive number of seconds, got -2",
        "dry_run: must be true or false, got 'no'",
    ]


def test_policy_error_is_a_value_error_with_structured_issues() -> None:
    with pytest.raises(ValueError, match="must be a positive integer") as info:
        Policy.from_dict({"spam": {"levels": {0: {"clean_count": -3}}}})
    assert isinstance(info.value, PolicyError)
    ((issue,),) = (info.value.issues,)
    assert issue.path == "spam.levels.0.clean_count"
    assert issue.message == "must be a positive integer, got -3"


def test_an_error_in_the_base_is_not_repeated_for_every_guild() -> None:
    lines = errors_of(
        {
            "spam": {"levels": {0: {"max_messages": {"count": -1, "interval": 1}}}},
            "guilds": {123: {"dry_run": True}, 456: {"dry_run": False}},
        }
    )
    assert lines == ["spam.levels.0.max_messages.count: must be a positive integer, got -1"]


def test_a_document_that_is_not_a_mapping() -> None:
    assert errors_of([1, 2]) == ["<policy>: a policy must be a mapping, got a list"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "policy.ini",
            "[spam]\n",
            "policy.ini: <policy>: unknown file type '.ini'; use .yaml, .yml, .toml or .json",
        ),
        (
            "policy.yaml",
            "- just\n- a list\n",
            "policy.yaml: <policy>: a policy must be a mapping, got a list",
        ),
        ("policy.json", '{"spam": ', "policy.json: <policy>: cannot parse JSON: "),
        ("policy.yaml", "spam: [unclosed\n", "policy.yaml: <policy>: cannot parse YAML: "),
        ("policy.toml", "spam = \n", "policy.toml: <policy>: cannot parse TOML: "),
    ],
)
def test_file_problems_name_the_file(
    tmp_path: pathlib.Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_file(path)
    assert str(info.value).startswith(str(tmp_path) + "/" + expected)


def test_a_missing_file_is_a_policy_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the file"):
        Policy.from_file(tmp_path / "absent.yaml")


def test_a_bad_file_reports_its_field_paths(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("spam:\n  levels:\n    0:\n      max_links: {count: -1, interval: 5}\n")
    with pytest.raises(PolicyError) as info:
        Policy.from_file(path)
    assert str(info.value) == (
        f"{path}: spam.levels.0.max_links.count: must be a positive integer, got -1"
    )


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"spam": {"levels": {0: {"punishment": ["KICK"]}}}}, "spam.levels.0.punishment"),
        (
            {"spam": {"levels": {0: {"max_links": {"count": 1, "interval": 1, "scope": {}}}}}},
            "spam.levels.0.max_links.scope",
        ),
        (
            {"automod": {"rules": [{"name": "x", "trigger": ["keyword"]}]}},
            "automod.rules.0.trigger",
        ),
        (
            {
                "automod": {
                    "rules": [
                        {
                            "name": "x",
                            "trigger": "keyword",
                            "keyword_filter": ["a"],
                            "actions": [{"type": ["block_message"]}],
                        }
                    ]
                }
            },
            "automod.rules.0.actions.0.type",
        ),
        (
            {
                "automod": {
                    "rules": [{"name": "x", "trigger": "keyword_preset", "presets": [["a"]]}]
                }
            },
            "automod.rules.0.presets",
        ),
    ],
)
def test_a_list_or_mapping_where_a_name_belongs_is_a_policy_error(
    document: dict[str, typing.Any], path: str
) -> None:
    # Unhashable values must not reach a dict lookup and escape as a TypeError.
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(document)
    assert path in [issue.path for issue in info.value.issues]
