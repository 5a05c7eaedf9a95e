"""The JSON Schema of the ``automod:`` section, from :mod:`.automod`'s tables of Discord's
limits, triggers and actions (the ones its validator, :mod:`.automod_parse`, reads)."""

from __future__ import annotations

__all__ = ("automod_action", "automod_rule", "automod_section")

from spamguard.core.policy import automod
from spamguard.core.policy.json_schema_values import SNOWFLAKE, Schema, nullable


def automod_section(*, partial: bool, rule: Schema) -> Schema:
    """The ``automod:`` section (``partial``: in a per-guild override), its rules' items
    being ``rule`` (a reference to :func:`automod_rule`'s definition)."""
    prefix: Schema = {
        "description": "Names of the rules spamguard owns start with this.",
        "type": "string",
        "minLength": 1,
        "default": automod.DEFAULT_PREFIX,
    }
    return {
        "type": "object",
        "properties": {
            "prefix": nullable(prefix) if partial else prefix,
            "rules": nullable(
                {"type": "array", "items": rule},
            ),
        },
        "additionalProperties": False,
    }


def automod_rule(*, action: Schema) -> Schema:
    """One native rule, its actions' items being ``action`` (a reference to
    :func:`automod_action`'s definition)."""
    limits = automod.LIMITS

    def texts(most: int, longest: int) -> Schema:
        return nullable(
            {
                "type": "array",
                "maxItems": most,
                "items": {"type": "string", "maxLength": longest},
            }
        )

    def ids(most: int) -> Schema:
        return nullable({"type": "array", "maxItems": most, "items": SNOWFLAKE})

    properties: dict[str, Schema] = {
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
        "actions": {"type": "array", "minItems": 1, "items": action},
        "exempt_roles": ids(limits["exempt_roles"]),
        "exempt_channels": ids(limits["exempt_channels"]),
        "enabled": {"type": "boolean", "default": True},
    }
    by_trigger = []
    for trigger, fields in automod.METADATA_FIELDS.items():
        others = [key for key in automod.METADATA_KEYS if key not in fields]
        then: Schema = {
            "properties": {
                **dict.fromkeys(others, False),
                "actions": {
                    "items": {
                        "properties": {"type": {"enum": sorted(automod.ALLOWED_ACTIONS[trigger])}}
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
    return {
        "description": "A Discord AutoMod rule spamguard keeps in each guild.",
        "type": "object",
        "properties": properties,
        "required": ["name", "trigger", "actions"],
        "additionalProperties": False,
        "allOf": by_trigger,
    }


def automod_action() -> Schema:
    """One action of a native rule."""
    return {
        "type": "object",
        "properties": {
            "type": {"enum": list(automod.ACTION_TYPES)},
            "custom_message": nullable(
                {"type": "string", "maxLength": automod.LIMITS["custom_message"]}
            ),
            "channel_id": SNOWFLAKE,
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
