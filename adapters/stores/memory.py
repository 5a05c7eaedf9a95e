"""The default state store: the guard's own memory, optionally kept in a snapshot file.

Zero set-up: a :class:`MemoryStore` without a path keeps everything in the process and
forgets it on exit. With ``snapshot_path`` it survives restarts: :meth:`MemoryStore.open`
loads the file into the guard, and the store writes the guard's snapshot back

- right after scheduled actions are added (a TEMPBAN's unban is on disk before
  :meth:`~MemoryStore.schedule` returns, so a crash does not lose it) and right after a
  case is opened (its number is never handed out again),
- every ``save_interval`` seconds while open, and
- at :meth:`~MemoryStore.close`.

Writes are atomic (a temporary file in the same folder, then :func:`os.replace`), so a
crash mid-write leaves the previous snapshot intact. Actions handed out by
:meth:`~MemoryStore.claim_due` are dropped from the file at the next write: a crash in
between runs them once more after the restart (at least once; an unban or a role removal
done twice is harmless, one never done is not).
"""

from __future__ import annotations

__all__ = ("MemoryStore",)

import asyncio
import contextlib
import datetime
import json
import logging
import os
import pathlib
import tempfile
import typing

from spamguard.adapters.stores.memory_cases import MemoryCaseBook
from spamguard.core.errors import SnapshotError
from spamguard.core.plan import check_run_at

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence

    from spamguard.core.engine import Guard
    from spamguard.core.events import MemberEvent
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan, ScheduledAction

_LOGGER = logging.getLogger("spamguard.store.memory")


def _read(path: pathlib.Path) -> typing.Any:
    with path.open("r", encoding="utf-8") as file:
        return json.load(file)


