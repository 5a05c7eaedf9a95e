"""Member joins and leaves through the runtime and the stores."""

from __future__ import annotations

import datetime
import logging
import typing

import pytest

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import (
    Guard,
    JoinContext,
    MemberJoin,
    MemberLeave,
    Policy,
    SetIncidentActions,
    SkipReason,
    hookimpl,
)
from spamguard.core.actions import incident_actions_for
from spamguard.core.windows import Entry

if typing.TYPE_CHECKING:
    import pathlib

    from spamguard.core import Action

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class Executor:
    """Carries actions out by writing them down (the runtime's side of a library)."""

    def __init__(self) -> None:
        self.done: list[Action] = []

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: typing.Any) -> int | None:
        self.done.append(action)
        return None

    def classify(self, error: BaseException) -> typing.Any:
        raise AssertionError(error)


class Lockdown:
    """Pauses invites for an hour from the third join within 10 seconds."""

    name = "lockdown"

    @hookimpl
    def spamguard_check_member_join(
        self, join: MemberJoin, context: JoinContext
    ) -> list[SetIncidentActions]:
        window = context.window("joins", interval=10)
        window.add(Entry(context.now.timestamp(), join.user_id, 0, join.user_id))
        if len(window) == 3:
            return [
                incident_actions_for(guild_id=join.guild_id, now=context.now, invites_seconds=3600)
            ]
        return []


def joined(user_id: int, seconds: float) -> MemberJoin:
    return MemberJoin(guild_id=GUILD, user_id=user_id, joined_at=at(seconds))


async def test_joins_through_the_runtime_are_decided_and_carried_out_once(
    tmp_path: pathlib.Path,
) -> None:
    executor = Executor()
    store = MemoryStore(tmp_path / "state.json", save_interval=None)
    runtime = Runtime(
        Guard(Policy.default(), plugins=[Lockdown()]), executor, store=store, poll_interval=3600
    )
    await runtime.start()
    try:
        for user_id in (1, 2, 3, 3):  # the third join delivered twice
            await runtime.handle_member_event(lambda _now, u=user_id: joined(u, u))
        assert executor.done == [
            incident_actions_for(guild_id=GUILD, now=at(3), invites_seconds=3600)
        ]
        plan = await runtime.handle_member(MemberLeave(guild_id=GUILD, user_id=2, at=at(5)))
        assert plan is not None
        assert not plan
    finally:
        await runtime.stop()

    # The joins (and the plugin's window) were saved: the replayed third join after a
    # restart is still recognised.
    again = Runtime(
        Guard(Policy.default(), plugins=[Lockdown()]),
        executor,
        store=MemoryStore(tmp_path / "state.json", save_interval=None),
        poll_interval=3600,
    )
    await again.start()
    try:
        plan = await again.handle_member(joined(3, 3))
        assert plan is not None
        assert plan.skipped_reason is SkipReason.REDELIVERED
    finally:
        await again.stop()
    assert len(executor.done) == 1


async def test_member_events_that_fail_to_convert_are_counted_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    executor = Executor()
    runtime = Runtime(Guard(Policy.default()), executor, poll_interval=3600)
    await runtime.start()
    try:

        def broken(_now: datetime.datetime) -> MemberJoin:
            raise KeyError("user")

        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            assert await runtime.handle_member_event(broken) is None
        assert runtime.stats.malformed == 1
        assert "malformed member event" in caplog.text
        assert await runtime.handle_member_event(lambda _now: None) is None
        # The receive time is the converter's argument.
        plan = await runtime.handle_member_event(
            lambda now: MemberLeave(guild_id=GUILD, user_id=5, at=now)
        )
        assert plan is not None
        # A naive time is a bad event: logged and counted, never raised into the bot.
        naive = MemberJoin(guild_id=GUILD, user_id=6, joined_at=datetime.datetime(2024, 1, 1))
        assert await runtime.handle_member(naive) is None
        assert runtime.stats.errors == 1
    finally:
        await runtime.stop()
    assert executor.done == []


async def test_member_events_before_the_start_are_dropped() -> None:
    runtime = Runtime(Guard(Policy.default()), Executor(), poll_interval=3600)
    assert await runtime.handle_member(joined(1, 0)) is None
    assert runtime.stats.not_started == 1
