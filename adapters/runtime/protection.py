"""What ``attach`` returns (:class:`Protection`), and what the discord-anti-spam facade
uses to reach an adapter (:class:`CompatBridge`)."""

from __future__ import annotations

__all__ = ("CompatBridge", "Protection")

import typing

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.adapters.runtime.stats import ProtectionStats
    from spamguard.core.guard import Guard
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan


class Protection:
    """What ``attach(bot)`` returns: the guard, its runtime and statistics, and ``detach()``."""

    def __init__(self, runtime: Runtime, detach: Callable[[], typing.Awaitable[None]]) -> None:
        self.runtime = runtime
        self._detach = detach

    @property
    def guard(self) -> Guard:
        """The guard deciding for this bot."""
        return self.runtime.guard

    @property
    def stats(self) -> ProtectionStats:
        """The guard's per-check/per-action counters and the runtime's."""
        return {"guard": self.guard.stats(), "runtime": self.runtime.stats.as_dict()}

    async def detach(self) -> None:
        """Stop listening to the bot and stop the runtime (state saved by the store)."""
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
