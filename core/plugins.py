"""Building plugin managers, and a typed facade over their hooks.

There is no global plugin manager: :func:`get_plugin_manager` makes a fresh one, so tests
and bots with several guards never share plugins by accident.
"""

from __future__ import annotations

__all__ = (
    "ADAPTER_GROUP",
    "DISABLED_ENV",
    "EXTENSION_GROUP",
    "Hooks",
    "get_plugin_manager",
)

import logging
import os
import typing

import pluggy

from spamguard.core import hookspecs

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from spamguard.core.context import CheckContext
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome, AutomodExecution
    from spamguard.core.plan import Plan, SkipReason, Violation
    from spamguard.core.policy import GuildPolicy

_LOGGER = logging.getLogger("spamguard.plugins")

EXTENSION_GROUP = hookspecs.PROJECT_NAME
"""Entry-point group of extensions: every one installed is loaded."""
ADAPTER_GROUP = "spamguard.adapters"
"""Entry-point group of adapters: loaded by name, only for the library in use."""
DISABLED_ENV = "SPAMGUARD_DISABLED_PLUGINS"
"""Comma-separated entry-point names that are never loaded."""


def get_plugin_manager(
    plugins: Iterable[object] = (), *, load_entrypoints: bool = True
) -> pluggy.PluginManager:
    """A new plugin manager with spamguard's hookspecs.

    Loads every extension of the ``spamguard`` entry-point group (except those named in
    ``SPAMGUARD_DISABLED_PLUGINS``) when ``load_entrypoints``, registers ``plugins``, then
    checks that every implemented hook exists, so a misspelled hook fails loudly.

    Raises:
        pluggy.PluginValidationError: a plugin implements a hook that does not exist.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    if load_entrypoints:
        for name in _disabled_names():
            pm.set_blocked(name)
        loaded = pm.load_setuptools_entrypoints(EXTENSION_GROUP)
        if loaded:
            _LOGGER.debug("loaded %d spamguard extension(s) from entry points", loaded)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _disabled_names() -> list[str]:
    raw = os.environ.get(DISABLED_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


class Hooks:
    """Typed calls of spamguard's hooks, honouring a guild's ``disabled_extensions``."""

    __slots__ = ("_callers", "pm")

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self._callers: dict[tuple[str, frozenset[str]], typing.Any] = {}

    def _caller(self, name: str, disabled: frozenset[str]) -> typing.Any:
        key = (name, disabled)
        caller = self._callers.get(key)
        if caller is None:
            if disabled:
                removed = [p for p in (self.pm.get_plugin(n) for n in disabled) if p is not None]
                caller = self.pm.subset_hook_caller(name, remove_plugins=removed)
            else:
                caller = getattr(self.pm.hook, name)
            self._callers[key] = caller
        return caller

    def invalidate(self) -> None:
        """Forget cached callers after plugins were registered or unregistered."""
        self._callers.clear()

    def has(self, name: str) -> bool:
        """Whether any plugin implements hook ``name`` (lets the guard skip idle hooks)."""
        return bool(getattr(self.pm.hook, name).get_hookimpls())

    def pre_invoke(
        self, message: MessageLike, policy: GuildPolicy, now: datetime.datetime
    ) -> SkipReason | str | None:
        """Call ``spamguard_pre_invoke``: the first veto, or None."""
        caller = self._caller("spamguard_pre_invoke", policy.disabled_extensions)
        return typing.cast(
            "SkipReason | str | None", caller(message=message, policy=policy, now=now)
        )

    def check_message(self, message: MessageLike, context: CheckContext) -> list[Violation]:
        """Call ``spamguard_check_message``: every plugin's violations, flattened."""
        caller = self._caller("spamguard_check_message", context.policy.disabled_extensions)
        found: list[Violation] = []
        for result in caller(message=message, context=context):
            if result:
                found.extend(result)
        return found

    def after_invoke(self, message: MessageLike, plan: Plan, policy: GuildPolicy) -> Plan:
        """Call ``spamguard_after_invoke`` on each plugin in turn, threading the plan through."""
        caller = self._caller("spamguard_after_invoke", policy.disabled_extensions)
        # pluggy calls implementations last-registered first; keep that order while each
        # one sees its predecessor's plan.
        for impl in reversed(caller.get_hookimpls()):
            available = {"message": message, "plan": plan, "policy": policy}
            result = impl.function(**{arg: available[arg] for arg in impl.argnames})
            if result is not None:
                plan = result
        return plan

    def report_outcome(self, outcome: ActionOutcome) -> None:
        """Call ``spamguard_report_outcome``; a failing plugin is logged, never raised."""
        try:
            self.pm.hook.spamguard_report_outcome(outcome=outcome)
        except Exception:
            _LOGGER.exception("a spamguard_report_outcome plugin failed")

    def automod_execution(self, execution: AutomodExecution) -> None:
        """Call ``spamguard_automod_execution``; a failing plugin is logged, never raised."""
        try:
            self.pm.hook.spamguard_automod_execution(execution=execution)
        except Exception:
            _LOGGER.exception("a spamguard_automod_execution plugin failed")

    def find_adapter(self, bot: object) -> str | None:
        """Call ``spamguard_find_adapter``: the adapter's entry-point name, or None."""
        return typing.cast("str | None", self.pm.hook.spamguard_find_adapter(bot=bot))
