"""The policy's JSON Schema accepts what the validator accepts, and refuses what it refuses.

The schema (core/policy/policy.schema.json, `spamguard schema`) and the policy reference
are generated from core/policy/rule_keys.py and keys.py, the tables the validator reads; these tests hold the
generated documents to the validator.
"""

from __future__ import annotations

import json
import pathlib
import re
import textwrap
import tomllib
import typing

import jsonschema
import pytest
import yaml

from spamguard.core import Policy, PolicyError
from spamguard.core.policy.fields import Field, Kind, example_of
from spamguard.core.policy.files import DEFAULT_POLICY_PATH
from spamguard.core.policy.json_schema import SCHEMA_PATH, policy_json_schema, schema_text
from spamguard.core.policy.keys import (
    ESCALATION_FIELDS,
    GUILD_FIELDS,
    IGNORE_FIELDS,
    MODLOG_FIELDS,
    NEW_MEMBER_FIELDS,
    NOTICE_FIELDS,
    STORE_FIELDS,
    TOP_FIELDS,
)
from spamguard.core.policy.reference import reference_markdown
from spamguard.core.policy.rule_keys import CHECK_FIELDS, RULE_FIELDS

ROOT = pathlib.Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft7Validator(policy_json_schema())
# A fenced block, possibly indented under a list item: ```yaml ... ```
FENCE = re.compile(r"^( *)```(yaml|yml|json)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def _as_json(document: object) -> typing.Any:
    """The document as an editor sees it: JSON, where every mapping key is a string."""
    return json.loads(json.dumps(document))


def _schema_errors(document: object) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(_as_json(document))
    ]


def _loads(document: dict[str, typing.Any]) -> bool:
    try:
        Policy.from_dict(document)
    except PolicyError:
        return False
    return True


def _example_policies() -> list[tuple[str, dict[str, typing.Any]]]:
    """Every policy the README, the docs and the examples show: fenced YAML and JSON
    blocks, and policy files."""
    found: list[tuple[str, dict[str, typing.Any]]] = []
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            body = textwrap.dedent(match.group(3))
            document = json.loads(body) if match.group(2) == "json" else yaml.safe_load(body)
            found.append((f"{page.relative_to(ROOT)}:{line}", document))
    files = [DEFAULT_POLICY_PATH]
    for folder in ("docs", "examples"):
        for suffix in ("*.yaml", "*.yml", "*.json", "*.toml"):
            files.extend(sorted((ROOT / folder).rglob(suffix)))
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            document = tomllib.loads(text)
        elif path.suffix == ".json":
            document = json.loads(text)
        else:
            document = yaml.safe_load(text)
        found.append((path.name, document))
    return found


EXAMPLES = _example_policies()


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "core/policy/policy.schema.json is stale: "
        "run `spamguard schema > core/policy/policy.schema.json`"
    )


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(policy_json_schema())


def test_the_readme_and_docs_show_example_policies() -> None:
    readme = [where for where, _ in EXAMPLES if where.startswith("README.md")]
    docs = [where for where, _ in EXAMPLES if where.startswith("docs/")]
    assert len(readme) >= 1
    assert len(docs) >= 8


