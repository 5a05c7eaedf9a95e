"""Adapters: carry spamguard's plans out on a Discord library.

``spamguard.adapters.attach(bot)`` finds the adapter for ``bot`` through the
``spamguard_find_adapter`` hook and loads it by name from the ``spamguard.adapters``
entry-point group, so only the library in use is imported. This package itself imports no
Discord library.
"""

from __future__ import annotations

__all__ = ("AdapterNotFoundError", "attach", "load_adapter")

import importlib
import importlib.metadata
import typing

from spamguard.core.errors import SpamguardError
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plugins import ADAPTER_GROUP, Hooks, get_plugin_manager

if typing.TYPE_CHECKING:
    import types

    from spamguard.adapters.runtime import Protection

# Which adapter serves an object whose class (or a base class) comes from this package.
_ADAPTER_BY_PACKAGE: tuple[tuple[str, str], ...] = (
    ("lightbulb", "lightbulb"),
    ("hikari", "hikari"),
    ("nextcord", "nextcord"),
    ("disnake", "disnake"),
)


class AdapterNotFoundError(SpamguardError, LookupError):
    """No adapter knows the object given to :func:`attach`."""


class BuiltinAdapterFinder:
    """Recognises the libraries spamguard ships adapters for, by their classes' modules."""

    @hookimpl
    def spamguard_find_adapter(self, bot: object) -> str | None:
        for cls in type(bot).__mro__:
            package = cls.__module__.partition(".")[0]
            for prefix, name in _ADAPTER_BY_PACKAGE:
                if package == prefix:
                    return name
        return None


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


def attach(bot: object, **options: typing.Any) -> Protection:
    """Protect ``bot`` with spamguard: one line, whatever the library.

    ``options`` go to the adapter's own ``attach`` (``policy=``, ``store=``, ``plugins=``...).

    Raises:
        AdapterNotFoundError: no installed adapter recognises ``bot``.
    """
    pm = get_plugin_manager([BuiltinAdapterFinder()])
    name = Hooks(pm).find_adapter(bot)
    if name is None:
        msg = (
            f"spamguard has no adapter for {type(bot).__module__}.{type(bot).__qualname__}; "
            "supported: hikari.GatewayBot, lightbulb clients, nextcord and disnake bots"
        )
        raise AdapterNotFoundError(msg)
    module = load_adapter(name)
    return typing.cast("Protection", module.attach(bot, **options))
