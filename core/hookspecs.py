"""spamguard's hook specifications: the one place that says what a plugin can do.

A plugin is any object (or module) with functions marked ``@spamguard.core.hookimpl`` and
named like the specs below. Register one with ``Guard(policy, plugins=[MyPlugin()])`` or
ship it in a package with an entry point in the ``spamguard`` group::

    [project.entry-points.spamguard]
    my_check = "my_package.plugin"

Every hook is called with keyword arguments; an implementation may accept any subset.
Implementations are called one by one, last registered first (``tryfirst``/``trylast``
are honoured); an exception in one is logged and that implementation skipped, so a broken
plugin never stops moderation nor raises into the bot's event loop. Hook wrappers are not
supported: a plugin declaring one is refused when it is registered.

A plugin's name is its entry-point name, the ``name`` given to ``register``, or its
``name`` attribute; a guild switches a plugin off by listing that name in its policy's
``disabled_extensions``.
"""

from __future__ import annotations

__all__ = (
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "spamguard_after_invoke",
    "spamguard_automod_execution",
    "spamguard_check_member_join",
    "spamguard_check_message",
    "spamguard_declare_needs",
    "spamguard_find_adapter",
    "spamguard_guild_timer",
    "spamguard_make_compat_bridge",
    "spamguard_pre_invoke",
    "spamguard_report_decision",
    "spamguard_report_outcome",
    "spamguard_validate_policy",
)

import typing

import pluggy

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from spamguard.core.actions import Action
    from spamguard.core.bridge import CompatBridge
    from spamguard.core.context import CheckContext, CheckNeeds, JoinContext, TimerContext
    from spamguard.core.engine import Guard
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.events import AutomodExecution, GuildTimer, MemberJoin
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan, ScheduledAction, SkipReason, Violation
    from spamguard.core.policy import GuildPolicy

