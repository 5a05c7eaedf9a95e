"""A typed facade over a plugin manager's hooks (:mod:`~spamguard.core.plugin_manager`
builds the managers).

:class:`Hooks` calls each implementation itself rather than through ``pm.hook``: that is
how a guild's ``disabled_extensions`` filter plugins out, how ``spamguard_after_invoke``
threads one plan through every plugin, and how one broken plugin is logged and skipped
instead of losing the whole decision (or raising into the bot's event loop).
"""

from __future__ import annotations

__all__ = (
    "HOOK_NAMES",
    "NEEDS_VIOLATIONS",
    "Hooks",
    "MessageChecks",
    "installed_extension_names",
    "refuse_wrappers",
)

import difflib
import logging
import typing

import pluggy

from spamguard.core import hookspecs
from spamguard.core.context import EVERY_MESSAGE, CheckNeeds
from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.plan import Plan

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Sequence

    from spamguard.core.bridge import CompatBridge
    from spamguard.core.context import CheckContext, JoinContext, TimerContext
    from spamguard.core.engine import Guard
    from spamguard.core.events import AutomodExecution, GuildTimer, MemberJoin
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import SkipReason, Violation
    from spamguard.core.policy import GuildPolicy, Policy

_LOGGER = logging.getLogger("spamguard.plugins")

NEEDS_VIOLATIONS = "after_invoke_needs_violations"
"""The plugin attribute by which a plugin's ``spamguard_after_invoke`` asks to be called
only for plans holding violations (see the hookspec)."""
_AFTER_INVOKE_QUIET = "spamguard_after_invoke (plans without violations)"
"""Cache key of the after-invoke implementations called for a plan without violations."""

_CHECK_MESSAGE = "spamguard_check_message"
_DECLARE_NEEDS = "spamguard_declare_needs"
_REPORT_DECISION = "spamguard_report_decision"

HOOK_NAMES: tuple[str, ...] = tuple(
    name for name in hookspecs.__all__ if name.startswith(f"{hookspecs.PROJECT_NAME}_")
)
"""Every hook spamguard defines."""


def installed_extension_names() -> frozenset[str]:
    """Names of the installed extensions (entry points of the ``spamguard`` group), loaded
    or not. Reading the installed distributions takes milliseconds: ask once."""
    # Imported here: importlib.metadata brings email, zipfile and more, tens of
    # milliseconds that ``import spamguard.core`` need not pay (pluggy imports it lazily too).
    import importlib.metadata

    return frozenset(
        entry.name for entry in importlib.metadata.entry_points(group=hookspecs.PROJECT_NAME)
    )


