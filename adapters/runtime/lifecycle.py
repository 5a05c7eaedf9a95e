"""Starting a runtime once, whichever listener asks first (every adapter's start-up).

Listeners of every library call :meth:`StartOnce.ready` before handling an event: the
first call starts the runtime (opens the store, starts the scheduler), concurrent calls
wait for that same start, and a failed start is logged once and retried at the next
event. While :attr:`StartOnce.closed` (the bot is going away, the extension unloaded)
listeners do nothing.
"""

from __future__ import annotations

__all__ = ("StartOnce",)

import asyncio
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.adapters.runtime.runtime import Runtime


class StartOnce:
    """One runtime's start, shared by every caller until it succeeds.

    Args:
        runtime: the runtime to start.
        prepare: what to do right before the start (learn the bot's id, check intents).
    """

    def __init__(self, runtime: Runtime, prepare: Callable[[], None] | None = None) -> None:
        self.runtime = runtime
        self.closed = False
        """Whether listeners are to do nothing (set by the adapter while it goes away)."""
        self._prepare = prepare
        self._task: asyncio.Task[None] | None = None

    def begin(self) -> asyncio.Task[None]:
        """The start, begun now in the running event loop if it was not yet."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="spamguard-start")
        return self._task

    async def _run(self) -> None:
        if self._prepare is not None:
            self._prepare()
        await self.runtime.start()

    async def start(self) -> None:
        """Start the runtime (once, however many callers wait for it).

        Raises whatever the store raised while opening; the next call tries again.
        """
        task = self.begin()
        try:
            await asyncio.shield(task)
        except Exception:
            if self._task is task:
                # Let the next event try again rather than stay broken.
                self._task = None
            raise

    async def ready(self) -> bool:
        """Whether an event can be handled: not :attr:`closed`, and the runtime started
        (a failed start is counted and logged, never raised)."""
        if self.closed:
            return False
        try:
            await self.start()
        except Exception:
            self.runtime.start_failed()
            return False
        return True

    def start_soon(self) -> None:
        """Begin the start now when an event loop runs (else the first event starts the
        runtime); a failure is counted and logged as by :meth:`ready`."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.begin().add_done_callback(self._started_soon)

    def _started_soon(self, task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        if self._task is task:
            self._task = None
        self.runtime.start_failed(error)

    def forget(self) -> asyncio.Task[None] | None:
        """Drop the start (the runtime is being stopped); returns it, if one was begun."""
        task, self._task = self._task, None
        return task
