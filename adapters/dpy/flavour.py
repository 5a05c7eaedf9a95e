"""One discord.py descendant (nextcord or disnake) as the family's shared code sees it.

A :class:`Flavour` names the library's modules and the few places the libraries differ
(the AutoMod event's name, the intent's name); ``spamguard.adapters.nextcord`` and
``spamguard.adapters.disnake`` build theirs with :func:`flavour` and bind its ``attach``,
``compat_bridge`` and ``setup``.
"""

from __future__ import annotations

__all__ = ("Flavour", "Library", "flavour")

import dataclasses
import importlib
import typing

from spamguard.adapters.dpy import binding
from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    import os
    import types
    from collections.abc import Iterable, Mapping

    from spamguard.adapters import GuardRuntimeOptions
    from spamguard.adapters.runtime import CompatBridge, Protection
    from spamguard.adapters.stores.base import Store
    from spamguard.core.engine import Guard
    from spamguard.core.policy import Policy

Library = typing.Literal["nextcord", "disnake"]
"""The discord.py descendants spamguard supports, by import name."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Flavour:
    """One discord.py descendant: its modules and the few names that differ."""

    name: Library
    """Import name of the library, also the extra's name."""
    module: types.ModuleType
    """The library's top-level module (classes: ``Member``, ``Thread``, ``Forbidden``...)."""
    commands: types.ModuleType
    """The library's ``ext.commands`` module (``Cog``)."""
    automod_event: str
    """Listener name of the AutoMod execution event."""
    automod_intent: str
    """Name of the ``Intents`` flag that delivers AutoMod executions."""

    def attach(
        self,
        bot: typing.Any,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        store: Store | None = None,
        plugins: Iterable[object] = (),
        action_timeout: float | None = None,
        **options: typing.Unpack[GuardRuntimeOptions],
    ) -> Protection:
        """Protect ``bot``, a bot of this library that holds Cogs (adds the ``SpamGuard`` Cog).

        Args:
            bot: the bot (``commands.Bot``, disnake's ``InteractionBot``, their sharded
                forms).
            policy: a :class:`~spamguard.core.policy.Policy`, a policy file, or None for
                the file named by ``$SPAMGUARD_POLICY`` or else the default policy.
            store: where state lives (default: in memory).
            plugins: plugin objects for the guard.
            action_timeout: seconds each action may take, retries and rate-limit sleeps
                included (the libraries sleep on any ``retry_after``, however long);
                default None: no deadline.
            options: ``poll_interval`` and ``clock`` (for the runtime),
                ``load_entrypoints`` (default True: installed extensions join) and
                ``plugin_manager`` (for the guard).

        Returns:
            The protection: ``guard``, ``stats`` and ``await protection.detach()``.

        Raises:
            UnsupportedBotError: ``bot`` cannot hold a Cog.
            AlreadyAttachedError: spamguard already protects ``bot``.
            PolicyError: the policy file is invalid.
            TypeError: an unknown option.
        """
        return binding.attach(
            self,
            bot,
            policy=policy,
            store=store,
            plugins=plugins,
            action_timeout=action_timeout,
            options=options,
        )

    # The flavour's module (nextcord.py, disnake.py) answers spamguard_make_compat_bridge.
    @hookimpl(specname="spamguard_make_compat_bridge")
    def compat_bridge(self, bot: typing.Any, guard: Guard) -> CompatBridge:
        """What :class:`spamguard.contrib.antispam.AntiSpamHandler` uses to carry its plans
        out on ``bot``: this library's messages in, real HTTP calls out."""
        return binding.compat_bridge(self, bot, guard)

    def setup(self, bot: typing.Any, options: Mapping[str, typing.Any]) -> None:
        """What the adapter's ``load_extension`` entry point does: :meth:`attach` with
        ``options`` (synchronous: neither library awaits ``setup``)."""
        self.attach(bot, **options)


# How the libraries name what differs between them; everything else is discord.py's.
_DIFFERENCES: Mapping[str, Mapping[str, str]] = {
    "nextcord": {
        "automod_event": "on_auto_moderation_action_execution",
        "automod_intent": "auto_moderation_execution",
    },
    "disnake": {
        "automod_event": "on_automod_action_execution",
        "automod_intent": "automod_execution",
    },
}


def flavour(name: Library) -> Flavour:
    """Import the library ``name`` (``nextcord`` or ``disnake``) and describe it.

    Raises:
        ImportError: the library is not installed; the message says what to install.
    """
    try:
        module = importlib.import_module(name)
        commands = importlib.import_module(f"{name}.ext.commands")
    except ImportError as exc:
        if exc.name != name:
            # The library is there but broken (a missing dependency of its own).
            raise
        msg = f"spamguard's {name} adapter needs {name}: pip install 'spamguard[{name}]'"
        raise ImportError(msg, name=name) from exc
    return Flavour(name=name, module=module, commands=commands, **_DIFFERENCES[name])
