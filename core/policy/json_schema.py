"""The policy document's JSON Schema, generated from the key tables (:mod:`.keys`).

Editors that read JSON Schema (yaml-language-server, VS Code, PyCharm) complete and check
policy files with it. ``spamguard schema`` prints it; the same document ships in this
package as ``policy.schema.json`` (:data:`SCHEMA_PATH`), and a test keeps the two equal.

The schema accepts what the validator accepts, with the checks a schema cannot express left
to ``spamguard check``: Discord's 28-day limit on a timeout built from several keys, AutoMod's
regex syntax and its per-guild rule counts.
"""

from __future__ import annotations

__all__ = ("SCHEMA_ID", "SCHEMA_PATH", "policy_json_schema", "schema_text")

import enum
import json
import pathlib
import re
import typing

from spamguard.core.policy import automod, rowboat
from spamguard.core.policy.fields import (
    LONGEST_ID_TEXT,
    LONGEST_NUMBER_TEXT,
    LONGEST_SECONDS,
    Field,
    Kind,
    example_of,
)
from spamguard.core.policy.keys import (
    CHECK_DOCS,
    CHECK_FIELDS,
    ESCALATION_FIELDS,
    GUILD_FIELDS,
    IGNORE_FIELDS,
    NOTICE_FIELDS,
    RULE_FIELDS,
    STORE_FIELDS,
    TOP_FIELDS,
)
from spamguard.core.policy.model import CHECK_NAMES

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

SCHEMA_PATH = pathlib.Path(__file__).with_name("policy.schema.json")
"""The schema as shipped in this package."""
SCHEMA_ID = "https://spamguard.invalid/policy.schema.json"
"""The schema's ``$id`` (an identifier, not a download address)."""

_Schema = dict[str, typing.Any]

_DIGITS = f"^[0-9]{{1,{LONGEST_NUMBER_TEXT}}}$"
_ID_TEXT = f"^[0-9]{{1,{LONGEST_ID_TEXT}}}$"
"""A Discord id written as text (at most 20 digits)."""
_SNOWFLAKE: _Schema = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "exclusiveMaximum": 2**64},
        {"type": "string", "pattern": _ID_TEXT},
    ]
}
_TEMPLATE: _Schema = {
    "anyOf": [
        {"type": "string"},
        {"type": "object", "description": "A Discord embed; its texts may hold $VARIABLES."},
    ]
}


def _any_case(values: Iterable[str]) -> str:
    """A pattern matching ``values`` in any case (JSON Schema patterns take no flags)."""
    letters = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in value)
        for value in values
    )
    return f"^({'|'.join(letters)})$"


def _nullable(schema: _Schema) -> _Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _value_schema(field: Field) -> _Schema:
    """The schema of one plain (not :attr:`Kind.SPECIAL`) field's value, null excluded."""
    kind = field.kind
    if kind is Kind.INTEGER:
        schema: _Schema = {
            "type": "integer",
            "minimum": 1 if field.minimum is None else field.minimum,
        }
        if field.maximum is not None:
            schema["maximum"] = field.maximum
        return schema
    if kind is Kind.SECONDS:
        bound = "minimum" if field.minimum == 0 else "exclusiveMinimum"
        return {"type": "number", bound: 0, "exclusiveMaximum": LONGEST_SECONDS}
    if kind is Kind.BOOLEAN:
        return {"type": "boolean"}
    if kind is Kind.CHOICE:
        assert field.choices is not None
        values = [member.value for member in field.choices]
        # The enum is what editors offer; the pattern takes any case, as the validator does.
        return {"anyOf": [{"enum": values}, {"type": "string", "pattern": _any_case(values)}]}
    if kind is Kind.SNOWFLAKE:
        return _SNOWFLAKE
    if kind is Kind.IDS:
        return {"type": "array", "items": _SNOWFLAKE}
    if kind is Kind.TEMPLATE:
        return _TEMPLATE
    if kind is Kind.NAMES:
        return {"type": "array", "items": {"type": "string"}}
    if kind is Kind.URL:
        return {"type": "string", "pattern": "://"}
    if kind is Kind.SETTINGS:
        return {"type": "object"}
    return {}


def _describe(field: Field, schema: _Schema) -> _Schema:
    """``schema`` with the field's description, default and example."""
    text = field.doc
    if field.null is not None:
        text += f" `null`: {field.null}."
    described: _Schema = {"description": text, **schema}
    if field.default not in (None, ()):
        default = field.default
        described["default"] = default.value if isinstance(default, enum.Enum) else default
    example = example_of(field)
    if example is not None:
        described["examples"] = [json.loads(json.dumps(example))]
    return described


