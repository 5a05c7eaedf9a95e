"""spamguard for disnake: one line protects a bot.

Load the extension (the policy file named by ``$SPAMGUARD_POLICY``, else the bundled
default policy)::

    bot.load_extension("spamguard.adapters.disnake")

or attach in code, with any option::

    protection = spamguard.adapters.attach(bot, policy=Policy.from_file("spam.yaml"))

Works with ``commands.Bot``, ``InteractionBot`` and their sharded forms. The bot needs
the GUILDS and message content intents (and ``automod_execution`` for AutoMod executions
to count); the logic is shared with nextcord in :mod:`spamguard.adapters.dpy`.
"""

from __future__ import annotations

__all__ = ("FLAVOUR", "attach", "compat_bridge", "setup")

import typing

from spamguard.adapters import dpy

FLAVOUR: typing.Final = dpy.flavour("disnake")
"""disnake and its names (raises ImportError naming the extra when disnake is missing)."""

attach = FLAVOUR.attach
compat_bridge = FLAVOUR.compat_bridge


def setup(bot: typing.Any) -> None:
    """Entry point of ``bot.load_extension("spamguard.adapters.disnake")``.

    Synchronous (disnake never awaits it) and without options (disnake passes none): the
    policy is the file named by ``$SPAMGUARD_POLICY`` or the default one.
    """
    FLAVOUR.setup(bot, {})
