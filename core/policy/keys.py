"""Every key of a policy document outside a rule, as data: a guild's settings and
sections, and the document's top (a rule's keys and its checks' are in :mod:`.rule_keys`).

The validator (:mod:`.parse`) reads its keys, defaults and limits from these tables; the
JSON Schema (:mod:`.json_schema`) and the policy reference page (:mod:`.reference`) are
generated from them. A key, a default or a limit is written here once; what a key can
hold (:class:`~.fields.Field`, :class:`~.fields.Kind`) is described in :mod:`.fields`.

Sections whose shape is more than a list of keys (``spam``, ``role_levels``, ``automod``,
``guilds``) are described here by a :class:`~.fields.Field` of kind
:attr:`~.fields.Kind.SPECIAL`; their own parsers hold the rest (``automod``'s limits are in
:data:`spamguard.core.policy.automod.LIMITS`).
"""

from __future__ import annotations

__all__ = (
    "ESCALATION_FIELDS",
    "GUILD_FIELDS",
    "IGNORE_FIELDS",
    "MODLOG_FIELDS",
    "NEW_MEMBER_FIELDS",
    "NEW_MEMBER_LOWEST_LEVEL",
    "NOTICE_FIELDS",
    "STORE_FIELDS",
    "TOP_FIELDS",
)

from spamguard.core.policy.fields import MAX_DURATION, Field, Kind, default_of
from spamguard.core.policy.model import (
    Counting,
    Escalation,
    GuildPolicy,
    NewMembers,
    Notices,
    StoreMode,
)
from spamguard.core.policy.modlog import MAX_GROUP_SECONDS, ModLog

NEW_MEMBER_LOWEST_LEVEL = -1000
"""The lowest level ``new_members.level`` and ``spam.levels`` may name."""

IGNORE_FIELDS: tuple[Field, ...] = (
    Field(name="users", kind=Kind.IDS, default=(), doc="Members never checked."),
    Field(name="roles", kind=Kind.IDS, default=(), doc="Members holding one of these roles."),
    Field(
        name="channels",
        kind=Kind.IDS,
        default=(),
        doc="Channels never checked; a thread is ignored when its parent is.",
    ),
    Field(name="categories", kind=Kind.IDS, default=(), doc="Channels under these categories."),
    Field(name="guilds", kind=Kind.IDS, default=(), doc="Guilds never checked."),
)
"""The ``ignore:`` section."""

ESCALATION_FIELDS: tuple[Field, ...] = (
    Field(
        name="warn_threshold",
        kind=Kind.INTEGER,
        minimum=0,
        default=default_of(Escalation, "warn_threshold"),
        doc="With `counting: violation_count` only (refused otherwise): a violation is warned "
        "only when its count is at least this (discord-anti-spam's meaning).",
    ),
    Field(
        name="kick_threshold",
        kind=Kind.INTEGER,
        minimum=0,
        default=default_of(Escalation, "kick_threshold"),
        doc="Warnings after which the next incident kicks.",
    ),
    Field(
        name="ban_threshold",
        kind=Kind.INTEGER,
        minimum=0,
        default=default_of(Escalation, "ban_threshold"),
        doc="Kicks after which the next incident bans.",
    ),
    Field(
        name="timeout_threshold",
        kind=Kind.INTEGER,
        minimum=0,
        default=default_of(Escalation, "timeout_threshold"),
        doc="Timeouts between the last warning and the first kick (0: no timeout step).",
    ),
    Field(
        name="timeout_duration",
        kind=Kind.INTEGER,
        minimum=1,
        maximum=MAX_DURATION,
        default=default_of(Escalation, "timeout_duration"),
        doc="Base timeout, seconds; the n-th timeout lasts n x n times this, and the last must "
        "stay within Discord's 28 days.",
    ),
    Field(
        name="decay",
        kind=Kind.INTEGER,
        minimum=1,
        example=86400,
        doc="Seconds without a violation after which the counters reset (none: never).",
    ),
    Field(
        name="counting",
        kind=Kind.CHOICE,
        choices=Counting,
        default=default_of(Escalation, "counting"),
        doc="What climbs a step: each incident (`incidents`), or discord-anti-spam's "
        "count-gated warnings (`violation_count`).",
    ),
)
"""The ``escalation:`` section (``false`` or ``null``: no ladder)."""

