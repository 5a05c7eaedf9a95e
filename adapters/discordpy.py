"""spamguard for discord.py: one line protects a bot.

Load the extension (the policy file named by ``$SPAMGUARD_POLICY``, else the bundled
default policy), in ``setup_hook`` or before ``bot.start``::

    await bot.load_extension("spamguard.adapters.discordpy")

or attach in code, with any option (before ``bot.run`` or in a running bot)::

    protection = spamguard.adapters.attach(bot, policy=Policy.from_file("spam.yaml"))

The bot needs the ``guilds`` and ``message_content`` intents (and
``auto_moderation_execution`` for AutoMod executions to count). discord.py 2.4 and newer
are supported; the logic is shared with nextcord and disnake in
:mod:`spamguard.adapters.dpy`.

py-cord installs under the same import name, ``discord``, but is another library (its own
``HTTPClient``, synchronous Cogs and extensions): importing this module with py-cord
installed raises :class:`~spamguard.adapters.dpy.UnsupportedLibraryError`, and so does
``spamguard.adapters.attach`` given a py-cord bot.
"""

from __future__ import annotations

__all__ = ("FLAVOUR", "attach", "compat_bridge", "setup")

import typing

from spamguard.adapters import dpy

FLAVOUR: typing.Final = dpy.flavour("discord")
"""discord.py and its names (raises ImportError naming the extra when discord.py is
missing, :class:`~spamguard.adapters.dpy.UnsupportedLibraryError` under py-cord)."""

attach = FLAVOUR.attach
compat_bridge = FLAVOUR.compat_bridge


async def setup(bot: typing.Any) -> None:
    """Entry point of ``await bot.load_extension("spamguard.adapters.discordpy")``.

    A coroutine, as discord.py awaits it, and without options (discord.py passes none):
    the policy is the file named by ``$SPAMGUARD_POLICY`` or the default one.
    """
    await FLAVOUR.setup_async(bot)