def _unknown_extensions(policy: GuildPolicy, known: frozenset[str]) -> list[PolicyIssue]:
    """An issue for each name under ``policy.extensions`` that names no extension in
    ``known``, with the closest known name, like every other unknown key of a policy."""
    issues = []
    allowed = sorted(known)
    for name in policy.extensions:
        if name in known:
            continue
        hint = difflib.get_close_matches(str(name), allowed, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        issues.append(
            PolicyIssue(
                path=f"extensions.{name}",
                message=f"no such extension{suggestion}; installed: "
                + (", ".join(allowed) or "none"),
            )
        )
    return issues


def refuse_wrappers(pm: pluggy.PluginManager) -> None:
    """Raise when a plugin on ``pm`` declares a hook wrapper: :class:`Hooks` calls
    implementations one by one and cannot honour one.

    Raises:
        pluggy.PluginValidationError: naming the plugin and the hook.
    """
    for hook_name in HOOK_NAMES:
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                msg = (
                    f"plugin {impl.plugin_name!r}: {hook_name} is declared as a hook wrapper; "
                    "spamguard calls implementations one by one and supports no wrappers"
                )
                raise pluggy.PluginValidationError(impl.plugin, msg)


class _Impl(typing.NamedTuple):
    plugin: str
    function: Callable[..., typing.Any]
    positions: tuple[int, ...]
    """Where each of the implementation's arguments is in the hook's argument list."""
    full: bool
    """The implementation takes every argument, in the hook's order (the fast path)."""
    call: Callable[..., typing.Any]
    """Called with the hook's arguments in its order: the function itself when ``full``
    (the per-message hooks call it directly, one Python frame less a plugin)."""
    needs_violations: bool = False
    """The plugin declares ``after_invoke_needs_violations``: its ``spamguard_after_invoke``
    leaves plans without violations as they are, so it is not called for them."""

    def __call__(self, args: tuple[typing.Any, ...]) -> typing.Any:
        return self.call(*args)


def _reordering(
    function: Callable[..., typing.Any], positions: tuple[int, ...]
) -> Callable[..., typing.Any]:
    """A callable taking a hook's arguments in the hook's order and passing ``function``
    those it takes, in its own order."""

    def call(*args: typing.Any) -> typing.Any:
        return function(*[args[i] for i in positions])

    return call


class MessageChecks:
    """The message checks of one guild policy (see ``spamguard_declare_needs``): which
    plugins' ``spamguard_check_message`` a message of each channel is given to, and how
    long each member's texts are kept for them."""

    __slots__ = ("everywhere", "gated", "keep_texts", "ordered")

    def __init__(
        self, ordered: tuple[tuple[_Impl, frozenset[int] | None], ...], *, keep_texts: float
    ) -> None:
        self.ordered = ordered
        """Each check in call order, with the channels it is limited to (None: all)."""
        self.everywhere = any(channels is None for _impl, channels in ordered)
        """Some check looks at every channel."""
        self.gated: frozenset[int] = frozenset().union(
            *(channels for _impl, channels in ordered if channels is not None)
        )
        """Every channel some check is limited to."""
        self.keep_texts = keep_texts
        """Seconds of each member's texts the checks read (0: none)."""

    def reach(self, channel_id: int, parent_id: int | None) -> bool:
        """Whether a check limited to some channels looks at a message in ``channel_id``
        (a thread of ``parent_id``)."""
        gated = self.gated
        return channel_id in gated or parent_id in gated


class Hooks:
    """Typed calls of spamguard's hooks, honouring a guild's ``disabled_extensions``.

    Args:
        pm: the plugin manager whose plugins are called.
        policy_for: the guild policy of a guild id; lets the outcome and AutoMod hooks,
            which receive no policy, honour ``disabled_extensions`` too.
    """

    __slots__ = ("_impls", "_installed", "pm", "policy_for", "reports_decisions")

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        policy_for: Callable[[int | None], GuildPolicy] | None = None,
    ) -> None:
        self.pm = pm
        self.policy_for = policy_for
        self._impls: dict[tuple[str, frozenset[str]], tuple[_Impl, ...]] = {}
        self._installed: frozenset[str] | None = None
        refuse_wrappers(pm)
        self.reports_decisions = self.has(_REPORT_DECISION)
        """Whether any plugin implements ``spamguard_report_decision``: read per message
        by the runtime, which reads its performance counter only then (an attribute, not
        a call: worked out again by :meth:`invalidate` when plugins change)."""

    def _implementations(self, name: str, disabled: frozenset[str]) -> tuple[_Impl, ...]:
        key = (name, disabled)
        impls = self._impls.get(key)
        if impls is None and name == _AFTER_INVOKE_QUIET:
            every = self._implementations("spamguard_after_invoke", disabled)
            impls = self._impls[key] = tuple(i for i in every if not i.needs_violations)
        if impls is None:
            caller = getattr(self.pm.hook, name)
            spec_args: tuple[str, ...] = tuple(caller.spec.argnames)
            found = []
            # get_hookimpls() lists in reverse call order (trylast first, tryfirst last).
            for impl in reversed(caller.get_hookimpls()):
                if impl.plugin_name in disabled:
                    continue
                positions = tuple(spec_args.index(arg) for arg in impl.argnames)
                full = positions == tuple(range(len(spec_args)))
                function = impl.function
                call = function if full else _reordering(function, positions)
                needs = getattr(impl.plugin, NEEDS_VIOLATIONS, False) is True
                found.append(_Impl(impl.plugin_name, function, positions, full, call, needs))
            impls = self._impls[key] = tuple(found)
        return impls

    def _disabled(self, guild_id: int | None) -> frozenset[str]:
        if self.policy_for is None:
            return frozenset()
        return self.policy_for(guild_id).disabled_extensions

    @staticmethod
    def _failed(impl: _Impl, hook: str) -> None:
        _LOGGER.exception("spamguard plugin %r failed in %s; skipped", impl.plugin, hook)

    def invalidate(self) -> None:
        """Forget cached implementations after plugins were registered or unregistered.

        Raises:
            pluggy.PluginValidationError: a newly registered plugin declares a hook wrapper.
        """
        self._impls.clear()
        refuse_wrappers(self.pm)
        self.reports_decisions = self.has(_REPORT_DECISION)

    def extension_names(self) -> frozenset[str]:
        """The names a policy's ``extensions`` may configure: every plugin registered
        under a name of its own, and every installed extension, loaded or not
        (``load_entrypoints=False``, or kept out by ``SPAMGUARD_DISABLED_PLUGINS``)."""
        if self._installed is None:
            self._installed = installed_extension_names()
        registered = {
            name
            for name, plugin in self.pm.list_name_plugin()
            # pluggy names a nameless object by its id: no policy can mean that.
            if plugin is not None and name != str(id(plugin))
        }
        return self._installed | registered

    def has(self, name: str) -> bool:
        """Whether any plugin implements hook ``name`` (lets the guard skip idle hooks)."""
        return bool(getattr(self.pm.hook, name).get_hookimpls())

    def after_invoke_without_violations(self) -> bool:
        """Whether any plugin's ``spamguard_after_invoke`` is called for plans without
        violations (one not declaring ``after_invoke_needs_violations``): lets the guard
        skip the hook for most messages."""
        return bool(self._implementations(_AFTER_INVOKE_QUIET, frozenset()))

    def pre_invoke(
        self, message: MessageLike, policy: GuildPolicy, now: datetime.datetime
    ) -> SkipReason | str | None:
        """Call ``spamguard_pre_invoke``: the first veto, or None."""
        args = (message, policy, now)
        for impl in self._implementations("spamguard_pre_invoke", policy.disabled_extensions):
            try:
                result = impl(args)
            except Exception:
                self._failed(impl, "spamguard_pre_invoke")
                continue
            if result is not None:
                return typing.cast("SkipReason | str", result)
        return None

    def message_checks(self, policy: GuildPolicy) -> MessageChecks | None:
        """The ``spamguard_check_message`` implementations called under ``policy`` and
        where, from each plugin's ``spamguard_declare_needs`` (a failing or wrong answer
        is logged and taken as :data:`~spamguard.core.context.EVERY_MESSAGE`); None when
        no check runs there. Worked out once per guild policy, by the guard."""
        disabled = policy.disabled_extensions
        needs_of = {
            impl.plugin: self._needs(impl, policy)
            for impl in self._implementations(_DECLARE_NEEDS, disabled)
        }
        ordered = []
        for impl in self._implementations(_CHECK_MESSAGE, disabled):
            needs = needs_of.get(impl.plugin, EVERY_MESSAGE)
            if needs.messages:
                ordered.append((impl, needs))
        if not ordered:
            return None
        return MessageChecks(
            tuple((impl, needs.channels) for impl, needs in ordered),
            keep_texts=max(needs.texts for _impl, needs in ordered),
        )

    def _needs(self, impl: _Impl, policy: GuildPolicy) -> CheckNeeds:
        try:
            needs = impl((policy,))
        except Exception:
            self._failed(impl, _DECLARE_NEEDS)
            return EVERY_MESSAGE
        if needs is None:
            return EVERY_MESSAGE
        if not isinstance(needs, CheckNeeds):
            _LOGGER.error(
                "spamguard plugin %r returned %s from %s, not a CheckNeeds; its check reads "
                "every message",
                impl.plugin,
                type(needs).__name__,
                _DECLARE_NEEDS,
            )
            return EVERY_MESSAGE
        return needs

    def check_message(
        self, message: MessageLike, context: CheckContext, checks: MessageChecks
    ) -> Sequence[Violation]:
        """Call ``spamguard_check_message`` on each of ``checks`` (a guild policy's, see
        :meth:`message_checks`) that looks at the message's channel: every plugin's
        violations, flattened."""
        found: list[Violation] | None = None
        channel_id = parent_id = None
        for impl, channels in checks.ordered:
            if channels is not None:
                if channel_id is None:
                    channel_id, parent_id = message.channel_id, message.parent_id
                if channel_id not in channels and parent_id not in channels:
                    continue
            try:
                result = impl.call(message, context)
                if result:
                    # A generator implementation runs here, so its errors are isolated too.
                    if found is None:
                        found = []
                    found.extend(result)
            except Exception:
                self._failed(impl, _CHECK_MESSAGE)
        return () if found is None else found

    def check_member_join(
        self,
        join: MemberJoin,
        policy: GuildPolicy,
        context_for: Callable[[str], JoinContext],
    ) -> list[typing.Any]:
        """Call ``spamguard_check_member_join``: every plugin's actions (violations,
        scheduled actions), in order.

        ``context_for(plugin_name)`` makes each plugin's context: its windows are its own.
        """
        return self._collect("spamguard_check_member_join", policy, join, context_for)

    def guild_timer(
        self,
        timer: GuildTimer,
        policy: GuildPolicy,
        context_for: Callable[[str], TimerContext],
    ) -> list[typing.Any]:
        """Call ``spamguard_guild_timer``: every plugin's actions, violations and scheduled
        actions, in order; ``context_for(plugin_name)`` makes each plugin's context."""
        return self._collect("spamguard_guild_timer", policy, timer, context_for)

    def _collect(
        self,
        hook: str,
        policy: GuildPolicy,
        event: object,
        context_for: Callable[[str], typing.Any],
    ) -> list[typing.Any]:
        """Every plugin's results of a guild hook taking ``(event, context)``."""
        found: list[typing.Any] = []
        for impl in self._implementations(hook, policy.disabled_extensions):
            try:
                result = impl((event, context_for(impl.plugin)))
                if result:
                    # A generator implementation runs here, so its errors are isolated too.
                    found.extend(result)
            except Exception:
                self._failed(impl, hook)
        return found

    def after_invoke(self, message: MessageLike, plan: Plan, policy: GuildPolicy) -> Plan:
        """Call ``spamguard_after_invoke`` on each plugin in turn, threading the plan through
        (a plugin declaring ``after_invoke_needs_violations`` only while the plan has any)."""
        disabled = policy.disabled_extensions
        hook = "spamguard_after_invoke" if plan.violations else _AFTER_INVOKE_QUIET
        impls = self._impls.get((hook, disabled))
        if impls is None:
            impls = self._implementations(hook, disabled)
        for impl in impls:
            if impl.needs_violations and not plan.violations:
                continue  # an earlier plugin took the violations away
            try:
                result = impl.call(message, plan, policy)
            except Exception:
                self._failed(impl, "spamguard_after_invoke")
                continue
            if result is None:
                continue
            if isinstance(result, Plan):
                plan = result
            else:
                _LOGGER.error(
                    "spamguard plugin %r returned %s from spamguard_after_invoke, not a Plan; "
                    "ignored",
                    impl.plugin,
                    type(result).__name__,
                )
        return plan

    def _notify(self, hook: str, disabled: frozenset[str], args: tuple[typing.Any, ...]) -> None:
        for impl in self._implementations(hook, disabled):
            try:
                impl(args)
            except Exception:
                self._failed(impl, hook)

    def report_outcome(self, outcome: ActionOutcome) -> None:
        """Call ``spamguard_report_outcome``; a failing plugin is logged, never raised."""
        self._notify("spamguard_report_outcome", self._disabled(outcome.guild_id), (outcome,))

    def report_decision(self, plan: Plan, seconds: float) -> None:
        """Call ``spamguard_report_decision``; a failing plugin is logged, never raised."""
        # Per message: the cached implementations called directly, as check_message does.
        disabled = self._disabled(plan.guild_id)
        impls = self._impls.get((_REPORT_DECISION, disabled))
        if impls is None:
            impls = self._implementations(_REPORT_DECISION, disabled)
        for impl in impls:
            try:
                impl.call(plan, seconds)
            except Exception:
                self._failed(impl, _REPORT_DECISION)

    def automod_execution(self, execution: AutomodExecution) -> None:
        """Call ``spamguard_automod_execution``; a failing plugin is logged, never raised."""
        disabled = self._disabled(execution.guild_id)
        self._notify("spamguard_automod_execution", disabled, (execution,))

    def find_adapter(self, bot: object) -> str | None:
        """Call ``spamguard_find_adapter``: the adapter's entry-point name, or None."""
        return typing.cast("str | None", self._first("spamguard_find_adapter", (bot,)))

    def make_compat_bridge(self, bot: object, guard: Guard) -> CompatBridge | None:
        """Call ``spamguard_make_compat_bridge``: the bridge of the adapter for ``bot``, or
        None when no adapter handles it (a failing plugin is logged and skipped)."""
        bridge = self._first("spamguard_make_compat_bridge", (bot, guard))
        return typing.cast("CompatBridge | None", bridge)

    def _first(self, hook: str, args: tuple[typing.Any, ...]) -> object:
        """The first non-None result of a firstresult hook that no guild can switch off."""
        for impl in self._implementations(hook, frozenset()):
            try:
                result = impl(args)
            except Exception:
                self._failed(impl, hook)
                continue
            if result is not None:
                return result
        return None

    def validate_policy(self, policy: Policy) -> None:
        """Check the policy's ``extensions`` against the plugins: each name must be a
        registered or installed extension (see :meth:`extension_names`), then each plugin's
        ``spamguard_validate_policy`` checks its settings; on the base settings and on each
        guild's. The guard and ``spamguard check`` both validate through here.

        An issue of a guild that the base settings share is reported once, at its base
        path; a guild's own issues are reported under ``guilds.<id>.``.

        Raises:
            PolicyError: listing every unknown extension and every plugin's issues.
        """
        impls = self._implementations("spamguard_validate_policy", frozenset())
        known = self.extension_names()
        base_issues = self._issues(impls, policy.base, known)
        issues = list(base_issues)
        seen = set(base_issues)
        for guild_id, guild_policy in policy.guilds.items():
            for issue in self._issues(impls, guild_policy, known):
                if issue not in seen:
                    issues.append(
                        PolicyIssue(path=f"guilds.{guild_id}.{issue.path}", message=issue.message)
                    )
        if issues:
            raise PolicyError(issues)

    def _issues(
        self, impls: tuple[_Impl, ...], policy: GuildPolicy, known: frozenset[str]
    ) -> list[PolicyIssue]:
        found = _unknown_extensions(policy, known)
        for impl in impls:
            if impl.plugin in policy.disabled_extensions:
                continue
            try:
                found.extend(impl((policy,)) or ())
            except Exception:
                self._failed(impl, "spamguard_validate_policy")
        return found