NEW_MEMBER_FIELDS: tuple[Field, ...] = (
    Field(
        name="joined_within",
        kind=Kind.SECONDS,
        null="the join time is not considered",
        example=600,
        doc="Seconds since the member joined the guild during which it is a new member (the "
        "member object of its message, else the join the bot saw).",
    ),
    Field(
        name="account_younger_than",
        kind=Kind.SECONDS,
        null="the account's age is not considered",
        example=604800,
        doc="Seconds since the account was created (the time in its user id) during which it "
        "is a new member.",
    ),
    Field(
        name="level",
        kind=Kind.INTEGER,
        minimum=NEW_MEMBER_LOWEST_LEVEL,
        default=default_of(NewMembers, "level"),
        doc="The level of a new member, whatever its roles: `spam.levels` rules of this level "
        "apply to new members alone, and those of higher levels to them too.",
    ),
)
"""The ``new_members:`` section (``null``: nobody is new); at least one of
``joined_within`` and ``account_younger_than`` is required."""

NOTICE_FIELDS: tuple[Field, ...] = (
    Field(
        name="warn",
        kind=Kind.TEMPLATE,
        default=default_of(Notices, "warn"),
        null="no warning is posted",
        doc="Posted in the channel for a WARN.",
    ),
    Field(
        name="warn_delete_after",
        kind=Kind.SECONDS,
        default=default_of(Notices, "warn_delete_after"),
        null="the warning is kept",
        doc="Seconds after which the warning is deleted.",
    ),
    Field(
        name="punishment",
        kind=Kind.TEMPLATE,
        null="nothing is posted",
        example="$MEMBERNAME received a $PUNISHMENT.",
        doc="Posted in the channel for punishments other than WARN.",
    ),
    Field(
        name="punishment_delete_after",
        kind=Kind.SECONDS,
        default=default_of(Notices, "punishment_delete_after"),
        null="the notice is kept",
        doc="Seconds after which the punishment notice is deleted.",
    ),
    Field(
        name="dm",
        kind=Kind.TEMPLATE,
        default=default_of(Notices, "dm"),
        null="no DM is sent",
        doc="Sent as a DM when the rule has `punishment_dms`.",
    ),
    Field(
        name="failed",
        kind=Kind.TEMPLATE,
        default=default_of(Notices, "failed"),
        null="no text",
        doc="The text for a punishment that failed (missing permission, hierarchy); logged, "
        "and posted in the channel with `failed_in_channel`.",
    ),
    Field(
        name="failed_delete_after",
        kind=Kind.SECONDS,
        default=default_of(Notices, "failed_delete_after"),
        null="the notice is kept",
        doc="Seconds after which a posted `failed` notice is deleted.",
    ),
    Field(
        name="failed_in_channel",
        kind=Kind.BOOLEAN,
        default=default_of(Notices, "failed_in_channel"),
        doc="Also post `failed` in the channel where the spam was (the spammer reads it there).",
    ),
)
"""The ``notices:`` section; each text may use the ``$VARIABLES`` of the templates."""

