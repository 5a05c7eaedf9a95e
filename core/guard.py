"""The :class:`Guard`: one message in, one :class:`~spamguard.core.plan.Plan` out.

The guard is synchronous and deterministic: its only clock is the message's
``created_at`` (or ``now=``), its only inputs the policy, its state and the message. It
never performs an action; adapters carry plans out.

How one message is decided:

1. exemptions (DMs, the bot itself, bots, ignored ids, owner/admins) and plugin vetoes
   give a plan with a ``skipped_reason``; a redelivered message (same id, same content) is
   skipped, an edited one (same id, new content) replaces its contribution (both among
   the member's newest :data:`~spamguard.core.state.MAX_RECENT` messages);
2. the message is added to the windows of every check the guild's policy uses;
3. each rule that applies to the member (Rowboat's levels and roles) runs its checks; a
   check fires when the total in its window reaches its ``count`` and this message adds
   to it; plugin checks add their violations;
4. the first violation opens an *incident*: the member is punished (the most severe
   punishment asked for, and the escalation ladder's step when configured). While the
   incident is open (``incident_window`` seconds after the last violation) further
   violations only clean, unless they ask for a strictly more severe punishment;
5. ``clean`` deletes exactly the messages that made up the violations (and the one that
   triggered them), newest ``clean_count`` within ``clean_duration``, never twice.
"""

from __future__ import annotations

__all__ = ("Guard",)

import collections.abc
import datetime
import functools
import heapq
import itertools
import logging
import math
import operator
import typing
from zlib import crc32

from spamguard.core import actions as act
from spamguard.core import templates
from spamguard.core.context import CheckContext
from spamguard.core.errors import SnapshotError
from spamguard.core.escalation import next_step
from spamguard.core.messages import check_time
from spamguard.core.plan import (
    Plan,
    ScheduledAction,
    SkipReason,
    Violation,
    _make_plan,
    _make_violation,
    check_run_at,
)
from spamguard.core.plugins import Hooks, get_plugin_manager, plugin_name
from spamguard.core.policy import SEVERITY, Punishment, Scope
from spamguard.core.policy.punishments import PunishmentActions, punishment_actions
from spamguard.core.snapshot import check_snapshot
from spamguard.core.state import (
    COUNTER_OF,
    MAX_CLEAN_MARKS,
    MAX_RECENT,
    SNAPSHOT_VERSION,
    DryRunState,
    MemberState,
)
from spamguard.core.text import (
    count_emojis,
    count_invites,
    count_links,
    count_upper_case,
    normalise,
    pings_everyone,
)
from spamguard.core.windows import DuplicateWindow, Entry, SumWindow

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    import pluggy

    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import AutomodExecution
    from spamguard.core.policy import CheckConfig, GuildPolicy, Policy, RuleConfig

_LOGGER = logging.getLogger("spamguard.guard")

PRUNE_EVERY: typing.Final = 2048
"""Messages between two sweeps of idle windows and members at least (amortised, O(state)).

A sweep visits every window and member, so with more of them than ``PRUNE_EVERY / 4`` the
next one waits four messages per window and member instead: its cost per message stays
flat however large the state, and nothing outlives its horizon by more than that."""

_PRUNE_SPACING: typing.Final = 4
"""Messages between sweeps per window and member kept (see PRUNE_EVERY)."""

WindowKey = tuple[typing.Any, ...]

# What one message adds to each built-in check (max_duplicates works on text instead).
AMOUNT: Mapping[str, Callable[[MessageLike], int]] = {
    "max_messages": lambda m: 1,
    # @everyone/@here is one mention, whether Discord let it ping or only the text tried.
    "max_mentions": lambda m: (
        len(m.mention_ids)
        + len(m.role_mention_ids)
        + (1 if m.mentions_everyone or pings_everyone(m.content) else 0)
    ),
    "max_links": lambda m: count_links(m.content),
    "max_upper_case": lambda m: count_upper_case(m.content),
    "max_emojis": lambda m: count_emojis(m.content),
    "max_newlines": lambda m: m.content.count("\n"),
    "max_attachments": lambda m: m.attachment_count,
    "max_characters": lambda m: len(m.content),
    "max_stickers": lambda m: m.sticker_count,
    "max_invites": lambda m: count_invites(m.content),
}

# How the hot path gets a check's amount: its kind (_TEXT: the normalised text;
# _ONE: always 1; _OF_CONTENT: a function of the content; _OF_MESSAGE: of the message)
# and the function, C-level where one exists. tests/core pins that it equals AMOUNT.
_TEXT: typing.Final = 0
_ONE: typing.Final = 1
_OF_CONTENT: typing.Final = 2
_OF_MESSAGE: typing.Final = 3
_AMOUNT_OF: Mapping[str, tuple[int, Callable[[typing.Any], int] | None]] = {
    "max_duplicates": (_TEXT, None),
    "max_messages": (_ONE, None),
    "max_mentions": (_OF_MESSAGE, AMOUNT["max_mentions"]),
    "max_links": (_OF_CONTENT, count_links),
    "max_upper_case": (_OF_CONTENT, count_upper_case),
    "max_emojis": (_OF_CONTENT, count_emojis),
    "max_newlines": (_OF_CONTENT, operator.methodcaller("count", "\n")),
    "max_attachments": (_OF_MESSAGE, operator.attrgetter("attachment_count")),
    "max_characters": (_OF_CONTENT, len),
    "max_stickers": (_OF_MESSAGE, operator.attrgetter("sticker_count")),
    "max_invites": (_OF_CONTENT, count_invites),
}

# Whose messages share a window, per scope.
SCOPE_KEY: Mapping[Scope, Callable[[MessageLike], tuple[typing.Any, ...]]] = {
    Scope.USER: lambda m: ("u", m.guild_id, m.author_id),
    Scope.USER_CHANNEL: lambda m: ("uc", m.guild_id, m.channel_id, m.author_id),
    Scope.CHANNEL: lambda m: ("c", m.guild_id, m.channel_id),
    Scope.GUILD: lambda m: ("g", m.guild_id),
}


