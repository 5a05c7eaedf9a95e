"""State of the lightbulb extension, kept outside the extension module.

lightbulb deletes an extension's module from ``sys.modules`` when it is unloaded and
imports it afresh on the next load (or reload). The extension's per-bot state and the
:class:`Options` type users register in dependency injection therefore live here, in a
module that stays imported, so that a reload neither loses track of a running protection
nor turns a registered ``Options`` into an instance of a stale class.
"""

from __future__ import annotations

__all__ = ("Options", "ensure_protection", "protection_for", "register", "unregister")

import dataclasses
import logging
import typing

import hikari

from spamguard.adapters.hikari.binding import HikariProtection, build
from spamguard.adapters.hikari.members import members_intent_missing
from spamguard.adapters.runtime import Protection
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Sequence

    import lightbulb

    from spamguard.adapters.stores.base import Store

_LOGGER = logging.getLogger("spamguard.adapters.lightbulb")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """Settings of the extension, registered in lightbulb's DI (``Contexts.DEFAULT``)."""

    store: Store | None = None
    """Where state lives (default: in memory)."""
    plugins: Sequence[object] = ()
    """Plugin objects for the guard, besides installed extensions."""
    action_timeout: float | None = None
    """Seconds each action may take before it counts as failed (None: no deadline)."""
    load_entrypoints: bool = True
    """Load installed extensions (entry-point group ``spamguard``)."""
    poll_interval: float = 1.0
    """Longest sleep of the scheduler between two looks at the store."""
    delete_window: float = 0.5
    """Seconds the deletions of one channel gather before they leave as one bulk delete."""
    clock: Callable[[], datetime.datetime] | None = None
    """The runtime's wall clock (default: the real one; tests inject theirs)."""


@dataclasses.dataclass(slots=True)
class _ClientState:
    client: lightbulb.Client
    protection: HikariProtection | None = None
    failed: bool = False
    member_listeners: bool = False


# One state per bot the extension is loaded for. Listeners get the bot as ``event.app``
# and nothing else when lightbulb's DI is switched off, so the bot is the key; the state
# holds the client, hence the bot, so the id cannot be reused while the entry exists.
_STATES: dict[int, _ClientState] = {}


async def _on_member_create(event: hikari.MemberCreateEvent) -> None:
    protection = protection_for(event.app)
    if protection is not None and not protection.detached:
        await protection.on_member_create(event)


async def _on_member_delete(event: hikari.MemberDeleteEvent) -> None:
    protection = protection_for(event.app)
    if protection is not None and not protection.detached:
        await protection.on_member_delete(event)


# Subscribed to the bot when the extension loads, and only with the GUILD_MEMBERS intent:
# hikari warns about a listener that can never fire (a loader's listeners are always
# subscribed), and the protection says it once at start instead. A member event comes
# after StartedEvent, whose listener has built the protection.
_MEMBER_LISTENERS: tuple[tuple[type[hikari.Event], typing.Any], ...] = (
    (hikari.MemberCreateEvent, _on_member_create),
    (hikari.MemberDeleteEvent, _on_member_delete),
)


def register(client: lightbulb.Client) -> None:
    """The extension was loaded into ``client``."""
    state = _STATES.setdefault(id(client.app), _ClientState(client))
    events = getattr(client.app, "event_manager", None)
    if events is None or state.member_listeners or members_intent_missing(client.app):
        return
    for event_type, listener in _MEMBER_LISTENERS:
        events.subscribe(event_type, listener)
    state.member_listeners = True


async def unregister(client: lightbulb.Client) -> None:
    """The extension was unloaded from ``client``: detach its protection."""
    state = _STATES.pop(id(client.app), None)
    if state is None:
        return
    if state.member_listeners:
        events = typing.cast("hikari.EventManagerAware", client.app).event_manager
        for event_type, listener in _MEMBER_LISTENERS:
            events.unsubscribe(event_type, listener)
    if state.protection is not None:
        await state.protection.detach()


def protection_for(app_or_client: object) -> HikariProtection | None:
    """The protection the extension made for a bot (or a lightbulb client), if any yet."""
    app = getattr(app_or_client, "app", app_or_client)
    state = _STATES.get(id(app))
    return None if state is None else state.protection


def ensure_protection(
    app: hikari.RESTAware, policy: object, options: object
) -> HikariProtection | None:
    """The bot's protection, built on first use from the injected ``policy`` and
    ``options`` (either may be None, or lightbulb's INJECTED marker when DI is off).

    None when the extension is not loaded for this bot, could not be set up (logged
    once), or its protection was detached.
    """
    state = _STATES.get(id(app))
    if state is None or state.failed:
        return None
    if state.protection is not None:
        # The extension's listeners outlive a detach() (only unloading removes them):
        # a detached protection answers nothing, and is not built again.
        return None if state.protection.detached else state.protection
    settings = options if isinstance(options, Options) else Options()
    runtime_options: dict[str, typing.Any] = {
        "poll_interval": settings.poll_interval,
        "delete_window": settings.delete_window,
    }
    if settings.clock is not None:
        runtime_options["clock"] = settings.clock
    try:
        protection = build(
            typing.cast("hikari.GatewayBotAware", app),
            policy=policy if isinstance(policy, Policy) else None,
            store=settings.store,
            plugins=settings.plugins,
            action_timeout=settings.action_timeout,
            load_entrypoints=settings.load_entrypoints,
            **runtime_options,
        )
    except Exception:
        # A broken policy file: say so once, not on every message.
        state.failed = True
        _LOGGER.exception("spamguard could not be set up; it stays inactive for this bot")
        return None
    state.protection = protection
    # Inside a listener lightbulb has entered its default DI context: from now on
    # commands and listeners can ask for the protection.
    container = state.client.di.default_container
    if container is not None:
        container.add_value(Protection, protection)
        container.add_value(HikariProtection, protection)
    return protection
