"""discord-anti-spam 1.9.1's API, deciding with spamguard's core.

Migrating is the import prefix: ``antispam`` becomes ``spamguard.contrib.antispam``::

    from spamguard.contrib.antispam import AntiSpamHandler, Options
    from spamguard.contrib.antispam.enums import Library

    bot.handler = AntiSpamHandler(bot, Library.DPY, options=Options(no_punish=True))

    @bot.event
    async def on_message(message):
        data = await bot.handler.propagate(message)  # a CorePayload

The layout is 1.9.1's: the handler and ``Options``/``CorePayload`` at the top,
:mod:`.enums` (``Library``, ``IgnoreType``, ``ResetType``), :mod:`.dataclasses`,
:mod:`.exceptions`, :mod:`.plugins`, :mod:`.abc`, :mod:`.caches`, ``BasePlugin`` and
``PluginCache``. The options become a spamguard policy (:mod:`.options`) and a
:class:`~spamguard.core.engine.guard.Guard` decides; the ``Library`` chooses the spamguard
adapter that reads the bot's messages and carries the plans out, reached through core's
``spamguard_make_compat_bridge`` hook (:mod:`.bridge`), so contrib never imports an
adapter. discord-anti-spam 0.x's API (keyword options, result dicts, ``reset_user_count``,
string ignore types...) keeps working where it does not contradict 1.9.1.

What does not carry over, and what to use instead, is in ``docs/migrating.md``.
"""

from __future__ import annotations

import typing

from spamguard.contrib.antispam.base_plugin import BaseExtension, BasePlugin
from spamguard.contrib.antispam.dataclasses import CorePayload, Options
from spamguard.contrib.antispam.enums import IgnoreType, Library, ResetType
from spamguard.contrib.antispam.exceptions import (
    BaseASHException,
    DuplicateObject,
    ExistingEntry,
    ExtensionError,
    GuildAddonNotFound,
    GuildNotFound,
    InvalidMessage,
    InvocationCancelled,
    LogicError,
    MemberAddonNotFound,
    MemberNotFound,
    MissingGuildPermissions,
    NonExistentEntry,
    NotFound,
    ObjectMismatch,
    PluginError,
    PropagateFailure,
    UnsupportedAction,
    UnsupportedOption,
    UserNotFound,
)
from spamguard.contrib.antispam.handler import AntiSpamHandler
from spamguard.contrib.antispam.plugin_cache import PluginCache
from spamguard.contrib.antispam.plugins import AntiSpamTracker
from spamguard.core.bridge import CompatBridge

__version__ = "1.9.1"
"""The discord-anti-spam version whose API this package follows."""


class VersionInfo(typing.NamedTuple):
    """1.9.1's ``version_info`` type."""

    major: int
    minor: int
    micro: int
    releaselevel: str
    serial: int


version_info = VersionInfo(major=1, minor=9, micro=1, releaselevel="final", serial=0)
"""The discord-anti-spam version whose API this package follows, as a tuple."""

__all__ = (
    "AntiSpamHandler",
    "AntiSpamTracker",
    "BaseASHException",
    "BaseExtension",
    "BasePlugin",
    "CompatBridge",
    "CorePayload",
    "DuplicateObject",
    "ExistingEntry",
    "ExtensionError",
    "GuildAddonNotFound",
    "GuildNotFound",
    "IgnoreType",
    "InvalidMessage",
    "InvocationCancelled",
    "Library",
    "LogicError",
    "MemberAddonNotFound",
    "MemberNotFound",
    "MissingGuildPermissions",
    "NonExistentEntry",
    "NotFound",
    "ObjectMismatch",
    "Options",
    "PluginCache",
    "PluginError",
    "PropagateFailure",
    "ResetType",
    "UnsupportedAction",
    "UnsupportedOption",
    "UserNotFound",
    "VersionInfo",
    "version_info",
)
