"""The policy reference (Markdown), generated from the key tables.

The documentation site's policy page is this text, made when the site is built
(``docs/hooks.py``), so every key, type, default, limit and example is written once: in
the tables the validator reads.
"""

from __future__ import annotations

__all__ = ("reference_markdown",)

import enum
import typing

import yaml

from spamguard.core.policy import automod
from spamguard.core.policy.fields import (
    Field,
    Kind,
    example_of,
)
from spamguard.core.policy.keys import (
    ESCALATION_FIELDS,
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


def _inline(value: object) -> str:
    """``value`` as one line of YAML flow style, in backticks."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, tuple | frozenset):
        value = list(value)
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
    text = text.strip().removesuffix("...").strip()
    return f"`{text}`".replace("|", "\\|")


def _type(field: Field) -> str:
    if field.kind is Kind.SPECIAL:
        return "`1`" if field.name == "version" else "mapping, below"
    if field.kind is Kind.CHOICE:
        assert field.choices is not None
        return "one of " + ", ".join(f"`{member.value}`" for member in field.choices)
    return str(field.kind.value)


def _limits(field: Field) -> str:
    kind = field.kind
    if kind is Kind.INTEGER:
        low = 1 if field.minimum is None else int(field.minimum)
        if field.maximum is not None:
            return f"{low} to {int(field.maximum):,}"
        return f">= {low}"
    if kind is Kind.SECONDS:
        above = ">= 0" if field.minimum == 0 else "> 0"
        return above if field.maximum is None else f"{above}, <= {field.maximum:g}"
    if kind is Kind.CHOICE:
        return "any case"
    if kind in (Kind.SNOWFLAKE, Kind.IDS):
        return "ids as numbers or digit strings"
    if kind is Kind.URL:
        return "`scheme://...`"
    return ""


def _default(field: Field) -> str:
    if field.default is None:
        return "none"
    if field.default == ():
        return "`[]`"
    return _inline(field.default)


def _table(fields: Iterable[Field]) -> list[str]:
    lines = [
        "| Key | Type | Default | Limits | Example | What it does |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for field in fields:
        doc = field.doc
        if field.null is not None:
            doc += f" `null`: {field.null}."
        if field.required:
            doc = "**Required.** " + doc
        example = example_of(field)
        lines.append(
            f"| `{field.name}` | {_type(field)} | "
            f"{_default(field)} | {_limits(field)} | "
            f"{'' if example is None else _inline(example)} | {doc} |"
        )
    return lines


def _automod_lines() -> list[str]:
    limits = automod.LIMITS
    triggers = ", ".join(f"`{name}`" for name in automod.TRIGGER_TYPES)
    lines = [
        "## `automod`",
        "",
        "| Key | Type | Default | Limits | What it does |",
        "| --- | --- | --- | --- | --- |",
        f"| `prefix` | text | `{automod.DEFAULT_PREFIX!r}` | not empty | Names of the rules "
        "spamguard owns start with it; it creates, edits and deletes only those. |",
        "| `rules` | list of rules | `[]` | Discord: 6 keyword rules, 1 of each other trigger "
        "| The rules, keys below. |",
        "",
        "A rule:",
        "",
        "| Key | Type | Limits | What it does |",
        "| --- | --- | --- | --- |",
        f"| `name` | text | **required**; with the prefix at most {limits['name']} "
        "characters, unique | The rule's name without the prefix. |",
        f"| `trigger` | one of {triggers} | **required** | What Discord watches. |",
    ]
    per_key = {
        "keyword_filter": f"at most {limits['keyword_filter']} of "
        f"{limits['keyword_length']} characters",
        "regex_patterns": f"at most {limits['regex_patterns']} of {limits['regex_length']} "
        "characters, Rust regex syntax",
        "presets": "one or more of " + ", ".join(f"`{p}`" for p in automod.PRESETS),
        "allow_list": f"at most {limits['allow_list_keyword']} "
        f"({limits['allow_list_preset']} for `keyword_preset`) of "
        f"{limits['allow_list_length']} characters",
        "mention_total_limit": f"1 to {limits['mention_total_limit']}",
        "mention_raid_protection_enabled": "true or false",
    }
    for key in automod.METADATA_KEYS:
        takers = ", ".join(
            f"`{trigger}`" for trigger, keys in automod.METADATA_FIELDS.items() if key in keys
        )
        lines.append(f"| `{key}` | | {per_key[key]} | Taken by {takers}. |")
    lines += [
        "| `actions` | list of actions | **required**, at least one | What Discord does. |",
        f"| `exempt_roles` | list of Discord ids | at most {limits['exempt_roles']} "
        "| Roles the rule skips. |",
        f"| `exempt_channels` | list of Discord ids | at most {limits['exempt_channels']} "
        "| Channels the rule skips. |",
        "| `enabled` | boolean | default `true` | |",
        "",
        "An action is `{type: ...}` with:",
        "",
        "| `type` | Extra keys | Triggers that take it |",
        "| --- | --- | --- |",
    ]
    extra = {
        "block_message": "`custom_message` (optional, at most "
        f"{limits['custom_message']} characters)",
        "send_alert_message": "`channel_id` (required)",
        "timeout": f"`duration_seconds` (required, 1 to {limits['timeout_seconds']:,})",
        "block_member_interaction": "",
    }
    for action in automod.ACTION_TYPES:
        takers = ", ".join(
            f"`{trigger}`"
            for trigger, actions in automod.ALLOWED_ACTIONS.items()
            if action in actions
        )
        lines.append(f"| `{action}` | {extra[action]} | {takers} |")
    return lines


def reference_markdown() -> str:
    """The policy reference page, Markdown."""
    top = {field.name: field for field in TOP_FIELDS}
    lines = [
        "# Policy reference",
        "",
        "<!-- Generated from spamguard/core/policy/rule_keys.py and keys.py when the site is "
        "built; edit the tables there. -->",
        "",
        "Every key a policy document may hold: its type, default, limits and an example. "
        "A policy is YAML, TOML or JSON; `spamguard check policy.yaml` reports every problem "
        "with its path, and editors complete and check the keys with the "
        "[JSON Schema](../json-schema.md). A key left out takes its default; `null` does too, "
        "unless the table says what it means.",
        "",
        "## Top level",
        "",
        *_table(TOP_FIELDS),
        "",
        "## `spam`",
        "",
        top["spam"].doc,
        "",
        "```yaml",
        "spam:",
        "  levels:",
        "    0: {punishment: TEMPMUTE, max_messages: {count: 10, interval: 7}}",
        "  roles:",
        '    "*": {max_invites: {count: 2, interval: 60, punishment: KICK}}',
        "```",
        "",
        "- `levels`: a level (an integer >= 0) -> a rule. A member's level is the highest "
        "of their roles' in `role_levels` (0 without any); a new member's is "
        "`new_members.level`, so a level below 0 holds rules for new members alone.",
        "- `roles`: a role id, or `*` for everyone -> a rule.",
        "",
        "### A rule",
        "",
        *_table(RULE_FIELDS),
        "",
        "And any of the checks, each a mapping of the check keys below:",
        "",
        "| Check | What it counts |",
        "| --- | --- |",
        *(f"| `{name}` | {CHECK_DOCS[name]} |" for name in CHECK_NAMES),
        "",
        "### A check",
        "",
        "A check fires when the total inside its sliding window reaches `count` and the "
        "current message adds to it.",
        "",
        *_table(CHECK_FIELDS),
        "",
        "## `ignore`",
        "",
        *_table(IGNORE_FIELDS),
        "",
        "## `escalation`",
        "",
        top["escalation"].doc + " `false` or `null`: no ladder.",
        "",
        *_table(ESCALATION_FIELDS),
        "",
        "## `new_members`",
        "",
        top["new_members"].doc + " `null`: nobody is new.",
        "",
        "The join time comes from the member object of the message (Discord sends it with "
        "every guild message), else from the join the bot saw (`GUILD_MEMBER_ADD`, with the "
        "members intent); when neither is known only the account's age counts.",
        "",
        "```yaml",
        "new_members: {joined_within: 600, account_younger_than: 604800}",
        "spam:",
        "  levels:",
        "    -1: {max_links: {count: 1, interval: 600}, punishment: TIMEOUT}",
        "    0: {max_messages: {count: 8, interval: 5}}",
        "```",
        "",
        *_table(NEW_MEMBER_FIELDS),
        "",
        "## `notices`",
        "",
        top["notices"].doc + " A text may be an embed (a mapping).",
        "",
        *_table(NOTICE_FIELDS),
        "",
        "## `modlog`",
        "",
        top["modlog"].doc + " Per guild through `guilds:` like every key (see the README's "
        "*Log channel*). With a log channel, a punishment that failed is posted there and no "
        "longer in the channel of the spam (`notices.failed_in_channel` is ignored).",
        "",
        "```yaml",
        "modlog: {channel_id: 423456789012345678, group_seconds: 3, excerpts: 3}",
        "```",
        "",
        *_table(MODLOG_FIELDS),
        "",
        "## `store`",
        "",
        *_table(STORE_FIELDS),
        "",
        *_automod_lines(),
        "",
        "## `extensions`",
        "",
        top["extensions"].doc + " A name must be a registered plugin's or an installed "
        "extension's; `{}` takes an extension's defaults, `enabled: false` switches it off. "
        "The built-in extensions (`spamguard.contrib`) and their settings are in the "
        "[plugin guide](../plugins.md#the-built-in-extensions):",
        "",
        "| Extension | Watches | Settings |",
        "| --- | --- | --- |",
        "| `mass_mention` | messages | `per_message`, `total`, `interval`, `punishment`, "
        "`delete` |",
        "| `message_length` | messages | `max_length`, `max_lines`, `punishment`, `delete` |",
        "| `link_filter` | messages | `allow_domains`, `deny_domains`, `block_invites`, "
        "`allowed_invites`, `lookalikes` (`domains`, `builtin`, `accuracy`, `ignore`), "
        "`deny_file`, `punishment`, `delete` |",
        "| `raid` | messages | `members`, `interval`, `scope`, `accuracy`, `min_length`, "
        "`punishment`, `punish_participants`, `delete` |",
        "| `compromised` | messages | `channels`, `interval`, `accuracy`, `min_length`, "
        "`punishment`, `punishment_duration`, `delete`, `dm` |",
        "| `honeypot` | messages | `channels`, `punishment` (`SOFTBAN`, `BAN`, `KICK`, "
        "`TIMEOUT`), `delete_message_seconds` (0 to 604,800, default 86,400), "
        "`punishment_duration`, `delete`, `dm` |",
        "| `join_raid` | member joins | `joins`, `interval`, `similar_names` (`members`, "
        "`accuracy`, `interval`, `min_length`), `quiet`, `lockdown` (`invites`, `dms`, "
        "`duration` at most 86,400: Discord's 24 hours, `lift_on_end` (default true: lift "
        "the pause at the raid's end unless a moderator changed it)), `raid_joiners`, "
        "`punishment_duration` |",
        "",
        "```yaml",
        "extensions:",
        "  join_raid:",
        "    joins: 10",
        "    interval: 10",
        "    lockdown: {invites: true, duration: 1800}",
        "    raid_joiners: TIMEOUT",
        "  compromised: {channels: 3, interval: 60, dm: true}",
        "  honeypot: {channels: [123456789012345678], punishment: SOFTBAN}",
        "```",
        "",
        "## `guilds`",
        "",
        top["guilds"].doc + " An override may hold every top-level key except `version`, "
        "`store` and `guilds`.",
        "",
        "```yaml",
        "guilds:",
        '  "987654321098765432":',
        "    spam: {levels: {0: {max_links: null}}}",
        "    dry_run: true",
        "```",
        "",
        "## Rowboat documents",
        "",
        "Rowboat's spam plugin configuration loads as the whole document (`levels:` and "
        "`roles:` at the top), and so does a whole Rowboat guild config: `plugins.spam` is "
        "the spam policy, the top-level `levels` (role id -> level) its `role_levels`, "
        "`plugins.infractions.mute_role` its `mute_role_id`; Rowboat's other plugins and "
        "`web`, `commands`, `nickname` are ignored. spamguard's own keys may sit beside "
        "them. See [Migrating from Rowboat](../migrating.md#from-rowboat).",
        "",
    ]
    return "\n".join(lines)
