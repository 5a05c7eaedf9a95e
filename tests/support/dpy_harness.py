"""A real, offline ``commands.Bot`` of discord.py, nextcord or disnake wired to the REST
stand-in.

nextcord and disnake descend from discord.py and share its plumbing, so one module serves
the three, parametrised by the library's import name (``discord`` for discord.py):

* REST: every request URL is built as ``http.Route.BASE + path`` when a ``Route`` is
  created, so pointing the class attribute ``Route.BASE`` at the stand-in redirects the
  library's real aiohttp client (restored on exit). ``await bot.login(token)`` then
  fetches ``GET /users/@me`` (discord.py and disnake also fetch
  ``GET /oauth2/applications/@me``).
* Gateway: the websocket hands each DISPATCH to ``bot._connection.parsers[EVENT](data)``;
  the harness calls the same parsers with real payloads, so ``ConnectionState`` fills its
  cache and dispatches ``on_message`` and Cog listeners as in production. READY and
  GUILD_CREATE are fed in order; with a short ``guild_ready_timeout`` the library's own
  ``_delay_ready`` fires ``on_ready`` and ``bot.wait_until_ready()`` returns.
  GUILD_CREATE carries ``member_count == len(members)``, so the guild counts as chunked
  and no member request is sent to the absent websocket.

* discord.py's ``load_extension``, ``add_cog`` and ``unload_extension`` are coroutines
  (nextcord's and disnake's are not): `dpy_bot` awaits what ``before_login`` returns, and
  `finish` awaits a library call's result when it is awaitable.

Private names relied on: ``bot._connection`` and its ``parsers`` dict (every library),
task names ``"<library>: on_<event>"`` given by ``Client._schedule_event`` (``discord.py:``
for discord.py; used by `DpyHarness.settle` to find running listeners), and
``Client.on_error`` being looked up on the instance (the harness sets it to collect
listener exceptions).
"""

from __future__ import annotations

__all__ = (
    "ADAPTERS",
    "LIBRARIES",
    "TEST_LIBRARIES",
    "DpyHarness",
    "DpyLibrary",
    "default_intents",
    "dpy_bot",
    "drain_library_tasks",
    "finish",
    "settle_listeners",
)

import asyncio
import contextlib
import dataclasses
import importlib
import inspect
import sys
import typing
from collections.abc import Mapping

from spamguard.core import FailureKind

from . import payloads
from .discord_api import DiscordAPI
from .library_harness import protect_before_start

if typing.TYPE_CHECKING:
    import types
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from spamguard.adapters.runtime import Protection

LIBRARIES: typing.Final = ("discord", "nextcord", "disnake")
"""Import names of the supported libraries of the discord.py family."""

Library = typing.Literal["discord", "nextcord", "disnake"]

TEST_LIBRARIES: typing.Final[Mapping[str, Library]] = {
    "discordpy": "discord",
    "nextcord": "nextcord",
    "disnake": "disnake",
}
"""``SPAMGUARD_TEST_LIBRARY`` value (the tox env's) -> the library's import name."""

ADAPTERS: typing.Final[Mapping[Library, str]] = {
    "discord": "discordpy",
    "nextcord": "nextcord",
    "disnake": "disnake",
}
"""Import name -> spamguard's adapter module under ``spamguard.adapters`` (and extra)."""

# Whether the library parses a MESSAGE_UPDATE of some fields only (discord.py 2.5+ builds a
# whole Message from each update: KeyError on a partial one, inside its own parser).
_PARSES_PARTIAL_UPDATES: typing.Final[Mapping[Library, bool]] = {
    "discord": False,
    "nextcord": True,
    "disnake": True,
}

# How Client._schedule_event names a listener's task: "<prefix>: on_<event>".
_TASK_PREFIXES: typing.Final[Mapping[Library, str]] = {
    "discord": "discord.py",
    "nextcord": "nextcord",
    "disnake": "disnake",
}


