"""The policy document's JSON Schema, generated from the key tables.

Editors that read JSON Schema (yaml-language-server, VS Code, PyCharm) complete and check
policy files with it. ``spamguard schema`` prints it; the same document ships in this
package as ``policy.schema.json`` (:data:`SCHEMA_PATH`), and a test keeps the two equal.

The schema accepts what the validator accepts, with the checks a schema cannot express left
to ``spamguard check``: Discord's 28-day limit on a timeout built from several keys, AutoMod's
regex syntax and its per-guild rule counts.
"""

from __future__ import annotations

__all__ = ("SCHEMA_ID", "SCHEMA_PATH", "policy_json_schema", "schema_text")

import json
import pathlib
import typing

from spamguard.core.policy import rowboat
from spamguard.core.policy.fields import LONGEST_NUMBER_TEXT, Field, Kind
from spamguard.core.policy.json_schema_automod import automod_action, automod_rule, automod_section
from spamguard.core.policy.json_schema_values import (
    ID_TEXT,
    LEVEL_TEXT,
    SNOWFLAKE,
    Schema,
    any_case,
    describe,
    nullable,
    value_schema,
)
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
from spamguard.core.policy.model import CHECK_NAMES
from spamguard.core.policy.rule_keys import CHECK_DOCS, CHECK_FIELDS, RULE_FIELDS

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

SCHEMA_PATH = pathlib.Path(__file__).with_name("policy.schema.json")
"""The schema as shipped in this package."""
SCHEMA_ID = "https://spamguard.invalid/policy.schema.json"
"""The schema's ``$id`` (an identifier, not a download address)."""


