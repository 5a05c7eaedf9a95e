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

Validation (:mod:`.automod_parse`) enforces Discord's limits (see the ``LIMITS`` table) and
the regex syntax it compiles ``regex_patterns`` with (see :mod:`.rust_regex`). :func:`diff_rules`
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
)

import dataclasses
import typing

from spamguard.core.actions import register_action

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

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
