"""A guild policy worked out once for deciding: its windows, its checks, its exemptions.

A :class:`CompiledPolicy` answers, per guild policy, the questions every message asks:
which windows a message is recorded in (:class:`Slot`), which checks of which rules read
them for a member's roles (:class:`Applying`), and whether the message is checked at all
(:func:`skip_reason`).
"""

from __future__ import annotations

__all__ = (
    "Applying",
    "CompiledCheck",
    "CompiledPolicy",
    "Slot",
    "check_window_key",
    "skip_ignored",
    "skip_member",
    "skip_reason",
    "whitelist_of",
    "window_name",
)

import math
import typing

from spamguard.core.engine.counting import AMOUNT, Fired, window_key
from spamguard.core.engine.state import Footprint, WindowSpec
from spamguard.core.messages import snowflake_seconds
from spamguard.core.plan import SkipReason, build_violation
from spamguard.core.policy import Scope

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable

    from spamguard.core.engine.state import GuardState
    from spamguard.core.messages import MessageLike
    from spamguard.core.plugins import MessageChecks
    from spamguard.core.policy import CheckConfig, GuildPolicy, NewMembers, RuleConfig
    from spamguard.core.windows import Entry, SumWindow

_RULES_CACHE_SIZE: typing.Final = 4096
"""Distinct role sets whose rules a compiled policy remembers (then it starts afresh)."""
_MEMBER_TEXTS: typing.Final = ("max_duplicates", Scope.USER, frozenset[int]())
"""The slot of each member's texts: a ``user``-scoped ``max_duplicates`` window leaving no
channel out, shared by the policy's checks and the plugins reading
:attr:`~spamguard.core.context.CheckContext.texts`."""


def whitelist_of(rule: RuleConfig, check: CheckConfig) -> frozenset[int]:
    """Channels where ``check`` neither runs nor counts: the rule's and the check's own."""
    if check.channel_whitelist is None:
        return rule.channel_whitelist
    return rule.channel_whitelist | check.channel_whitelist


def window_name(check_name: str, whitelist: frozenset[int]) -> str:
    """The name of the window of a check that leaves ``whitelist`` out.

    Messages in a whitelisted channel must not count towards the check elsewhere, so a
    whitelist gets a window of its own; without one the name is the check's.
    """
    if not whitelist:
        return check_name
    return f"{check_name}!{','.join(map(str, sorted(whitelist)))}"


def check_window_key(
    rule: RuleConfig, check: CheckConfig, message: MessageLike
) -> tuple[typing.Any, ...] | None:
    """The key of the window ``check`` of ``rule`` counts ``message`` in, or None in a
    channel the check leaves out (``channel_whitelist``)."""
    whitelist = whitelist_of(rule, check)
    if whitelist and (message.channel_id in whitelist or message.parent_id in whitelist):
        return None
    name = window_name(check.name, whitelist)
    return window_key(name, check.scope, message.guild_id, message.channel_id, message.author_id)


class Slot:
    """One kind of window a guild's messages are recorded in: a check's name, scope and
    whitelist, kept as long as the longest interval any rule reads from it."""

    __slots__ = (
        "amount",
        "check_name",
        "horizon",
        "index",
        "is_text",
        "scope",
        "whitelist",
        "window_name",
    )

    def __init__(
        self, index: int, check_name: str, scope: Scope, whitelist: frozenset[int], horizon: float
    ) -> None:
        self.index = index
        """Position in :attr:`CompiledPolicy.slots`."""
        self.check_name = check_name
        self.scope = scope
        self.whitelist = whitelist
        self.window_name = window_name(check_name, whitelist)
        """The first part of the window's key (see :func:`window_name`)."""
        self.horizon = horizon
        self.is_text = check_name == "max_duplicates"
        """A duplicate window (of normalised texts) rather than a running total."""
        self.amount: Callable[[MessageLike], int] | None = AMOUNT.get(check_name)
        """What one message adds to the window (None for a duplicate window)."""


class CompiledCheck:
    """One check of one rule, with what evaluating it reads worked out once."""

    __slots__ = (
        "accuracy",
        "check",
        "clean",
        "count",
        "duration",
        "interval",
        "name",
        "order",
        "punishment",
        "punishment_name",
        "rule",
        "scope_name",
        "slot",
    )

    def __init__(self, rule: RuleConfig, check: CheckConfig, slot: int, order: int) -> None:
        self.rule = rule
        self.check = check
        self.name = check.name
        self.slot = slot
        """Index of the check's window in :attr:`CompiledPolicy.slots`."""
        self.order = order
        """Position among the checks of the rules that apply: violations come in this order."""
        self.count = check.count
        self.interval = check.interval
        self.accuracy = check.accuracy
        self.punishment = check.punishment or rule.punishment
        self.duration = check.punishment_duration or rule.punishment_duration
        self.scope_name = str(check.scope)
        self.punishment_name = str(self.punishment)
        self.clean = rule.clean
        """Whether the entries behind a violation are needed (to clean them)."""

    def fired(
        self,
        count: int,
        message_ids: tuple[int, ...],
        selected: list[Entry],
        window: SumWindow | None,
        since: float = -math.inf,
    ) -> Fired:
        """This check's violation: ``count`` reached over ``message_ids``, the entries of
        ``selected`` or, with a ``window``, its entries after ``since``."""
        violation = build_violation(
            self.name,
            count,
            self.count,
            self.interval,
            message_ids,
            self.scope_name,
            self.punishment_name,
        )
        return Fired(
            self.rule,
            violation,
            selected,
            self.punishment,
            self.duration,
            window,
            since,
            self.order,
        )


