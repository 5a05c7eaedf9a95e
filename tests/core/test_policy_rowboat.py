"""A whole Rowboat guild config loads verbatim: ``plugins.spam`` is the spam policy, the
top-level ``levels`` its role levels, ``plugins.infractions.mute_role`` its mute role, and
what only Rowboat uses is ignored with one logged line per key."""

from __future__ import annotations

import copy
import logging
import pathlib
import typing

import pytest
import yaml

from spamguard.core import Policy, PolicyError, Punishment

MUTED = 289494296703533058
ADMIN, MODERATOR, REGULAR = 290924693651841024, 290925114470367232, 290925497863307264


@pytest.fixture
def guild_config(fixtures_dir: pathlib.Path) -> dict[str, typing.Any]:
    return yaml.safe_load((fixtures_dir / "rowboat_guild_config.yaml").read_text("utf-8"))


def test_a_whole_rowboat_guild_config_file_loads(
    fixtures_dir: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="spamguard.rowboat")
    policy = Policy.from_file(fixtures_dir / "rowboat_guild_config.yaml")

    base = policy.base
    ((level, rule),) = base.levels
    assert level == 0
    assert rule.punishment is Punishment.TEMPMUTE
    assert rule.punishment_duration == 35 * 86_400
    assert [c.name for c in rule.checks] == [
        "max_messages",
        "max_mentions",
        "max_links",
        "max_emojis",
        "max_newlines",
        "max_duplicates",
    ]
    assert base.mute_role_id == MUTED
    assert base.role_levels == {ADMIN: 100, MODERATOR: 50, REGULAR: 10}
    # Rowboat's levels decide who the level-0 rule applies to, as in Rowboat.
    assert base.rules_for(frozenset()) == (rule,)
    assert base.rules_for(frozenset({REGULAR})) == ()

    ignored = sorted(r.getMessage() for r in caplog.records if r.name == "spamguard.rowboat")
    assert ignored == [
        "commands: Rowboat's own setting, not spamguard's; ignored",
        "nickname: Rowboat's own setting, not spamguard's; ignored",
        "plugins.admin.confirm_actions: used by Rowboat only; ignored",
        "plugins.admin.temp_mute_role: used by Rowboat only; ignored",
        "plugins.censor: Rowboat's censor plugin has no spamguard part; ignored",
        "plugins.infractions.confirm_actions: used by Rowboat only; ignored",
        "plugins.infractions.reason_edit_level: used by Rowboat only; ignored",
        "plugins.modlog: Rowboat's modlog plugin has no spamguard part; ignored",
        "plugins.starboard: Rowboat's starboard plugin has no spamguard part; ignored",
        "plugins.utilities: Rowboat's utilities plugin has no spamguard part; ignored",
        "web: Rowboat's own setting, not spamguard's; ignored",
    ]
    assert all(r.levelno == logging.INFO for r in caplog.records)


def test_a_problem_is_named_where_the_rowboat_config_has_it(
    guild_config: dict[str, typing.Any],
) -> None:
    guild_config["plugins"]["spam"]["levels"][0]["max_links"]["count"] = -1
    guild_config["plugins"]["infractions"]["mute_role"] = "muted"
    guild_config["levels"][REGULAR] = -3
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(guild_config)
    assert [str(issue) for issue in info.value.issues] == [
        "plugins.spam.levels.0.max_links.count: must be a positive integer, got -1",
        f"levels.{REGULAR}: must be an integer >= 0, got -3",
        "plugins.infractions.mute_role: must be a Discord id (a positive integer), got 'muted'",
    ]


def test_without_a_mute_role_the_35_day_tempmute_is_refused_at_its_rowboat_path(
    guild_config: dict[str, typing.Any],
) -> None:
    del guild_config["plugins"]["infractions"]["mute_role"]
    del guild_config["plugins"]["admin"]["mute_role"]
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(guild_config)
    ((issue),) = info.value.issues
    assert issue.path == "plugins.spam.levels.0.punishment_duration"


def test_the_older_admin_plugins_mute_role_is_read_too(
    guild_config: dict[str, typing.Any],
) -> None:
    del guild_config["plugins"]["infractions"]
    assert Policy.from_dict(guild_config).base.mute_role_id == MUTED


def test_spamguard_settings_may_sit_beside_a_guild_config(
    guild_config: dict[str, typing.Any],
) -> None:
    document = {**guild_config, "escalation": {"kick_threshold": 1}, "dry_run": True}
    policy = Policy.from_dict(document)
    assert policy.base.dry_run
    assert policy.base.escalation is not None
    # A setting given in both places, differently, is an error naming the Rowboat place.
    conflict = {**copy.deepcopy(guild_config), "mute_role_id": 123}
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(conflict)
    assert [str(issue) for issue in info.value.issues] == [
        "plugins.infractions.mute_role: given twice, differently: here and as mute_role_id; "
        "keep one"
    ]


def test_a_misspelled_key_beside_plugins_is_still_an_error(
    guild_config: dict[str, typing.Any],
) -> None:
    with pytest.raises(PolicyError, match=r"^nicknmae: unknown key"):
        Policy.from_dict({**guild_config, "nicknmae": "x"})


def test_an_empty_spam_plugin_loads_with_no_rules(guild_config: dict[str, typing.Any]) -> None:
    guild_config["plugins"]["spam"] = None
    assert Policy.from_dict(guild_config).base.levels == ()