MODLOG_FIELDS: tuple[Field, ...] = (
    Field(
        name="channel_id",
        kind=Kind.SNOWFLAKE,
        required=True,
        doc="The log channel: a text channel of the same guild the bot can post in (a "
        "channel it cannot post in, or of another guild, is reported once and never holds "
        "punishing up).",
    ),
    Field(
        name="group_seconds",
        kind=Kind.SECONDS,
        default=default_of(ModLog, "group_seconds"),
        maximum=MAX_GROUP_SECONDS,
        doc="Seconds a log message gathers what happens in the guild after its first line "
        f"(at most {MAX_GROUP_SECONDS:g}): a flood or a raid is one message.",
    ),
    Field(
        name="excerpts",
        kind=Kind.INTEGER,
        minimum=0,
        maximum=10,
        default=default_of(ModLog, "excerpts"),
        doc="Offending messages quoted per case (0: none).",
    ),
    Field(
        name="excerpt_length",
        kind=Kind.INTEGER,
        minimum=20,
        maximum=1000,
        default=default_of(ModLog, "excerpt_length"),
        doc="Characters kept of each quoted message.",
    ),
    Field(
        name="undos",
        kind=Kind.BOOLEAN,
        default=default_of(ModLog, "undos"),
        doc="Post the scheduled undos (unban, mute role removal) when they run.",
    ),
    Field(
        name="raids",
        kind=Kind.BOOLEAN,
        default=default_of(ModLog, "raids"),
        doc="Post a join raid's start and end.",
    ),
    Field(
        name="automod_executions",
        kind=Kind.BOOLEAN,
        default=default_of(ModLog, "automod_executions"),
        doc="Post Discord AutoMod's executions that count on the ladder "
        "(`automod_executions_count`).",
    ),
    Field(
        name="dry_run",
        kind=Kind.BOOLEAN,
        default=default_of(ModLog, "dry_run"),
        doc="Post the cases decided in dry run too, marked as such.",
    ),
)
"""The ``modlog:`` section (``null``: no log channel)."""

STORE_FIELDS: tuple[Field, ...] = (
    Field(
        name="url",
        kind=Kind.URL,
        example="redis://localhost:6379/0",
        doc="Connection URL of the state store (`SPAMGUARD_REDIS_URL` when absent).",
    ),
    Field(
        name="mode",
        kind=Kind.CHOICE,
        choices=StoreMode,
        default=StoreMode.GUILD_OWNED,
        doc="`guild-owned`: each process decides its shards' guilds from memory and writes "
        "them behind to Redis (a crash loses at most the write-behind interval of counters "
        "and windows); `consistent`: every message decided against Redis under locks, for "
        "a bot that does not partition its events by guild.",
    ),
)
"""The ``store:`` section."""

