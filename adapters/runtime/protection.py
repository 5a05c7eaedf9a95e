"""What every adapter's ``attach`` builds (:func:`build_runtime`) and returns
(:class:`Protection`), and what the discord-anti-spam facade uses to reach an adapter
(:func:`compat_bridge`, a :class:`CompatBridge`)."""

from __future__ import annotations

__all__ = ("CompatBridge", "ExecutorFactory", "Protection", "build_runtime", "compat_bridge")

import typing

from spamguard.adapters import GuardRuntimeOptions, RuntimeOptions
from spamguard.adapters.runtime.hierarchy import RecentMembers
from spamguard.adapters.runtime.policy_source import PolicyReload, PolicySource
from spamguard.adapters.runtime.requests import load_policy
from spamguard.adapters.runtime.runtime import Runtime
from spamguard.core.engine import Guard

if typing.TYPE_CHECKING:
    import datetime
    import os
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.adapters.runtime.execution import ActionExecutor
    from spamguard.adapters.runtime.stats import ProtectionStats
    from spamguard.adapters.stores.base import Store
    from spamguard.core.cases import Case
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan
    from spamguard.core.policy import Policy

ExecutorFactory = typing.Callable[
    [Guard, "Callable[[], datetime.datetime]", RecentMembers], "ActionExecutor"
]
"""Builds a library's executor for a guard, on the runtime's clock (read at call time, so
a test that swaps ``runtime.clock`` moves the executor's too), asking the members the
runtime notes (:class:`RecentMembers`) before the API."""

# The guard's keyword arguments among attach's options (the rest are the runtime's).
_GUARD_OPTIONS = GuardRuntimeOptions.__optional_keys__ - RuntimeOptions.__optional_keys__


def build_runtime(
    executor_for: ExecutorFactory,
    *,
    policy: Policy | str | os.PathLike[str] | None,
    plugins: Iterable[object],
    self_id: int | None,
    store: Store | None,
    action_timeout: float | None,
    options: Mapping[str, typing.Any],
) -> Runtime:
    """The guard, the library's executor and the runtime, as every adapter's ``attach``
    builds them: the policy loaded (:func:`load_policy`), installed extensions loaded
    unless ``options`` say ``load_entrypoints=False``, ``options``' ``plugin_manager`` for
    the guard and ``poll_interval``/``clock`` for the runtime."""
    guard_options = {key: value for key, value in options.items() if key in _GUARD_OPTIONS}
    runtime_options = {key: value for key, value in options.items() if key not in _GUARD_OPTIONS}
    guard_options.setdefault("load_entrypoints", True)
    guard = Guard(load_policy(policy), plugins=plugins, self_id=self_id, **guard_options)
    recent = RecentMembers()
    runtime = Runtime(
        guard,
        executor_for(guard, lambda: runtime.clock(), recent),  # noqa: PLW0108 - late binding
        store=store,
        action_timeout=action_timeout,
        recent_members=recent,
        **runtime_options,
    )
    runtime.policy_reload = PolicyReload(PolicySource.of(policy))
    return runtime


def compat_bridge(
    guard: Guard,
    executor_for: ExecutorFactory,
    convert: Callable[[typing.Any], MessageLike | None],
) -> CompatBridge:
    """What an adapter's ``compat_bridge(bot, guard)`` returns: ``convert`` turns the
    library's message into the core's, a runtime with the library's executor carries the
    plans out (started on first use)."""
    recent = RecentMembers()
    runtime = Runtime(
        guard,
        executor_for(guard, lambda: runtime.clock(), recent),  # noqa: PLW0108
        recent_members=recent,
    )
    return CompatBridge(runtime, convert)


class Protection:
    """What ``attach(bot)`` returns: the guard, its runtime and statistics, and ``detach()``."""

    def __init__(self, runtime: Runtime, detach: Callable[[], typing.Awaitable[None]]) -> None:
        self.runtime = runtime
        self._detach = detach
        self._detached = False

    @property
    def detached(self) -> bool:
        """True once :meth:`detach` was called: the protection never starts again."""
        return self._detached

    @property
    def guard(self) -> Guard:
        """The guard deciding for this bot."""
        return self.runtime.guard

    @property
    def stats(self) -> ProtectionStats:
        """The guard's per-check/per-action counters and the runtime's."""
        return {"guard": self.guard.stats(), "runtime": self.runtime.stats.as_dict()}

    async def cases(self, guild_id: int, user_id: int, limit: int = 25) -> tuple[Case, ...]:
        """The member's newest cases in the guild, newest first, at most ``limit`` (empty:
        none, or the store is unavailable). Follow new ones with
        ``protection.runtime.cases.subscribe(callback)``."""
        return await self.runtime.cases.of_member(guild_id, user_id, limit=limit)

    async def case(self, guild_id: int, number: int) -> Case | None:
        """The guild's case ``number`` (None: no such case kept, or the store is
        unavailable)."""
        return await self.runtime.cases.get(guild_id, number)

    async def detach(self) -> None:
        """Stop listening to the bot and stop the runtime (state saved by the store)."""
        self._detached = True
        await self._detach()
        await self.runtime.stop()


class CompatBridge:
    """How :class:`spamguard.contrib.antispam.AntiSpamHandler` reaches an adapter: it
    converts the library's message objects and carries plans out through a runtime
    (started on first use, so scheduled undo actions run too)."""

    def __init__(
        self, runtime: Runtime, convert: Callable[[typing.Any], MessageLike | None]
    ) -> None:
        self.runtime = runtime
        self._convert = convert

    def convert(self, message: typing.Any) -> MessageLike | None:
        """The library's message as the core sees it (None for what is not moderated)."""
        return self._convert(message)

    async def carry_out(self, plan: Plan) -> tuple[ActionOutcome, ...]:
        """Carry ``plan`` out with the adapter's executor; never raises. Nothing is carried
        out while the runtime cannot start (its store does not open)."""
        try:
            await self.runtime.start()
        except Exception:
            self.runtime.start_failed()
            return ()
        return await self.runtime.carry_out(plan)