class _Check:
    """One check of one rule, with what evaluating it reads worked out once."""

    __slots__ = (
        "accuracy",
        "check",
        "clean",
        "count",
        "duration",
        "interval",
        "is_text",
        "name",
        "punishment",
        "punishment_name",
        "scope_name",
        "slot",
        "whitelist",
        "window_name",
    )

    def __init__(
        self, rule: RuleConfig, check: CheckConfig, whitelist: frozenset[int], slot: int
    ) -> None:
        self.check = check
        self.name = check.name
        self.whitelist = whitelist
        self.window_name = _window_name(check.name, whitelist)
        self.slot = slot
        """Index of the check's window in ``_Compiled.recording``."""
        self.count = check.count
        self.interval = check.interval
        self.accuracy = check.accuracy
        self.is_text = check.name == "max_duplicates"
        self.punishment = check.punishment or rule.punishment
        self.duration = check.punishment_duration or rule.punishment_duration
        self.scope_name = str(check.scope)
        self.punishment_name = str(self.punishment)
        self.clean = rule.clean
        """Whether the entries behind a violation are needed (to clean them)."""

    def fired(
        self,
        rule: RuleConfig,
        count: int,
        message_ids: tuple[int, ...],
        selected: list[Entry],
        window: SumWindow | None,
        since: float = -math.inf,
    ) -> _Fired:
        """This check's violation of ``rule``: ``count`` reached over ``message_ids``,
        the entries of ``selected`` or, with a ``window``, its entries after ``since``."""
        violation = _make_violation(
            self.name,
            count,
            self.count,
            self.interval,
            message_ids,
            self.scope_name,
            self.punishment_name,
        )
        return _new_fired(
            (rule, self.check, violation, selected, self.punishment, self.duration, window, since)
        )


_RULES_CACHE_SIZE: typing.Final = 4096
"""Distinct role sets whose rules a compiled policy remembers (then it starts afresh)."""

# Scope -> the tag its window keys carry (see SCOPE_KEY).
_SCOPE_TAG: Mapping[Scope, str] = {
    Scope.USER: "u",
    Scope.USER_CHANNEL: "uc",
    Scope.CHANNEL: "c",
    Scope.GUILD: "g",
}


class _Compiled:
    """What a guild policy needs tracked, worked out once per policy."""

    __slots__ = (
        "checks",
        "exempt_admins",
        "horizon",
        "ignores",
        "policy",
        "recording",
        "rules",
        "single",
        "tracked",
    )

    def __init__(self, policy: GuildPolicy) -> None:
        self.policy = policy
        longest: dict[tuple[str, str, Scope, frozenset[int]], float] = {}
        Slot = tuple[str, str, Scope, frozenset[int]]
        rule_checks: list[tuple[RuleConfig, list[tuple[CheckConfig, frozenset[int], Slot]]]] = []
        for _key, rule in (*policy.levels, *policy.roles):
            checks = []
            for check in rule.checks:
                whitelist = _whitelist(rule, check)
                window_name = _window_name(check.name, whitelist)
                slot = (window_name, check.name, check.scope, whitelist)
                longest[slot] = max(longest.get(slot, 0.0), check.interval)
                checks.append((check, whitelist, slot))
            rule_checks.append((rule, checks))
        self.tracked: tuple[tuple[str, str, Scope, frozenset[int], float], ...] = tuple(
            (*slot, interval) for slot, interval in longest.items()
        )
        """``(window name, check name, scope, whitelist, longest interval)`` per window kind."""
        self.horizon = policy.history_seconds
        """``policy.history_seconds``, worked out once."""
        slots = {slot: index for index, slot in enumerate(longest)}
        self.recording: tuple[
            tuple[str, str, str, frozenset[int], float, bool, Callable[[MessageLike], int] | None],
            ...,
        ] = tuple(
            (
                window_name,
                name,
                _SCOPE_TAG[scope],
                whitelist,
                interval,
                name == "max_duplicates",
                AMOUNT.get(name),
            )
            for (window_name, name, scope, whitelist), interval in longest.items()
        )
        """``tracked`` in the shape :meth:`Guard._check` reads, slot by slot."""
        self.checks: dict[int, tuple[_Check, ...]] = {
            id(rule): tuple(
                _Check(rule, check, whitelist, slots[slot]) for check, whitelist, slot in checks
            )
            for rule, checks in rule_checks
        }
        """id(rule) -> the rule's checks, ready to evaluate."""
        self.single: tuple[tuple[typing.Any, ...], ...] | None = None
        """For a policy of one rule (the usual case): ``recording`` with each slot's
        check, slot by slot; its windows and its checks then come in the same order, so
        a new message can be recorded and checked window by window in one pass."""
        if len(rule_checks) == 1:
            ((rule, _checks),) = rule_checks
            checks_of_rule = self.checks[id(rule)]
            if [check.slot for check in checks_of_rule] == list(range(len(self.recording))):
                self.single = tuple(
                    (window_name, tag, whitelist, horizon, *_AMOUNT_OF[name], check)
                    for (window_name, name, tag, whitelist, horizon, _text, _amount), check in zip(
                        self.recording, checks_of_rule, strict=True
                    )
                )
        self.rules: dict[frozenset[int], tuple[RuleConfig, ...]] = {}
        """Role set -> ``policy.rules_for(role set)``, filled as members show up."""
        ignore = policy.ignore
        self.ignores = bool(
            ignore.guilds or ignore.channels or ignore.categories or ignore.users or ignore.roles
        )
        """Whether any id is ignored: without, only a few flags can skip a message."""
        self.exempt_admins = policy.exempt_admins

    def rules_for(self, role_ids: frozenset[int]) -> tuple[RuleConfig, ...]:
        """``policy.rules_for(role_ids)``, remembered per role set."""
        try:
            rules = self.rules.get(role_ids)
        except TypeError:  # an unhashable role collection from a custom MessageLike
            return self.policy.rules_for(role_ids)
        if rules is None:
            if len(self.rules) >= _RULES_CACHE_SIZE:
                self.rules.clear()
            rules = self.rules[role_ids] = self.policy.rules_for(role_ids)
        return rules


def _whitelist(rule: RuleConfig, check: CheckConfig) -> frozenset[int]:
    """Channels where ``check`` neither runs nor counts: the rule's and the check's own."""
    if check.channel_whitelist is None:
        return rule.channel_whitelist
    return rule.channel_whitelist | check.channel_whitelist


def _window_name(check_name: str, whitelist: frozenset[int]) -> str:
    """The window of a check that leaves ``whitelist`` out.

    Messages in a whitelisted channel must not count towards the check elsewhere, so a
    whitelist gets a window of its own; without one the name is the check's.
    """
    if not whitelist:
        return check_name
    return f"{check_name}!{','.join(map(str, sorted(whitelist)))}"


_SKIPPED: Mapping[SkipReason, str] = {reason: f"skipped:{reason}" for reason in SkipReason}
"""The counter of each skip reason."""
_REDELIVERED: typing.Final = _SKIPPED[SkipReason.REDELIVERED]
_BULK_DELETE_MAX_AGE: typing.Final = act.BULK_DELETE_MAX_AGE.total_seconds()
_CLEANED: typing.Final = "spamguard: spam cleaned"
"""The audit-log reason of a clean's deletes."""
_NO_PUNISHMENT = PunishmentActions()
_VIOLATION = operator.attrgetter("violation")


