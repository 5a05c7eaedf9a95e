"""spamguard for nextcord: one line protects a bot.

Load the extension (the policy file named by the ``policy`` extra or by
``$SPAMGUARD_POLICY``, else the bundled default policy)::

    bot.load_extension("spamguard.adapters.nextcord")
    bot.load_extension("spamguard.adapters.nextcord", extras={"policy": "spam.yaml"})

or attach in code::

    protection = spamguard.adapters.attach(bot, policy=Policy.from_file("spam.yaml"))

The bot needs the GUILDS and message content intents (and ``auto_moderation_execution``
for AutoMod executions to count). nextcord 2.6 (Python 3.11) and 3.x are supported; the
logic is shared with disnake in :mod:`spamguard.adapters.dpy`.
"""

from __future__ import annotations

__all__ = ("FLAVOUR", "attach", "compat_bridge", "setup")

import typing

from spamguard.adapters import dpy

FLAVOUR: typing.Final = dpy.flavour("nextcord")
"""nextcord and its names (raises ImportError naming the extra when nextcord is missing)."""

attach = FLAVOUR.attach
compat_bridge = FLAVOUR.compat_bridge


def setup(bot: typing.Any, **extras: typing.Any) -> None:
    """Entry point of ``bot.load_extension("spamguard.adapters.nextcord")``.

    Synchronous (nextcord does not await it). ``load_extension``'s ``extras`` arrive as
    keyword arguments: :func:`attach`'s options (``policy``, ``action_timeout``...).
    """
    FLAVOUR.setup(bot, extras)
