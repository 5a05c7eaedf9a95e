"""Binding a hikari bot to the runtime: the listeners, start and stop, ``attach``.

:class:`HikariProtection` holds the listeners (guild message creates and edits, AutoMod
executions, member joins and leaves, guilds becoming available, start and stop, shards
disconnecting); each converts its event with :mod:`spamguard.adapters.hikari.convert`
(members: :mod:`spamguard.adapters.hikari.members`) and hands it to the shared runtime.
The shards the bot runs come from ``GatewayBot.shards`` and ``shard_count``
(:func:`ownership`).
"""

from __future__ import annotations

__all__ = ("HikariProtection", "attach", "build", "compat_bridge", "ownership")

import logging
import os
import typing

import hikari

from spamguard.adapters import AttachOptions, RuntimeOptions, check_options
from spamguard.adapters.hikari import convert, members
from spamguard.adapters.hikari.automod import automod_execution_from_event, fetch_rules
from spamguard.adapters.hikari.execute import HikariExecutor
from spamguard.adapters.hikari.forwards import SnapshotCheck
from spamguard.adapters.runtime import (
    CompatBridge,
    Protection,
    Runtime,
    StartOnce,
    build_runtime,
)
from spamguard.adapters.runtime import compat_bridge as _bridge
from spamguard.adapters.runtime.shards import ShardOwnership
from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterable

    import pluggy

    from spamguard.adapters.runtime.hierarchy import RecentMembers
    from spamguard.adapters.runtime.protection import ExecutorFactory
    from spamguard.adapters.stores.base import Store
    from spamguard.core.engine import Guard
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.policy import Policy

_LOGGER = logging.getLogger("spamguard.adapters.hikari")

_Listener = typing.Callable[[typing.Any], typing.Coroutine[typing.Any, typing.Any, None]]


def _bot_user_id(app: typing.Any) -> int | None:
    me = app.get_me() if hasattr(app, "get_me") else None
    if me is not None:
        return int(me.id)
    # GatewayBot reads its id from the token's first segment before READY arrives.
    token_id = getattr(app, "token_id", None)
    return None if token_id is None else int(token_id)


def ownership(app: hikari.GatewayBotAware) -> ShardOwnership:
    """The shards ``app`` runs in this process (``app.shards``) out of ``app.shard_count``;
    before it started (a count of 0): every guild."""
    shards = getattr(app, "shards", None)
    return ShardOwnership.of(
        None if shards is None else shards.keys(), getattr(app, "shard_count", 0)
    )


def _check_app(app: object) -> hikari.GatewayBotAware:
    missing = [
        name
        for name in ("event_manager", "rest", "cache", "entity_factory")
        if not hasattr(app, name)
    ]
    if missing:
        msg = (
            "spamguard.adapters.hikari.attach needs a hikari.GatewayBot (event manager, REST "
            f"client and cache); {type(app).__module__}.{type(app).__qualname__} has no "
            f"{', '.join(missing)}. For a lightbulb client use spamguard.adapters.lightbulb."
        )
        raise TypeError(msg)
    return typing.cast("hikari.GatewayBotAware", app)