class _Fired(typing.NamedTuple):
    rule: RuleConfig | None
    check: CheckConfig | None
    violation: Violation
    entries: list[Entry]
    punishment: Punishment
    duration: int
    window: SumWindow | None
    """For a built-in check whose violation covers all of its window's entries after
    ``since``: that window (``entries`` may then be left empty), so cleaning reads them
    there and uses its sweep mark. None when ``entries`` are the violation's."""
    since: float


# _Fired(*fields) without the Python-level __new__ a NamedTuple has.
_new_fired: Callable[[tuple[typing.Any, ...]], _Fired] = functools.partial(tuple.__new__, _Fired)


def _unswept_subset(
    item: _Fired, horizon: float, cleaned: dict[int, float], limit: int
) -> list[Entry]:
    """:meth:`SumWindow.unswept` for entries that are some of a window's (duplicates of
    one text among others), or for a dry run's clean (which must leave the window's sweep
    mark to real deletes), without a sweep mark: which are cleaned is tested in C."""
    uncleaned = list(itertools.filterfalse(cleaned.__contains__, item.violation.message_ids))
    if not uncleaned:
        return []
    fresh = set(uncleaned)
    wanted = min(limit, len(uncleaned))
    newest: list[Entry] = []
    entries: Sequence[Entry] = item.entries
    if not entries and item.window is not None:
        entries = item.window.entries  # the violation is the window's entries after `since`
    for entry in reversed(entries):
        if entry.ts <= horizon:
            break
        if entry.message_id in fresh:
            newest.append(entry)
            if len(newest) == wanted:
                break
    return newest


def _utc(ts: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)


