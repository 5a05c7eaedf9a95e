"""A drop-in ``AntiSpamHandler`` for discord-anti-spam users, running on spamguard's core.

Migrating is one import::

    # from antispam import AntiSpamHandler
    from spamguard.contrib.antispam import AntiSpamHandler

    handler = AntiSpamHandler(bot, warn_threshold=3, message_interval=30000)

    async def on_message(message):
        data = await handler.propagate(message)
        if data["should_be_punished_this_message"]: ...

The options (names, defaults, validation errors) are discord-anti-spam's; they become a
spamguard policy (see :mod:`spamguard.contrib.antispam.options`) and a
:class:`~spamguard.core.engine.guard.Guard` decides. ``propagate`` returns discord-anti-spam's
result dict, plus the decided :class:`~spamguard.core.plan.Plan` under ``"plan"``.

Carrying plans out is the adapters' job. A handler gets its executor from ``executor=``
(any callable taking a plan, sync or async: ``executor=runtime.carry_out``), or finds the
adapter for ``bot`` through the ``spamguard_make_compat_bridge`` hook: it lends a
:class:`~spamguard.core.bridge.CompatBridge` (which also converts the library's message
objects), so contrib never imports an adapter. Without either, plans are only returned: the handler is
usable, and testable, without any Discord library.

The package holds one concern per module: :mod:`.handler` (``AntiSpamHandler``),
:mod:`.options` (the options and their policy), :mod:`.exceptions`, :mod:`.enums`,
:mod:`.base_plugin` and :mod:`.tracker` (extensions), and the handler's helpers
(:mod:`.results`, :mod:`.ignores`, :mod:`.notices`, :mod:`.duplicates`, :mod:`.counters`,
:mod:`.guilds`, :mod:`.extensions`).

The remaining differences from discord-anti-spam are listed in ``docs/plugins.md``.
"""

from __future__ import annotations

from spamguard.contrib.antispam.base_plugin import BaseExtension, BasePlugin
from spamguard.contrib.antispam.enums import IgnoreType, ResetType
from spamguard.contrib.antispam.exceptions import (
    BaseASHException,
    DuplicateObject,
    ExtensionError,
    GuildNotFound,
    InvalidMessage,
    InvocationCancelled,
    LogicError,
    MemberNotFound,
    MissingGuildPermissions,
    ObjectMismatch,
    PluginError,
    UserNotFound,
)
from spamguard.contrib.antispam.handler import AntiSpamHandler
from spamguard.contrib.antispam.results import PropagateResult
from spamguard.contrib.antispam.tracker import AntiSpamTracker
from spamguard.core.bridge import CompatBridge

__all__ = (
    "AntiSpamHandler",
    "AntiSpamTracker",
    "BaseASHException",
    "BaseExtension",
    "BasePlugin",
    "CompatBridge",
    "DuplicateObject",
    "ExtensionError",
    "GuildNotFound",
    "IgnoreType",
    "InvalidMessage",
    "InvocationCancelled",
    "LogicError",
    "MemberNotFound",
    "MissingGuildPermissions",
    "ObjectMismatch",
    "PluginError",
    "PropagateResult",
    "ResetType",
    "UserNotFound",
)
