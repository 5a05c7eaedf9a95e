"""``spamguard_report_decision``: the runtime reports each message's plan and the seconds
deciding it took, to the plugins that listen, and reads no counter for nobody."""

from __future__ import annotations

import logging

import pytest
from support.executors import RecordingExecutor
from support.messages import Messages

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Guard, Plan, Policy, SkipReason, hookimpl


class Decisions:
    name = "decisions"

    def __init__(self) -> None:
        self.seen: list[tuple[Plan, float]] = []

    @hookimpl
    def spamguard_report_decision(self, plan: Plan, seconds: float) -> None:
        self.seen.append((plan, seconds))


class Broken:
    name = "broken"

    @hookimpl
    def spamguard_report_decision(self, plan: Plan) -> None:
        msg = "a plugin bug"
        raise RuntimeError(msg)


def _policy(**top: object) -> Policy:
    level = {"punishment": "TIMEOUT", "max_messages": {"count": 3, "interval": 10}}
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


async def _runtime(guard: Guard) -> Runtime:
    runtime = Runtime(guard, RecordingExecutor(), store=MemoryStore())
    await runtime.start()
    return runtime


async def test_each_message_is_reported_once_with_its_plan_and_the_seconds_it_took() -> None:
    msg = Messages()
    decisions = Decisions()
    runtime = await _runtime(Guard(_policy(), plugins=[decisions], load_entrypoints=False))
    try:
        plans = [await runtime.handle(msg(f"spam {i}", t=i * 0.1)) for i in range(3)]
        bot = await runtime.handle(msg("beep", t=1, author_id=9, author_is_bot=True))
    finally:
        await runtime.stop()

    assert [plan for plan, _ in decisions.seen] == [*plans, bot]
    assert [plan.violations[0].check for plan, _ in decisions.seen[2:3]] == ["max_messages"]
    assert bot is not None
    assert bot.skipped_reason is SkipReason.BOT
    # Seconds measured, not made up: positive, and far below what a test could wait.
    assert all(0 < seconds < 5 for _, seconds in decisions.seen)


async def test_no_listener_means_no_report_and_a_late_listener_is_heard() -> None:
    msg = Messages()
    guard = Guard(_policy(), load_entrypoints=False)
    runtime = await _runtime(guard)
    try:
        assert not guard.hooks.reports_decisions
        await runtime.handle(msg("before", t=0))
        decisions = Decisions()
        guard.register_plugin(decisions)
        assert guard.hooks.reports_decisions
        after = await runtime.handle(msg("after", t=1))
    finally:
        await runtime.stop()

    assert [plan for plan, _ in decisions.seen] == [after]


async def test_a_guild_that_disables_the_plugin_is_not_reported_to_it() -> None:
    msg = Messages()
    decisions = Decisions()
    policy = _policy(guilds={str(msg.OTHER_GUILD): {"disabled_extensions": ["decisions"]}})
    runtime = await _runtime(Guard(policy, plugins=[decisions], load_entrypoints=False))
    try:
        await runtime.handle(msg("here", t=0))
        await runtime.handle(msg("there", t=0, guild_id=msg.OTHER_GUILD))
    finally:
        await runtime.stop()

    assert [plan.guild_id for plan, _ in decisions.seen] == [msg.GUILD]


async def test_a_failing_listener_is_logged_and_the_plan_still_carried_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    msg = Messages()
    decisions = Decisions()
    guard = Guard(_policy(), plugins=[decisions, Broken()], load_entrypoints=False)
    executor = RecordingExecutor()
    runtime = Runtime(guard, executor, store=MemoryStore())
    await runtime.start()
    try:
        with caplog.at_level(logging.ERROR, logger="spamguard.plugins"):
            for i in range(3):
                await runtime.handle(msg(f"spam {i}", t=i * 0.1))
    finally:
        await runtime.stop()

    assert len(decisions.seen) == 3
    assert [type(action).__name__ for action in executor.sent] == ["Timeout"]
    assert "'broken' failed in spamguard_report_decision" in caplog.text
    assert runtime.stats.errors == 0