@pytest.mark.parametrize(("where", "document"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_every_example_policy_validates_against_the_schema_and_loads(
    where: str, document: dict[str, typing.Any]
) -> None:
    assert _schema_errors(document) == []
    Policy.from_dict(document, source=where)


INVALID: list[tuple[str, dict[str, typing.Any]]] = [
    ("a negative count", {"spam": {"levels": {0: {"max_messages": {"count": -1, "interval": 5}}}}}),
    ("a misspelled check", {"spam": {"levels": {0: {"max_mesages": {"count": 3, "interval": 5}}}}}),
    ("a check without interval", {"spam": {"levels": {0: {"max_links": {"count": 3}}}}}),
    ("an unknown punishment", {"spam": {"levels": {0: {"punishment": "JAIL"}}}}),
    ("accuracy off max_duplicates", {"spam": {"roles": {"*": {"max_links": {"count": 1, "interval": 1, "accuracy": 80}}}}}),
    ("a role key that is no id", {"spam": {"roles": {"mods": {}}}}),
    ("a level that is no number", {"spam": {"levels": {"first": {}}}}),
    ("version 2", {"version": 2}),
    ("a misspelled top key", {"ignroe_bots": True}),
    ("a mute role that is no id", {"mute_role_id": "muted"}),
    ("warn_threshold without counting", {"escalation": {"warn_threshold": 3}}),
    ("a zero timeout duration", {"escalation": {"timeout_duration": 0}}),
    ("a notice that is a number", {"notices": {"warn": 3}}),
    ("new members who are nobody", {"new_members": {"level": -1}}),
    ("new members by a week as text", {"new_members": {"account_younger_than": "1w"}}),
    ("a new-member level that is no number", {"new_members": {"joined_within": 60, "level": "low"}}),
    ("failed_in_channel as text", {"notices": {"failed_in_channel": "yes"}}),
    ("a store without a URL", {"store": {"url": "localhost"}}),
    ("a negative incident window", {"incident_window": -1}),
    ("a week and a day of ban history", {"ban_delete_message_seconds": 691_200}),
    ("an override of store", {"guilds": {"1234": {"store": {"url": "redis://x"}}}}),
    ("an override's unknown key", {"guilds": {"1234": {"dry_runn": True}}}),
    ("a guild key that is no id", {"guilds": {"main": {"dry_run": True}}}),
    ("a keyword rule without keywords", {"automod": {"rules": [{"name": "k", "trigger": "keyword", "actions": [{"type": "block_message"}]}]}}),
    ("a timeout action on a spam rule", {"automod": {"rules": [{"name": "s", "trigger": "spam", "actions": [{"type": "timeout", "duration_seconds": 60}]}]}}),
    ("an alert without a channel", {"automod": {"rules": [{"name": "s", "trigger": "spam", "actions": [{"type": "send_alert_message"}]}]}}),
    ("roles beside spam", {"spam": {}, "roles": {"*": {}}}),
    ("Rowboat's web without plugins", {"web": {"1": "admin"}}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "document"), INVALID, ids=[w for w, _ in INVALID])
def test_an_invalid_document_is_refused_by_both(what: str, document: dict[str, typing.Any]) -> None:
    assert _schema_errors(document), f"the schema accepts {what}"
    assert not _loads(document), f"the validator accepts {what}"


ROWBOAT: list[tuple[str, dict[str, typing.Any]]] = [
    ("the spam plugin's body", {"levels": {0: {"max_messages": {"count": 5, "interval": 5}}}, "roles": {"*": {}}}),
    ("a guild config", {"web": {"1": "admin"}, "levels": {"1234": 50}, "plugins": {"spam": {"levels": {0: {"punishment": "MUTE"}}}, "infractions": {"mute_role": 42, "confirm_actions": True}, "censor": {}}}),
    ("a guild config with spamguard's keys", {"plugins": {"spam": None}, "escalation": {"kick_threshold": 1}}),
    ("lower-case punishments", {"spam": {"levels": {0: {"punishment": "tempmute"}}}}),
    ("ids as text", {"mute_role_id": "1234", "ignore": {"users": ["1", 2]}}),
    ("no ladder", {"escalation": False}),
    ("rules for new members", {"new_members": {"joined_within": 600}, "spam": {"levels": {-1: {"max_links": {"count": 1, "interval": 60}}, "0": {}}}}),
    ("a guild's own new-member level", {"new_members": {"account_younger_than": 86400}, "guilds": {"1234": {"new_members": {"level": -2}}}}),
    ("a partial override", {"spam": {"levels": {0: {"max_links": {"count": 3, "interval": 5}}}}, "guilds": {"1234": {"spam": {"levels": {0: {"max_links": {"count": 9}}}}}}}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "document"), ROWBOAT, ids=[w for w, _ in ROWBOAT])
def test_documents_of_every_shape_are_accepted_by_both(
    what: str, document: dict[str, typing.Any]
) -> None:
    assert _schema_errors(document) == []
    assert _loads(document), f"the validator refuses {what}"


def _in_place(section: str, field: Field, value: object) -> dict[str, typing.Any]:
    """A document holding ``value`` at ``field``'s place in ``section``."""
    check = {"count": 5, "interval": 10}
    if section == "top":
        return {field.name: value}
    if section == "rule":
        return {"spam": {"levels": {0: {field.name: value}}}}
    if section == "check":
        name = "max_duplicates" if field.name == "accuracy" else "max_messages"
        return {"spam": {"levels": {0: {name: {**check, field.name: value}}}}}
    if section == "escalation":
        ladder: dict[str, object] = {field.name: value}
        if field.name == "warn_threshold":
            ladder["counting"] = "violation_count"
        return {"escalation": ladder}
    if section == "new_members":
        # The other condition beside it: a section must name somebody as new.
        other = "joined_within" if field.name != "joined_within" else "account_younger_than"
        return {"new_members": {other: 60, field.name: value}}
    if section == "modlog" and field.name != "channel_id":
        # A log channel beside it: the section requires one.
        return {"modlog": {"channel_id": 423456789012345678, field.name: value}}
    return {section: {field.name: value}}


SECTIONS: list[tuple[str, tuple[Field, ...]]] = [
    ("top", TOP_FIELDS),
    ("rule", RULE_FIELDS),
    ("check", CHECK_FIELDS),
    ("escalation", ESCALATION_FIELDS),
    ("new_members", NEW_MEMBER_FIELDS),
    ("notices", NOTICE_FIELDS),
    ("ignore", IGNORE_FIELDS),
    ("store", STORE_FIELDS),
    ("modlog", MODLOG_FIELDS),
]
FIELDS = [(section, field) for section, fields in SECTIONS for field in fields]


@pytest.mark.parametrize(("section", "field"), FIELDS, ids=[f"{s}.{f.name}" for s, f in FIELDS])
def test_every_keys_example_and_null_are_accepted_by_both(section: str, field: Field) -> None:
    example = example_of(field)
    if example is None:
        assert field.kind is Kind.ANY or field.null is not None
        example = {}
    for value in (example, None):
        if value is None and field.required:
            continue
        document = _in_place(section, field, value)
        assert _schema_errors(document) == [], document
        assert _loads(document), document


def _edges(field: Field) -> list[tuple[object, bool]]:
    """Values at and past the limits of ``field``, each with whether it is allowed."""
    kind = field.kind
    if kind is Kind.INTEGER:
        low = 1 if field.minimum is None else int(field.minimum)
        edges: list[tuple[object, bool]] = [(low, True), (low - 1, False), (1.5, False)]
        if field.maximum is not None:
            edges += [(int(field.maximum), True), (int(field.maximum) + 1, False)]
        return [*edges, ("5", False), (True, False)]
    if kind is Kind.SECONDS:
        return [(0.5, True), (0, field.minimum == 0), (-1, False), ("5", False)]
    if kind is Kind.BOOLEAN:
        return [(True, True), (False, True), (1, False), ("true", False)]
    if kind is Kind.CHOICE:
        assert field.choices is not None
        value = next(iter(field.choices)).value
        return [(value, True), (value.swapcase(), True), (value + "x", False), (1, False)]
    if kind is Kind.IDS:
        return [([1, "2"], True), ([0], False), (["x"], False), ("1", False)]
    if kind is Kind.SNOWFLAKE:
        return [(1, True), ("2", True), (0, False), (2**64, False), ("x", False)]
    if kind is Kind.TEMPLATE:
        return [("hi", True), ({"title": "hi"}, True), (3, False), (["hi"], False)]
    if kind is Kind.NAMES:
        return [(["a"], True), ([1], False), ("a", False)]
    if kind is Kind.URL:
        return [("redis://h", True), ("h", False), (5, False)]
    if kind is Kind.SETTINGS:
        return [({}, True), ([], False)]
    return []


@pytest.mark.parametrize(("section", "field"), FIELDS, ids=[f"{s}.{f.name}" for s, f in FIELDS])
def test_the_schema_and_the_validator_agree_at_every_limit(section: str, field: Field) -> None:
    for value, allowed in _edges(field):
        document = _in_place(section, field, value)
        assert (not _schema_errors(document)) is allowed, (value, _schema_errors(document))
        assert _loads(document) is allowed, value


def test_a_guild_override_takes_every_key_but_version_store_and_guilds() -> None:
    override = VALIDATOR.schema["definitions"]["guild_override"]
    assert list(override["properties"]) == [field.name for field in GUILD_FIELDS]
    top = [field.name for field in TOP_FIELDS]
    assert set(top) - set(override["properties"]) == {"version", "store", "guilds"}


def test_the_reference_lists_every_key_with_its_type_and_limits() -> None:
    text = reference_markdown()
    for section, field in FIELDS:
        rows = [line for line in text.splitlines() if line.startswith(f"| `{field.name}` |")]
        assert rows, f"{section}.{field.name} is not in the reference"
        if field.choices is not None:
            assert any(all(f"`{c.value}`" in row for c in field.choices) for row in rows)
        if field.maximum is not None:
            assert any(f"{int(field.maximum):,}" in row for row in rows)