class Applying:
    """The rules that apply to one set of roles, and their checks by window slot."""

    __slots__ = ("by_slot", "rules")

    def __init__(
        self, rules: tuple[RuleConfig, ...], by_slot: tuple[tuple[CompiledCheck, ...], ...]
    ):
        self.rules = rules
        self.by_slot = by_slot
        """Per slot of :attr:`CompiledPolicy.slots`: the checks that read its window, in
        the order of the rules, then of their checks."""


class CompiledPolicy:
    """What a guild policy needs tracked, worked out once per policy."""

    __slots__ = (
        "_applying",
        "_applying_new",
        "_slot_of",
        "checks",
        "exempt_admins",
        "horizon",
        "ignores",
        "new_members",
        "policy",
        "slots",
        "texts",
    )

    def __init__(self, policy: GuildPolicy, *, checks: MessageChecks | None = None) -> None:
        self.policy = policy
        self.checks = checks
        """The plugins' message checks under this policy (None: no plugin checks)."""
        keep_texts = 0.0 if checks is None else checks.keep_texts
        slot_of: dict[tuple[str, Scope, frozenset[int]], Slot] = {}
        kinds = [
            ((check.name, check.scope, whitelist_of(rule, check)), check.interval)
            for _key, rule in (*policy.levels, *policy.roles)
            for check in rule.checks
        ]
        if keep_texts > 0:
            kinds.append((_MEMBER_TEXTS, keep_texts))
        for kind, interval in kinds:
            slot = slot_of.get(kind)
            if slot is None:
                slot = slot_of[kind] = Slot(len(slot_of), *kind, interval)
            slot.horizon = max(slot.horizon, interval)
        self._slot_of = slot_of
        self.slots: tuple[Slot, ...] = tuple(slot_of.values())
        """Every window kind the guild's rules read, whichever rules apply, and each
        member's texts when a plugin's check reads them (:attr:`MessageChecks.keep_texts`
        seconds)."""
        self.texts: Slot | None = slot_of.get(_MEMBER_TEXTS)
        """The slot of each member's texts, every channel's (what a ``user``-scoped
        ``max_duplicates`` without a channel whitelist reads), when the policy or a plugin
        keeps it: :attr:`~spamguard.core.context.CheckContext.texts`."""
        self.horizon = policy.history_seconds
        """``policy.history_seconds``, worked out once."""
        self._applying: dict[frozenset[int], Applying] = {}
        # New members' rules apart: the rules of a role set differ for a new member.
        self._applying_new: dict[frozenset[int], Applying] = {}
        self.new_members: NewMembers | None = policy.new_members
        """Who is a new member (``policy.new_members``); None: nobody."""
        ignore = policy.ignore
        self.ignores = bool(
            ignore.guilds or ignore.channels or ignore.categories or ignore.users or ignore.roles
        )
        """Whether any id is ignored: without, only a few flags can skip a message."""
        self.exempt_admins = policy.exempt_admins

    def _compile(self, rules: tuple[RuleConfig, ...]) -> Applying:
        by_slot: list[list[CompiledCheck]] = [[] for _slot in self.slots]
        order = 0
        for rule in rules:
            for check in rule.checks:
                slot = self._slot_of[(check.name, check.scope, whitelist_of(rule, check))]
                by_slot[slot.index].append(CompiledCheck(rule, check, slot.index, order))
                order += 1
        return Applying(rules, tuple(map(tuple, by_slot)))

    def windows_of(self, message: MessageLike) -> tuple[WindowSpec, ...]:
        """The windows ``message`` counts in (all but those its channel is left out of)."""
        channel_id, parent_id = message.channel_id, message.parent_id
        return tuple(
            WindowSpec(
                key=window_key(
                    slot.window_name, slot.scope, message.guild_id, channel_id, message.author_id
                ),
                scope=slot.scope,
                horizon=slot.horizon,
                text=slot.is_text,
            )
            for slot in self.slots
            if not (
                slot.whitelist and (channel_id in slot.whitelist or parent_id in slot.whitelist)
            )
        )

    def footprint(self, message: MessageLike, self_id: int | None) -> Footprint | None:
        """What deciding ``message`` (of this policy's guild) reads, or None when it is
        skipped before any state is read (plugin checks under this policy make every
        member's message read)."""
        guild_id = message.guild_id
        if guild_id is None or self.skip_reason(message, self_id) is not None:
            return None
        roles = message.author_role_ids
        if (
            self.checks is None
            and not self.policy.rules_for(roles)
            and not (self.new_members is not None and self.policy.rules_for(roles, new=True))
        ):
            return None
        return Footprint(
            guild_id=guild_id,
            user_id=message.author_id,
            channel_id=message.channel_id,
            windows=self.windows_of(message),
            horizon=self.horizon,
        )

    def skip_reason(self, message: MessageLike, self_id: int | None) -> SkipReason | None:
        """:func:`skip_reason` under this policy, answered from a few flags for most messages."""
        if (
            message.guild_id is None
            or self.ignores
            or message.author_is_bot
            or message.author_id == self_id
            or (
                self.exempt_admins
                and (
                    message.author_is_owner
                    or message.author_is_admin
                    or message.author_can_manage_messages
                )
            )
        ):
            return skip_reason(message, self.policy, self_id)
        return None

    def applying(self, role_ids: frozenset[int], new: bool = False) -> Applying:
        """The rules for a member of ``role_ids`` (``policy.rules_for``), a new member with
        ``new``, and their checks, remembered per role set (and newness)."""
        cache = self._applying_new if new else self._applying
        try:
            found = cache.get(role_ids)
        except TypeError:  # an unhashable role collection from a custom MessageLike
            return self._compile(self.policy.rules_for(role_ids, new=new))
        if found is None:
            if len(cache) >= _RULES_CACHE_SIZE:
                cache.clear()
            found = cache[role_ids] = self._compile(self.policy.rules_for(role_ids, new=new))
        return found

    def is_new(self, state: GuardState, message: MessageLike, now_ts: float) -> bool:
        """Whether ``message``'s author is a new member at ``now_ts`` (see
        :class:`~spamguard.core.policy.NewMembers`): joined at the message's
        ``author_joined_at``, else when the guard saw the member join."""
        new_members = self.new_members
        if new_members is None:
            return False
        author_id = message.author_id
        # Not part of MessageLike: a custom message object may not carry it.
        joined: datetime.datetime | None = getattr(message, "author_joined_at", None)
        if joined is not None:
            joined_ts: float | None = joined.timestamp()
        else:
            guild_id = message.guild_id
            member = None if guild_id is None else state.members.get((guild_id, author_id))
            joined_ts = None if member is None else member.joined_at
        return new_members.is_new(now_ts, joined_ts, snowflake_seconds(author_id))


