"""spamguard for hikari: one line protects a ``hikari.GatewayBot``.

::

    bot = hikari.GatewayBot(token, intents=hikari.Intents.ALL_UNPRIVILEGED
                            | hikari.Intents.GUILD_MEMBERS | hikari.Intents.MESSAGE_CONTENT)
    protection = spamguard.adapters.attach(bot)   # or spamguard.adapters.hikari.attach(bot, policy=...)
    bot.run()

The adapter listens to guild message creates and edits (an edit replaces that message's
contribution to the windows; it never resets the member's window) and to Discord's
AutoMod executions, turns them into core values, and carries the guard's plans out with
hikari's REST client through the shared :class:`~spamguard.adapters.runtime.Runtime`:
serialised per member, one deadline per action, failures reported and never raised into
the bot's event loop, scheduled undo actions kept by the state store.

Intents: ``GUILD_MESSAGES`` and ``MESSAGE_CONTENT`` to see messages, ``GUILDS`` (roles,
channels, the owner: hierarchy and exemptions are computed from the cache) and, for a
full member cache, ``GUILD_MEMBERS``; ``AUTO_MODERATION_EXECUTION`` for AutoMod.

A message's path: :mod:`~spamguard.adapters.hikari.binding` (the listener) ->
:mod:`~spamguard.adapters.hikari.convert` (the core's message) -> the runtime (the guard's
plan, carried out) -> :mod:`~spamguard.adapters.hikari.execute` (REST calls);
:mod:`~spamguard.adapters.hikari.automod` lists and changes native AutoMod rules, and
:mod:`~spamguard.adapters.hikari.lightbulb_state` keeps the lightbulb extension's state.
"""

from __future__ import annotations

__all__ = (
    "POLICY_ENV",
    "HikariExecutor",
    "HikariProtection",
    "attach",
    "build",
    "compat_bridge",
    "load_policy",
)

try:
    import hikari  # noqa: F401 - the adapter's library, checked first
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    _msg = "spamguard's hikari adapter needs hikari: pip install 'spamguard[hikari]'"
    raise ImportError(_msg) from exc

from spamguard.adapters.hikari.binding import HikariProtection, attach, build, compat_bridge
from spamguard.adapters.hikari.execute import HikariExecutor
from spamguard.adapters.runtime import POLICY_ENV, load_policy
