"""AutoMod fixtures shared by the hikari and discord.py-family adapter tests."""

from __future__ import annotations

import datetime
import typing

from spamguard.core.policy import Policy
from spamguard.core.policy.automod import CreateAutoModRule, diff_rules
from support import payloads

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("automod_section", "create_actions", "policy_of", "seed_rule")


def automod_section(world: payloads.GuildWorld, *rules: str) -> dict[str, typing.Any]:
    """An ``automod:`` section with one rule of each trigger type (or those named)."""
    every = {
        "invites": {
            "name": "invites",
            "trigger": "keyword",
            "keyword_filter": ["discord.gg/*", "*free nitro*"],
            "allow_list": ["discord.gg/python"],
            "actions": [
                {"type": "block_message", "custom_message": "No invites here."},
                {"type": "send_alert_message", "channel_id": world.mod_log.id},
                {"type": "timeout", "duration_seconds": 60},
            ],
            "exempt_roles": [world.moderator_role.id],
            "exempt_channels": [world.mod_log.id],
        },
        "pings": {
            "name": "pings",
            "trigger": "mention_spam",
            "mention_total_limit": 8,
            "mention_raid_protection_enabled": True,
            "actions": [{"type": "block_message"}],
        },
        "slurs": {
            "name": "slurs",
            "trigger": "keyword_preset",
            "presets": ["slurs", "profanity"],
            "actions": [{"type": "block_message"}],
        },
        "spam": {
            "name": "spam",
            "trigger": "spam",
            "actions": [{"type": "send_alert_message", "channel_id": world.mod_log.id}],
            "enabled": False,
        },
        "names": {
            "name": "names",
            "trigger": "member_profile",
            "keyword_filter": ["*admin*"],
            "actions": [{"type": "block_member_interaction"}],
        },
    }
    return {"rules": [every[name] for name in rules or every]}


def policy_of(section: Mapping[str, typing.Any]) -> Policy:
    return Policy.from_dict({"version": 1, "automod": dict(section)})


def create_actions(world: payloads.GuildWorld, *rules: str) -> dict[str, CreateAutoModRule]:
    """The create actions the core's diff makes for an empty guild, by rule name."""
    section = policy_of(automod_section(world, *rules)).for_guild(world.guild_id).automod
    assert section is not None
    changes = diff_rules(section, [], guild_id=world.guild_id)
    creates = [c for c in changes if isinstance(c, CreateAutoModRule)]
    assert len(creates) == len(changes)
    return {c.rule["name"].removeprefix("spamguard: "): c for c in creates}


def seed_rule(
    api: typing.Any, world: payloads.GuildWorld, **fields: typing.Any
) -> dict[str, typing.Any]:
    """Put a rule into the stand-in as if someone had created it; return its JSON."""
    fields.setdefault("rule_id", payloads.snowflake(datetime.datetime.now(tz=datetime.UTC)))
    rule = payloads.automod_rule(guild_id=world.guild_id, creator_id=world.owner.id, **fields)
    api.automod_rules.setdefault(world.guild_id, {})[int(rule["id"])] = rule
    return rule
