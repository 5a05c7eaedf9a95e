"""Adapters: carry spamguard's plans out on a Discord library.

``spamguard.adapters.attach(bot)`` finds the adapter for ``bot`` through the
``spamguard_find_adapter`` hook and loads it by name from the ``spamguard.adapters``
entry-point group, so only the library in use is imported. This package itself imports no
Discord library.
"""

from __future__ import annotations

__all__ = (
    "AdapterNotFoundError",
    "AttachOptionError",
    "AttachOptions",
    "GuardRuntimeOptions",
    "RuntimeOptions",
    "attach",
    "load_adapter",
)

import difflib
import importlib
import importlib.metadata
import typing

from spamguard.core.errors import SpamguardError
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plugin_manager import ADAPTER_GROUP, adapter_by_package, get_plugin_manager
from spamguard.core.plugins import Hooks

if typing.TYPE_CHECKING:
    import datetime
    import os
    import types
    from collections.abc import Callable, Iterable, Mapping

    import pluggy

    from spamguard.adapters.runtime import Protection
    from spamguard.adapters.stores.base import Store
    from spamguard.core.policy import Policy

# The adapters spamguard ships, each named (in the ``spamguard.adapters`` entry-point group)
# after the package of the library it serves: ``discord`` is discord.py's
# (spamguard.adapters.discordpy).
_BUILTIN_ADAPTERS: frozenset[str] = frozenset(
    {"lightbulb", "hikari", "discord", "nextcord", "disnake"}
)


class AdapterNotFoundError(SpamguardError, LookupError):
    """No adapter knows the object given to :func:`attach`."""


class AttachOptionError(SpamguardError, TypeError):
    """:func:`attach` got an option it does not know (a misspelt name, most often)."""


class RuntimeOptions(typing.TypedDict, total=False):
    """The runtime's options (:class:`~spamguard.adapters.runtime.Runtime`)."""

    poll_interval: float
    """Seconds between two looks at the scheduled actions (unbans, role removals)."""
    delete_window: float
    """Seconds the deletions of one channel gather before they leave as one bulk delete;
    default 0.5 (:class:`~spamguard.adapters.runtime.deletions.DeletionQueue`)."""
    clock: Callable[[], datetime.datetime]
    """What "now" is for the runtime (a test clock); default: the system clock, UTC."""


class GuardRuntimeOptions(RuntimeOptions, total=False):
    """The guard's and the runtime's options of every adapter's ``attach``."""

    load_entrypoints: bool
    """Load installed extensions (entry-point group ``spamguard``); default True."""
    plugin_manager: pluggy.PluginManager | None
    """A plugin manager of your own for the guard (``plugins`` are registered on it)."""


class AttachOptions(GuardRuntimeOptions, total=False):
    """What :func:`attach` takes besides the bot: the same with every library."""

    policy: Policy | str | os.PathLike[str] | None
    """A policy or a policy file; default: ``$SPAMGUARD_POLICY``, else the default policy."""
    store: Store | None
    """Where state lives; default: Redis when the policy names one, else in memory."""
    plugins: Iterable[object]
    """Plugin objects for the guard, besides installed extensions."""
    action_timeout: float | None
    """Seconds each action (one API call, retries included) may take before it counts as
    failed; default None: no deadline, an action waits behind the library's rate-limit
    handling for as long as Discord asks (it still accepts the action afterwards)."""


def check_options(options: Mapping[str, object], allowed: typing.AbstractSet[str]) -> None:
    """Raise :class:`AttachOptionError` naming each option not in ``allowed``, with the
    nearest allowed name (``polcy`` -> ``policy``)."""
    unknown = sorted(set(options) - set(allowed))
    if not unknown:
        return
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, allowed, n=1)
        problems.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    msg = (
        f"attach() got unknown option(s) {', '.join(problems)}; "
        f"allowed: {', '.join(sorted(allowed))}"
    )
    raise AttachOptionError(msg)


class BuiltinAdapterFinder:
    """Recognises the libraries spamguard ships adapters for, by their classes' modules."""

    @hookimpl
    def spamguard_find_adapter(self, bot: object) -> str | None:
        return adapter_by_package(bot, _BUILTIN_ADAPTERS)


def load_adapter(name: str) -> types.ModuleType:
    """Import the adapter registered as ``name`` in the ``spamguard.adapters`` group.

    Raises:
        AdapterNotFoundError: no adapter of that name is installed.
    """
    for entry_point in importlib.metadata.entry_points(group=ADAPTER_GROUP, name=name):
        module = entry_point.load()
        return typing.cast("types.ModuleType", module)
    try:
        return importlib.import_module(f"spamguard.adapters.{name}")
    except ModuleNotFoundError as exc:
        msg = f"no spamguard adapter named {name!r} is installed (entry-point group {ADAPTER_GROUP!r})"
        raise AdapterNotFoundError(msg) from exc


def attach(bot: object, **options: typing.Unpack[AttachOptions]) -> Protection:
    """Protect ``bot`` with spamguard: one line, whatever the library.

    ``options`` (:class:`AttachOptions`: ``policy=``, ``store=``, ``plugins=``...) go to the
    adapter's own ``attach``.

    Raises:
        AttachOptionError: an unknown option (named, with the nearest known one).
        AdapterNotFoundError: no installed adapter recognises ``bot``.
    """
    check_options(options, AttachOptions.__optional_keys__)
    pm = get_plugin_manager([BuiltinAdapterFinder()])
    name = Hooks(pm).find_adapter(bot)
    if name is None:
        msg = (
            f"spamguard has no adapter for {type(bot).__module__}.{type(bot).__qualname__}; "
            "supported: hikari.GatewayBot, lightbulb clients, discord.py, nextcord and "
            "disnake bots (commands.Bot and the like)"
        )
        raise AdapterNotFoundError(msg)
    module = load_adapter(name)
    return typing.cast("Protection", module.attach(bot, **options))