PROJECT_NAME = "spamguard"
"""The pluggy project name; also the entry-point group of extensions."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (spamguard's own, in this module)."""
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a hook: ``@hookimpl def spamguard_check_message(...)``."""


@hookspec(firstresult=True)
def spamguard_pre_invoke(
    message: MessageLike, policy: GuildPolicy, now: datetime.datetime
) -> SkipReason | str | None:
    """Veto a message before any check runs.

    Receives the message, the guild's policy and the decision time, after the built-in
    exemptions (bots, ignored ids, admins) let the message through.

    Return a reason (a :class:`~spamguard.core.plan.SkipReason` or any string) to skip the
    message: the plan then has no actions and that ``skipped_reason``. The first non-None
    result wins; return None to let the message through.
    """


@hookspec
def spamguard_check_message(
    message: MessageLike, context: CheckContext
) -> Iterable[Violation] | None:
    """Add a custom check.

    Receives the message and a :class:`~spamguard.core.context.CheckContext`: the guild's
    policy, the time, the member's recent history and windows the plugin owns (kept,
    expired and snapshotted by the guard like the built-in ones).

    Return the violations found (possibly none). Results of all plugins are collected;
    each violation's ``punishment`` is applied like a built-in check's.
    """


@hookspec
def spamguard_declare_needs(policy: GuildPolicy) -> CheckNeeds | None:
    """Say what your ``spamguard_check_message`` reads under a guild's policy.

    Receives a guild's policy (asked once per policy, again after plugins change). Return
    a :class:`~spamguard.core.context.CheckNeeds`: whether the check runs there at all
    (``NO_MESSAGES`` where your plugin is not configured), only in some channels, and
    how many seconds of each member's texts it reads through
    :attr:`~spamguard.core.context.CheckContext.texts`. None, or not implementing this
    hook, is :data:`~spamguard.core.context.EVERY_MESSAGE`: called for every message.

    The guard keeps one duplicate window of normalised texts per member (the one the
    policy's own ``user``-scoped ``max_duplicates`` reads) as long as the longest answer
    and the policy's checks ask, and records each message in it once, before any plugin
    check runs: a check reading it neither records nor normalises the texts again.
    """


@hookspec
def spamguard_check_member_join(
    join: MemberJoin, context: JoinContext
) -> Iterable[Action | Violation] | None:
    """Decide what a member joining calls for (a raid lockdown, a new account's timeout).

    Receives the :class:`~spamguard.core.events.MemberJoin` and a
    :class:`~spamguard.core.context.JoinContext`: the guild's policy, the time, when other
    members joined, and guild-wide windows the plugin owns (kept, expired, bounded and
    snapshotted by the guard). Not called for bots while ``ignore_bots`` is on, for ignored
    guilds, users or roles, nor for a join the guard saw already (a gateway replay).

    Return the actions to carry out (possibly none), and any
    :class:`~spamguard.core.plan.Violation` naming what was found (a raid's start): those go
    to the plan's ``violations``. Results of all plugins are collected into the join's
    plan, each action once, in the order returned; a
    :class:`~spamguard.core.actions.SetIncidentActions` is clamped to Discord's 24 hours.
    A :class:`~spamguard.core.plan.ScheduledAction` of a
    :class:`~spamguard.core.events.GuildTimer` sets a timer: ``spamguard_guild_timer`` is
    called when it falls due (see there).
    """


@hookspec
def spamguard_guild_timer(
    timer: GuildTimer, context: TimerContext
) -> Iterable[Action | Violation | ScheduledAction] | None:
    """Act when a guild timer a plugin set falls due (e.g. a join raid's quiet end).

    The core reads no clock: a plugin that must act later returns
    ``ScheduledAction(at, GuildTimer(guild_id=..., name=..., at=at))`` from
    ``spamguard_check_member_join`` (or from this hook, to set the next one). The runtime
    keeps it in its store (across restarts; one process of a shared store claims it) and,
    when due, hands it to the guard, which calls this hook of every plugin. Receives the
    timer and a :class:`~spamguard.core.context.TimerContext`: the guild's policy, the
    timer's time as ``now``, and the plugin's own guild windows (those of its join hook).
    A plugin acts only on timers whose ``name`` it chose, and checks its state: a timer
    may fire late, or after what it waited for changed (set a new one then).

    Return actions, :class:`~spamguard.core.plan.Violation` values and scheduled actions
    (possibly none); all plugins' results are collected into the timer's plan, like a
    join's, and the runtime carries it out.
    """


@hookspec
def spamguard_after_invoke(message: MessageLike, plan: Plan, policy: GuildPolicy) -> Plan | None:
    """Amend the plan after the core decided.

    Receives the message, the plan decided so far and the guild's policy. Return a new
    plan (e.g. ``dataclasses.replace(plan, actions=...)``) or None to keep it. Plugins are
    called in turn: each one receives the plan as the previous one left it. Called for
    every checked message, with or without violations (not for skipped ones).

    A plugin that only ever amends plans holding violations declares it with a class (or
    instance) attribute ``after_invoke_needs_violations = True``: it is then not called
    for the plans without any (most messages), which saves a call per message.
    """


@hookspec
def spamguard_report_outcome(outcome: ActionOutcome) -> None:
    """Learn what happened when an adapter carried out an action.

    Receives an :class:`~spamguard.core.outcomes.ActionOutcome` (the action, whether it
    succeeded, the error's kind and text, the guild). Called for every executed action,
    success or failure, by every adapter; for stats, logs and alerts. Results are ignored.
    """


@hookspec
def spamguard_report_decision(plan: Plan, seconds: float) -> None:
    """Learn that a message was decided, and how long deciding it took.

    Receives the message's :class:`~spamguard.core.plan.Plan` (skipped messages too: their
    ``skipped_reason`` says why) and the seconds the runtime spent deciding it, from
    handing it to the store to having its plan: the guard's decision and the store's work
    (a Redis round trip), not the wait for the member's lock nor carrying the plan out.
    Called by the runtime (bots protected with ``attach``) once per message, before its
    plan is carried out; the core never reads a clock, so a :class:`~spamguard.core.Guard`
    used alone never calls it. The runtime reads its performance counter only while a
    plugin implements this hook. Results are ignored; for metrics and slow-decision logs.
    """


@hookspec
def spamguard_automod_execution(execution: AutomodExecution) -> None:
    """Learn that Discord's native AutoMod acted on a member.

    Receives an :class:`~spamguard.core.events.AutomodExecution` built by the adapter
    from the library's execution event. Called after the guard counted it (when the
    policy's ``automod_executions_count`` is on). Results are ignored.
    """


@hookspec(firstresult=True)
def spamguard_find_adapter(bot: object) -> str | None:
    """Name the adapter for a bot object.

    Receives the object the user passed to ``spamguard.adapters.attach(bot)``. Return the
    entry-point name of the adapter (in the ``spamguard.adapters`` group) that handles it,
    or None if this plugin does not know the object. The first non-None result wins.
    """


@hookspec(firstresult=True)
def spamguard_make_compat_bridge(bot: object, guard: Guard) -> CompatBridge | None:
    """Lend a library's conversion and execution to a guard run outside ``attach()``.

    Receives the bot object given to the discord-anti-spam facade
    (:class:`spamguard.contrib.antispam.AntiSpamHandler`) and the guard that decides for it.
    Return a :class:`~spamguard.core.bridge.CompatBridge` (the library's messages in, plans
    carried out), or None. Implemented by each adapter module (``spamguard.adapters`` entry
    points), which :func:`~spamguard.core.plugin_manager.load_adapter_for` registers for the bot's
    library only; exactly one adapter handles a bot, so the first non-None result wins.
    """


@hookspec
def spamguard_validate_policy(policy: GuildPolicy) -> Iterable[PolicyIssue] | None:
    """Check this plugin's settings in a guild's policy.

    Receives the settings of one guild (the base, then each guild with overrides); a plugin
    reads its own under ``policy.extensions[name]``. Return the problems found as
    :class:`~spamguard.core.errors.PolicyIssue` values whose ``path`` names the field
    (``extensions.<name>.<field>``), or None. The guard calls it when it is built and when
    a plugin is registered, and raises :class:`~spamguard.core.errors.PolicyError` listing
    every issue of every plugin. Results of all plugins are collected.
    """