class Guard:
    """Decides, message by message, what to do about spam in the guilds of a policy.

    Args:
        policy: what the guilds allow.
        plugins: plugin objects to register (see :mod:`spamguard.core.hookspecs`).
        plugin_manager: a ready plugin manager instead (``plugins`` are added to it).
        load_entrypoints: load installed extensions (entry-point group ``spamguard``).
        self_id: the bot's own user id: its messages are always skipped.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        plugins: Iterable[object] = (),
        plugin_manager: pluggy.PluginManager | None = None,
        load_entrypoints: bool = False,
        self_id: int | None = None,
    ) -> None:
        self.policy = policy
        self.self_id = self_id
        if plugin_manager is None:
            plugin_manager = get_plugin_manager(plugins, load_entrypoints=load_entrypoints)
        else:
            for plugin in plugins:
                plugin_manager.register(plugin, name=plugin_name(plugin))
            plugin_manager.check_pending()
        # A lambda, not self.policy.for_guild: the policy may be replaced after construction.
        self.hooks = Hooks(plugin_manager, policy_for=lambda g: self.policy.for_guild(g))  # noqa: PLW0108
        self._windows: dict[WindowKey, SumWindow] = {}
        self._members: dict[tuple[int, int], MemberState] = {}
        self._cleaned: dict[int, float] = {}
        # Guild id -> what its decisions in dry run climb and mark instead (not snapshotted).
        self._dry: dict[int, DryRunState] = {}
        self._scheduled: list[tuple[float, int, ScheduledAction]] = []
        self._sequence = itertools.count()
        self._stats: dict[int, dict[str, int]] = {}
        self._compiled: dict[int, tuple[GuildPolicy, _Compiled]] = {}
        # Guild id -> (the policy it was worked out from, its compiled guild policy).
        self._by_guild: dict[int | None, tuple[Policy, _Compiled]] = {}
        self._processed = 0
        self._next_prune = PRUNE_EVERY
        self._refresh_hooks()
        # Plugins' own settings (policy.extensions) fail here, not on the first message.
        self.hooks.validate_policy(policy)

    # -- plugins -------------------------------------------------------------------------

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The plugin manager whose hooks this guard calls."""
        return self.hooks.pm

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object after construction (``name`` defaults to its ``name``
        attribute). On any error below the plugin is left unregistered.

        Raises:
            pluggy.PluginValidationError: an unknown hook, or a hook wrapper.
            PolicyError: the plugin rejects its settings in the policy.
            ValueError: a plugin of that name is registered already.
        """
        self.hooks.pm.register(plugin, name=name or plugin_name(plugin))
        try:
            self.hooks.pm.check_pending()
            self._refresh_hooks()
            self.hooks.validate_policy(self.policy)
        except Exception:
            self.hooks.pm.unregister(plugin)
            self._refresh_hooks()
            raise

    def unregister_plugin(self, plugin: object) -> None:
        """Remove a plugin registered before."""
        self.hooks.pm.unregister(plugin)
        self._refresh_hooks()

    def _refresh_hooks(self) -> None:
        self.hooks.invalidate()
        self._has_pre = self.hooks.has("spamguard_pre_invoke")
        self._has_checks = self.hooks.has("spamguard_check_message")
        self._has_after = self.hooks.has("spamguard_after_invoke")

    # -- deciding ------------------------------------------------------------------------

    def _compile(self, policy: GuildPolicy) -> _Compiled:
        cached = self._compiled.get(id(policy))
        if cached is None or cached[0] is not policy:
            cached = (policy, _Compiled(policy))
            self._compiled[id(policy)] = cached
        return cached[1]

    def _skip_reason(self, message: MessageLike, policy: GuildPolicy) -> SkipReason | None:
        if message.guild_id is None:
            return SkipReason.DM
        if self.self_id is not None and message.author_id == self.self_id:
            return SkipReason.SELF
        if message.author_is_bot and policy.ignore_bots:
            return SkipReason.BOT
        ignore = policy.ignore
        if message.guild_id in ignore.guilds:
            return SkipReason.IGNORED_GUILD
        if message.channel_id in ignore.channels or message.parent_id in ignore.channels:
            return SkipReason.IGNORED_CHANNEL
        if message.category_id is not None and message.category_id in ignore.categories:
            return SkipReason.IGNORED_CATEGORY
        if message.author_id in ignore.users:
            return SkipReason.IGNORED_USER
        if ignore.roles and not ignore.roles.isdisjoint(message.author_role_ids):
            return SkipReason.IGNORED_ROLE
        if policy.exempt_admins:
            if message.author_is_owner:
                return SkipReason.OWNER
            if message.author_is_admin:
                return SkipReason.ADMIN
            if message.author_can_manage_messages:
                return SkipReason.MANAGE_MESSAGES
        return None

    def _count(self, guild_id: int | None, key: str, amount: int = 1) -> None:
        stats = self._stats.get(guild_id or 0)
        if stats is None:
            stats = self._stats[guild_id or 0] = {}
        stats[key] = stats.get(key, 0) + amount

    def process(self, message: MessageLike, *, now: datetime.datetime | None = None) -> Plan:
        """Decide what to do about ``message``.

        Args:
            message: the message (a :class:`~spamguard.core.messages.Message` or any
                :class:`~spamguard.core.messages.MessageLike`).
            now: the decision time; defaults to ``message.created_at``.

        Returns:
            The plan: actions to carry out now, the undos it proposes (kept by whoever
            carries the plan out, once their punishment succeeded), the violations and,
            for an unchecked message, why it was skipped.

        Raises:
            MessageError: ``now`` is naive or out of range (see
                :func:`~spamguard.core.messages.check_time`).
        """
        if now is not None:
            check_time("now", now)
        # Every message goes through here, so it is written for speed: attributes read
        # once, per-guild data worked out once (_Compiled), in the order of the module
        # docstring. tests/core pins the behaviour.
        created_at = message.created_at
        guild_id = message.guild_id
        by_guild = self._by_guild.get(guild_id)
        if by_guild is None or by_guild[0] is not self.policy:
            by_guild = self._by_guild[guild_id] = (
                self.policy,
                self._compile(self.policy.for_guild(guild_id)),
            )
            if self._dry and guild_id is not None and not by_guild[1].policy.dry_run:
                self._dry.pop(guild_id, None)  # dry run has ended in this guild
        compiled = by_guild[1]
        policy = compiled.policy
        self._processed += 1
        if self._processed >= self._next_prune:
            self.prune(created_at if now is None else now)
            self._next_prune = self._processed + max(
                PRUNE_EVERY, _PRUNE_SPACING * (len(self._windows) + len(self._members))
            )
        author_id = message.author_id
        if (
            guild_id is None
            or compiled.ignores
            or message.author_is_bot
            or author_id == self.self_id
            or (
                compiled.exempt_admins
                and (
                    message.author_is_owner
                    or message.author_is_admin
                    or message.author_can_manage_messages
                )
            )
        ):
            skip = self._skip_reason(message, policy)
        else:
            skip = None
        if skip is None:
            role_ids = message.author_role_ids
            try:
                rules = compiled.rules[role_ids]
            except (KeyError, TypeError):
                rules = compiled.rules_for(role_ids)
            if not rules and not self._has_checks:
                skip = SkipReason.NO_RULES
            elif self._has_pre:
                veto = self.hooks.pre_invoke(message, policy, created_at if now is None else now)
                if veto is not None:
                    skip = veto if isinstance(veto, SkipReason) else SkipReason.VETOED
        if skip is not None:
            self._count(guild_id, _SKIPPED[skip])
            return _make_plan(
                message.id, guild_id, author_id, message.channel_id, policy.dry_run, skip
            )

        stats = self._stats.get(guild_id or 0)
        if stats is None:
            stats = self._stats[guild_id or 0] = {}
        member = self._members.get((guild_id, author_id))  # type: ignore[arg-type]
        if member is None:
            member = self._members[(guild_id, author_id)] = MemberState()  # type: ignore[index]
        message_id = message.id
        channel_id = message.channel_id
        content = message.content
        ts = created_at.timestamp()
        checksum = crc32(content.encode("utf-8", "surrogatepass"))
        recent = member.recent
        previous = recent.get(message_id)
        if previous is None:
            if ts < member.newest:
                member.unordered = True
            else:
                member.newest = ts
            recent[message_id] = (ts, channel_id, checksum)
            if len(recent) > MAX_RECENT:
                # The oldest arrival goes: a flood cannot grow a member without limit.
                del recent[next(iter(recent))]
        else:
            if previous[2] == checksum:
                stats[_REDELIVERED] = stats.get(_REDELIVERED, 0) + 1
                return _make_plan(
                    message_id,
                    guild_id,
                    author_id,
                    channel_id,
                    policy.dry_run,
                    SkipReason.REDELIVERED,
                )
            if previous[0] != ts:
                member.unordered = True
            recent[message_id] = (ts, channel_id, checksum)
        stats["messages"] = stats.get("messages", 0) + 1

        now_ts = ts if now is None else now.timestamp()
        if not compiled.recording:
            fired = []
        elif previous is None and compiled.single is not None:
            fired = self._check_new(
                message, rules, compiled.single, ts, now_ts, author_id, channel_id, content
            )
        else:
            fired = self._check(message, rules, compiled, ts, now_ts, previous)
        if self._has_checks:
            fired.extend(
                self._plugin_violations(
                    message, policy, created_at if now is None else now, member, rules
                )
            )
        if fired:
            plan = self._decide(
                message, policy, member, fired, created_at if now is None else now, now_ts, ts
            )
        else:
            plan = _make_plan(message_id, guild_id, author_id, channel_id, policy.dry_run)
        if self._has_after:
            plan = self.hooks.after_invoke(message, plan, policy)
        return plan

    def _open_window(
        self,
        window_name: str,
        tag: str,
        guild_id: int | None,
        channel_id: int,
        author_id: int,
        horizon: float,
        is_text: bool,
        now_ts: float,
    ) -> SumWindow:
        """The window ``window_name`` of a message's scope (``tag``; the key as
        ``SCOPE_KEY`` builds it), made when missing, reaching at least ``horizon`` seconds
        back, its entries older than that at ``now_ts`` expired."""
        if tag == "u":
            key: WindowKey = (window_name, "u", guild_id, author_id)
        elif tag == "uc":
            key = (window_name, "uc", guild_id, channel_id, author_id)
        elif tag == "c":
            key = (window_name, "c", guild_id, channel_id)
        else:
            key = (window_name, "g", guild_id)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = (
                DuplicateWindow(horizon) if is_text else SumWindow(horizon)
            )
        elif window.horizon < horizon:
            window.horizon = horizon
        oldest = now_ts - window.horizon
        entries = window.entries
        if entries and entries[0].ts <= oldest:
            window.expire(oldest)
        return window

    def _check_new(
        self,
        message: MessageLike,
        rules: tuple[RuleConfig, ...],
        single: tuple[tuple[typing.Any, ...], ...],
        ts: float,
        now_ts: float,
        author_id: int,
        channel_id: int,
        content: str,
    ) -> list[_Fired]:
        """:meth:`_check` for a new message under a one-rule policy, in one pass.

        Each window is followed by its own check (``rules`` is that rule, or empty when it
        does not apply to the member): the same windows, checks and order as
        :meth:`_check`, without its bookkeeping. ``author_id``, ``channel_id`` and
        ``content`` are the message's, as :meth:`process` read them (an attribute read
        costs more than an argument, most of all in a compiled build).
        """
        guild_id = message.guild_id
        message_id = message.id
        fired: list[_Fired] = []
        text = None
        for window_name, tag, whitelist, horizon, kind, amount_of, check in single:
            if whitelist and (channel_id in whitelist or message.parent_id in whitelist):
                continue
            if kind == _OF_CONTENT:
                amount = amount_of(content)
                adds = amount != 0
            elif kind == _TEXT:
                if text is None:
                    text = normalise(content)
                adds = text != ""
            elif kind == _ONE:
                amount = 1
                adds = True
            else:
                amount = amount_of(message)
                adds = amount != 0
            if not adds:
                continue
            window = self._open_window(
                window_name, tag, guild_id, channel_id, author_id, horizon, kind == _TEXT, now_ts
            )
            if ts <= now_ts - window.horizon:
                continue
            if kind == _TEXT:
                # Known from the kind; said so that a compiled build calls the method
                # directly, not through a Python-level attribute look-up.
                assert isinstance(window, DuplicateWindow) and text is not None
                if not rules:
                    window.record_text(ts, message_id, channel_id, author_id, text)
                    continue
                count, message_ids, selected = window.record_and_match(
                    ts,
                    message_id,
                    channel_id,
                    author_id,
                    text,
                    check.accuracy,
                    now_ts - check.interval,
                    check.count,
                    check.clean,
                )
                if count < check.count:
                    continue
            else:
                window.record(ts, message_id, channel_id, author_id, amount)
                if not rules:
                    continue
                cutoff = now_ts - check.interval
                count = window.total_since(cutoff)
                if count < check.count:
                    continue
                fired.append(
                    check.fired(rules[0], count, window.ids_since(cutoff), [], window, cutoff)
                )
                continue
            fired.append(
                check.fired(
                    rules[0],
                    count,
                    message_ids,
                    selected,
                    window if len(selected) == len(window.entries) else None,
                )
            )
        return fired

    def _check(
        self,
        message: MessageLike,
        rules: tuple[RuleConfig, ...],
        compiled: _Compiled,
        ts: float,
        now_ts: float,
        previous: tuple[float, int, int] | None,
    ) -> list[_Fired]:
        """Add the message to every tracked window, then run the checks of ``rules``.

        ``previous`` is the member's record of the same message id: an edit. A check fires
        only when this message adds to it (an edit: when its new content adds more; a
        typo fixed fires nothing again). A window a new message adds nothing to is left
        as it is, neither created nor expired: its entries expire when a message adds to
        it (or at :meth:`prune`), so a late delivery still finds the entries of its own
        interval, however much later the messages between them were sent. An edit
        touches every window, since its new content may take away what it added.
        """
        guild_id, author_id = message.guild_id, message.author_id
        channel_id, parent_id = message.channel_id, message.parent_id
        message_id = message.id
        edited = previous is not None
        touched: dict[int, SumWindow] = {}
        grown: set[str] = set()
        text: str | None = None
        amounts: dict[str, int] = {}
        slot = -1
        for window_name, name, tag, whitelist, horizon, is_text, amount_of in compiled.recording:
            slot += 1
            if whitelist and (channel_id in whitelist or parent_id in whitelist):
                continue
            if is_text:
                if text is None:
                    text = normalise(message.content)
                adds = edited or text != ""
                amount = 1
            else:
                known = amounts.get(name)
                if known is None:
                    assert amount_of is not None  # only duplicate windows have none
                    known = amounts[name] = amount_of(message)
                amount = known
                adds = edited or amount != 0
            if not adds:
                continue
            window = self._open_window(
                window_name, tag, guild_id, channel_id, author_id, horizon, is_text, now_ts
            )
            touched[slot] = window
            if ts <= now_ts - window.horizon:
                continue  # too old to be in this window at all
            if edited:
                entry = window.find(message_id)
                if entry is not None:
                    if is_text:
                        assert isinstance(window, DuplicateWindow) and text is not None
                        if entry.text != text:
                            window.replace_text(message_id, text)
                            if text:
                                grown.add(name)
                    else:
                        if amount > entry.amount:
                            grown.add(name)
                        window.replace(message_id, amount)
                    continue
            if is_text:
                if text:
                    assert isinstance(window, DuplicateWindow)  # see _check_new
                    window.record_text(ts, message_id, channel_id, author_id, text)
                    grown.add(name)
            elif amount:
                window.record(ts, message_id, channel_id, author_id, amount)
                grown.add(name)
        if not grown:
            return []

        fired: list[_Fired] = []
        checks = compiled.checks
        for rule in rules:
            for check in checks[id(rule)]:
                # A check fires only when this message adds to it.
                if check.name not in grown:
                    continue
                whitelist = check.whitelist
                if whitelist and (channel_id in whitelist or parent_id in whitelist):
                    continue
                cutoff = now_ts - check.interval
                window = touched[check.slot]
                if check.is_text:
                    assert isinstance(window, DuplicateWindow) and text is not None
                    count, message_ids, selected = window.duplicates(
                        text, check.accuracy, cutoff, check.count, entries=check.clean
                    )
                    if count < check.count:
                        continue
                    whole = len(selected) == len(window.entries)
                    fired.append(
                        check.fired(rule, count, message_ids, selected, window if whole else None)
                    )
                else:
                    count = window.total_since(cutoff)
                    if count < check.count:
                        continue
                    fired.append(
                        check.fired(rule, count, window.ids_since(cutoff), [], window, cutoff)
                    )
        return fired

    def _plugin_violations(
        self,
        message: MessageLike,
        policy: GuildPolicy,
        when: datetime.datetime,
        member: MemberState,
        rules: tuple[RuleConfig, ...],
    ) -> list[_Fired]:
        now_ts = when.timestamp()

        def history(seconds: float) -> list[Entry]:
            cutoff = now_ts - seconds
            return [
                Entry(ts, mid, channel, message.author_id)
                for mid, (ts, channel, _crc) in sorted(
                    member.recent.items(), key=lambda kv: kv[1][0]
                )
                if ts > cutoff
            ]

        def window(name: str, scope: Scope, interval: float, text: bool) -> SumWindow:
            return self._open_window(
                f"plugin:{name}",
                _SCOPE_TAG[scope],
                message.guild_id,
                message.channel_id,
                message.author_id,
                interval,
                text,
                now_ts,
            )

        context = CheckContext(
            message=message, policy=policy, now=when, _history=history, _window=window
        )
        duration = rules[0].punishment_duration if rules else 300
        fired = []
        for violation in self.hooks.check_message(message, context):
            try:
                punishment = Punishment(violation.punishment.upper())
            except ValueError:
                _LOGGER.warning(
                    "plugin check %s asked for unknown punishment %r",
                    violation.check,
                    violation.punishment,
                )
                punishment = Punishment.NONE
            entries = [
                Entry(ts, mid, channel, message.author_id)
                for mid in violation.message_ids
                if (found := member.recent.get(mid)) is not None
                for ts, channel, _crc in (found,)
            ]
            fired.append(_Fired(None, None, violation, entries, punishment, duration, None, 0.0))
        return fired

    def _decide(
        self,
        message: MessageLike,
        policy: GuildPolicy,
        member: MemberState,
        fired: list[_Fired],
        when: datetime.datetime,
        now_ts: float,
        ts: float,
    ) -> Plan:
        """The plan for ``fired``, decided at ``when`` (``now_ts`` in POSIX seconds) about
        ``message``, sent at ``ts``; in dry run, on the guild's :class:`DryRunState`
        instead of ``member``'s ladder and the real clean marks."""
        guild_id: int = message.guild_id  # type: ignore[assignment]
        dry: DryRunState | None = None
        if policy.dry_run:
            dry = self._dry_run(guild_id)
            member = dry.ladder(message.author_id, member)
        elif self._dry:
            self._dry.pop(guild_id, None)  # a real decision: dry run has ended here
        stats = self._stats.get(guild_id or 0)
        if stats is None:
            stats = self._stats[guild_id or 0] = {}
        for item in fired:
            key = f"check:{item.violation.check}"
            stats[key] = stats.get(key, 0) + 1
        # The most severe punishment asked for (the first of equals, as max() picks) and
        # the highest count.
        worst = fired[0]
        top_count = worst.violation.count
        if len(fired) > 1:
            worst_key = (SEVERITY[worst.punishment], worst.duration)
            for item in fired:
                key_of = (SEVERITY[item.punishment], item.duration)
                if key_of > worst_key:
                    worst, worst_key = item, key_of
                top_count = max(top_count, item.violation.count)
        punishment, duration = worst.punishment, worst.duration
        ladder = policy.escalation
        if (
            ladder is not None
            and ladder.decay is not None
            and member.last_violation is not None
            and now_ts - member.last_violation >= ladder.decay
        ):
            member.reset_counters()
        incident_open = member.incident_until is not None and now_ts < member.incident_until
        # With a ladder the counters are its position: they climb by the ladder's step even
        # when the rule's own punishment is more severe (else a harsh rule freezes the
        # ladder). Without one they count the punishments given, for $WARNCOUNT/$KICKCOUNT.
        counted = Punishment.NONE
        if not incident_open:
            member.incident_severity = 0
            if ladder is not None:
                step, step_duration = next_step(ladder, member, top_count)
                counted = step
                if SEVERITY[step] > SEVERITY[punishment]:
                    punishment, duration = step, step_duration
        if SEVERITY[punishment] <= member.incident_severity:
            punishment = Punishment.NONE
        if ladder is None:
            counted = punishment
        if counted is not Punishment.NONE:
            counter = COUNTER_OF[counted]
            setattr(member, counter, getattr(member, counter) + 1)
        if punishment is not Punishment.NONE:
            member.incident_severity = SEVERITY[punishment]
        member.last_violation = now_ts
        # A violation the ladder lets pass (discord-anti-spam's counting: a count below
        # warn_threshold) that nothing else punishes opens no incident, so the bigger one
        # right after is still warned.
        if incident_open or ladder is None or punishment is not Punishment.NONE:
            if not incident_open:
                member.violations += 1
                stats["incidents"] = stats.get("incidents", 0) + 1
            member.incident_until = now_ts + policy.incident_window

        if len(fired) == 1 and fired[0].rule is not None and not fired[0].rule.clean:
            deletes: tuple[act.DeleteMessages, ...] = ()  # what _clean() would answer
        else:
            deletes = self._clean(message, fired, now_ts, when, guild_id, ts, dry)
        if punishment is Punishment.NONE:
            # Merged into the open incident (the common case inside a flood): no notice
            # to render, nothing to carry out beyond the clean.
            carried = _NO_PUNISHMENT
        else:
            violation = worst.violation
            values = templates.variables(
                message,
                now=when,
                bot_id=self.self_id,
                warn_count=member.warn_count,
                kick_count=member.kick_count,
                violation=violation.check,
                count=violation.count,
                limit=violation.limit,
                punishment=str(punishment),
            )
            reason = (
                f"spamguard: {violation.check} "
                f"({violation.count}/{violation.limit} in {violation.interval:g}s)"
            )
            dms = any(f.rule is not None and f.rule.punishment_dms for f in fired)
            carried = punishment_actions(
                punishment,
                policy=policy,
                message=message,
                now=when,
                duration=duration,
                reason=reason,
                values=values,
                dms=dms,
            )
        actions = (*deletes, *carried.actions) if carried.actions else deletes
        for action in actions:
            key = f"action:{action.kind}"
            stats[key] = stats.get(key, 0) + 1
        # The undos are proposals: whoever carries the plan out keeps each one only once
        # its punishment succeeded (Plan.undos_of), never here.
        return _make_plan(
            message.id,
            guild_id,
            message.author_id,
            message.channel_id,
            policy.dry_run,
            None,
            actions,
            carried.scheduled,
            tuple(map(_VIOLATION, fired)),
            str(punishment),
            carried.on_failure,
        )

    def _dry_run(self, guild_id: int) -> DryRunState:
        """The guild's dry-run state, begun from the real clean marks when missing."""
        dry = self._dry.get(guild_id)
        if dry is None:
            dry = self._dry[guild_id] = DryRunState(dict(self._cleaned))
        return dry

    def _clean(
        self,
        message: MessageLike,
        fired: list[_Fired],
        now_ts: float,
        when: datetime.datetime,
        guild_id: int,
        sent_at: float,
        dry: DryRunState | None,
    ) -> tuple[act.DeleteMessages, ...]:
        """Delete actions for the messages behind the violations of rules with ``clean``
        (and ``message`` itself, sent at ``sent_at``, POSIX seconds), marked cleaned in
        ``dry`` when deciding in dry run."""
        picked: dict[int, tuple[int, float]] = {}
        cleaned = self._cleaned if dry is None else dry.cleaned
        cleaning = False
        for item in fired:
            rule = item.rule
            if rule is None:
                # A plugin's violation is cleaned when any applicable rule cleans.
                rule = next((f.rule for f in fired if f.rule is not None and f.rule.clean), None)
            if rule is None or not rule.clean:
                continue
            cleaning = True
            horizon = now_ts - rule.clean_duration
            entries = item.entries
            if item.rule is not None:
                # A built-in check's entries come from a window, oldest first: the newest
                # clean_count not cleaned yet are found from the end.
                if item.window is not None and dry is None:
                    # All of the window's entries after some time: in a flood, its sweep
                    # mark says where the ones cleaned already start (really deleted:
                    # a dry run leaves the mark alone).
                    newest = item.window.unswept(item.since, horizon, cleaned, rule.clean_count)
                else:
                    newest = _unswept_subset(item, horizon, cleaned, rule.clean_count)
                for entry in reversed(newest):
                    picked[entry.message_id] = (entry.channel_id, entry.ts)
                continue
            candidates = [e for e in entries if e.ts > horizon and e.message_id not in cleaned]
            for entry in candidates[-rule.clean_count :]:
                picked[entry.message_id] = (entry.channel_id, entry.ts)
        if not cleaning:
            return ()
        if message.id not in cleaned:
            picked[message.id] = (message.channel_id, sent_at)
        for message_id, (_channel, ts) in picked.items():
            cleaned[message_id] = ts
        # Bounded by count as well as by time (prune): a flood of 10k messages a second
        # would else keep every cleaned id for the policy's whole history. The marks are
        # in the order they were made: a quarter over the bound, the oldest go at once
        # (one copy per limit/4 marks, not a deletion per mark).
        limit = MAX_CLEAN_MARKS * max(1, len(self._members))
        if len(cleaned) > limit + limit // 4:
            kept = dict(itertools.islice(cleaned.items(), len(cleaned) - limit, None))
            if dry is None:
                self._cleaned = kept
            else:
                dry.cleaned = kept
        if len(picked) == 1:
            # What delete_messages() gives for one message, without its grouping (times
            # are whole microseconds, far above the float error of these seconds).
            ((message_id, (channel, ts)),) = picked.items()
            if ts <= now_ts - _BULK_DELETE_MAX_AGE:
                return ()
            return (act.delete_one(channel, message_id, guild_id, _CLEANED),)
        return act.delete_messages(
            ((channel, mid, _utc(ts)) for mid, (channel, ts) in picked.items()),
            now=when,
            guild_id=guild_id,
            reason=_CLEANED,
        )

    # -- external events -------------------------------------------------------------------

    def record_automod_execution(self, execution: AutomodExecution) -> Plan:
        """Count a native AutoMod execution as a violation, when the policy says so.

        Returns the plan for it: empty unless the escalation ladder (or an open incident's
        upgrade) calls for a punishment. Plugins learn of the execution either way.
        """
        policy = self.policy.for_guild(execution.guild_id)
        base: dict[str, typing.Any] = {
            "message_id": execution.message_id,
            "guild_id": execution.guild_id,
            "user_id": execution.user_id,
            "channel_id": execution.channel_id,
            "dry_run": policy.dry_run,
        }
        self._count(execution.guild_id, "automod_executions")
        plan = Plan(**base)
        if policy.automod_executions_count and execution.channel_id is not None:
            from spamguard.core.messages import Message

            member_key = (execution.guild_id, execution.user_id)
            member = self._members.get(member_key)
            if member is None:
                member = self._members[member_key] = MemberState()
            # A stand-in message: AutoMod blocked the real one, so there may be none.
            stand_in = Message(
                id=execution.message_id or 0,
                guild_id=execution.guild_id,
                channel_id=execution.channel_id,
                author_id=execution.user_id,
                content=execution.content,
                created_at=execution.at,
            )
            violation = Violation(
                check=f"automod:{execution.rule_name or execution.rule_id}",
                count=1,
                limit=1,
                interval=0.0,
                message_ids=(),
                scope="user",
                punishment="NONE",
            )
            fired = [_Fired(None, None, violation, [], Punishment.NONE, 0, None, 0.0)]
            at = execution.at.timestamp()
            plan = self._decide(stand_in, policy, member, fired, execution.at, at, at)
            # The blocked message does not exist; nothing to clean.
            plan = Plan(
                **base,
                actions=tuple(a for a in plan.actions if a.kind != "delete"),
                scheduled=plan.scheduled,
                violations=plan.violations,
                punishment=plan.punishment,
                on_failure=plan.on_failure,
            )
        self.hooks.automod_execution(execution)
        return plan

    # -- scheduled actions -----------------------------------------------------------------

    def _schedule(self, item: ScheduledAction) -> None:
        heapq.heappush(self._scheduled, (item.run_at.timestamp(), next(self._sequence), item))

    def schedule(self, item: ScheduledAction) -> None:
        """Keep a scheduled action until it is due: an undo whose punishment succeeded
        (see :meth:`Plan.undos_of`), one restored from a store. The guard queues nothing by
        itself: its plans only propose undos.

        Raises:
            ScheduleError: ``item.run_at`` is timezone-naive.
        """
        check_run_at(item.run_at)
        self._schedule(item)

    def pending(self) -> tuple[ScheduledAction, ...]:
        """Scheduled actions not yet handed out, earliest first."""
        return tuple(item for _ts, _seq, item in sorted(self._scheduled))

    def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due, or None."""
        return self._scheduled[0][2].run_at if self._scheduled else None

    def pop_due(self, now: datetime.datetime) -> tuple[ScheduledAction, ...]:
        """Hand out (and forget) every scheduled action due at ``now``, earliest first."""
        due = []
        limit = now.timestamp()
        while self._scheduled and self._scheduled[0][0] <= limit:
            due.append(heapq.heappop(self._scheduled)[2])
        return tuple(due)

    # -- stats, state ----------------------------------------------------------------------

    def stats(self, guild_id: int | None = None) -> dict[str, int]:
        """Counters: ``messages``, ``incidents``, ``check:<name>``, ``action:<kind>``,
        ``skipped:<reason>``; for one guild, or summed over all."""
        if guild_id is not None:
            return dict(self._stats.get(guild_id, {}))
        total: dict[str, int] = {}
        for stats in self._stats.values():
            for key, value in stats.items():
                total[key] = total.get(key, 0) + value
        return total

    def member_counters(self, guild_id: int, user_id: int) -> dict[str, int]:
        """A member's escalation counters (zeros for an unknown member).

        In a guild whose policy is in dry run, those of the member's dry-run ladder: what
        the guild's next decision reads (the real ones until a dry-run incident).
        """
        member = self._members.get((guild_id, user_id)) or MemberState()
        dry = self._dry.get(guild_id)
        if dry is not None and self.policy.for_guild(guild_id).dry_run:
            member = dry.ladders.get(user_id, member)
        return {
            "warn_count": member.warn_count,
            "timeout_count": member.timeout_count,
            "kick_count": member.kick_count,
            "ban_count": member.ban_count,
            "violations": member.violations,
        }

    def reset_member(
        self, guild_id: int, user_id: int, *, counters: Iterable[str] | None = None
    ) -> None:
        """Forget a member's escalation counters and open incident.

        ``counters`` resets only those (names as in :meth:`member_counters`, e.g.
        ``("warn_count",)``) and leaves the incident open. A dry-run ladder of the member
        is reset alike.

        Raises:
            ValueError: an unknown counter name.
        """
        members = [self._members.get((guild_id, user_id))]
        dry = self._dry.get(guild_id)
        if dry is not None:
            members.append(dry.ladders.get(user_id))
        if counters is not None:
            names = tuple(counters)
            known = ("warn_count", "timeout_count", "kick_count", "ban_count", "violations")
            for name in names:
                if name not in known:
                    msg = f"unknown counter {name!r}; known: {', '.join(known)}"
                    raise ValueError(msg)
            for member in members:
                if member is not None:
                    for name in names:
                        setattr(member, name, 0)
            return
        for member in members:
            if member is not None:
                member.reset_counters()
                member.incident_until = None
                member.incident_severity = 0

    def prune(self, now: datetime.datetime) -> None:
        """Drop expired windows and idle members (called every few thousand messages)."""
        now_ts = now.timestamp()
        windows = self._windows
        for key in list(windows):
            window = windows[key]
            cutoff = now_ts - window.horizon
            entries = window.entries
            if entries and entries[0].ts > cutoff:
                continue  # nothing to expire (the common case, checked without a call)
            window.expire(cutoff)
            if not window.entries:
                del windows[key]
        # From the policy, not from what was compiled so far: a guard restored from a
        # snapshot must keep the same history as the one that made it.
        longest = max(
            self._compile(guild).horizon
            for guild in (self.policy.base, *self.policy.guilds.values())
        )
        horizon = now_ts - longest
        members = self._members
        for key in list(members):
            member = members[key]
            recent = member.recent
            if (
                recent
                and not member.unordered
                and not member.cleaned
                and next(iter(recent.values()))[0] > horizon
            ):
                # Its oldest message is recent: nothing to forget, and not idle.
                continue
            member.forget_before(horizon)
            if member.is_idle(horizon):
                del members[key]
        cleaned = self._cleaned
        if cleaned and min(cleaned.values()) <= horizon:
            # The windows dropped every entry this old above (a window's horizon is
            # at most the policy's), so no sweep mark vouches for a forgotten one.
            self._cleaned = {mid: ts for mid, ts in cleaned.items() if ts > horizon}
        for guild_id in list(self._dry):
            dry = self._dry[guild_id]
            dry.forget_before(horizon)
            if dry.is_empty():
                del self._dry[guild_id]

    def snapshot(self) -> dict[str, typing.Any]:
        """The whole state as JSON-serialisable data (see :meth:`restore`)."""
        return {
            "version": SNAPSHOT_VERSION,
            "members": [[g, u, m.to_dict()] for (g, u), m in self._members.items()],
            "windows": [
                [
                    list(key),
                    "text" if isinstance(w, DuplicateWindow) else "sum",
                    w.horizon,
                    [e.to_list() for e in w.entries],
                ]
                for key, w in self._windows.items()
            ],
            "cleaned": [[mid, ts] for mid, ts in self._cleaned.items()],
            "scheduled": [item.to_dict() for item in self.pending()],
            "counters": {str(g): dict(s) for g, s in self._stats.items()},
            "processed": self._processed,
            "next_prune": self._next_prune,
        }

    @classmethod
    def restore(
        cls, policy: Policy, snapshot: Mapping[str, typing.Any], **kwargs: typing.Any
    ) -> Guard:
        """A guard with ``policy`` and the state of a :meth:`snapshot`.

        ``kwargs`` are passed to the constructor (plugins, self_id, ...).

        Raises:
            SnapshotError: a snapshot of another version, or malformed (the message names
                the field, see :mod:`spamguard.core.snapshot`).
        """
        if not isinstance(snapshot, collections.abc.Mapping):
            msg = f"a snapshot must be a JSON object, got {type(snapshot).__name__}"
            raise SnapshotError(msg)
        if snapshot.get("version") != SNAPSHOT_VERSION:
            msg = f"snapshot version {snapshot.get('version')!r} is not {SNAPSHOT_VERSION}"
            raise SnapshotError(msg)
        check_snapshot(snapshot)
        guard = cls(policy, **kwargs)
        try:
            for g, u, data in snapshot["members"]:
                guard._members[(int(g), int(u))] = MemberState.from_dict(data)
            for key, kind, horizon, entries in snapshot["windows"]:
                window = (
                    DuplicateWindow(float(horizon)) if kind == "text" else SumWindow(float(horizon))
                )
                for raw in entries:
                    window.add(Entry.from_list(raw))
                guard._windows[tuple(key)] = window
            guard._cleaned = {int(mid): float(ts) for mid, ts in snapshot["cleaned"]}
            for item in snapshot["scheduled"]:
                guard._schedule(ScheduledAction.from_dict(item))
            guard._stats = {
                int(g): {k: int(v) for k, v in s.items()} for g, s in snapshot["counters"].items()
            }
            guard._processed = int(snapshot.get("processed", 0))
            guard._next_prune = int(
                snapshot.get("next_prune", (guard._processed // PRUNE_EVERY + 1) * PRUNE_EVERY)
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"malformed snapshot: {exc!r}"
            raise SnapshotError(msg) from exc
        return guard

    def load_snapshot(self, snapshot: Mapping[str, typing.Any]) -> None:
        """Replace this guard's state with a :meth:`snapshot`'s; policy and plugins stay.

        For a runtime (a state store) that builds its guard first and loads saved state
        into it at start-up.

        Raises:
            SnapshotError: a snapshot of another version, or malformed; the guard is then
                left unchanged.
        """
        loaded = Guard.restore(
            self.policy, snapshot, plugin_manager=self.plugin_manager, self_id=self.self_id
        )
        for name in _STATE_ATTRIBUTES:
            setattr(self, name, getattr(loaded, name))

    def windows_of(self, message: MessageLike) -> tuple[tuple[WindowKey, Scope, float, bool], ...]:
        """The built-in checks' windows ``message`` counts in, as ``(key, scope, horizon,
        is_text)``; what a shared store loads to decide it (see :mod:`spamguard.core.shard`).
        """
        compiled = self._compile(self.policy.for_guild(message.guild_id))
        channel_id, parent_id = message.channel_id, message.parent_id
        return tuple(
            ((window_name, *SCOPE_KEY[scope](message)), scope, horizon, name == "max_duplicates")
            for window_name, name, scope, whitelist, horizon in compiled.tracked
            if not (whitelist and (channel_id in whitelist or parent_id in whitelist))
        )


_STATE_ATTRIBUTES = (
    "_members",
    "_windows",
    "_cleaned",
    "_dry",
    "_scheduled",
    "_sequence",
    "_stats",
    "_processed",
    "_next_prune",
)
"""What :meth:`Guard.load_snapshot` carries over: everything :meth:`Guard.snapshot` holds,
and the dry-run state it does not hold (so none is left from before)."""