class HikariProtection(Protection):
    """The handle ``attach`` returns: the guard, stats, ``detach()``, and the listeners.

    The ``on_*`` coroutines are the listeners themselves; :func:`attach` subscribes them
    to the bot, the lightbulb extension calls them from its loader's listeners.
    """

    def __init__(self, runtime: Runtime, app: hikari.GatewayBotAware) -> None:
        super().__init__(runtime, self._unsubscribe)
        self.app = app
        """The bot this protection listens to."""
        self._subscribed: list[tuple[type[hikari.Event], _Listener]] = []
        self.starter = StartOnce(runtime, self._read_shards)
        """Starts the runtime once; closed between StoppingEvent and the next StartedEvent
        (the bot is going away: events still in flight are dropped rather than restarting
        the runtime)."""
        self._intent_warned = False
        self.snapshot_check = SnapshotCheck(app, self._malformed_snapshot)
        """Leaves out (and counts) forwards' snapshots hikari's parser would choke on."""
        self.snapshot_check.install()

    def _read_shards(self) -> None:
        # Right before the start: the store holds no guild yet, nothing to let go of.
        self.runtime.shard_watch.ownership = ownership(self.app)

    @property
    def listeners(self) -> tuple[tuple[type[hikari.Event], _Listener], ...]:
        """``(event type, listener)`` pairs, as :func:`attach` subscribes them; the member
        listeners only with the ``GUILD_MEMBERS`` intent (hikari warns about a listener
        that can never fire; spamguard says it once at start instead)."""
        member_listeners: tuple[tuple[type[hikari.Event], _Listener], ...] = (
            ()
            if members.members_intent_missing(self.app)
            else (
                (hikari.MemberCreateEvent, self.on_member_create),
                (hikari.MemberDeleteEvent, self.on_member_delete),
            )
        )
        return (
            (hikari.StartedEvent, self.on_started),
            (hikari.StoppingEvent, self.on_stopping),
            (hikari.GuildMessageCreateEvent, self.on_message_create),
            (hikari.GuildMessageUpdateEvent, self.on_message_update),
            (hikari.events.AutoModActionExecutionEvent, self.on_automod_execution),
            *member_listeners,
            (hikari.GuildAvailableEvent, self.on_guild_available),
            (hikari.GuildJoinEvent, self.on_guild_available),
            (hikari.ShardDisconnectedEvent, self.on_shard_disconnected),
        )

    def subscribe(self) -> None:
        """Subscribe :attr:`listeners` to the bot's event manager (once)."""
        if self._subscribed:
            return
        for event_type, listener in self.listeners:
            self.app.event_manager.subscribe(event_type, listener)
            self._subscribed.append((event_type, listener))

    def _malformed_snapshot(self, problem: str) -> None:
        self.runtime.stats.malformed += 1
        _LOGGER.warning("spamguard dropped malformed data of a MESSAGE_CREATE event: %s", problem)

    async def _unsubscribe(self) -> None:
        self.snapshot_check.uninstall()
        while self._subscribed:
            event_type, listener = self._subscribed.pop()
            self.app.event_manager.unsubscribe(event_type, listener)
        self.starter.forget()

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the runtime (once, however many callers wait for it).

        Raises whatever the store raised while opening; listeners catch it.
        """
        await self.starter.start()

    async def stop(self) -> None:
        """Stop the runtime (the listeners stay subscribed; the next event restarts it)."""
        self.starter.forget()
        await self.runtime.stop()

    # -- listeners -------------------------------------------------------------------------

    async def on_started(self, event: hikari.StartedEvent) -> None:
        """The bot is up: learn its user id and start the runtime."""
        user_id = _bot_user_id(self.app)
        if user_id is not None:
            self.runtime.guard.self_id = user_id
        self.starter.closed = False
        self._check_intents()
        if await self.starter.ready():
            await self.runtime.shard_watch.own(ownership(self.app))

    def _check_intents(self) -> None:
        if self._intent_warned or not members.members_intent_missing(self.app):
            return
        self._intent_warned = True
        _LOGGER.warning(
            "spamguard: the GUILD_MEMBERS intent is off, so member joins and leaves never "
            "arrive: new_members rules see only account ages and join raids go unnoticed. "
            "Enable hikari.Intents.GUILD_MEMBERS (privileged: also in the Developer Portal)."
        )

    async def on_stopping(self, event: hikari.StoppingEvent) -> None:
        """The bot is closing: stop the scheduler and let the store save its state."""
        self.starter.closed = True
        try:
            await self.stop()
        except Exception:
            self.runtime.stats.errors += 1
            _LOGGER.exception("spamguard failed to stop cleanly")

    async def on_shard_disconnected(self, event: hikari.ShardDisconnectedEvent) -> None:
        """A shard disconnected (or stopped): the store lets go of its guilds, which
        another process may take over; if the shard reconnects here, they load again."""
        await self.runtime.shard_lost(event.shard.id, event.shard.shard_count)

    async def on_message_create(self, event: hikari.GuildMessageCreateEvent) -> None:
        """Decide a new guild message and carry its plan out; never raises."""
        if await self.starter.ready():
            await self.runtime.handle_event(lambda: convert.message_from_create(event))

    async def on_message_update(self, event: hikari.GuildMessageUpdateEvent) -> None:
        """Decide an edited guild message (its new content replaces the old one's
        contribution); updates without content (embed unfurls) are ignored."""
        if await self.starter.ready():
            await self.runtime.handle_event(lambda: convert.message_from_update(event))

    async def on_automod_execution(self, event: hikari.events.AutoModActionExecutionEvent) -> None:
        """Count a native AutoMod execution (when the policy's
        ``automod_executions_count`` is on) and carry out what it leads to; Discord's
        one event per action of a rule counts once."""
        if await self.starter.ready():
            await self.runtime.handle_automod_event(
                lambda at: automod_execution_from_event(event, at=at)
            )

    async def on_member_create(self, event: hikari.MemberCreateEvent) -> None:
        """Decide a member's join (GUILD_MEMBER_ADD) and carry its plan out; never raises
        (a join for a guild hikari has not cached counts as malformed)."""
        if await self.starter.ready():
            await self.runtime.handle_member_event(lambda at: members.join_from_event(event, at=at))

    async def on_member_delete(self, event: hikari.MemberDeleteEvent) -> None:
        """Record a member's leave, kick or ban (GUILD_MEMBER_REMOVE); never raises."""
        if await self.starter.ready():
            await self.runtime.handle_member_event(
                lambda at: members.leave_from_event(event, at=at)
            )

    async def on_guild_available(self, event: hikari.GuildEvent) -> None:
        """A guild became available or was joined: bring its native AutoMod rules in line
        with the policy's ``automod:`` section (nothing to do without one)."""
        await self.sync_automod(int(event.guild_id))

    async def sync_automod(self, guild_id: int) -> tuple[ActionOutcome, ...]:
        """Make the guild's native AutoMod rules match the policy: create, edit and delete
        only the rules spamguard owns (by name prefix); a second run changes nothing.

        Returns the outcomes of the changes made; never raises (a failed listing is logged
        and counted).
        """
        if not await self.starter.ready():
            return ()
        return await self.runtime.sync_automod(guild_id, lambda: fetch_rules(self.app, guild_id))


