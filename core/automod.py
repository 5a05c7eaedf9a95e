"""Discord's native AutoMod, from the policy: validated rule specs and a pure diff.

The ``automod:`` policy section describes the native rules a guild should have::

    automod:
      prefix: "spamguard: "          # marks the rules spamguard owns (by name)
      rules:
        - name: invites
          trigger: keyword            # keyword | spam | keyword_preset | mention_spam | member_profile
          keyword_filter: ["discord.gg/*"]
          regex_patterns: []
          allow_list: []
          actions:
            - {type: block_message, custom_message: "No invites here."}
            - {type: send_alert_message, channel_id: 123456789012345678}
            - {type: timeout, duration_seconds: 60}
          exempt_roles: []
          exempt_channels: []
          enabled: true

Validation enforces Discord's limits (see the ``LIMITS`` table) and the regex syntax it
compiles ``regex_patterns`` with (see :mod:`spamguard.core.rust_regex`). :func:`diff_rules`
compares the desired rules with a guild's existing ones (Discord's JSON) and returns the
create, edit and delete actions that reconcile them, touching only rules spamguard owns
(name prefix or a known id). Running it on its own result changes nothing.
"""

from __future__ import annotations

__all__ = (
    "ACTION_TYPES",
    "ALLOWED_ACTIONS",
    "LIMITS",
    "METADATA_FIELDS",
    "METADATA_KEYS",
    "PRESETS",
    "TRIGGER_TYPES",
    "AutomodChange",
    "AutomodPolicy",
    "AutomodRuleSpec",
    "CreateAutoModRule",
    "DeleteAutoModRule",
    "EditAutoModRule",
    "diff_rules",
    "parse_section",
)

import dataclasses
import typing

from spamguard.core import rust_regex
from spamguard.core.actions import register_action

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from spamguard.core.schema import _Issues

TRIGGER_TYPES: Mapping[str, int] = {
    "keyword": 1,
    "spam": 3,
    "keyword_preset": 4,
    "mention_spam": 5,
    "member_profile": 6,
}
"""Discord's trigger types by their policy names."""
ACTION_TYPES: Mapping[str, int] = {
    "block_message": 1,
    "send_alert_message": 2,
    "timeout": 3,
    "block_member_interaction": 4,
}
"""Discord's AutoMod action types by their policy names."""
PRESETS: Mapping[str, int] = {"profanity": 1, "sexual_content": 2, "slurs": 3}
DEFAULT_PREFIX = "spamguard: "
"""Default name prefix of the native rules spamguard owns."""
EVENT_MESSAGE_SEND = 1
EVENT_MEMBER_UPDATE = 2

LIMITS: Mapping[str, int] = {
    "keyword_filter": 1000,
    "keyword_length": 60,
    "regex_patterns": 10,
    "regex_length": 260,
    "allow_list_keyword": 100,
    "allow_list_preset": 1000,
    "allow_list_length": 60,
    "mention_total_limit": 50,
    "exempt_roles": 20,
    "exempt_channels": 50,
    "timeout_seconds": 2_419_200,
    "custom_message": 150,
    "name": 100,
}
"""Discord's documented limits on AutoMod rules."""

