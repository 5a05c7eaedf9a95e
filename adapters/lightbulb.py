"""spamguard for hikari-lightbulb 3: a lightbulb extension, loaded in one line.

::

    client = lightbulb.client_from_app(bot)
    registry = client.di.registry_for(lightbulb.di.Contexts.DEFAULT)
    registry.register_value(spamguard.core.Policy, my_policy)   # optional
    await client.load_extensions("spamguard.adapters.lightbulb")

The extension's loader subscribes listeners that do exactly what
:func:`spamguard.adapters.hikari.attach` does (guild message creates and edits, AutoMod
executions, member joins and leaves, AutoMod rule sync when a guild becomes available,
start with ``StartedEvent``, stop with ``StoppingEvent``, a disconnected shard's guilds let
go of). Its settings come through
lightbulb's dependency injection, each optional:

- :class:`~spamguard.core.Policy`: the policy (default: ``$SPAMGUARD_POLICY``'s file,
  else the bundled default policy);
- :class:`Options`: the state store, plugins, the per-action deadline...

Register them before the bot starts: lightbulb freezes a registry once its first
listener or command runs.

Once the first event arrived, the protection itself is available to commands and
listeners as ``protection: spamguard.adapters.runtime.Protection = lightbulb.di.INJECTED``
(or :func:`protection_for`). Unloading the extension detaches it.

``spamguard.adapters.attach(client)`` (or :func:`attach`) protects the client's bot
without the extension machinery.
"""

from __future__ import annotations

__all__ = ("Options", "attach", "loader", "protection_for")

try:
    import lightbulb
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    _msg = (
        "spamguard's lightbulb adapter needs hikari-lightbulb: pip install 'spamguard[lightbulb]'"
    )
    raise ImportError(_msg) from exc

import typing

import hikari

from spamguard.adapters import hikari as hikari_adapter
from spamguard.adapters.hikari import lightbulb_state as _state
from spamguard.adapters.hikari.lightbulb_state import Options, protection_for
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from spamguard.adapters import AttachOptions
    from spamguard.adapters.hikari import HikariProtection


class _Lifecycle(lightbulb.Loadable):
    """Registers the client when the extension loads; detaches spamguard when it unloads."""

    __slots__ = ()

    async def load(self, client: lightbulb.Client) -> None:
        _state.register(client)

    async def unload(self, client: lightbulb.Client) -> None:
        await _state.unregister(client)


loader = lightbulb.Loader()
"""The extension's loader (found by ``client.load_extensions``)."""
loader.add(_Lifecycle())


@loader.listener(hikari.StartedEvent)
async def on_started(
    event: hikari.StartedEvent,
    policy: Policy | None = lightbulb.di.INJECTED,
    options: Options | None = lightbulb.di.INJECTED,
) -> None:
    """Start spamguard with the bot."""
    protection = _state.ensure_protection(event.app, policy, options)
    if protection is not None:
        await protection.on_started(event)


@loader.listener(hikari.StoppingEvent)
async def on_stopping(event: hikari.StoppingEvent) -> None:
    """Stop spamguard's scheduler and let its store save state."""
    protection = protection_for(event.app)
    if protection is not None:
        await protection.on_stopping(event)


@loader.listener(hikari.ShardDisconnectedEvent)
async def on_shard_disconnected(event: hikari.ShardDisconnectedEvent) -> None:
    """Let the store go of the shard's guilds (another process may take them over)."""
    protection = protection_for(event.app)
    if protection is not None:
        await protection.on_shard_disconnected(event)


@loader.listener(hikari.GuildMessageCreateEvent)
async def on_message_create(
    event: hikari.GuildMessageCreateEvent,
    policy: Policy | None = lightbulb.di.INJECTED,
    options: Options | None = lightbulb.di.INJECTED,
) -> None:
    """Decide a new guild message and carry its plan out."""
    protection = _state.ensure_protection(event.app, policy, options)
    if protection is not None:
        await protection.on_message_create(event)


@loader.listener(hikari.GuildMessageUpdateEvent)
async def on_message_update(
    event: hikari.GuildMessageUpdateEvent,
    policy: Policy | None = lightbulb.di.INJECTED,
    options: Options | None = lightbulb.di.INJECTED,
) -> None:
    """Decide an edited guild message."""
    protection = _state.ensure_protection(event.app, policy, options)
    if protection is not None:
        await protection.on_message_update(event)


@loader.listener(hikari.events.AutoModActionExecutionEvent)
async def on_automod_execution(
    event: hikari.events.AutoModActionExecutionEvent,
    policy: Policy | None = lightbulb.di.INJECTED,
    options: Options | None = lightbulb.di.INJECTED,
) -> None:
    """Count a native AutoMod execution."""
    protection = _state.ensure_protection(event.app, policy, options)
    if protection is not None:
        await protection.on_automod_execution(event)


@loader.listener(hikari.GuildAvailableEvent, hikari.GuildJoinEvent)
async def on_guild_available(
    event: hikari.GuildVisibilityEvent,
    policy: Policy | None = lightbulb.di.INJECTED,
    options: Options | None = lightbulb.di.INJECTED,
) -> None:
    """Bring the guild's native AutoMod rules in line with the policy."""
    protection = _state.ensure_protection(event.app, policy, options)
    if protection is not None:
        await protection.on_guild_available(event)


def attach(bot: object, **options: typing.Unpack[AttachOptions]) -> HikariProtection:
    """Protect the bot of a lightbulb client (or a hikari bot) without the extension.

    ``options`` are :func:`spamguard.adapters.hikari.attach`'s.
    """
    app = bot.app if isinstance(bot, lightbulb.Client) else bot
    return hikari_adapter.attach(typing.cast("hikari.GatewayBotAware", app), **options)
