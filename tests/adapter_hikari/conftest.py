"""Fixtures of the hikari adapter tests: a real offline ``GatewayBot`` guarded by spamguard.

Everything is real: hikari's bot, cache, event manager and REST client, fed real gateway
payloads and talking HTTP to the local Discord stand-in (``tests/support``). Only the
runtime's wall clock is a test double, so scheduled actions come due without waiting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import typing

import pytest
from support import payloads
from support.hikari_harness import hikari_bot

import spamguard.adapters.hikari as sg_hikari
from spamguard.core import Policy, hookimpl

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    import hikari
    from support.discord_api import DiscordAPI
    from support.hikari_harness import HikariHarness

    from spamguard.adapters.stores.base import Store
    from spamguard.core import ActionOutcome, AutomodExecution

UTC = datetime.UTC


class FakeClock:
    """The runtime's wall clock, moved by the test."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> datetime.datetime:
        self.now += datetime.timedelta(seconds=seconds)
        return self.now


class Recorder:
    """A spamguard plugin that records every outcome and AutoMod execution it hears of."""

    def __init__(self) -> None:
        self.outcomes: list[ActionOutcome] = []
        self.automod: list[AutomodExecution] = []

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        self.outcomes.append(outcome)

    @hookimpl
    def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
        self.automod.append(execution)

    def failed(self) -> list[ActionOutcome]:
        return [o for o in self.outcomes if not o.ok]


@dataclasses.dataclass(slots=True, kw_only=True)
class Guarded:
    """A started offline bot with spamguard attached."""

    harness: HikariHarness
    protection: sg_hikari.HikariProtection
    clock: FakeClock
    recorder: Recorder

    @property
    def api(self) -> DiscordAPI:
        return self.harness.api

    @property
    def world(self) -> payloads.GuildWorld:
        return self.harness.world

    @property
    def bot(self) -> hikari.GatewayBot:
        return self.harness.bot

    def calls(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request so far, in order."""
        return [(r.method, r.path) for r in self.api.requests]

    async def send(self, **kwargs: typing.Any) -> dict[str, typing.Any]:
        """Dispatch a MESSAGE_CREATE sent now: the fake clock moves a millisecond per
        message, so a message is stamped with the clock's time."""
        kwargs.setdefault("created_at", self.clock.advance(0.001))
        return await self.harness.send_message(**kwargs)

    async def run_due(self) -> int:
        """Run the scheduled actions due at the fake clock's time."""
        return await self.protection.runtime.run_due()


def make_policy(
    *,
    punishment: str = "NONE",
    duration: int = 60,
    clean: bool = False,
    dms: bool = False,
    checks: dict[str, typing.Any] | None = None,
    **top: typing.Any,
) -> Policy:
    """A one-level policy: ``checks`` (default: 3 messages in 10 s) with ``punishment``."""
    level: dict[str, typing.Any] = {
        "punishment": punishment,
        "punishment_duration": duration,
        "punishment_dms": dms,
        "clean": clean,
        **(checks or {"max_messages": {"count": 3, "interval": 10}}),
    }
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


@pytest.fixture
def world() -> payloads.GuildWorld:
    """The standard moderation guild."""
    return payloads.build_world()


@pytest.fixture
def clock() -> FakeClock:
    """A fake wall clock starting now (messages are stamped from it)."""
    return FakeClock(datetime.datetime.now(tz=UTC).replace(microsecond=0))


GuardedFactory = typing.Callable[..., contextlib.AbstractAsyncContextManager[Guarded]]


@pytest.fixture
def guarded(world: payloads.GuildWorld, clock: FakeClock) -> GuardedFactory:
    """``async with guarded(policy, ...) as g``: a started bot protected by ``policy``.

    spamguard is attached before the bot starts (as a user's bot does), so the runtime
    starts with ``StartedEvent``. Start-up requests are cleared before the test body.
    """

    @contextlib.asynccontextmanager
    async def factory(
        policy: Policy,
        *,
        store: Store | None = None,
        action_timeout: float = 10.0,
        max_rate_limit: float = 300.0,
        the_world: payloads.GuildWorld | None = None,
        poll_interval: float = 3600.0,
        cache_settings: hikari.impl.CacheSettings | None = None,
    ) -> AsyncIterator[Guarded]:
        recorder = Recorder()
        holder: list[sg_hikari.HikariProtection] = []

        def before_start(bot: hikari.GatewayBot) -> None:
            holder.append(
                sg_hikari.attach(
                    bot,
                    policy=policy,
                    store=store,
                    plugins=[recorder],
                    action_timeout=action_timeout,
                    load_entrypoints=False,
                    clock=clock,
                    # The tests run the scheduler's work themselves (run_due) at the
                    # fake clock's times; the background loop only idles.
                    poll_interval=poll_interval,
                )
            )

        async with hikari_bot(
            the_world or world,
            max_rate_limit=max_rate_limit,
            cache_settings=cache_settings,
            before_start=before_start,
        ) as harness:
            (protection,) = holder
            harness.api.clear()
            try:
                yield Guarded(
                    harness=harness, protection=protection, clock=clock, recorder=recorder
                )
            finally:
                await protection.detach()

    return factory


@pytest.fixture
def policy_factory() -> Callable[..., Policy]:
    """:func:`make_policy`."""
    return make_policy