METADATA_KEYS = (
    "keyword_filter",
    "regex_patterns",
    "presets",
    "allow_list",
    "mention_total_limit",
    "mention_raid_protection_enabled",
)
"""A rule's keys that go to Discord's ``trigger_metadata``."""
METADATA_FIELDS: Mapping[str, frozenset[str]] = {
    "keyword": frozenset({"keyword_filter", "regex_patterns", "allow_list"}),
    "spam": frozenset(),
    "keyword_preset": frozenset({"presets", "allow_list"}),
    "mention_spam": frozenset({"mention_total_limit", "mention_raid_protection_enabled"}),
    "member_profile": frozenset({"keyword_filter", "regex_patterns", "allow_list"}),
}
"""Which of :data:`METADATA_KEYS` each trigger takes."""
ALLOWED_ACTIONS: Mapping[str, frozenset[str]] = {
    "keyword": frozenset({"block_message", "send_alert_message", "timeout"}),
    "spam": frozenset({"block_message", "send_alert_message"}),
    "keyword_preset": frozenset({"block_message", "send_alert_message"}),
    "mention_spam": frozenset({"block_message", "send_alert_message", "timeout"}),
    "member_profile": frozenset({"send_alert_message", "block_member_interaction"}),
}
"""Which actions each trigger allows."""
_RULE_KEYS = (
    "name",
    "trigger",
    *METADATA_KEYS,
    "actions",
    "exempt_roles",
    "exempt_channels",
    "enabled",
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AutomodRuleSpec:
    """One native rule spamguard should keep in a guild."""

    name: str
    """The rule's name without the prefix."""
    trigger: str
    """One of :data:`TRIGGER_TYPES`."""
    metadata: Mapping[str, typing.Any]
    """Discord's ``trigger_metadata`` (only the fields this trigger takes)."""
    actions: tuple[Mapping[str, typing.Any], ...]
    """Discord's action objects: ``{"type": int, "metadata": {...}}``."""
    exempt_roles: tuple[int, ...] = ()
    exempt_channels: tuple[int, ...] = ()
    enabled: bool = True

    def body(self, prefix: str) -> dict[str, typing.Any]:
        """The JSON body Discord's create/modify endpoints take."""
        trigger_type = TRIGGER_TYPES[self.trigger]
        return {
            "name": f"{prefix}{self.name}",
            "event_type": EVENT_MEMBER_UPDATE
            if self.trigger == "member_profile"
            else EVENT_MESSAGE_SEND,
            "trigger_type": trigger_type,
            "trigger_metadata": dict(self.metadata),
            "actions": [dict(action) for action in self.actions],
            "enabled": self.enabled,
            "exempt_roles": [str(r) for r in self.exempt_roles],
            "exempt_channels": [str(c) for c in self.exempt_channels],
        }


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AutomodPolicy:
    """The validated ``automod:`` section."""

    prefix: str = DEFAULT_PREFIX
    """Name prefix of the rules spamguard owns; rules without it are never touched."""
    rules: tuple[AutomodRuleSpec, ...] = ()


@register_action
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CreateAutoModRule:
    """Create a native AutoMod rule (``POST /guilds/{guild}/auto-moderation/rules``)."""

    kind: typing.ClassVar[str] = "automod_create"
    guild_id: int
    rule: dict[str, typing.Any]
    """Discord's JSON body."""
    reason: str = "spamguard: provision AutoMod rule"


@register_action
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EditAutoModRule:
    """Change a native AutoMod rule spamguard owns (``PATCH .../rules/{rule}``)."""

    kind: typing.ClassVar[str] = "automod_edit"
    guild_id: int
    rule_id: int
    rule: dict[str, typing.Any]
    """Discord's JSON body (every field spamguard manages; ``event_type`` and
    ``trigger_type`` cannot change and are left out)."""
    reason: str = "spamguard: update AutoMod rule"


@register_action
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAutoModRule:
    """Delete a native AutoMod rule spamguard owns that the policy no longer has."""

    kind: typing.ClassVar[str] = "automod_delete"
    guild_id: int
    rule_id: int
    reason: str = "spamguard: AutoMod rule removed from the policy"


AutomodChange = CreateAutoModRule | EditAutoModRule | DeleteAutoModRule
"""Any change to a guild's native rules."""


# -- validation ----------------------------------------------------------------------------


def _strings(issues: _Issues, path: str, value: object, *, most: int, longest: int) -> list[str]:
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


def _is_id(value: object) -> bool:
    """Whether ``value`` is a Discord id: a positive integer below 2**64, or one written
    in ASCII digits (at most 20; ``isdigit()`` alone also takes superscripts like ``²``)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**64


def _ids(issues: _Issues, path: str, value: object, *, most: int) -> tuple[int, ...]:
    if value is None:
        return ()
    ok = isinstance(value, list) and all(_is_id(v) for v in value)
    if not ok:
        issues.add(path, f"must be a list of Discord ids, got {value!r}")
        return ()
    assert isinstance(value, list)
    if len(value) > most:
        issues.add(path, f"Discord allows at most {most} entries, got {len(value)}")
    return tuple(int(v) for v in value)


def _action(
    issues: _Issues, path: str, value: object, trigger: str
) -> dict[str, typing.Any] | None:
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
        if not _is_id(channel):
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


def _rule(issues: _Issues, path: str, value: object) -> AutomodRuleSpec | None:
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


def parse_section(issues: _Issues, path: str, value: object) -> AutomodPolicy | None:
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


# -- diff ------------------------------------------------------------------------------------


def _comparable(body: Mapping[str, typing.Any]) -> dict[str, typing.Any]:
    """The fields spamguard manages, normalised the way Discord echoes them back."""
    metadata = {
        key: (sorted(value) if isinstance(value, list) else value)
        for key, value in (body.get("trigger_metadata") or {}).items()
        if value not in (None, [], False) or key == "mention_raid_protection_enabled"
    }
    if metadata.get("mention_raid_protection_enabled") is False:
        del metadata["mention_raid_protection_enabled"]
    actions = sorted(
        (
            int(a["type"]),
            tuple(
                sorted(
                    (k, str(v)) for k, v in (a.get("metadata") or {}).items() if v not in (None, "")
                )
            ),
        )
        for a in body.get("actions") or []
    )
    return {
        "name": body.get("name"),
        "trigger_type": int(body.get("trigger_type", 0)),
        "trigger_metadata": metadata,
        "actions": actions,
        "enabled": bool(body.get("enabled", True)),
        "exempt_roles": sorted(str(r) for r in body.get("exempt_roles") or []),
        "exempt_channels": sorted(str(c) for c in body.get("exempt_channels") or []),
    }


def diff_rules(
    policy: AutomodPolicy,
    existing: Sequence[Mapping[str, typing.Any]],
    *,
    guild_id: int,
    owned_ids: Iterable[int] = (),
) -> tuple[CreateAutoModRule | EditAutoModRule | DeleteAutoModRule, ...]:
    """The actions that make a guild's native rules match ``policy``.

    ``existing`` is what ``GET /guilds/{guild}/auto-moderation/rules`` returned. Rules are
    owned when their name starts with the policy's prefix or their id is in ``owned_ids``;
    others are never touched. Order: edits, deletions, then creations (deleting first keeps
    the guild under Discord's per-trigger rule limits while a rule is replaced).
    """
    owned_id_set = {int(i) for i in owned_ids}
    owned = [
        rule
        for rule in existing
        if str(rule.get("name", "")).startswith(policy.prefix)
        or int(rule.get("id", 0)) in owned_id_set
    ]
    by_name = {str(rule.get("name")): rule for rule in owned}
    edits: list[EditAutoModRule] = []
    creates: list[CreateAutoModRule] = []
    kept: set[int] = set()
    for spec in policy.rules:
        body = spec.body(policy.prefix)
        current = by_name.get(body["name"])
        if current is None:
            creates.append(CreateAutoModRule(guild_id=guild_id, rule=body))
            continue
        rule_id = int(current["id"])
        kept.add(rule_id)
        if int(current.get("trigger_type", 0)) != body["trigger_type"]:
            # The trigger type of a rule cannot change: replace the rule.
            kept.discard(rule_id)
            creates.append(CreateAutoModRule(guild_id=guild_id, rule=body))
            continue
        if _comparable(current) != _comparable(body):
            patch = {k: v for k, v in body.items() if k not in ("event_type", "trigger_type")}
            edits.append(EditAutoModRule(guild_id=guild_id, rule_id=rule_id, rule=patch))
    deletes = [
        DeleteAutoModRule(guild_id=guild_id, rule_id=int(rule["id"]))
        for rule in owned
        if int(rule["id"]) not in kept
    ]
    return (*edits, *deletes, *creates)