GUILD_FIELDS: tuple[Field, ...] = (
    Field(
        name="spam",
        kind=Kind.SPECIAL,
        example={
            "levels": {0: {"punishment": "TEMPMUTE", "max_messages": {"count": 10, "interval": 7}}}
        },
        doc="Rowboat's spam rules: `levels` (level -> rule, for members whose level is equal "
        "or below) and `roles` (role id or `*` -> rule, for members holding the role).",
    ),
    Field(
        name="role_levels",
        kind=Kind.SPECIAL,
        example={"223456789012345678": 50},
        doc="Role id -> level (an integer >= 0); a member's level is the highest of their "
        "roles', 0 without any.",
    ),
    Field(
        name="mute_role_id",
        kind=Kind.SNOWFLAKE,
        doc="Role given for MUTE and TEMPMUTE; without it, mutes are timeouts.",
    ),
    Field(
        name="ignore_bots",
        kind=Kind.BOOLEAN,
        default=default_of(GuildPolicy, "ignore_bots"),
        doc="Skip messages from bots.",
    ),
    Field(
        name="exempt_admins",
        kind=Kind.BOOLEAN,
        default=default_of(GuildPolicy, "exempt_admins"),
        doc="Skip the owner, administrators and members who can manage messages.",
    ),
    Field(
        name="ignore",
        kind=Kind.SPECIAL,
        example={"channels": [323456789012345678]},
        doc="Messages that are never checked: `users`, `roles`, `channels`, `categories`, "
        "`guilds`, each a list of ids.",
    ),
    Field(
        name="escalation",
        kind=Kind.SPECIAL,
        example={"kick_threshold": 2, "ban_threshold": 2},
        doc="A ladder over a member's repeated incidents: warn -> (timeout) -> kick -> ban.",
    ),
    Field(
        name="new_members",
        kind=Kind.SPECIAL,
        example={"joined_within": 600, "account_younger_than": 604800, "level": -1},
        doc="Who is a new member: `joined_within` (seconds since joining) or "
        "`account_younger_than` (seconds since the account was created); while either holds "
        "the member's level is `level` (default -1), so `spam.levels.-1` rules apply to new "
        "members alone.",
    ),
    Field(
        name="notices",
        kind=Kind.SPECIAL,
        example={"failed_in_channel": True},
        doc="The texts the guard sends, each with `$VARIABLES`; `null` sends none.",
    ),
    Field(
        name="modlog",
        kind=Kind.SPECIAL,
        example={"channel_id": 423456789012345678, "group_seconds": 3},
        doc="The moderators' log channel: one message per incident with the member, "
        "violations, actions and their outcomes, excerpts and the case number; `null`: none.",
    ),
    Field(
        name="incident_window",
        kind=Kind.SECONDS,
        minimum=0,
        default=default_of(GuildPolicy, "incident_window"),
        doc="Seconds an incident stays open after a member's last violation: inside it, "
        "further violations only clean unless they call for a more severe punishment.",
    ),
    Field(
        name="ban_delete_message_seconds",
        kind=Kind.INTEGER,
        minimum=0,
        maximum=604_800,
        default=default_of(GuildPolicy, "ban_delete_message_seconds"),
        doc="History deleted with a BAN or TEMPBAN, seconds (at most 7 days).",
    ),
    Field(
        name="softban_delete_message_seconds",
        kind=Kind.INTEGER,
        minimum=0,
        maximum=604_800,
        default=default_of(GuildPolicy, "softban_delete_message_seconds"),
        doc="History deleted with a SOFTBAN (a ban lifted at once: a kick that purges the "
        "member's recent messages), seconds (at most 7 days).",
    ),
    Field(
        name="dry_run",
        kind=Kind.BOOLEAN,
        default=default_of(GuildPolicy, "dry_run"),
        doc="Return plans marked dry: nothing is carried out, and the real state is untouched.",
    ),
    Field(
        name="disabled_extensions",
        kind=Kind.NAMES,
        default=(),
        example=["link_filter"],
        doc="Extensions (plugins) switched off for this guild, by name.",
    ),
    Field(
        name="extensions",
        kind=Kind.SETTINGS,
        example={"link_filter": {"deny_domains": ["grabify.link"]}},
        doc="Settings for extensions, by extension name; each extension validates its own.",
    ),
    Field(
        name="automod",
        kind=Kind.SPECIAL,
        example={
            "rules": [{"name": "spam", "trigger": "spam", "actions": [{"type": "block_message"}]}]
        },
        doc="Discord AutoMod rules spamguard keeps in each guild: `prefix` (names of the rules "
        "it owns, default `spamguard: `) and `rules`.",
    ),
    Field(
        name="automod_executions_count",
        kind=Kind.BOOLEAN,
        default=default_of(GuildPolicy, "automod_executions_count"),
        doc="Count Discord AutoMod's executions as incidents on the escalation ladder.",
    ),
)
"""The keys a per-guild override may hold: everything but ``version``, ``store`` and
``guilds``."""

TOP_FIELDS: tuple[Field, ...] = (
    Field(name="version", kind=Kind.SPECIAL, example=1, doc="The document format: 1."),
    *GUILD_FIELDS,
    Field(
        name="store",
        kind=Kind.SPECIAL,
        example={"url": "redis://localhost:6379/0"},
        doc="Where the adapters keep state: `url` of a Redis server.",
    ),
    Field(
        name="guilds",
        kind=Kind.SPECIAL,
        example={"987654321098765432": {"spam": {"levels": {0: {"max_links": None}}}}},
        doc="Guild id -> a partial policy merged onto this one: mappings merge, anything else "
        "replaces, `null` removes a key.",
    ),
)
"""Every key at the top of a policy document, in the order error messages list them."""