def _write_atomically(path: pathlib.Path, data: typing.Any) -> None:
    # Same folder as the target, so os.replace is a rename on one file system.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, separators=(",", ":"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class MemoryStore:
    """Keeps the guard's state in the guard; optionally in a snapshot file across restarts.

    Args:
        snapshot_path: where to keep the snapshot (JSON); ``None`` keeps nothing on disk.
        save_interval: seconds between two periodic writes while open; ``None`` writes only
            when scheduled actions are added and at :meth:`close`.
    """

    def __init__(
        self,
        snapshot_path: str | os.PathLike[str] | None = None,
        *,
        save_interval: float | None = 60.0,
    ) -> None:
        if save_interval is not None and not save_interval > 0:
            msg = (
                f"save_interval must be a positive number of seconds or None, got {save_interval!r}"
            )
            raise ValueError(msg)
        self.snapshot_path = None if snapshot_path is None else pathlib.Path(snapshot_path)
        """The snapshot file, if any."""
        self.save_interval = save_interval
        self.failures = 0
        """Snapshot writes that failed (each one logged); the store keeps running."""
        self.cases = MemoryCaseBook(on_open=self._case_opened)
        """The guilds' cases (in the snapshot, under ``"cases"``)."""
        self._guard: Guard | None = None
        self._saver: asyncio.Task[None] | None = None
        self._save_lock = asyncio.Lock()
        self._changes = 0
        self._saved_changes = 0

    @property
    def guard(self) -> Guard:
        """The guard given to :meth:`open`."""
        if self._guard is None:
            msg = "MemoryStore is not open: call `await store.open(guard)` first"
            raise RuntimeError(msg)
        return self._guard

    async def open(self, guard: Guard) -> None:
        """Load the snapshot file (if it exists) into ``guard`` and start periodic saving.

        Raises:
            SnapshotError: the file exists but cannot be read or restored (another
                snapshot version, corrupt data; the message names the field). The guard
                is left unchanged. A file that was read but does not restore is kept
                aside, renamed ``<name>.corrupt-<UTC time>``, so nothing overwrites it
                and the next ``open`` starts with empty state; restore what it holds
                (pending unbans) by hand.
        """
        path = self.snapshot_path
        if path is not None and path.exists():
            try:
                data = await asyncio.to_thread(_read, path)
            except OSError as exc:
                msg = f"{path}: cannot read the spamguard snapshot ({exc}); fix the file's access"
                raise SnapshotError(msg) from exc
            except ValueError as exc:  # not JSON (or not UTF-8)
                raise self._set_aside(path, exc) from exc
            cases = MemoryCaseBook(on_open=self._case_opened)
            try:
                cases.load(data.get("cases") if isinstance(data, dict) else None)
                guard.load_snapshot(data)
            except SnapshotError as exc:
                raise self._set_aside(path, exc) from exc
            self.cases = cases
            _LOGGER.info(
                "restored state from %s (%d scheduled actions pending)",
                path,
                len(guard.pending()),
            )
        self._guard = guard
        if path is not None and self.save_interval is not None:
            self._saver = asyncio.create_task(self._save_periodically(self.save_interval))

    @staticmethod
    def _set_aside(path: pathlib.Path, error: Exception) -> SnapshotError:
        """Rename an unrestorable snapshot out of the way; the error to raise about it."""
        stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
        try:
            path.rename(aside)
        except OSError as exc:
            return SnapshotError(
                f"{path}: cannot restore the spamguard snapshot ({error}), nor move it "
                f"aside ({exc}); move the file away to start with empty state"
            )
        return SnapshotError(
            f"{path}: cannot restore the spamguard snapshot ({error}); the file was moved "
            f"to {aside} and the next start begins with empty state (restore its pending "
            "unbans and role removals by hand)"
        )

    async def close(self) -> None:
        """Stop periodic saving and write the snapshot one last time."""
        saver, self._saver = self._saver, None
        if saver is not None:
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
        if self._guard is not None:
            await self.save()

    async def save(self) -> bool:
        """Write the guard's snapshot now (atomically). False when it failed or there is no
        file to write; a failure is logged and counted, never raised."""
        async with self._save_lock:
            return await self._write()

    async def _save_changes(self, wanted: int) -> None:
        async with self._save_lock:
            # Writers queue on the lock; a write that began after change ``wanted`` already
            # holds it, so concurrent schedule() calls share one write.
            if self._saved_changes < wanted:
                await self._write()

    async def _write(self) -> bool:
        path = self.snapshot_path
        if path is None or self._guard is None:
            return False
        # Taken on the event loop thread (the guard is not thread-safe); encoding and
        # writing happen in a worker thread.
        changes = self._changes
        snapshot = {**self._guard.snapshot(), "cases": self.cases.snapshot()}
        try:
            await asyncio.to_thread(_write_atomically, path, snapshot)
        except (OSError, TypeError, ValueError):
            self.failures += 1
            _LOGGER.exception("could not write the spamguard snapshot to %s", path)
            return False
        self._saved_changes = max(self._saved_changes, changes)
        return True

    async def _case_opened(self) -> None:
        self._changes += 1
        if self.snapshot_path is not None:
            await self._save_changes(self._changes)

    async def _save_periodically(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.save()

    async def process(self, guard: Guard, message: MessageLike) -> Plan:
        """Decide ``message`` with ``guard`` and its in-memory state."""
        return guard.process(message)

    async def handle_event(self, guard: Guard, event: MemberEvent) -> Plan:
        """Decide a member joining or leaving with ``guard`` and its in-memory state."""
        return guard.handle(event)

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """Keep scheduled actions until due, and write the snapshot before returning (a
        crash right after does not lose them). The runtime passes an undo once its
        punishment succeeded (see :meth:`spamguard.core.Plan.undos_of`). An item equal to
        one still pending is kept once, as in Redis's sorted set.

        Raises:
            spamguard.core.ScheduleError: an item's ``run_at`` is timezone-naive (nothing
                of this call is kept).
        """
        if not items:
            return
        for item in items:
            check_run_at(item.run_at)
        guard = self.guard
        pending = list(guard.pending())
        for item in items:
            if item not in pending:
                guard.schedule(item)
                pending.append(item)
        self._changes += 1
        if self.snapshot_path is not None:
            await self._save_changes(self._changes)

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """Hand out every scheduled action due at ``now``, earliest first."""
        return self.guard.pop_due(now)

    async def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due (None: nothing scheduled)."""
        return self.guard.next_due()

    async def cancel_scheduled(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """Take out the member's pending scheduled actions (see :meth:`Guard.cancel_scheduled
        <spamguard.core.engine.Guard.cancel_scheduled>`) and write the snapshot before
        returning, so a restart does not bring them back."""
        cancelled = self.guard.cancel_scheduled(guild_id, user_id)
        if cancelled:
            self._changes += 1
            if self.snapshot_path is not None:
                await self._save_changes(self._changes)
        return cancelled

    @contextlib.asynccontextmanager
    async def exclusive(self, guild_id: int, purpose: str) -> AsyncIterator[bool]:
        """This process runs every task: yields True (one process, nothing to share)."""
        yield True

    async def release(self, lost: Callable[[int], bool]) -> None:
        """Nothing to hand over: this process's memory is the only copy of its guilds'
        state, kept should their shards come back."""

    async def done(self, items: Sequence[ScheduledAction]) -> None:
        """Nothing to acknowledge: :meth:`claim_due` already handed the items out."""
