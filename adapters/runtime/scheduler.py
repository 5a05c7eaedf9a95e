"""The runtime's scheduler: a background task that carries scheduled actions out when due.

The store keeps scheduled actions (the undo of a temporary punishment, the deletion of a
notice after ``delete_after``); the scheduler claims those due, runs each through the
runtime (:meth:`~spamguard.adapters.runtime.Runtime.run_action`, then tells the case it
undoes: :meth:`~spamguard.adapters.runtime.cases.CaseRecorder.undo_ran`; a plugin's
:class:`~spamguard.core.events.GuildTimer` goes to the guard as an event instead, and its
plan is carried out) and acknowledges it to the store (``done``), then sleeps until the
next one is due, at most the runtime's ``poll_interval``, or until woken by a new item.
"""

from __future__ import annotations

__all__ = ("Scheduler",)

import asyncio
import contextlib
import logging
import typing

from spamguard.core.events import GuildTimer

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime

_LOGGER = logging.getLogger("spamguard.runtime")


class Scheduler:
    """Runs one runtime's scheduled actions (started and stopped by the runtime)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.task: asyncio.Task[None] | None = None
        """The running loop, None while stopped."""
        self._wakeup = asyncio.Event()

    def start(self) -> None:
        """Start the loop (in the running event loop)."""
        self._wakeup.clear()
        self.task = asyncio.get_running_loop().create_task(self._run(), name="spamguard-scheduler")

    def wake(self) -> None:
        """Look at the store now (a new item may be due before the next look)."""
        self._wakeup.set()

    async def stop(self) -> None:
        """End the loop, waiting at most the runtime's ``stop_timeout``."""
        task, self.task = self.task, None
        if task is None:
            return
        # Unhooking the task ends its loop even when a store call swallows the cancellation
        # (as asyncio.wait_for inside redis-py does on Python 3.11 when the call completes
        # in the same step), also after a new start; the deadline ends the wait when the
        # call itself hangs.
        timeout = self.runtime.stop_timeout
        self._wakeup.set()
        task.cancel()
        done, _pending = await asyncio.wait({task}, timeout=timeout)
        if not done:
            _LOGGER.warning(
                "spamguard's scheduler did not stop within %gs (a store call hangs); "
                "stopped without it",
                timeout,
            )
            return
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("spamguard's scheduler had failed", exc_info=task.exception())

    async def run_due(self) -> int:
        """Carry out every scheduled action due now, acknowledging each to the store once
        carried out (:meth:`Store.done <spamguard.adapters.stores.Store.done>`: a store
        shared by processes hands an unacknowledged one out again after its lease);
        returns how many ran."""
        runtime = self.runtime
        store = runtime.store
        due = await store.claim_due(runtime.clock())
        for item in due:
            if isinstance(item.action, GuildTimer):
                # A plugin's timer: an event for the guard, whose plan is carried out.
                await runtime.handle_member(item.action)
            else:
                guild_id = getattr(item.action, "guild_id", None)
                outcome = await runtime.run_action(item.action, guild_id=guild_id)
                # An unban or a role removal: the case it undoes says so.
                await runtime.cases.undo_ran(item, outcome)
            # One by one: a process that dies mid-batch leaves only what it did not run.
            await store.done((item,))
        return len(due)

    async def _run(self) -> None:
        # Runs while it is the scheduler's task (stop() unhooks it; a loop left behind by a
        # stop that timed out must not run beside the next start's).
        runtime = self.runtime
        this = asyncio.current_task()
        while self.task is this:
            delay = runtime.poll_interval
            try:
                await self.run_due()
                next_due = await runtime.store.next_due()
                if next_due is not None:
                    delay = max(0.0, min(delay, (next_due - runtime.clock()).total_seconds()))
            except Exception:
                runtime.stats.errors += 1
                _LOGGER.exception("spamguard scheduler failed; retrying")
            if self.task is not this:
                break
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wakeup.wait()
