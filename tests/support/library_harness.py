"""The library-neutral harness the adapter contract suite (``tests/adapter_contract``) is
written against, and what each Discord library's harness must provide.

A library harness (`LibraryHarness`) builds a real, offline bot of its library wired to
the REST stand-in (`BotHarness`: feed gateway payloads, wait for the listeners) and
protects it with spamguard the way that library's users do (``attach`` before start, a
lightbulb extension, a Cog). Everything else is shared and written once here:
`guarded` starts a protected bot with a `FakeClock` and a `Recorder`, and `Guarded`
is the handle a contract test drives (send messages, advance time, run due actions,
read the stand-in's request log).

Adding a library: one class with the members of `LibraryHarness`, registered in
``tests/adapter_contract/conftest.py`` under the ``SPAMGUARD_TEST_LIBRARY`` value its
tox env sets.
"""

from __future__ import annotations

__all__ = (
    "HARNESSES",
    "STARTUP_ROUTES",
    "BotHarness",
    "FakeClock",
    "Guarded",
    "LibraryHarness",
    "Recorder",
    "guarded",
    "load_library",
    "make_policy",
    "protect_before_start",
)

import contextlib
import dataclasses
import datetime
import importlib
import typing

from spamguard.core import Policy, hookimpl

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence

    from spamguard.adapters.runtime import Protection
    from spamguard.adapters.stores.base import Store
    from spamguard.core import ActionOutcome, AutomodExecution, FailureKind
    from spamguard.core.context import JoinContext
    from spamguard.core.events import MemberJoin
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import GuildPolicy

    from .discord_api import DiscordAPI, RecordedRequest
    from .payloads import GuildWorld, Member

JSON = dict[str, typing.Any]
H = typing.TypeVar("H")