async def finish(result: object) -> None:
    """Await ``result`` of a library call if it is awaitable (discord.py's ``add_cog``,
    ``remove_cog``, ``load_extension``, ``unload_extension``); nothing otherwise."""
    if inspect.isawaitable(result):
        await result


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DpyHarness:
    """A logged-in, ready offline bot, the stand-in and the world it knows."""

    library: Library
    """``"discord"`` (discord.py), ``"nextcord"`` or ``"disnake"``."""
    module: types.ModuleType
    """The library module (``discord``, ``nextcord`` or ``disnake``), for its exception
    classes."""
    bot: typing.Any
    """The real ``commands.Bot`` (typed Any: the class depends on ``library``)."""
    api: DiscordAPI
    """The REST stand-in."""
    world: payloads.GuildWorld
    """The guild fed through GUILD_CREATE."""
    listener_errors: list[BaseException]
    """Exceptions raised by event listeners (collected through ``on_error``)."""

    @property
    def parsers(self) -> Mapping[str, Callable[[typing.Any], None]]:
        """``ConnectionState.parsers``: gateway event name to parser."""
        return self.bot._connection.parsers  # type: ignore[no-any-return]

    def consume(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """Feed one gateway DISPATCH (e.g. ``"MESSAGE_CREATE"``); listeners start as tasks."""
        self.parsers[event_name](dict(payload))

    async def settle(self, *, timeout: float = 5.0) -> None:
        """Wait until every running event listener (and any it dispatched) finished.

        Re-raises the first listener exception, so a failing listener fails the test
        rather than printing a traceback that nobody reads.
        """
        await settle_listeners(self.library, timeout=timeout)
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
        """Dispatch AUTO_MODERATION_ACTION_EXECUTION built by ``world.automod_execution``.

        discord.py dispatches it as ``on_automod_action``, nextcord as
        ``on_auto_moderation_action_execution``, disnake as ``on_automod_action_execution``.
        """
        payload = self.world.automod_execution(**kwargs)
        await self.dispatch("AUTO_MODERATION_ACTION_EXECUTION", payload)
        return payload

    async def lose_shard(self, shard_id: int) -> None:
        """Shard ``shard_id`` disconnects: what the library does when the websocket closes
        (an ``AutoShardedClient``'s shard dispatches ``disconnect`` and
        ``shard_disconnect``; a plain ``Client`` only ``disconnect``)."""
        self.bot.dispatch("disconnect")
        if isinstance(self.bot, self.module.AutoShardedClient):
            self.bot.dispatch("shard_disconnect", shard_id)
        await self.settle()


async def settle_listeners(library: Library, *, timeout: float = 5.0) -> None:
    """Wait until every running event listener task of ``library`` (and any it
    dispatched) finished."""
    prefix = f"{_TASK_PREFIXES[library]}: on_"
    current = asyncio.current_task()
    async with asyncio.timeout(timeout):
        while True:
            await asyncio.sleep(0)
            pending = {
                t
                for t in asyncio.all_tasks()
                if t is not current and t.get_name().startswith(prefix) and not t.done()
            }
            if not pending:
                break
            await asyncio.wait(pending)


def default_intents(module: types.ModuleType) -> typing.Any:
    """``Intents.default()`` plus the privileged members and message content intents."""
    intents = module.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


@contextlib.asynccontextmanager
async def dpy_bot(
    library: Library,
    world: payloads.GuildWorld | None = None,
    *,
    api: DiscordAPI | None = None,
    intents: typing.Any = None,
    guild_ready_timeout: float = 0.01,
    before_login: Callable[[typing.Any], typing.Any] | None = None,
    ready_timeout: float = 5.0,
    **bot_options: typing.Any,
) -> AsyncIterator[DpyHarness]:
    """Build a logged-in, ready, offline ``commands.Bot`` whose cache holds ``world``.

    ``api`` defaults to a fresh ``DiscordAPI.for_world(world)``. ``before_login`` runs on
    the bot before login (add Cogs, ``bot.load_extension(...)``: synchronous in
    nextcord 2.6/3.x and disnake 2.12, a coroutine in discord.py, which is awaited).
    ``bot_options`` go to ``commands.Bot`` (default ``command_prefix="!"``).

    ``Route.BASE`` is a class attribute, so run one such bot per process at a time.
    On exit the bot is closed and the library's leftover tasks are cancelled.
    """
    module = importlib.import_module(library)
    commands = importlib.import_module(f"{library}.ext.commands")
    http = importlib.import_module(f"{library}.http")
    world = world or payloads.build_world()
    async with contextlib.AsyncExitStack() as stack:
        if api is None:
            api = await stack.enter_async_context(DiscordAPI.for_world(world))
        old_base = http.Route.BASE
        http.Route.BASE = api.url
        stack.callback(setattr, http.Route, "BASE", old_base)

        bot_options.setdefault("command_prefix", "!")
        bot = commands.Bot(
            intents=intents if intents is not None else default_intents(module),
            guild_ready_timeout=guild_ready_timeout,
            **bot_options,
        )
        errors: list[BaseException] = []

        async def on_error(event_method: str, /, *args: typing.Any, **kwargs: typing.Any) -> None:
            # Called from inside the listener's except block, so the exception is current.
            error = sys.exc_info()[1]
            if error is not None:
                errors.append(error)

        bot.on_error = on_error
        if before_login is not None:
            await finish(before_login(bot))
        harness = DpyHarness(
            library=library, module=module, bot=bot, api=api, world=world, listener_errors=errors
        )
        try:
            await bot.login(api.token)
            harness.consume("READY", world.ready())
            harness.consume("GUILD_CREATE", world.guild_create())
            await asyncio.wait_for(bot.wait_until_ready(), timeout=ready_timeout)
            # disnake fetches application commands in a task of its own once connected;
            # its requests belong to start-up, not to the test's first request log.
            preparing = {
                t
                for t in asyncio.all_tasks()
                if t.get_name() == f"{library}: app_command_preparation" and not t.done()
            }
            if preparing:
                await asyncio.wait(preparing, timeout=ready_timeout)
            await harness.settle()
            yield harness
            await harness.settle()
        finally:
            await bot.close()
            await drain_library_tasks(library)


async def drain_library_tasks(library: str) -> None:
    """Cancel the library's leftover background tasks after ``bot.close()``.

    nextcord 3 starts a ``RateLimit.reset_remaining`` sleeper after every response and
    ``close()`` does not stop them; cancelling them here keeps one test's tasks out of
    the next one and avoids "Task was destroyed but it is pending" at loop close.
    """
    current = asyncio.current_task()
    leftovers = []
    for task in asyncio.all_tasks():
        frame = getattr(task.get_coro(), "cr_frame", None)
        owner = frame.f_globals.get("__name__", "") if frame is not None else ""
        if task is not current and not task.done() and owner.split(".")[0] == library:
            leftovers.append(task)
    for task in leftovers:
        task.cancel()
    if leftovers:
        await asyncio.gather(*leftovers, return_exceptions=True)


class DpyLibrary:
    """The contract suite's harness for discord.py, nextcord or disnake
    (`support.library_harness.LibraryHarness`): the library's adapter attached before
    login, as its ``load_extension`` entry point does."""

    # The libraries sleep on any retry_after, and retry a 500 after a second or more:
    # within the action deadline each ends as a timeout. A 503 is raised at once.
    _FAILURES: typing.ClassVar[Mapping[int, FailureKind]] = {
        403: FailureKind.FORBIDDEN,
        404: FailureKind.NOT_FOUND,
        429: FailureKind.TIMEOUT,
        500: FailureKind.TIMEOUT,
        503: FailureKind.SERVER_ERROR,
    }

    # Below the libraries' first 500 retry (after a second): one request, then a timeout.
    failure_deadline = 0.9

    def __init__(self, name: Library) -> None:
        """The harness of ``name`` (``"discord"``, ``"nextcord"`` or ``"disnake"``)."""
        self.name: Library = name
        self.adapter = ADAPTERS[name]
        """spamguard's adapter module under ``spamguard.adapters``."""
        self.parses_partial_updates = _PARSES_PARTIAL_UPDATES[name]

    def protected(
        self,
        world: payloads.GuildWorld,
        *,
        api: DiscordAPI | None,
        shards: tuple[Sequence[int], int] | None = None,
        **options: typing.Any,
    ) -> contextlib.AbstractAsyncContextManager[tuple[DpyHarness, Protection]]:
        """A ready bot protected by ``spamguard.adapters.<adapter>.attach(bot, **options)``.

        ``shards`` ``(shard ids, shard count)``: a plain ``commands.Bot`` started with
        ``shard_id`` and ``shard_count`` (one shard per process, as a cluster launcher
        runs them; the one id must be the world's guild's shard)."""
        adapter = importlib.import_module(f"spamguard.adapters.{self.adapter}")
        sharding: dict[str, int] = {}
        if shards is not None:
            (shard_id,), shard_count = shards
            sharding = {"shard_id": shard_id, "shard_count": shard_count}
        return protect_before_start(
            lambda hook: dpy_bot(self.name, world, api=api, before_login=hook, **sharding),
            lambda bot: adapter.attach(bot, **options),  # type: ignore[no-any-return]
        )

    def failure_kind(self, status: int) -> FailureKind:
        """How an action whose every attempt gets ``status`` ends within `failure_deadline`."""
        return self._FAILURES[status]

    def on_message(
        self, bot: typing.Any, listener: Callable[[typing.Any], Awaitable[None]]
    ) -> None:
        """``bot.add_listener(listener, "on_message")``."""
        bot.add_listener(listener, "on_message")

    def bot(
        self, world: payloads.GuildWorld, *, api: DiscordAPI | None = None
    ) -> contextlib.AbstractAsyncContextManager[DpyHarness]:
        """A ready bot without spamguard."""
        return dpy_bot(self.name, world, api=api)
