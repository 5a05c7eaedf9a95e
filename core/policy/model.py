"""What a guild allows: the validated, immutable :class:`Policy`.

The document format (YAML, TOML or JSON) is described in the README; validation lives in
:mod:`.parse` and files are read by :mod:`.files`. A policy is a plain value: the guard
reads it, never changes it.
"""

from __future__ import annotations

__all__ = (
    "CHECK_NAMES",
    "SEVERITY",
    "CheckConfig",
    "Counting",
    "Escalation",
    "GuildPolicy",
    "Ignore",
    "NewMembers",
    "Notices",
    "Policy",
    "Punishment",
    "RuleConfig",
    "Scope",
)

import dataclasses
import enum
import pathlib
import typing

if typing.TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from spamguard.core.policy.automod import AutomodPolicy
    from spamguard.core.policy.modlog import ModLog

Template = str | dict[str, typing.Any]
"""A notice: a string, or a Discord embed as a dict; both may hold ``$VARIABLES``."""


class Punishment(enum.StrEnum):
    """What happens to a member who breaks a rule (Rowboat's names)."""

    NONE = "NONE"
    WARN = "WARN"
    MUTE = "MUTE"
    TEMPMUTE = "TEMPMUTE"
    TIMEOUT = "TIMEOUT"
    KICK = "KICK"
    BAN = "BAN"
    TEMPBAN = "TEMPBAN"
    SOFTBAN = "SOFTBAN"
    """A ban that deletes the member's recent messages, lifted at once: a kick that
    also purges their last ``softban_delete_message_seconds`` (one day by default)."""


SEVERITY: Mapping[Punishment, int] = {
    Punishment.NONE: 0,
    Punishment.WARN: 1,
    Punishment.TEMPMUTE: 2,
    Punishment.TIMEOUT: 2,
    Punishment.MUTE: 3,
    Punishment.KICK: 4,
    Punishment.SOFTBAN: 5,
    Punishment.TEMPBAN: 6,
    Punishment.BAN: 7,
}
"""Order used to upgrade punishments: a punishment is only replaced by a strictly higher one."""


class Scope(enum.StrEnum):
    """Whose messages share one sliding window."""

    USER = "user"
    """One member in one guild, across channels (Rowboat's behaviour)."""
    USER_CHANNEL = "user_channel"
    """One member in one channel."""
    CHANNEL = "channel"
    """Everyone in one channel."""
    GUILD = "guild"
    """Everyone in the guild."""


CHECK_NAMES: tuple[str, ...] = (
    "max_messages",
    "max_mentions",
    "max_links",
    "max_upper_case",
    "max_emojis",
    "max_newlines",
    "max_attachments",
    "max_duplicates",
    "max_characters",
    "max_stickers",
    "max_invites",
)
"""The built-in checks, in the order they are evaluated and reported."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CheckConfig:
    """One ``max_*`` check: fires when the amount inside the window reaches ``count``."""

    name: str
    """The check, one of :data:`CHECK_NAMES`."""
    count: int
    """The limit; the check fires when the window's total reaches it."""
    interval: float
    """Length of the sliding window, seconds."""
    punishment: Punishment | None = None
    """Overrides the rule's punishment for this check."""
    punishment_duration: int | None = None
    """Overrides the rule's punishment duration for this check, seconds."""
    channel_whitelist: frozenset[int] | None = None
    """Channels where this check neither runs nor counts, in addition to the rule's list."""
    scope: Scope = Scope.USER
    """Whose messages share the window."""
    accuracy: int = 90
    """``max_duplicates`` only: similarity (0-100) from which two messages are duplicates."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RuleConfig:
    """One Rowboat spam configuration (a level's or a role's)."""

    key: str
    """Where it came from: ``level:0``, ``role:1234`` or ``role:*``."""
    checks: tuple[CheckConfig, ...] = ()
    """The configured checks, in :data:`CHECK_NAMES` order."""
    punishment: Punishment = Punishment.NONE
    punishment_duration: int = 300
    """Seconds, for TEMPMUTE, TIMEOUT and TEMPBAN."""
    punishment_dms: bool = False
    """Send the member a DM about the punishment (before it is carried out)."""
    clean: bool = False
    """Delete the messages that made up the violation."""
    clean_count: int = 100
    """At most this many messages are cleaned per violation (the newest)."""
    clean_duration: int = 900
    """Only messages younger than this many seconds are cleaned."""
    channel_whitelist: frozenset[int] = frozenset()
    """Channels (or thread parents) where none of this rule's checks run."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Ignore:
    """Messages that are never checked."""

    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()
    channels: frozenset[int] = frozenset()
    """Channel ids; a thread is ignored when its parent is."""
    categories: frozenset[int] = frozenset()
    guilds: frozenset[int] = frozenset()


