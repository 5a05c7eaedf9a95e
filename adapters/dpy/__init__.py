"""The shared base of the discord.py-family adapters (discord.py, nextcord and disnake).

nextcord and disnake descend from discord.py and keep its shapes: the same
``commands.Cog``, the same ``HTTPClient`` methods, the same exception classes, the same
message and member objects. Everything spamguard does with them lives in this package,
parametrised by a :class:`~spamguard.adapters.dpy.flavour.Flavour` that names the library
module and the few places they differ (the AutoMod event's name and fields, the intent's
name, how ``send_message`` takes a message). ``spamguard.adapters.discordpy``,
``spamguard.adapters.nextcord`` and ``spamguard.adapters.disnake`` only build their flavour
and bind ``attach``/``setup``.

A message's path: :mod:`~spamguard.adapters.dpy.binding` (the Cog's listener) ->
:mod:`~spamguard.adapters.dpy.convert` (the core's message) -> the runtime (the guard's
plan, carried out) -> :mod:`~spamguard.adapters.dpy.execute` (one HTTP request per action);
:mod:`~spamguard.adapters.dpy.automod` lists and changes native AutoMod rules.

A bot is protected by the ``SpamGuard`` Cog; the runtime starts with ``on_ready`` or the
first event (at once when attached to a ready bot) and stops when the Cog is removed: on
``unload_extension``, ``bot.close()`` or
:meth:`~spamguard.adapters.runtime.Protection.detach`.
"""

from __future__ import annotations

__all__ = (
    "COG_NAME",
    "AlreadyAttachedError",
    "DpyExecutor",
    "Flavour",
    "Library",
    "ProtectionBinding",
    "SuspendedCogError",
    "UnsupportedBotError",
    "UnsupportedLibraryError",
    "cog_class",
    "flavour",
    "message_from_raw_edit",
    "to_core_message",
)

from spamguard.adapters.dpy.binding import (
    AlreadyAttachedError,
    ProtectionBinding,
    UnsupportedBotError,
)
from spamguard.adapters.dpy.cog import COG_NAME, SuspendedCogError, cog_class
from spamguard.adapters.dpy.convert import message_from_raw_edit, to_core_message
from spamguard.adapters.dpy.execute import DpyExecutor
from spamguard.adapters.dpy.flavour import Flavour, Library, UnsupportedLibraryError, flavour