def skip_member(
    guild_id: int, user_id: int, is_bot: bool, policy: GuildPolicy, self_id: int | None
) -> SkipReason | None:
    """Why a member of ``guild_id`` is not checked, from its id and bot flag alone: the bot
    itself, a bot while ``ignore_bots`` is on, an ignored guild (then, for a message, its
    place; see :func:`skip_ignored`)."""
    if self_id is not None and user_id == self_id:
        return SkipReason.SELF
    if is_bot and policy.ignore_bots:
        return SkipReason.BOT
    if guild_id in policy.ignore.guilds:
        return SkipReason.IGNORED_GUILD
    return None


def skip_ignored(user_id: int, role_ids: frozenset[int], policy: GuildPolicy) -> SkipReason | None:
    """Why a member is not checked, from ``ignore.users`` and ``ignore.roles``."""
    ignore = policy.ignore
    if user_id in ignore.users:
        return SkipReason.IGNORED_USER
    if ignore.roles and not ignore.roles.isdisjoint(role_ids):
        return SkipReason.IGNORED_ROLE
    return None


def skip_reason(
    message: MessageLike, policy: GuildPolicy, self_id: int | None
) -> SkipReason | None:
    """Why ``message`` is not checked under ``policy`` (the bot being ``self_id``), or None:
    a DM, the bot itself, a bot, an ignored guild, channel, category, user or role, an
    exempt owner or admin."""
    guild_id = message.guild_id
    if guild_id is None:
        return SkipReason.DM
    ignore = policy.ignore
    reason = skip_member(guild_id, message.author_id, message.author_is_bot, policy, self_id)
    if reason is not None:
        return reason
    if message.channel_id in ignore.channels or message.parent_id in ignore.channels:
        return SkipReason.IGNORED_CHANNEL
    if message.category_id is not None and message.category_id in ignore.categories:
        return SkipReason.IGNORED_CATEGORY
    reason = skip_ignored(message.author_id, message.author_role_ids, policy)
    if reason is not None:
        return reason
    if policy.exempt_admins:
        if message.author_is_owner:
            return SkipReason.OWNER
        if message.author_is_admin:
            return SkipReason.ADMIN
        if message.author_can_manage_messages:
            return SkipReason.MANAGE_MESSAGES
    return None
