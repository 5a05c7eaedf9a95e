"""Fixtures of the hikari-specific tests: a real offline ``GatewayBot`` guarded by spamguard.

Everything is real: hikari's bot, cache, event manager and REST client, fed real gateway
payloads and talking HTTP to the local Discord stand-in (``tests/support``). Only the
runtime's wall clock is a test double. The behaviour every adapter shares is tested once,
in ``tests/adapter_contract``; these fixtures serve what only hikari has (its cache
settings, its attach, its AutoMod models).
"""

from __future__ import annotations

import contextlib
import datetime
import typing

import pytest
from support import payloads
from support.hikari_harness import HikariLibrary, hikari_bot
from support.library_harness import FakeClock, Guarded, Recorder, make_policy

import spamguard.adapters.hikari as sg_hikari

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    import hikari

    from spamguard.core import Policy


@pytest.fixture
def world() -> payloads.GuildWorld:
    """The standard moderation guild."""
    return payloads.build_world()


@pytest.fixture
def clock() -> FakeClock:
    """A fake wall clock starting now (messages are stamped from it)."""
    return FakeClock(datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0))


GuardedFactory = typing.Callable[..., contextlib.AbstractAsyncContextManager[Guarded]]


@pytest.fixture
def guarded(world: payloads.GuildWorld, clock: FakeClock) -> GuardedFactory:
    """``async with guarded(policy, cache_settings=...) as g``: a started bot protected by
    ``policy``, attached before the bot starts; start-up requests are cleared."""

    @contextlib.asynccontextmanager
    async def factory(
        policy: Policy, *, cache_settings: hikari.impl.CacheSettings | None = None
    ) -> AsyncIterator[Guarded]:
        recorder = Recorder()
        holder: list[sg_hikari.HikariProtection] = []

        def before_start(bot: hikari.GatewayBot) -> None:
            holder.append(
                sg_hikari.attach(
                    bot,
                    policy=policy,
                    plugins=[recorder],
                    load_entrypoints=False,
                    clock=clock,
                    # The tests run due actions themselves; the loop only idles.
                    poll_interval=3600.0,
                )
            )

        async with hikari_bot(
            world, cache_settings=cache_settings, before_start=before_start
        ) as harness:
            (protection,) = holder
            harness.api.clear()
            try:
                yield Guarded(
                    library=HikariLibrary(),
                    harness=harness,
                    protection=protection,
                    clock=clock,
                    recorder=recorder,
                )
            finally:
                await protection.detach()

    return factory


@pytest.fixture
def policy_factory() -> Callable[..., Policy]:
    """`support.library_harness.make_policy`."""
    return make_policy