def build(
    app: hikari.GatewayBotAware,
    *,
    policy: Policy | str | os.PathLike[str] | None = None,
    store: Store | None = None,
    plugins: Iterable[object] = (),
    action_timeout: float | None = None,
    load_entrypoints: bool = True,
    plugin_manager: pluggy.PluginManager | None = None,
    **runtime_options: typing.Unpack[RuntimeOptions],
) -> HikariProtection:
    """A protection for ``app`` whose listeners are not subscribed yet (see :func:`attach`)."""
    # The named parameters took the other options: what is left must be the runtime's, and
    # the error lists (and suggests) every option attach takes.
    check_options(runtime_options, AttachOptions.__optional_keys__)
    app = _check_app(app)
    runtime = build_runtime(
        _executor_for(app, action_timeout),
        policy=policy,
        plugins=plugins,
        self_id=_bot_user_id(app),
        store=store,
        action_timeout=action_timeout,
        options={
            "load_entrypoints": load_entrypoints,
            "plugin_manager": plugin_manager,
            **runtime_options,
        },
    )
    return HikariProtection(runtime, app)


def _executor_for(app: hikari.GatewayBotAware, lookup_timeout: float | None) -> ExecutorFactory:
    def executor(
        guard: Guard, clock: Callable[[], datetime.datetime], recent: RecentMembers
    ) -> HikariExecutor:
        return HikariExecutor(
            app,
            self_id=lambda: guard.self_id,
            clock=clock,
            recent=recent,
            lookup_timeout=lookup_timeout,
        )

    return executor


def attach(
    bot: hikari.GatewayBotAware,
    *,
    policy: Policy | str | os.PathLike[str] | None = None,
    store: Store | None = None,
    plugins: Iterable[object] = (),
    action_timeout: float | None = None,
    load_entrypoints: bool = True,
    plugin_manager: pluggy.PluginManager | None = None,
    **runtime_options: typing.Unpack[RuntimeOptions],
) -> HikariProtection:
    """Protect a hikari bot: subscribe spamguard's listeners and return the handle.

    Call it before ``bot.run()`` (the runtime starts with ``StartedEvent`` and stops with
    ``StoppingEvent``) or on a running bot (it starts at once).

    Args:
        bot: a ``hikari.GatewayBot`` (anything with an event manager, a REST client and
            a cache).
        policy: a :class:`~spamguard.core.Policy` or a policy file; default: the file
            named by ``$SPAMGUARD_POLICY``, else the bundled default policy.
        store: where state lives (default: the Redis store when the policy names one
            with ``store: {url: ...}``, else in memory).
        plugins: plugin objects for the guard, besides installed extensions.
        action_timeout: seconds each action (one REST call, retries included) may take
            before it counts as failed; default None: no deadline, the action waits behind
            hikari's rate-limit handling for as long as Discord asks.
        load_entrypoints: load installed extensions (entry-point group ``spamguard``).
        plugin_manager: a plugin manager of your own for the guard.
        **runtime_options: :class:`~spamguard.adapters.RuntimeOptions` (``poll_interval``,
            ``clock``).

    Raises:
        TypeError: ``bot`` is not a hikari gateway bot.
        spamguard.core.PolicyError: the policy file is unreadable or invalid.
    """
    protection = build(
        bot,
        policy=policy,
        store=store,
        plugins=plugins,
        action_timeout=action_timeout,
        load_entrypoints=load_entrypoints,
        plugin_manager=plugin_manager,
        **runtime_options,
    )
    protection.subscribe()
    if getattr(bot, "is_alive", False):
        protection.starter.start_soon()
    return protection


@hookimpl(specname="spamguard_make_compat_bridge")
def compat_bridge(bot: hikari.GatewayBotAware, guard: Guard) -> CompatBridge:
    """What :class:`spamguard.contrib.antispam.AntiSpamHandler` uses to carry its plans out
    on ``bot``: hikari messages (``event.message``) in, real REST calls out."""
    return _bridge(guard, _executor_for(_check_app(bot), None), convert.message_from_hikari)