class StoreMode(enum.StrEnum):
    """How a Redis store shares state between the processes of a bot (``store: mode:``)."""

    GUILD_OWNED = "guild-owned"
    """The process that owns a guild's shard decides from its own memory and writes the
    guild behind to Redis, for another process to take over (the default)."""
    CONSISTENT = "consistent"
    """Every message decided against Redis under locks: for the rare deployment that does
    not partition its events by guild."""


class Counting(enum.StrEnum):
    """What climbs the escalation ladder a step."""

    INCIDENTS = "incidents"
    """Each incident (a violation punished, see ``incident_window``) climbs one step,
    whatever the check's count: a repeat offender on ``max_invites: {count: 2}`` or on
    AutoMod (a count of 1 each) is warned, then kicked, then banned."""
    VIOLATION_COUNT = "violation_count"
    """discord-anti-spam's counting, for its facade: on the warning steps a violation is
    warned only when its count (the duplicates sent, for ``max_duplicates``) is at least
    ``warn_threshold``; one below it climbs no step and, when nothing else punishes it,
    opens no incident. The kick and ban steps do not look at the count."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    """A ladder over a member's repeated incidents: warn -> (timeout) -> kick -> ban.

    Each violation that opens an incident climbs one step:

    1. while ``warn_count < kick_threshold`` and ``kick_count < ban_threshold``: WARN,
       ``warn_count += 1`` (with ``counting: violation_count``, only when the violation's
       count is at least ``warn_threshold``);
    2. else while ``timeout_count < timeout_threshold``: TIMEOUT for
       ``timeout_duration * (timeout_count + 1) ** 2`` seconds, ``timeout_count += 1``;
    3. else while ``kick_count < ban_threshold``: KICK, ``kick_count += 1``;
    4. else BAN.

    The counters reset when the member has had no violation for ``decay`` seconds
    (``None``: never). The rule's own punishment still applies when it is more severe;
    the ladder then climbs all the same (its counters count its steps, not the punishments
    carried out). Violations inside an open incident climb no step. In dry run the ladder
    that climbs is a separate one, discarded when dry run ends (see ``GuildPolicy.dry_run``).
    """

    warn_threshold: int = 3
    """With ``counting: violation_count`` only: a violation is warned only when its count
    is at least this (discord-anti-spam's meaning)."""
    kick_threshold: int = 2
    """Warnings after which the next violation kicks."""
    ban_threshold: int = 2
    """Kicks after which the next violation bans."""
    timeout_threshold: int = 0
    """Timeouts between the last warning and the first kick (0: no timeout step)."""
    timeout_duration: int = 300
    """Base timeout, seconds; the n-th timeout lasts ``n * n`` times this."""
    decay: int | None = None
    """Seconds without a violation after which the counters reset."""
    counting: Counting = Counting.INCIDENTS
    """What climbs a step: every incident, or discord-anti-spam's count-gated warnings."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class NewMembers:
    """Who counts as a new member, and the level new members have (``new_members:``).

    While either condition holds, the member's level is :attr:`level` whatever their roles:
    with the default -1, a ``levels: {-1: {...}}`` rule applies to new members alone, and
    the level-0 rules apply to them too (a rule applies to members whose level is equal or
    below). When the guard knows neither when the member joined (the message's
    ``author_joined_at``, else a join it saw) only the account's age counts.
    """

    joined_within: float | None = None
    """Seconds since the member joined during which it is new (None: not considered)."""
    account_younger_than: float | None = None
    """Seconds since the account was created (the user id's time) during which it is new
    (None: not considered)."""
    level: int = -1
    """The level of a new member."""

    def is_new(self, now_ts: float, joined_ts: float | None, created_ts: float) -> bool:
        """Whether a member who joined at ``joined_ts`` (None: unknown), with an account
        created at ``created_ts``, is new at ``now_ts`` (POSIX seconds each)."""
        within = self.joined_within
        if within is not None and joined_ts is not None and now_ts - joined_ts < within:
            return True
        younger = self.account_younger_than
        return younger is not None and now_ts - created_ts < younger


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Notices:
    """Texts the guard sends; each may use the ``$VARIABLES`` listed in the README."""

    warn: Template | None = "Hey $MENTIONMEMBER, please stop spamming."
    """Posted in the channel for a WARN."""
    warn_delete_after: float | None = 30.0
    """Seconds after which the warning is deleted; ``None`` keeps it."""
    punishment: Template | None = None
    """Posted in the channel for punishments other than WARN (``None``: nothing)."""
    punishment_delete_after: float | None = 30.0
    dm: Template | None = (
        "You received a $PUNISHMENT in $GUILDNAME for spam ($VIOLATION: $COUNT/$LIMIT)."
    )
    """Sent as a DM when the rule has ``punishment_dms``."""
    failed: Template | None = "I could not punish $MEMBERNAME ($MEMBERID): $VIOLATION."
    """The text for a punishment that failed (missing permission, hierarchy); posted in
    the channel only with ``failed_in_channel``, else the failure is only logged."""
    failed_delete_after: float | None = 30.0
    failed_in_channel: bool = False
    """Post ``failed`` in the channel where the spam was (the spammer reads it there):
    off by default."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GuildPolicy:
    """Everything the guard needs for one guild, per-guild overrides applied."""

    levels: tuple[tuple[int, RuleConfig], ...] = ()
    """``(level, rule)``, a rule applying to members whose level is equal or below."""
    roles: tuple[tuple[str, RuleConfig], ...] = ()
    """``(role id or "*", rule)``, a rule applying to members holding the role."""
    role_levels: Mapping[int, int] = dataclasses.field(default_factory=dict)
    """Role id -> level; a member's level is the highest of their roles', default 0."""
    mute_role_id: int | None = None
    """Role given for MUTE/TEMPMUTE; without it, mutes are timeouts."""
    ignore_bots: bool = True
    exempt_admins: bool = True
    """Skip the owner, administrators and members who can manage messages."""
    ignore: Ignore = Ignore()
    escalation: Escalation | None = None
    notices: Notices = Notices()
    incident_window: float = 10.0
    """Seconds an incident stays open after a member's last violation."""
    ban_delete_message_seconds: int = 0
    """History deleted with a BAN or TEMPBAN, clamped to 7 days."""
    softban_delete_message_seconds: int = 86_400
    """History deleted with a SOFTBAN (the ban lifted at once), at most 7 days."""
    dry_run: bool = False
    """Return plans marked dry; adapters carry nothing out. Decisions in dry run leave the
    real state as they found it: they climb a separate escalation ladder (a copy of the
    member's real one) and keep their own clean marks, both discarded when dry run ends."""
    disabled_extensions: frozenset[str] = frozenset()
    """Names of extensions (plugins) switched off for this guild."""
    extensions: Mapping[str, typing.Any] = dataclasses.field(default_factory=dict)
    """Free-form settings for extensions, by extension name."""
    automod: AutomodPolicy | None = None
    """Native AutoMod rules to provision (see :mod:`spamguard.core.policy.automod`), or ``None``."""
    automod_executions_count: bool = False
    """Count Discord AutoMod executions as violations for escalation."""
    new_members: NewMembers | None = None
    """Who counts as a new member and their level (see :class:`NewMembers`), or ``None``."""
    modlog: ModLog | None = None
    """The moderators' log channel (see :class:`~spamguard.core.policy.modlog.ModLog`), or
    ``None``: none."""

    @property
    def history_seconds(self) -> float:
        """Seconds of history any decision under this policy can look at: the longest
        check interval, the clean look-back (``clean_duration``) of rules that clean (only
        they look back that far), and the incident window. The guard keeps a member's
        messages no longer than this, so it is also how long a member's state takes to
        stop growing."""
        seconds = self.incident_window
        for _key, rule in (*self.levels, *self.roles):
            if rule.clean:
                seconds = max(seconds, float(rule.clean_duration))
            for check in rule.checks:
                seconds = max(seconds, check.interval)
        return seconds

    def level_of(self, role_ids: frozenset[int]) -> int:
        """The member's level: the highest level of their roles, 0 without any."""
        best = 0
        for role_id in role_ids:
            level = self.role_levels.get(role_id)
            if level is not None and level > best:
                best = level
        return best

    def rules_for(self, role_ids: frozenset[int], *, new: bool = False) -> tuple[RuleConfig, ...]:
        """The rules that apply to a member with these roles (Rowboat's selection); with
        ``new``, to a new member (whose level is ``new_members.level``)."""
        rules: list[RuleConfig] = []
        for key, rule in self.roles:
            if key == "*" or (key.isdigit() and int(key) in role_ids):
                rules.append(rule)
        if self.levels:
            new_members = self.new_members
            if new and new_members is not None:
                level = new_members.level
            else:
                level = self.level_of(role_ids)
            rules.extend(rule for rule_level, rule in self.levels if level <= rule_level)
        return tuple(rules)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A validated policy: the base settings plus partial per-guild overrides.

    Build one with :meth:`from_dict`, :meth:`from_file` or :meth:`default`.
    """

    base: GuildPolicy
    """Settings for every guild without an override."""
    guilds: Mapping[int, GuildPolicy] = dataclasses.field(default_factory=dict)
    """Guild id -> settings with that guild's override merged in."""
    source: Mapping[str, typing.Any] = dataclasses.field(default_factory=dict, compare=False)
    """The document the policy was built from (plain data)."""
    store_url: str | None = None
    """Connection URL of the state store (``redis://...``), if the policy names one."""
    store_mode: StoreMode = StoreMode.GUILD_OWNED
    """How the Redis store of ``store_url`` shares state between processes."""

    def for_guild(self, guild_id: int | None) -> GuildPolicy:
        """The settings for one guild."""
        if guild_id is None:
            return self.base
        return self.guilds.get(guild_id, self.base)

    @classmethod
    def from_dict(cls, data: Mapping[str, typing.Any], *, source: str = "") -> Policy:
        """Validate a policy document.

        Raises:
            PolicyError: listing every problem as ``path: what is allowed, got what``.
        """
        # Imported here: validation loads the key tables, which `import spamguard.core`
        # leaves out (a guard built from a Policy value never needs them).
        from spamguard.core.policy.parse import parse_policy

        return parse_policy(data, source=source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Policy:
        """Load a policy from a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file.

        Raises:
            PolicyError: the file cannot be read or parsed, or the policy is invalid.
        """
        from spamguard.core.policy.files import load_policy_file

        return load_policy_file(pathlib.Path(path))

    @classmethod
    def default(cls) -> Policy:
        """The bundled default policy (``default_policy.yaml`` in this package)."""
        from spamguard.core.policy.files import DEFAULT_POLICY_PATH, load_policy_file

        return load_policy_file(DEFAULT_POLICY_PATH)