class _Builder:
    """Builds the schema's ``$defs``: the full document and, for per-guild overrides,
    a partial one (nothing required: an override is merged onto the base)."""

    def __init__(self) -> None:
        self.defs: dict[str, _Schema] = {}

    def ref(self, name: str) -> _Schema:
        return {"$ref": f"#/definitions/{name}"}

    def section(
        self,
        fields: Iterable[Field],
        *,
        partial: bool,
        special: typing.Mapping[str, _Schema] | None = None,
    ) -> _Schema:
        properties: dict[str, _Schema] = {}
        required = []
        for field in fields:
            schema = (special or {}).get(field.name)
            if schema is None:
                schema = _nullable(_value_schema(field)) if field.kind is not Kind.ANY else {}
            properties[field.name] = _describe(field, schema)
            if field.required and not partial:
                required.append(field.name)
        result: _Schema = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            result["required"] = required
        return result

    def check(self, *, partial: bool, duplicates: bool) -> _Schema:
        name = ("duplicates_check" if duplicates else "check") + ("_override" if partial else "")
        if name not in self.defs:
            fields = (f for f in CHECK_FIELDS if duplicates or f.name != "accuracy")
            self.defs[name] = self.section(fields, partial=partial)
        return self.ref(name)

    def rule(self, *, partial: bool) -> _Schema:
        name = "rule_override" if partial else "rule"
        if name not in self.defs:
            schema = self.section(RULE_FIELDS, partial=partial)
            for check in CHECK_NAMES:
                ref = self.check(partial=partial, duplicates=check == "max_duplicates")
                schema["properties"][check] = {
                    "description": f"Check: {CHECK_DOCS[check]}",
                    **_nullable(ref),
                }
            schema["description"] = "One rule: its punishment, cleaning and max_* checks."
            self.defs[name] = schema
        return self.ref(name)

    def spam(self, *, partial: bool) -> _Schema:
        name = "spam_override" if partial else "spam"
        if name not in self.defs:
            self.defs[name] = {
                "type": "object",
                "properties": self.rule_sets(partial=partial),
                "additionalProperties": False,
            }
        return self.ref(name)

    def rule_sets(self, *, partial: bool) -> dict[str, _Schema]:
        """``levels`` and ``roles``: under ``spam``, or at the top of Rowboat's plugin body."""
        rule = _nullable(self.rule(partial=partial))
        return {
            "levels": _nullable(
                {
                    "description": "Level -> rule, for members whose level is equal or below.",
                    "type": "object",
                    "propertyNames": {"pattern": _DIGITS},
                    "additionalProperties": rule,
                }
            ),
            "roles": _nullable(
                {
                    "description": 'Role id, or "*" for everyone -> rule, for members '
                    "holding the role.",
                    "type": "object",
                    "propertyNames": {"pattern": f"^([0-9]{{1,{LONGEST_NUMBER_TEXT}}}|\\*)$"},
                    "additionalProperties": rule,
                }
            ),
        }

    def escalation(self, *, partial: bool) -> _Schema:
        ladder = self.section(ESCALATION_FIELDS, partial=partial)
        if not partial:
            ladder["if"] = {
                "required": ["warn_threshold"],
                "properties": {"warn_threshold": {"type": "integer"}},
            }
            ladder["then"] = {
                "required": ["counting"],
                "properties": {
                    "counting": {"type": "string", "pattern": _any_case(["violation_count"])}
                },
            }
        return {"anyOf": [ladder, {"type": "null"}, {"const": False}]}

    def automod(self, *, partial: bool) -> _Schema:
        name = "automod_override" if partial else "automod"
        if name not in self.defs:
            prefix: _Schema = {
                "description": "Names of the rules spamguard owns start with this.",
                "type": "string",
                "minLength": 1,
                "default": automod.DEFAULT_PREFIX,
            }
            self.defs[name] = {
                "type": "object",
                "properties": {
                    "prefix": _nullable(prefix) if partial else prefix,
                    "rules": _nullable(
                        {"type": "array", "items": self.automod_rule()},
                    ),
                },
                "additionalProperties": False,
            }
        return self.ref(name)

    def automod_rule(self) -> _Schema:
        if "automod_rule" in self.defs:
            return self.ref("automod_rule")
        limits = automod.LIMITS

        def texts(most: int, longest: int) -> _Schema:
            return _nullable(
                {
                    "type": "array",
                    "maxItems": most,
                    "items": {"type": "string", "maxLength": longest},
                }
            )

        def ids(most: int) -> _Schema:
            return _nullable({"type": "array", "maxItems": most, "items": _SNOWFLAKE})

        properties: dict[str, _Schema] = {
            "name": {"type": "string", "pattern": "\\S", "maxLength": limits["name"]},
            "trigger": {"enum": list(automod.TRIGGER_TYPES)},
            "keyword_filter": texts(limits["keyword_filter"], limits["keyword_length"]),
            "regex_patterns": texts(limits["regex_patterns"], limits["regex_length"]),
            "presets": {
                "type": "array",
                "minItems": 1,
                "items": {"enum": list(automod.PRESETS)},
            },
            "allow_list": texts(limits["allow_list_preset"], limits["allow_list_length"]),
            "mention_total_limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": limits["mention_total_limit"],
            },
            "mention_raid_protection_enabled": {"type": "boolean"},
            "actions": {"type": "array", "minItems": 1, "items": self.automod_action()},
            "exempt_roles": ids(limits["exempt_roles"]),
            "exempt_channels": ids(limits["exempt_channels"]),
            "enabled": {"type": "boolean", "default": True},
        }
        by_trigger = []
        for trigger, fields in automod.METADATA_FIELDS.items():
            others = [key for key in automod.METADATA_KEYS if key not in fields]
            then: _Schema = {
                "properties": {
                    **dict.fromkeys(others, False),
                    "actions": {
                        "items": {
                            "properties": {
                                "type": {"enum": sorted(automod.ALLOWED_ACTIONS[trigger])}
                            }
                        }
                    },
                }
            }
            if trigger == "keyword":
                then["anyOf"] = [{"required": ["keyword_filter"]}, {"required": ["regex_patterns"]}]
            if trigger == "keyword_preset":
                then["required"] = ["presets"]
            if "allow_list" in fields:
                most = "allow_list_preset" if trigger == "keyword_preset" else "allow_list_keyword"
                then["properties"]["allow_list"] = texts(limits[most], limits["allow_list_length"])
            if trigger == "mention_spam":
                then["required"] = ["mention_total_limit"]
            by_trigger.append({"if": {"properties": {"trigger": {"const": trigger}}}, "then": then})
        self.defs["automod_rule"] = {
            "description": "A Discord AutoMod rule spamguard keeps in each guild.",
            "type": "object",
            "properties": properties,
            "required": ["name", "trigger", "actions"],
            "additionalProperties": False,
            "allOf": by_trigger,
        }
        return self.ref("automod_rule")

    def automod_action(self) -> _Schema:
        if "automod_action" not in self.defs:
            self.defs["automod_action"] = {
                "type": "object",
                "properties": {
                    "type": {"enum": list(automod.ACTION_TYPES)},
                    "custom_message": _nullable(
                        {"type": "string", "maxLength": automod.LIMITS["custom_message"]}
                    ),
                    "channel_id": _SNOWFLAKE,
                    "duration_seconds": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": automod.LIMITS["timeout_seconds"],
                    },
                },
                "required": ["type"],
                "additionalProperties": False,
                "allOf": [
                    {
                        "if": {"properties": {"type": {"const": "send_alert_message"}}},
                        "then": {"required": ["channel_id"]},
                    },
                    {
                        "if": {"properties": {"type": {"const": "timeout"}}},
                        "then": {"required": ["duration_seconds"]},
                    },
                ],
            }
        return self.ref("automod_action")

    def guild(self, *, partial: bool) -> _Schema:
        """The keys a guild's settings may hold (the base policy's, or an override's)."""
        role_levels = {
            "type": "object",
            "propertyNames": {"pattern": _ID_TEXT},
            "additionalProperties": _nullable({"type": "integer", "minimum": 0}),
        }
        special: dict[str, _Schema] = {
            "spam": _nullable(self.spam(partial=partial)),
            "role_levels": _nullable(role_levels),
            "ignore": _nullable(self.section(IGNORE_FIELDS, partial=partial)),
            "escalation": self.escalation(partial=partial),
            "notices": _nullable(self.section(NOTICE_FIELDS, partial=partial)),
            "automod": _nullable(self.automod(partial=partial)),
        }
        return self.section(GUILD_FIELDS, partial=partial, special=special)

    def document(self) -> _Schema:
        """The whole document: spamguard's keys, and Rowboat's beside them."""
        policy = self.guild(partial=False)
        top = {field.name: field for field in TOP_FIELDS}
        properties = policy["properties"]
        properties["version"] = _describe(top["version"], _nullable({"const": 1}))
        properties["store"] = _describe(
            top["store"], _nullable(self.section(STORE_FIELDS, partial=False))
        )
        override = self.guild(partial=True)
        override["description"] = "A partial policy: mappings merge, `null` removes a key."
        self.defs["guild_override"] = override
        ids = {"pattern": _ID_TEXT}
        properties["guilds"] = _describe(
            top["guilds"],
            _nullable(
                {
                    "type": "object",
                    "propertyNames": ids,
                    "additionalProperties": _nullable(self.ref("guild_override")),
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
                "then": {"properties": {"levels": _nullable(rowboat_levels), "roles": False}},
                "else": {
                    "properties": dict.fromkeys(rowboat.IGNORED_TOP_KEYS, False),
                    "if": {"required": ["spam"]},
                    "then": {"properties": {"levels": False, "roles": False}},
                    "else": {"properties": self.rule_sets(partial=False)},
                },
            }
        ]
        return policy

    def rowboat_keys(self) -> dict[str, _Schema]:
        """The keys a Rowboat document has where spamguard's has others."""
        # Only mute_role is read from the plugins beside spam (rowboat.READ).
        reads = {
            name: {
                "type": "object",
                "properties": {key: _nullable(_SNOWFLAKE) for key in keys},
            }
            for name, keys in rowboat.READ.items()
        }
        plugins = {
            "description": "A whole Rowboat guild config's plugins: `spam` is the spam policy, "
            "`infractions.mute_role` (or `admin.mute_role`) the mute role; the others are "
            "ignored.",
            "type": "object",
            "properties": {
                name: _nullable(self.spam(partial=False) if name == "spam" else read)
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
            "plugins": _nullable(plugins),
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
