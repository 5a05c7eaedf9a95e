"""The ``automod:`` policy section validated into an :class:`~.automod.AutomodPolicy`.

Discord's limits (:data:`~.automod.LIMITS`), which actions each trigger allows, and the
regex syntax Discord compiles ``regex_patterns`` with (:mod:`.rust_regex`) are checked here,
so a rule Discord would refuse is reported when the policy loads.
"""

from __future__ import annotations

__all__ = ("parse_section",)

import typing

from spamguard.core.policy import rust_regex
from spamguard.core.policy.automod import (
    ACTION_TYPES,
    ALLOWED_ACTIONS,
    DEFAULT_PREFIX,
    LIMITS,
    METADATA_FIELDS,
    METADATA_KEYS,
    PRESETS,
    TRIGGER_TYPES,
    AutomodPolicy,
    AutomodRuleSpec,
)
from spamguard.core.policy.reader import as_snowflake

if typing.TYPE_CHECKING:
    from spamguard.core.policy.issues import Issues

_RULE_KEYS = (
    "name",
    "trigger",
    *METADATA_KEYS,
    "actions",
    "exempt_roles",
    "exempt_channels",
    "enabled",
)


def _strings(issues: Issues, path: str, value: object, *, most: int, longest: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        issues.add(path, f"must be a list of strings, got {value!r}")
        return []
    if len(value) > most:
        issues.add(path, f"Discord allows at most {most} entries, got {len(value)}")
    for index, item in enumerate(value):
        if len(item) > longest:
            issues.add(
                f"{path}.{index}", f"Discord allows at most {longest} characters, got {len(item)}"
            )
    return list(value)


def _ids(issues: Issues, path: str, value: object, *, most: int) -> tuple[int, ...]:
    if value is None:
        return ()
    ok = isinstance(value, list) and all(as_snowflake(v) is not None for v in value)
    if not ok:
        issues.add(path, f"must be a list of Discord ids, got {value!r}")
        return ()
    assert isinstance(value, list)
    if len(value) > most:
        issues.add(path, f"Discord allows at most {most} entries, got {len(value)}")
    return tuple(int(v) for v in value)


def _action(issues: Issues, path: str, value: object, trigger: str) -> dict[str, typing.Any] | None:
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping with a type, got {value!r}")
        return None
    kind = value.get("type")
    # A list or mapping here (a YAML slip) is unhashable: test the type before the lookup.
    if not isinstance(kind, str) or kind not in ACTION_TYPES:
        issues.add(f"{path}.type", f"must be one of {', '.join(ACTION_TYPES)}, got {kind!r}")
        return None
    if trigger in ALLOWED_ACTIONS and kind not in ALLOWED_ACTIONS[trigger]:
        allowed = ", ".join(sorted(ALLOWED_ACTIONS[trigger]))
        issues.add(f"{path}.type", f"a {trigger} rule takes only {allowed}, got {kind!r}")
    known = {"type", "custom_message", "channel_id", "duration_seconds"}
    for key in value:
        if key not in known:
            issues.add(f"{path}.{key}", f"unknown key; allowed: {', '.join(sorted(known))}")
    metadata: dict[str, typing.Any] = {}
    if kind == "block_message" and value.get("custom_message") is not None:
        message = value["custom_message"]
        if not isinstance(message, str) or len(message) > LIMITS["custom_message"]:
            issues.add(
                f"{path}.custom_message",
                f"must be a text of at most {LIMITS['custom_message']} characters",
            )
        else:
            metadata["custom_message"] = message
    if kind == "send_alert_message":
        channel = value.get("channel_id")
        if as_snowflake(channel) is None:
            issues.add(
                f"{path}.channel_id",
                f"is required for send_alert_message: a channel id, got {channel!r}",
            )
        else:
            metadata["channel_id"] = str(channel)
    if kind == "timeout":
        seconds = value.get("duration_seconds")
        limit = LIMITS["timeout_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= limit:
            issues.add(
                f"{path}.duration_seconds",
                f"must be 1 to {limit} seconds (28 days), got {seconds!r}",
            )
        else:
            metadata["duration_seconds"] = seconds
    return {"type": ACTION_TYPES[kind], "metadata": metadata}


def _rule(issues: Issues, path: str, value: object) -> AutomodRuleSpec | None:
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping, got {value!r}")
        return None
    for key in value:
        if key not in _RULE_KEYS:
            issues.add(f"{path}.{key}", f"unknown key; allowed: {', '.join(_RULE_KEYS)}")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        issues.add(f"{path}.name", f"is required: a text, got {name!r}")
        name = ""
    trigger = value.get("trigger")
    if not isinstance(trigger, str) or trigger not in TRIGGER_TYPES:
        issues.add(f"{path}.trigger", f"must be one of {', '.join(TRIGGER_TYPES)}, got {trigger!r}")
        return None
    assert isinstance(trigger, str)
    fields = METADATA_FIELDS[trigger]
    for key in METADATA_KEYS:
        if key in value and key not in fields:
            issues.add(f"{path}.{key}", f"a {trigger} rule does not take {key}")
    metadata: dict[str, typing.Any] = {}
    if "keyword_filter" in fields:
        metadata["keyword_filter"] = _strings(
            issues,
            f"{path}.keyword_filter",
            value.get("keyword_filter"),
            most=LIMITS["keyword_filter"],
            longest=LIMITS["keyword_length"],
        )
        metadata["regex_patterns"] = _strings(
            issues,
            f"{path}.regex_patterns",
            value.get("regex_patterns"),
            most=LIMITS["regex_patterns"],
            longest=LIMITS["regex_length"],
        )
        for index, pattern in enumerate(metadata["regex_patterns"]):
            problem = rust_regex.syntax_error(pattern)
            if problem is not None:
                issues.add(
                    f"{path}.regex_patterns.{index}",
                    f"Discord's regex syntax (Rust's) refuses it: {problem}",
                )
    if "allow_list" in fields:
        most = LIMITS["allow_list_preset" if trigger == "keyword_preset" else "allow_list_keyword"]
        metadata["allow_list"] = _strings(
            issues,
            f"{path}.allow_list",
            value.get("allow_list"),
            most=most,
            longest=LIMITS["allow_list_length"],
        )
    if trigger == "keyword_preset":
        presets = value.get("presets")
        if (
            not isinstance(presets, list)
            or not presets
            or any(not isinstance(p, str) or p not in PRESETS for p in presets)
        ):
            issues.add(
                f"{path}.presets",
                f"must be a non-empty list of {', '.join(PRESETS)}, got {presets!r}",
            )
        else:
            metadata["presets"] = [PRESETS[p] for p in presets]
    if (
        trigger == "keyword"
        and not metadata.get("keyword_filter")
        and not metadata.get("regex_patterns")
    ):
        issues.add(
            f"{path}.keyword_filter", "a keyword rule needs keyword_filter or regex_patterns"
        )
    if trigger == "mention_spam":
        limit = value.get("mention_total_limit")
        most = LIMITS["mention_total_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= most:
            issues.add(
                f"{path}.mention_total_limit", f"must be an integer from 1 to {most}, got {limit!r}"
            )
        else:
            metadata["mention_total_limit"] = limit
        raid = value.get("mention_raid_protection_enabled", False)
        if not isinstance(raid, bool):
            issues.add(
                f"{path}.mention_raid_protection_enabled", f"must be true or false, got {raid!r}"
            )
        else:
            metadata["mention_raid_protection_enabled"] = raid
    raw_actions = value.get("actions")
    if not isinstance(raw_actions, list) or not raw_actions:
        issues.add(f"{path}.actions", "needs at least one action")
        raw_actions = []
    actions = tuple(
        a
        for i, item in enumerate(raw_actions)
        if (a := _action(issues, f"{path}.actions.{i}", item, trigger)) is not None
    )
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        issues.add(f"{path}.enabled", f"must be true or false, got {enabled!r}")
        enabled = True
    return AutomodRuleSpec(
        name=name,
        trigger=trigger,
        metadata=metadata,
        actions=actions,
        exempt_roles=_ids(
            issues, f"{path}.exempt_roles", value.get("exempt_roles"), most=LIMITS["exempt_roles"]
        ),
        exempt_channels=_ids(
            issues,
            f"{path}.exempt_channels",
            value.get("exempt_channels"),
            most=LIMITS["exempt_channels"],
        ),
        enabled=enabled,
    )


def parse_section(issues: Issues, path: str, value: object) -> AutomodPolicy | None:
    """Validate the ``automod:`` section, reporting problems into ``issues``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping with rules, got {value!r}")
        return None
    for key in value:
        if key not in ("prefix", "rules"):
            issues.add(f"{path}.{key}", "unknown key; allowed: prefix, rules")
    prefix = value.get("prefix", DEFAULT_PREFIX)
    if not isinstance(prefix, str) or not prefix:
        issues.add(f"{path}.prefix", f"must be a non-empty text, got {prefix!r}")
        prefix = DEFAULT_PREFIX
    raw_rules = value.get("rules") or []
    if not isinstance(raw_rules, list):
        issues.add(f"{path}.rules", f"must be a list of rules, got {raw_rules!r}")
        raw_rules = []
    rules = []
    names: set[str] = set()
    for index, item in enumerate(raw_rules):
        rule = _rule(issues, f"{path}.rules.{index}", item)
        if rule is None:
            continue
        if len(prefix + rule.name) > LIMITS["name"]:
            issues.add(
                f"{path}.rules.{index}.name",
                f"with the prefix, Discord allows at most {LIMITS['name']} characters",
            )
        if rule.name in names:
            issues.add(f"{path}.rules.{index}.name", f"duplicate rule name {rule.name!r}")
        names.add(rule.name)
        rules.append(rule)
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.trigger] = counts.get(rule.trigger, 0) + 1
    # Discord allows six keyword rules and one of each other trigger per guild.
    for trigger, count in counts.items():
        most = 6 if trigger == "keyword" else 1
        if count > most:
            issues.add(
                f"{path}.rules",
                f"Discord allows at most {most} {trigger} rule(s) per guild, got {count}",
            )
    return AutomodPolicy(prefix=prefix, rules=tuple(rules))
