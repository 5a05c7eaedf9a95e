"""A real, offline `hikari.GatewayBot` wired to the REST stand-in.

The bot is a genuine ``GatewayBot``: real cache, entity factory, event manager and REST
client. Only the gateway is replaced: `OfflineShard` implements hikari's public
``hikari.api.GatewayShard`` interface without a websocket, and real gateway payloads
enter through ``bot.event_manager.consume_raw_event(name, shard, payload)``, the same
call hikari's own shard makes for every DISPATCH it receives. So the cache fills exactly
as in production and subscribed listeners fire.

``GatewayBot.start()`` is not used: it asks ``GET /gateway/bot`` and opens a websocket.
`hikari_bot` performs the rest of ``start()`` itself (REST and voice components,
``StartingEvent``, READY and GUILD_CREATE through the shard, ``StartedEvent``), so
``bot.is_alive`` is true, ``bot.close()`` works and a lightbulb client subscribed to
``StartedEvent`` starts as it would in production.

Private hikari attributes relied on (hikari 2.6): ``GatewayBot._closed_event``,
``_closing_event`` (what ``is_alive``/``close()`` look at), ``_shards`` (where
``start()`` registers shards), ``_voice``, and ``EventManagerImpl._dispatched_tasks``
(the set holding running listener tasks, awaited by `HikariHarness.settle`).
"""

from __future__ import annotations

__all__ = (
    "HikariHarness",
    "HikariLibrary",
    "OfflineShard",
    "hikari_bot",
    "lightbulb_client",
)

import asyncio
import contextlib
import dataclasses
import math
import typing

import hikari

from spamguard.core import FailureKind

from . import payloads
from .discord_api import DiscordAPI
from .library_harness import protect_before_start

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence

    import lightbulb

    from spamguard.adapters.runtime import Protection

DEFAULT_INTENTS: typing.Final = (
    hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.GUILD_MEMBERS | hikari.Intents.MESSAGE_CONTENT
)
"""Intents of a moderation bot: unprivileged ones plus members and message content."""


