"""``status``: what spamguard does in a guild, in a few lines."""

from __future__ import annotations

__all__ = ("status_answer",)

import typing

from spamguard.moderation.answers import Answer
from spamguard.reporting.describe import format_seconds

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.policy import GuildPolicy, RuleConfig
    from spamguard.moderation.raid_watch import RaidWatch


def _rule_line(rule: RuleConfig) -> str:
    checks = ", ".join(
        f"{check.name} {check.count}/{format_seconds(check.interval)}" for check in rule.checks
    )
    return f"- {rule.key}: {checks or 'no check'} -> {rule.punishment}"


def _extensions(policy: GuildPolicy) -> list[str]:
    names = []
    for name, settings in sorted(policy.extensions.items()):
        enabled = not (isinstance(settings, dict) and settings.get("enabled") is False)
        if enabled and name not in policy.disabled_extensions:
            names.append(name)
    return names


def status_answer(runtime: Runtime, raids: RaidWatch, guild_id: int) -> Answer:
    """The guild's status: rules and checks, extensions, dry run, raid mode, counts.

    ``data``: ``guild_id``, ``ignored``, ``dry_run``, ``dry_run_override``, ``rules`` (rule
    keys), ``extensions``, ``raid_mode`` (None: never reported), ``counters`` (the guild's
    counters: ``messages``, ``incidents``, ``check:<name>``, ``action:<kind>``...),
    ``started``.
    """
    guard = runtime.guard
    policy = guard.policy_for(guild_id)
    override = guard.dry_run_override(guild_id)
    ignored = guild_id in policy.ignore.guilds
    rules = [rule for _level, rule in policy.levels] + [rule for _key, rule in policy.roles]
    extensions = _extensions(policy)
    counters = guard.stats(guild_id)
    raid = raids.modes.get(guild_id)
    lines = ["**spamguard in this server**"]
    if not runtime.started:
        lines.append("Not running: its state store is not open (events are dropped).")
    if ignored:
        lines.append("This server is ignored by the policy: nothing is checked here.")

    def on_off(value: bool) -> str:
        return "on" if value else "off"

    dry = on_off(policy.dry_run)
    if override is not None:
        said = on_off(guard.policy.for_guild(guild_id).dry_run)
        dry += f" (set by a moderator; the policy says {said})"
    else:
        dry += " (as the policy says)"
    lines.append(f"Dry run: {dry}" + (": nothing is carried out" if policy.dry_run else ""))
    if raid is None:
        raid_text = "off" if "join_raid" in extensions else "not watched (join_raid is off)"
    elif raid.on:
        raid_text = f"ON since {raid.at:%Y-%m-%d %H:%M:%S} UTC"
    else:
        raid_text = f"off (the last one ended {raid.at:%Y-%m-%d %H:%M:%S} UTC)"
    lines.append(f"Raid mode: {raid_text}")
    lines.append(f"Rules ({len(rules)}):")
    lines.extend(_rule_line(rule) for rule in rules)
    lines.append("Extensions: " + (", ".join(extensions) or "none"))
    checks = {k.removeprefix("check:"): v for k, v in counters.items() if k.startswith("check:")}
    actions = {k.removeprefix("action:"): v for k, v in counters.items() if k.startswith("action:")}
    messages, incidents = counters.get("messages", 0), counters.get("incidents", 0)
    lines.append(
        f"Counted: {messages} message{'' if messages == 1 else 's'}, "
        f"{incidents} incident{'' if incidents == 1 else 's'}"
    )
    if checks:
        lines.append("Checks fired: " + ", ".join(f"{k} {v}" for k, v in sorted(checks.items())))
    if actions:
        lines.append("Actions: " + ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))
    return Answer(
        ok=True,
        text="\n".join(lines),
        data={
            "guild_id": guild_id,
            "ignored": ignored,
            "dry_run": policy.dry_run,
            "dry_run_override": override,
            "rules": [rule.key for rule in rules],
            "extensions": extensions,
            "raid_mode": None if raid is None else {"on": raid.on, "at": raid.at.isoformat()},
            "counters": counters,
            "started": runtime.started,
        },
    )
