"""The extensions an ``AntiSpamHandler`` runs: discord-anti-spam plugins and pluggy plugins."""

from __future__ import annotations

__all__ = ("ExtensionRegistry",)

import inspect
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.antispam.exceptions import InvocationCancelled, PluginError
from spamguard.core.hookspecs import PROJECT_NAME
from spamguard.core.plugin_manager import plugin_name

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.core.engine import Guard


class ExtensionRegistry:
    """Extensions by lower-case class name: discord-anti-spam's pre- and after-invoke
    plugins (run by the handler), and pluggy plugins (registered on its guard)."""

    def __init__(self) -> None:
        self.pre_invoke: dict[str, BasePlugin] = {}
        """Run before the guard decides."""
        self.after_invoke: dict[str, BasePlugin] = {}
        """Run after the guard decided, with the result."""
        self.plugins: dict[str, object] = {}
        """Pluggy plugins registered on the guard."""
        self.replaced: dict[str, tuple[str, object]] = {}
        """name -> (plugin-manager name, the installed extension a plugin replaces)."""

    def register(self, extension: object, guard: Guard, *, force_overwrite: bool = False) -> None:
        """Register a discord-anti-spam extension (a :class:`BasePlugin` instance with an
        ``async propagate``) or a spamguard pluggy plugin (registered on ``guard``), under its lower-case class
        name.

        Raises:
            PluginError: not an extension instance, or the name is taken (unless
                ``force_overwrite``).
        """
        name = type(extension).__name__.lower()
        taken = name in self.pre_invoke or name in self.after_invoke or name in self.plugins
        if taken and not force_overwrite:
            msg = "Error loading extension, an extension with this name already exists!"
            raise PluginError(msg)
        if isinstance(extension, BasePlugin):
            if not inspect.iscoroutinefunction(extension.propagate):
                msg = "Expected coro method for propagate"
                raise PluginError(msg)
            if taken:
                self.unregister(name, guard)
            target = self.pre_invoke if extension.is_pre_invoke else self.after_invoke
            target[name] = extension
            return
        if isinstance(extension, type) or not _has_hookimpls(extension):
            msg = (
                "Expected extension that subclassed BaseExtension and was a class instance not "
                "class reference"
            )
            raise PluginError(msg)
        if taken:
            self.unregister(name, guard)
        # A plugin named like an installed extension (MassMention() is "mass_mention")
        # replaces it while registered, as a plugin given to get_plugin_manager does.
        pm_name = plugin_name(extension) or name
        installed = guard.plugin_manager.get_plugin(pm_name)
        if installed is not None:
            guard.unregister_plugin(installed)
        try:
            guard.register_plugin(extension, name=pm_name)
        except Exception:
            if installed is not None:
                guard.register_plugin(installed, name=pm_name)
            raise
        self.plugins[name] = extension
        if installed is not None:
            self.replaced[name] = (pm_name, installed)

    def unregister(self, extension_name: str, guard: Guard) -> None:
        """Remove an extension by class name (case-insensitive).

        Raises:
            PluginError: no extension of that name is registered.
        """
        name = extension_name.lower()
        found = False
        for registry in (self.pre_invoke, self.after_invoke):
            if registry.pop(name, None) is not None:
                found = True
        plugin = self.plugins.pop(name, None)
        if plugin is not None:
            guard.unregister_plugin(plugin)
            replaced = self.replaced.pop(name, None)
            if replaced is not None:
                guard.register_plugin(replaced[1], name=replaced[0])
            found = True
        if not found:
            msg = "An extension matching this name doesn't exist!"
            raise PluginError(msg)

    async def run_pre_invoke(self, message: object, guild_id: int) -> dict[str, typing.Any]:
        """Run the pre-invoke extensions not blacklisted in the guild; what each returned,
        by class name.

        Raises:
            InvocationCancelled: one returned ``{"cancel_next_invocation": True}``.
        """
        results: dict[str, typing.Any] = {}
        for extension in tuple(self.pre_invoke.values()):
            if guild_id in extension.blacklisted_guilds:
                continue
            returned = await extension.propagate(message)
            results[type(extension).__name__] = returned
            if isinstance(returned, dict) and returned.get("cancel_next_invocation"):
                # 1.9.1's Stats plugin counts the cancellations of each plugin.
                stats = self.after_invoke.get("stats")
                record = getattr(stats, "record_cancelled", None)
                if callable(record):
                    record(type(extension).__name__)
                raise InvocationCancelled
        return results

    async def run_after_invoke(
        self, message: object, guild_id: int, result: CorePayload
    ) -> dict[str, typing.Any]:
        """Run the after-invoke extensions not blacklisted in the guild with the handler's
        ``result``; what each returned, by class name (also filled in as they run, so a later
        extension sees an earlier one's)."""
        results: dict[str, typing.Any] = result.after_invoke_extensions
        for extension in tuple(self.after_invoke.values()):
            if guild_id in extension.blacklisted_guilds:
                continue
            results[type(extension).__name__] = await extension.propagate(message, result)
        return results

    async def save_states(self) -> dict[str, dict[str, typing.Any]]:
        """``save_to_dict``'s ``pre_invoke_plugins`` and ``after_invoke_plugins``: the
        state of each discord-anti-spam extension that implements ``save_to_dict``, by
        class name."""
        data: dict[str, dict[str, typing.Any]] = {}
        for key, registry in (
            ("pre_invoke_plugins", self.pre_invoke),
            ("after_invoke_plugins", self.after_invoke),
        ):
            data[key] = {}
            for extension in registry.values():
                try:
                    data[key][type(extension).__name__] = await extension.save_to_dict()
                except NotImplementedError:
                    continue
        return data


def _has_hookimpls(plugin: object) -> bool:
    marker = f"{PROJECT_NAME}_impl"
    return any(
        getattr(getattr(plugin, attribute, None), marker, None) is not None
        for attribute in dir(plugin)
        if attribute.startswith("spamguard_")
    )