class OfflineShard(hikari.api.GatewayShard):
    """A gateway shard that never connects.

    It answers what hikari asks of a shard while consuming events (``id``,
    ``get_user_id()``...) and records gateway commands (presence updates, member chunk
    requests, voice state updates) in `commands` instead of sending them.
    """

    __slots__ = (
        "_alive",
        "_closed",
        "_intents",
        "_shard_count",
        "_shard_id",
        "_user_id",
        "commands",
    )

    def __init__(
        self, *, user_id: int, intents: hikari.Intents, shard_id: int = 0, shard_count: int = 1
    ) -> None:
        """Create a shard for the bot user ``user_id``; it counts as alive at once."""
        self._user_id = hikari.Snowflake(user_id)
        self._intents = intents
        self._shard_id = shard_id
        self._shard_count = shard_count
        self._alive = True
        self._closed = asyncio.Event()
        self.commands: list[tuple[str, dict[str, typing.Any]]] = []
        """Gateway commands the bot asked this shard to send: (name, arguments)."""

    @property
    def capabilities(self) -> hikari.GatewayCapabilities:
        return hikari.GatewayCapabilities.NONE

    @property
    def heartbeat_latency(self) -> float:
        return math.nan

    @property
    def id(self) -> int:
        return self._shard_id

    @property
    def intents(self) -> hikari.Intents:
        return self._intents

    @property
    def is_alive(self) -> bool:
        return self._alive

    @property
    def is_connected(self) -> bool:
        return self._alive

    @property
    def shard_count(self) -> int:
        return self._shard_count

    def get_user_id(self) -> hikari.Snowflake:
        return self._user_id

    async def close(self) -> None:
        self._alive = False
        self._closed.set()

    async def join(self) -> None:
        await self._closed.wait()

    async def start(self) -> None:
        self._alive = True

    async def update_presence(
        self,
        *,
        idle_since: hikari.UndefinedNoneOr[datetime.datetime] = hikari.UNDEFINED,
        afk: hikari.UndefinedOr[bool] = hikari.UNDEFINED,
        activity: hikari.UndefinedNoneOr[hikari.Activity] = hikari.UNDEFINED,
        status: hikari.UndefinedOr[hikari.Status] = hikari.UNDEFINED,
    ) -> None:
        self.commands.append(
            (
                "update_presence",
                {"idle_since": idle_since, "afk": afk, "activity": activity, "status": status},
            )
        )

    async def update_voice_state(
        self,
        guild: hikari.SnowflakeishOr[hikari.PartialGuild],
        channel: hikari.SnowflakeishOr[hikari.GuildVoiceChannel] | None,
        *,
        self_mute: hikari.UndefinedOr[bool] = hikari.UNDEFINED,
        self_deaf: hikari.UndefinedOr[bool] = hikari.UNDEFINED,
    ) -> None:
        self.commands.append(
            (
                "update_voice_state",
                {
                    "guild": guild,
                    "channel": channel,
                    "self_mute": self_mute,
                    "self_deaf": self_deaf,
                },
            )
        )

    async def request_guild_members(
        self,
        guild: hikari.SnowflakeishOr[hikari.PartialGuild],
        *,
        include_presences: hikari.UndefinedOr[bool] = hikari.UNDEFINED,
        query: str = "",
        limit: int = 0,
        users: hikari.UndefinedOr[hikari.SnowflakeishSequence[hikari.User]] = hikari.UNDEFINED,
        nonce: hikari.UndefinedOr[str] = hikari.UNDEFINED,
    ) -> None:
        self.commands.append(
            (
                "request_guild_members",
                {
                    "guild": guild,
                    "include_presences": include_presences,
                    "query": query,
                    "limit": limit,
                    "users": users,
                    "nonce": nonce,
                },
            )
        )

    async def request_channel_info(
        self,
        guild: hikari.SnowflakeishOr[hikari.PartialGuild],
        *,
        fields: Sequence[hikari.api.shard.ChannelInfoField],
    ) -> None:
        self.commands.append(("request_channel_info", {"guild": guild, "fields": fields}))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class HikariHarness:
    """A started offline bot, its shard, the stand-in and the world it knows."""

    bot: hikari.GatewayBot
    """The real bot; ``bot.rest`` talks to `api`."""
    api: DiscordAPI
    """The REST stand-in."""
    world: payloads.GuildWorld
    """The guild fed through GUILD_CREATE."""
    shard: OfflineShard
    """The shard events are consumed through."""
    listener_errors: list[BaseException]
    """Exceptions raised by listeners (collected from ``hikari.ExceptionEvent``)."""

    def consume(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """Feed one gateway DISPATCH (e.g. ``"MESSAGE_CREATE"``); listeners start as tasks."""
        self.bot.event_manager.consume_raw_event(event_name, self.shard, dict(payload))

    async def settle(self, *, timeout: float = 5.0) -> None:
        """Wait until every listener task (and any they dispatched) has finished.

        Re-raises the first listener exception, so a failing listener fails the test
        rather than being logged and forgotten.
        """
        # Private but stable since hikari 2.0.0.dev: dispatch() keeps fire-and-forget
        # listener tasks in this set until they finish.
        tasks: set[asyncio.Task[None]] = self.bot.event_manager._dispatched_tasks  # type: ignore[attr-defined]
        async with asyncio.timeout(timeout):
            while True:
                await asyncio.sleep(0)
                pending = set(tasks)
                if not pending:
                    break
                await asyncio.wait(pending)
        if self.listener_errors:
            error = self.listener_errors.pop(0)
            self.listener_errors.clear()
            raise error

    async def dispatch(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """`consume` then `settle`."""
        self.consume(event_name, payload)
        await self.settle()

    async def send_message(self, **kwargs: typing.Any) -> dict[str, typing.Any]:
        """Dispatch MESSAGE_CREATE built by ``world.message(**kwargs)``; return the payload."""
        payload = self.world.message(**kwargs)
        await self.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def edit_message(
        self, created: Mapping[str, typing.Any], *, content: str, **kwargs: typing.Any
    ) -> dict[str, typing.Any]:
        """Dispatch MESSAGE_UPDATE editing ``created``; return the payload."""
        payload = self.world.edit(created, content=content, **kwargs)
        await self.dispatch("MESSAGE_UPDATE", payload)
        return payload

    async def interact(self, payload: Mapping[str, typing.Any]) -> None:
        """Dispatch INTERACTION_CREATE ``payload`` (e.g. ``world.slash_command(...)``),
        told to the stand-in first so the bot may answer it; wait for the listeners."""
        self.api.interactions.receive(payload)
        await self.dispatch("INTERACTION_CREATE", payload)

    async def automod_execution(self, **kwargs: typing.Any) -> dict[str, typing.Any]:
        """Dispatch AUTO_MODERATION_ACTION_EXECUTION built by ``world.automod_execution``."""
        payload = self.world.automod_execution(**kwargs)
        await self.dispatch("AUTO_MODERATION_ACTION_EXECUTION", payload)
        return payload

    async def lose_shard(self, shard_id: int) -> None:
        """Shard ``shard_id`` disconnects: what hikari's shard does when its websocket
        closes (``ShardDisconnectedEvent`` from the event factory, dispatched). The shard
        itself stays: it reconnects, as hikari's do."""
        event = self.bot.event_factory.deserialize_disconnected_event(self.bot.shards[shard_id])
        await self.bot.dispatch(event, return_tasks=True)
        await self.settle()


async def _start_offline(
    bot: hikari.GatewayBot,
    shard: OfflineShard,
    world: payloads.GuildWorld,
    others: Sequence[OfflineShard] = (),
) -> None:
    """What ``GatewayBot.start()`` does, minus ``GET /gateway/bot`` and the websocket."""
    # GatewayBot.is_alive is "_closed_event is not None"; close() needs both events.
    bot._closed_event = asyncio.Event()
    bot._closing_event = asyncio.Event()
    typing.cast("hikari.impl.RESTClientImpl", bot.rest).start()
    bot._voice.start()
    await bot.dispatch(bot.event_factory.deserialize_starting_event(), return_tasks=True)
    # Registered where start() puts real shards, so bot.shards, shard_count,
    # update_presence() and close() all find it.
    for each in (shard, *others):
        bot._shards[each.id] = each
    bot.event_manager.consume_raw_event("READY", shard, world.ready())
    bot.event_manager.consume_raw_event("GUILD_CREATE", shard, world.guild_create())
    await bot.dispatch(bot.event_factory.deserialize_started_event(), return_tasks=True)


@contextlib.asynccontextmanager
async def hikari_bot(
    world: payloads.GuildWorld | None = None,
    *,
    api: DiscordAPI | None = None,
    intents: hikari.Intents = DEFAULT_INTENTS,
    max_rate_limit: float = 300.0,
    max_retries: int = 0,
    cache_settings: hikari.impl.CacheSettings | None = None,
    before_start: typing.Callable[[hikari.GatewayBot], typing.Any] | None = None,
    shards: tuple[Sequence[int], int] | None = None,
) -> AsyncIterator[HikariHarness]:
    """Build a started, offline ``GatewayBot`` whose cache holds ``world``'s guild.

    ``api`` defaults to a fresh ``DiscordAPI.for_world(world)`` (started and closed here).
    ``max_retries=0`` makes a 5xx raise at once instead of after hikari's 1-2-4 s back-off
    (hikari's default is 3); ``max_rate_limit`` is hikari's own (a scripted 429 whose
    ``retry_after`` exceeds it raises ``RateLimitTooLongError``). ``before_start`` runs
    after construction and before the start events (subscribe listeners or build a
    lightbulb client there; a coroutine result is awaited). ``shards`` ``(shard ids,
    shard count)`` runs those shards (default: one, not sharded); the world's guild must be
    on one of them, and its events arrive through that shard.
    """
    world = world or payloads.build_world()
    async with contextlib.AsyncExitStack() as stack:
        if api is None:
            api = await stack.enter_async_context(DiscordAPI.for_world(world))
        bot = hikari.GatewayBot(
            api.token,
            intents=intents,
            rest_url=api.url,
            max_rate_limit=max_rate_limit,
            max_retries=max_retries,
            cache_settings=cache_settings,
            # Chunking would ask the absent gateway for members; GUILD_CREATE has them all.
            auto_chunk_members=False,
            banner=None,
            # hikari would otherwise install its own root logging handlers.
            logs=None,
            suppress_optimization_warning=True,
        )
        errors: list[BaseException] = []

        async def on_exception(event: hikari.ExceptionEvent[typing.Any]) -> None:
            errors.append(event.exception)

        bot.subscribe(hikari.ExceptionEvent, on_exception)
        if before_start is not None:
            result = before_start(bot)
            if asyncio.iscoroutine(result):
                await result
        shard_ids, shard_count = shards or ((0,), 1)
        offline = {
            i: OfflineShard(
                user_id=world.bot.id, intents=intents, shard_id=i, shard_count=shard_count
            )
            for i in shard_ids
        }
        shard = offline[(world.guild_id >> 22) % shard_count]
        await _start_offline(bot, shard, world, [s for s in offline.values() if s is not shard])
        harness = HikariHarness(bot=bot, api=api, world=world, shard=shard, listener_errors=errors)
        try:
            await harness.settle()
            yield harness
            await harness.settle()
        finally:
            if bot.is_alive:
                await bot.close()


@contextlib.asynccontextmanager
async def lightbulb_client(
    world: payloads.GuildWorld | None = None,
    *,
    extensions: Sequence[str] = (),
    api: DiscordAPI | None = None,
    **client_options: typing.Any,
) -> AsyncIterator[tuple[HikariHarness, lightbulb.GatewayEnabledClient]]:
    """An offline bot plus a lightbulb 3 client built with ``lightbulb.client_from_app``.

    ``extensions`` are loaded with ``await client.load_extensions(...)`` before start; the
    client is started by ``StartedEvent`` exactly as lightbulb recommends, which syncs
    application commands against the stand-in (``GET /oauth2/applications/@me``,
    ``GET``/``PUT /applications/{id}/commands``). ``client_options`` go to
    ``client_from_app``.
    """
    # Imported here: only the lightbulb env installs it, and hikari_bot must not need it.
    import lightbulb

    client: lightbulb.GatewayEnabledClient | None = None

    async def build(bot: hikari.GatewayBot) -> None:
        nonlocal client
        client = lightbulb.client_from_app(bot, **client_options)
        bot.subscribe(hikari.StartedEvent, client.start)
        bot.subscribe(hikari.StoppingEvent, client.stop)
        if extensions:
            await client.load_extensions(*extensions)

    async with hikari_bot(world, api=api, before_start=build) as harness:
        assert client is not None
        yield harness, client


class HikariLibrary:
    """The contract suite's harness for hikari (`support.library_harness.LibraryHarness`):
    ``spamguard.adapters.hikari.attach(bot)`` before the bot starts."""

    name = "hikari"
    # hikari retries nothing here: every failure is raised at once.
    failure_deadline = 10.0
    parses_partial_updates = True

    # max_retries=0 (hikari_bot's default) raises a 5xx at once; a 429 asking to wait
    # longer than max_rate_limit (300 s) raises RateLimitTooLongError at once.
    _FAILURES: typing.ClassVar[Mapping[int, FailureKind]] = {
        403: FailureKind.FORBIDDEN,
        404: FailureKind.NOT_FOUND,
        429: FailureKind.RATE_LIMITED,
        500: FailureKind.SERVER_ERROR,
        503: FailureKind.SERVER_ERROR,
    }

    def protected(
        self,
        world: payloads.GuildWorld,
        *,
        api: DiscordAPI | None,
        shards: tuple[Sequence[int], int] | None = None,
        **options: typing.Any,
    ) -> contextlib.AbstractAsyncContextManager[tuple[HikariHarness, Protection]]:
        """A started bot protected by ``spamguard.adapters.hikari.attach(bot, **options)``."""
        import spamguard.adapters.hikari as sg_hikari

        return protect_before_start(
            lambda hook: hikari_bot(world, api=api, before_start=hook, shards=shards),
            lambda bot: sg_hikari.attach(bot, **options),
        )

    def failure_kind(self, status: int) -> FailureKind:
        """How an action whose every attempt gets ``status`` ends."""
        return self._FAILURES[status]

    def on_message(
        self, bot: typing.Any, listener: Callable[[typing.Any], Awaitable[None]]
    ) -> None:
        """Subscribe ``listener`` to ``GuildMessageCreateEvent``'s message."""

        async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
            await listener(event.message)

        bot.subscribe(hikari.GuildMessageCreateEvent, on_message)

    def bot(
        self, world: payloads.GuildWorld, *, api: DiscordAPI | None = None
    ) -> contextlib.AbstractAsyncContextManager[HikariHarness]:
        """A started bot without spamguard."""
        return hikari_bot(world, api=api)