class _Builder:
    """Builds the schema's ``$defs``: the full document and, for per-guild overrides,
    a partial one (nothing required: an override is merged onto the base)."""

    def __init__(self) -> None:
        self.defs: dict[str, Schema] = {}

    def ref(self, name: str) -> Schema:
        return {"$ref": f"#/definitions/{name}"}

    def section(
        self,
        fields: Iterable[Field],
        *,
        partial: bool,
        special: typing.Mapping[str, Schema] | None = None,
    ) -> Schema:
        properties: dict[str, Schema] = {}
        required = []
        for field in fields:
            schema = (special or {}).get(field.name)
            if schema is None:
                schema = nullable(value_schema(field)) if field.kind is not Kind.ANY else {}
            properties[field.name] = describe(field, schema)
            if field.required and not partial:
                required.append(field.name)
        result: Schema = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            result["required"] = required
        return result

    def check(self, *, partial: bool, duplicates: bool) -> Schema:
        name = ("duplicates_check" if duplicates else "check") + ("_override" if partial else "")
        if name not in self.defs:
            fields = (f for f in CHECK_FIELDS if duplicates or f.name != "accuracy")
            self.defs[name] = self.section(fields, partial=partial)
        return self.ref(name)

    def rule(self, *, partial: bool) -> Schema:
        name = "rule_override" if partial else "rule"
        if name not in self.defs:
            schema = self.section(RULE_FIELDS, partial=partial)
            for check in CHECK_NAMES:
                ref = self.check(partial=partial, duplicates=check == "max_duplicates")
                schema["properties"][check] = {
                    "description": f"Check: {CHECK_DOCS[check]}",
                    **nullable(ref),
                }
            schema["description"] = "One rule: its punishment, cleaning and max_* checks."
            self.defs[name] = schema
        return self.ref(name)

    def spam(self, *, partial: bool) -> Schema:
        name = "spam_override" if partial else "spam"
        if name not in self.defs:
            self.defs[name] = {
                "type": "object",
                "properties": self.rule_sets(partial=partial),
                "additionalProperties": False,
            }
        return self.ref(name)

    def rule_sets(self, *, partial: bool) -> dict[str, Schema]:
        """``levels`` and ``roles``: under ``spam``, or at the top of Rowboat's plugin body."""
        rule = nullable(self.rule(partial=partial))
        return {
            "levels": nullable(
                {
                    "description": "Level -> rule, for members whose level is equal or below "
                    "(a level below 0: new members, see new_members).",
                    "type": "object",
                    "propertyNames": {"pattern": LEVEL_TEXT},
                    "additionalProperties": rule,
                }
            ),
            "roles": nullable(
                {
                    "description": 'Role id, or "*" for everyone -> rule, for members '
                    "holding the role.",
                    "type": "object",
                    "propertyNames": {"pattern": f"^([0-9]{{1,{LONGEST_NUMBER_TEXT}}}|\\*)$"},
                    "additionalProperties": rule,
                }
            ),
        }

    def escalation(self, *, partial: bool) -> Schema:
        ladder = self.section(ESCALATION_FIELDS, partial=partial)
        if not partial:
            ladder["if"] = {
                "required": ["warn_threshold"],
                "properties": {"warn_threshold": {"type": "integer"}},
            }
            ladder["then"] = {
                "required": ["counting"],
                "properties": {
                    "counting": {"type": "string", "pattern": any_case(["violation_count"])}
                },
            }
        return {"anyOf": [ladder, {"type": "null"}, {"const": False}]}

    def new_members(self, *, partial: bool) -> Schema:
        section = self.section(NEW_MEMBER_FIELDS, partial=partial)
        if not partial:
            # A full section names somebody as new; an override may take that from the base.
            section["anyOf"] = [
                {"required": [name], "properties": {name: {"type": "number"}}}
                for name in ("joined_within", "account_younger_than")
            ]
        return nullable(section)

    def automod(self, *, partial: bool) -> Schema:
        name = "automod_override" if partial else "automod"
        if name not in self.defs:
            self.defs[name] = automod_section(partial=partial, rule=self.ref("automod_rule"))
            self.defs["automod_rule"] = automod_rule(action=self.ref("automod_action"))
            self.defs["automod_action"] = automod_action()
        return self.ref(name)

    def guild(self, *, partial: bool) -> Schema:
        """The keys a guild's settings may hold (the base policy's, or an override's)."""
        role_levels = {
            "type": "object",
            "propertyNames": {"pattern": ID_TEXT},
            "additionalProperties": nullable({"type": "integer", "minimum": 0}),
        }
        special: dict[str, Schema] = {
            "spam": nullable(self.spam(partial=partial)),
            "role_levels": nullable(role_levels),
            "ignore": nullable(self.section(IGNORE_FIELDS, partial=partial)),
            "escalation": self.escalation(partial=partial),
            "new_members": self.new_members(partial=partial),
            "notices": nullable(self.section(NOTICE_FIELDS, partial=partial)),
            "modlog": nullable(self.section(MODLOG_FIELDS, partial=partial)),
            "automod": nullable(self.automod(partial=partial)),
        }
        return self.section(GUILD_FIELDS, partial=partial, special=special)

    def document(self) -> Schema:
        """The whole document: spamguard's keys, and Rowboat's beside them."""
        policy = self.guild(partial=False)
        top = {field.name: field for field in TOP_FIELDS}
        properties = policy["properties"]
        properties["version"] = describe(top["version"], nullable({"const": 1}))
        properties["store"] = describe(
            top["store"], nullable(self.section(STORE_FIELDS, partial=False))
        )
        override = self.guild(partial=True)
        override["description"] = "A partial policy: mappings merge, `null` removes a key."
        self.defs["guild_override"] = override
        ids = {"pattern": ID_TEXT}
        properties["guilds"] = describe(
            top["guilds"],
            nullable(
                {
                    "type": "object",
                    "propertyNames": ids,
                    "additionalProperties": nullable(self.ref("guild_override")),
                }
            ),
        )
        # The validator's key order, which is the reference's; Rowboat's keys after them.
        policy["properties"] = {name: properties[name] for name in top}
        policy["properties"].update(self.rowboat_keys())
        rowboat_levels = {
            "type": "object",
            "propertyNames": ids,
            "additionalProperties": {"type": "integer", "minimum": 0},
        }
        # What Rowboat's keys mean depends on the document's shape (see core/policy/rowboat.py):
        # beside `plugins` it is a guild config, `levels` its role levels; without `plugins`
        # and `spam`, `levels` and `roles` are the spam plugin's body.
        policy["allOf"] = [
            {
                "if": {"required": ["plugins"]},
                "then": {"properties": {"levels": nullable(rowboat_levels), "roles": False}},
                "else": {
                    "properties": dict.fromkeys(rowboat.IGNORED_TOP_KEYS, False),
                    "if": {"required": ["spam"]},
                    "then": {"properties": {"levels": False, "roles": False}},
                    "else": {"properties": self.rule_sets(partial=False)},
                },
            }
        ]
        return policy

    def rowboat_keys(self) -> dict[str, Schema]:
        """The keys a Rowboat document has where spamguard's has others."""
        # Only mute_role is read from the plugins beside spam (rowboat.READ).
        reads = {
            name: {
                "type": "object",
                "properties": {key: nullable(SNOWFLAKE) for key in keys},
            }
            for name, keys in rowboat.READ.items()
        }
        plugins = {
            "description": "A whole Rowboat guild config's plugins: `spam` is the spam policy, "
            "`infractions.mute_role` (or `admin.mute_role`) the mute role; the others are "
            "ignored.",
            "type": "object",
            "properties": {
                name: nullable(self.spam(partial=False) if name == "spam" else read)
                for name, read in reads.items()
            },
        }
        return {
            "levels": {
                "description": "Rowboat's: beside `plugins`, role id -> level (spamguard's "
                "`role_levels`); without `plugins` and `spam`, level -> rule (the spam "
                "plugin's body, spamguard's `spam.levels`)."
            },
            "roles": {
                "description": "Rowboat's spam plugin body: role id or `*` -> rule "
                "(spamguard's `spam.roles`)."
            },
            "plugins": nullable(plugins),
            **{
                key: {"description": "Rowboat's own, beside `plugins`; ignored."}
                for key in rowboat.IGNORED_TOP_KEYS
            },
        }


def policy_json_schema() -> dict[str, typing.Any]:
    """The JSON Schema (draft 7, which every editor reads) of a policy document."""
    builder = _Builder()
    document = builder.document()
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "spamguard policy",
        "description": "A spamguard policy (YAML, TOML or JSON); Rowboat's spam plugin "
        "configuration and a whole Rowboat guild config load too. `spamguard check` "
        "reports what a schema cannot see (Discord's 28-day timeout, AutoMod regex syntax).",
        **document,
        "definitions": dict(sorted(builder.defs.items())),
    }


def schema_text() -> str:
    """:func:`policy_json_schema` as the text of ``policy.schema.json``."""
    return json.dumps(policy_json_schema(), indent=2, ensure_ascii=False) + "\n"