class BotHarness(typing.Protocol):
    """A started, offline bot of one library, the stand-in it talks to and its world."""

    @property
    def api(self) -> DiscordAPI:
        """The REST stand-in the bot talks to."""
        ...

    @property
    def world(self) -> GuildWorld:
        """The guild the bot got through GUILD_CREATE."""
        ...

    @property
    def bot(self) -> typing.Any:
        """The library's bot object."""
        ...

    def consume(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """Feed one gateway DISPATCH; the library starts its listeners as tasks."""
        ...

    async def settle(self, *, timeout: float = 5.0) -> None:
        """Wait until every running listener finished (TimeoutError after ``timeout``
        seconds); re-raise a listener's exception."""
        ...

    async def dispatch(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """`consume` then `settle`."""
        ...

    async def send_message(self, **kwargs: typing.Any) -> JSON:
        """Dispatch MESSAGE_CREATE built by ``world.message(**kwargs)``; return it."""
        ...

    async def edit_message(
        self, created: Mapping[str, typing.Any], *, content: str, **kwargs: typing.Any
    ) -> JSON:
        """Dispatch MESSAGE_UPDATE editing ``created``; return it."""
        ...

    async def automod_execution(self, **kwargs: typing.Any) -> JSON:
        """Dispatch AUTO_MODERATION_ACTION_EXECUTION built by ``world.automod_execution``."""
        ...

    async def lose_shard(self, shard_id: int) -> None:
        """Make the library report shard ``shard_id`` disconnected, as it does when the
        shard's websocket closes; wait for the listeners."""
        ...


class LibraryHarness(typing.Protocol):
    """What a Discord library must provide to run the adapter contract suite."""

    name: str
    """The library as ``SPAMGUARD_TEST_LIBRARY`` names it (``"hikari"``, ``"nextcord"``...)."""

    def protected(
        self,
        world: GuildWorld,
        *,
        api: DiscordAPI | None,
        shards: tuple[Sequence[int], int] | None = None,
        **options: typing.Any,
    ) -> contextlib.AbstractAsyncContextManager[tuple[BotHarness, Protection]]:
        """A started bot of ``world``, protected as this library's users protect theirs.

        ``shards`` ``(shard ids, shard count)``: the bot runs those shards of that many
        (default: not sharded); the world's guild is on one of them.

        Protection is set up before the bot starts (so the runtime starts, and AutoMod
        rules sync, with the bot). ``options`` are ``attach``'s (``policy``, omitted for
        the policy file of ``$SPAMGUARD_POLICY``; ``store``, ``plugins``,
        ``action_timeout``, ``load_entrypoints``, ``clock``, ``poll_interval``). ``api``
        defaults to a fresh stand-in for ``world``. On exit the protection is detached
        and the bot closed.
        """
        ...

    parses_partial_updates: bool
    """Whether the library parses a MESSAGE_UPDATE that carries only some fields (ids and
    embeds: what Discord sent for an embed unfurl before it sent the whole message);
    discord.py 2.5 and newer build a whole ``Message`` from every update and raise on one.
    """

    failure_deadline: float
    """The action deadline (seconds) of the tests that script a status on every attempt:
    short enough that a library retrying or sleeping ends in a timeout after one request,
    as long as a busy machine may need for the actions that succeed."""

    def failure_kind(self, status: int) -> FailureKind:
        """How an action whose every attempt gets ``status`` (a 429 asking to wait 600 s)
        is classified within `failure_deadline`: libraries differ in what they retry and
        sleep off."""
        ...

    def on_message(
        self, bot: typing.Any, listener: Callable[[typing.Any], Awaitable[None]]
    ) -> None:
        """Subscribe ``listener`` to guild messages, called with the library's message
        object (what a bot hands ``AntiSpamHandler.propagate``)."""
        ...

    def bot(
        self, world: GuildWorld, *, api: DiscordAPI | None = None
    ) -> contextlib.AbstractAsyncContextManager[BotHarness]:
        """A started bot of ``world`` without spamguard."""
        ...


HARNESSES: typing.Final[Mapping[str, tuple[str, str, tuple[str, ...]]]] = {
    "hikari": ("support.hikari_harness", "HikariLibrary", ()),
    "lightbulb": ("support.lightbulb_harness", "LightbulbLibrary", ()),
    "discordpy": ("support.dpy_harness", "DpyLibrary", ("discord",)),
    "nextcord": ("support.dpy_harness", "DpyLibrary", ("nextcord",)),
    "disnake": ("support.dpy_harness", "DpyLibrary", ("disnake",)),
}
"""Library name (``SPAMGUARD_TEST_LIBRARY``'s values) -> (harness module, class,
constructor arguments)."""


def load_library(name: str) -> LibraryHarness:
    """The `LibraryHarness` of ``name`` (a key of `HARNESSES`); imports that library."""
    module_name, class_name, args = HARNESSES[name]
    harness_class = getattr(importlib.import_module(module_name), class_name)
    return typing.cast("LibraryHarness", harness_class(*args))


STARTUP_ROUTES: typing.Final = frozenset(
    {
        "/users/@me",
        "/oauth2/applications/@me",
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    }
)
"""Routes the libraries call on their own while logging in and getting ready."""


class FakeClock:
    """The runtime's wall clock, moved by the test; messages are stamped from it."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> datetime.datetime:
        """Move on ``seconds``; return the new time."""
        self.now += datetime.timedelta(seconds=seconds)
        return self.now


class Recorder:
    """A spamguard plugin keeping every outcome, AutoMod execution, checked message and
    member join the guard decided."""

    def __init__(self) -> None:
        self.outcomes: list[ActionOutcome] = []
        self.automod: list[AutomodExecution] = []
        self.messages: list[MessageLike] = []
        self.joins: list[MemberJoin] = []

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        self.outcomes.append(outcome)

    @hookimpl
    def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
        self.automod.append(execution)

    @hookimpl
    def spamguard_check_member_join(self, join: MemberJoin, context: JoinContext) -> None:
        self.joins.append(join)

    @hookimpl
    def spamguard_pre_invoke(
        self, message: MessageLike, policy: GuildPolicy, now: datetime.datetime
    ) -> None:
        self.messages.append(message)

    def failed(self) -> list[ActionOutcome]:
        """The outcomes that failed."""
        return [o for o in self.outcomes if not o.ok]

    def by_kind(self, kind: str) -> list[ActionOutcome]:
        """The outcomes of actions of ``kind`` (``"kick"``, ``"delete"``...)."""
        return [o for o in self.outcomes if o.action.kind == kind]

    def outcome(self, kind: str) -> ActionOutcome:
        """The one outcome of ``kind``."""
        (outcome,) = self.by_kind(kind)
        return outcome


def make_policy(
    punishment: str = "NONE",
    *,
    duration: int = 60,
    clean: bool = False,
    dms: bool = False,
    checks: Mapping[str, typing.Any] | None = None,
    **top: typing.Any,
) -> Policy:
    """A one-level policy: ``checks`` (default: 3 messages in 10 s) with ``punishment``;
    ``top`` are the policy's top-level sections."""
    level: dict[str, typing.Any] = {
        "punishment": punishment,
        "punishment_duration": duration,
        "punishment_dms": dms,
        "clean": clean,
        **(checks or {"max_messages": {"count": 3, "interval": 10}}),
    }
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


@dataclasses.dataclass(slots=True, kw_only=True)
class Guarded:
    """A started offline bot with spamguard attached: what a contract test drives."""

    library: LibraryHarness
    """The library under test."""
    harness: BotHarness
    """The bot, the stand-in and the world."""
    protection: Protection
    """What attaching returned."""
    clock: FakeClock
    """The runtime's clock; `send` stamps messages from it."""
    recorder: Recorder
    """Outcomes, AutoMod executions and checked messages."""

    @property
    def api(self) -> DiscordAPI:
        """The REST stand-in (its log holds the requests made since the bot started)."""
        return self.harness.api

    @property
    def world(self) -> GuildWorld:
        """The guild."""
        return self.harness.world

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request since the bot started, oldest first, but those the library makes
        on its own while starting (some sync application commands in the background)."""
        return tuple(r for r in self.api.requests if r.route not in STARTUP_ROUTES)

    def calls(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request since the bot started, in order."""
        return [(r.method, r.path) for r in self.requests]

    def routes(self) -> list[tuple[str, str | None, int]]:
        """``(method, route template, status)`` of every request, in order."""
        return [(r.method, r.route, r.status) for r in self.requests]

    async def send(self, **kwargs: typing.Any) -> JSON:
        """Dispatch a MESSAGE_CREATE (default: alice in general) sent now: the clock moves
        a millisecond per message and stamps it."""
        kwargs.setdefault("created_at", self.clock.advance(0.001))
        return await self.harness.send_message(**kwargs)

    async def spam(self, count: int = 3, **kwargs: typing.Any) -> list[JSON]:
        """`send` ``count`` messages one after the other."""
        return [await self.send(content=f"spam {i}", **kwargs) for i in range(count)]

    async def edit(
        self, created: Mapping[str, typing.Any], *, content: str, **kwargs: typing.Any
    ) -> JSON:
        """Dispatch a MESSAGE_UPDATE editing ``created``."""
        return await self.harness.edit_message(created, content=content, **kwargs)

    async def dispatch(self, event_name: str, payload: Mapping[str, typing.Any]) -> None:
        """Feed one gateway DISPATCH and wait for the listeners."""
        await self.harness.dispatch(event_name, payload)

    async def automod_execution(self, **kwargs: typing.Any) -> JSON:
        """Dispatch an AUTO_MODERATION_ACTION_EXECUTION (default: alice, "nitro")."""
        return await self.harness.automod_execution(**kwargs)

    async def join(self, member: Member | str, **kwargs: typing.Any) -> Member:
        """Dispatch GUILD_MEMBER_ADD of ``member``, or of a newcomer of that username
        joining now (the clock moves a millisecond; ``kwargs`` go to
        `payloads.newcomer`: ``account_age``, ``avatar``...); the stand-in knows the
        member from then on. Returns the member."""
        if isinstance(member, str):
            kwargs.setdefault("joined_at", self.clock.advance(0.001))
            member = self.world.newcomer(member, **kwargs)
        self.api.add_member(self.world.guild_id, member)
        await self.dispatch("GUILD_MEMBER_ADD", self.world.member_add(member))
        return member

    async def leave(self, member: Member) -> None:
        """Dispatch GUILD_MEMBER_REMOVE of ``member`` (the stand-in forgets the member)."""
        self.api.remove_member(self.world.guild_id, member.id)
        await self.dispatch("GUILD_MEMBER_REMOVE", self.world.member_remove(member))

    async def lose_shard(self, shard_id: int) -> None:
        """The library reports shard ``shard_id`` disconnected; wait for the listeners."""
        await self.harness.lose_shard(shard_id)

    async def run_due(self) -> int:
        """Run the scheduled actions due at the clock's time; how many ran."""
        return await self.protection.runtime.run_due()


@contextlib.asynccontextmanager
async def guarded(
    library: LibraryHarness,
    world: GuildWorld,
    policy: Policy | None,
    *,
    api: DiscordAPI | None = None,
    clock: FakeClock | None = None,
    store: Store | None = None,
    action_timeout: float | None = 10.0,
    poll_interval: float = 3600.0,
    delete_window: float = 0.05,
    plugins: Iterable[object] = (),
    shards: tuple[Sequence[int], int] | None = None,
) -> AsyncIterator[Guarded]:
    """A started bot of ``library`` protected by ``policy`` (None: ``$SPAMGUARD_POLICY``'s).

    The scheduler's loop idles (``poll_interval``): tests run due actions themselves
    (`Guarded.run_due`) at the clock's times, unless they pass a short interval.
    Deletions gather for ``delete_window`` (shorter than the default, to keep the suite
    quick; the raid tests use the default). ``plugins`` join the `Recorder`. ``shards``
    ``(shard ids, shard count)``: the shards the bot runs (default: not sharded). The requests
    the bot made while starting are cleared before the test body.
    """
    clock = clock or FakeClock(datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0))
    recorder = Recorder()
    options: dict[str, typing.Any] = {
        "store": store,
        "plugins": [recorder, *plugins],
        "action_timeout": action_timeout,
        "load_entrypoints": False,
        "clock": clock,
        "poll_interval": poll_interval,
        "delete_window": delete_window,
    }
    if policy is not None:
        options["policy"] = policy
    async with library.protected(world, api=api, shards=shards, **options) as (
        harness,
        protection,
    ):
        harness.api.clear()
        yield Guarded(
            library=library,
            harness=harness,
            protection=protection,
            clock=clock,
            recorder=recorder,
        )
        await harness.settle()


@contextlib.asynccontextmanager
async def protect_before_start(
    start: Callable[[Callable[[typing.Any], None]], contextlib.AbstractAsyncContextManager[H]],
    attach: Callable[[typing.Any], Protection],
) -> AsyncIterator[tuple[H, Protection]]:
    """What most `LibraryHarness.protected` do: ``start(hook)`` starts a bot and calls
    ``hook(bot)`` before it starts; the hook protects the bot with ``attach``. The
    protection is detached on exit."""
    holder: list[Protection] = []
    async with start(lambda bot: holder.append(attach(bot))) as harness:
        (protection,) = holder
        try:
            yield harness, protection
        finally:
            await protection.detach()
