"""Building plugin managers: spamguard's hookspecs, the installed extensions, and the
adapter for a bot.

There is no global plugin manager: :func:`get_plugin_manager` makes a fresh one, so tests
and bots with several guards never share plugins by accident. The hooks are called
through :class:`~spamguard.core.plugins.Hooks`.
"""

from __future__ import annotations

__all__ = (
    "ADAPTER_GROUP",
    "DISABLED_ENV",
    "EXTENSION_GROUP",
    "adapter_by_package",
    "get_plugin_manager",
    "load_adapter_for",
    "plugin_name",
)

import logging
import os
import typing

import pluggy

from spamguard.core import hookspecs
from spamguard.core.plugins import Hooks, refuse_wrappers

if typing.TYPE_CHECKING:
    from collections.abc import Container, Iterable

_LOGGER = logging.getLogger("spamguard.plugins")

EXTENSION_GROUP = hookspecs.PROJECT_NAME
"""Entry-point group of extensions: every one installed is loaded."""
ADAPTER_GROUP = "spamguard.adapters"
"""Entry-point group of adapters: loaded by name, only for the library in use."""
DISABLED_ENV = "SPAMGUARD_DISABLED_PLUGINS"
"""Comma-separated entry-point names that are never loaded."""


def plugin_name(plugin: object) -> str | None:
    """The name a plugin object asks to be registered under: its ``name`` attribute.

    ``None`` lets pluggy choose (a module's ``__name__``, otherwise the object's id). The
    name is what ``disabled_extensions`` and ``SPAMGUARD_DISABLED_PLUGINS`` refer to.
    """
    name = getattr(plugin, "name", None)
    return name if isinstance(name, str) and name else None


def get_plugin_manager(
    plugins: Iterable[object] = (), *, load_entrypoints: bool = True
) -> pluggy.PluginManager:
    """A new plugin manager with spamguard's hookspecs.

    Loads every extension of the ``spamguard`` entry-point group (except those named in
    ``SPAMGUARD_DISABLED_PLUGINS``) when ``load_entrypoints``, registers ``plugins`` (under
    their :func:`plugin_name`; one given here replaces an entry point of the same name, so
    configuring an installed extension in code is one line), then checks that every
    implemented hook exists, so a misspelled hook fails loudly.

    Raises:
        pluggy.PluginValidationError: a plugin implements a hook that does not exist, or
            declares a hook wrapper.
        ValueError: two plugins given here share a name.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    from_entrypoints: set[str] = set()
    if load_entrypoints:
        disabled = _disabled_names()
        for blocked in disabled:
            pm.set_blocked(blocked)
        before = {registered for registered, _plugin in pm.list_name_plugin()}
        loaded = pm.load_setuptools_entrypoints(EXTENSION_GROUP)
        from_entrypoints = {registered for registered, _ in pm.list_name_plugin()} - before
        # The variable only keeps installed extensions out; a plugin passed in code is
        # an explicit choice and registers whatever its name.
        for blocked in disabled:
            pm.unblock(blocked)
        if loaded:
            _LOGGER.debug("loaded %d spamguard extension(s) from entry points", loaded)
    for plugin in plugins:
        name = plugin_name(plugin)
        if name is not None and name in from_entrypoints:
            pm.unregister(name=name)
            from_entrypoints.discard(name)
            _LOGGER.debug("plugin %r given in code replaces the installed extension", name)
        pm.register(plugin, name=name)
    pm.check_pending()
    refuse_wrappers(pm)
    return pm


def adapter_by_package(bot: object, names: Container[str]) -> str | None:
    """The first of ``names`` that is the top-level package of ``bot``'s class or of a base
    class, in method resolution order (a lightbulb client is ``lightbulb``, though it holds
    a hikari bot): how an adapter named after its library recognises that library's bots."""
    packages = (cls.__module__.partition(".")[0] for cls in type(bot).__mro__)
    return next((package for package in packages if package in names), None)


def load_adapter_for(pm: pluggy.PluginManager, bot: object) -> str | None:
    """Register on ``pm`` the adapter module for ``bot``, from the ``spamguard.adapters``
    entry-point group, so that its hooks (``spamguard_make_compat_bridge``) answer for it.

    The adapter is the one ``spamguard_find_adapter`` names (a finder installed in the
    ``spamguard`` group), else the one named after the top-level package of the bot's class
    or a base class (spamguard's own adapters are named after their library: ``hikari``,
    ``lightbulb``, ``nextcord``, ``disnake``, and ``discord`` for discord.py). Only that
    adapter, and so one library, is imported.

    Returns:
        The adapter's entry-point name, or None when no installed adapter is for ``bot``.

    Raises:
        ImportError: the adapter (or its library) cannot be imported.
    """
    import importlib.metadata

    name = Hooks(pm).find_adapter(bot)
    if name is None:
        names = {entry.name for entry in importlib.metadata.entry_points(group=ADAPTER_GROUP)}
        name = adapter_by_package(bot, names)
    if name is None or not pm.load_setuptools_entrypoints(ADAPTER_GROUP, name):
        return None
    return name


def _disabled_names() -> list[str]:
    raw = os.environ.get(DISABLED_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]
