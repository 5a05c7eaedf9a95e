"""The scheduled actions a guard keeps until they are due (an unban, a role removal)."""

from __future__ import annotations

__all__ = ("Schedule",)

import heapq
import itertools
import typing

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core.plan import ScheduledAction


class Schedule:
    """Scheduled actions, earliest first (a heap; equal times keep their order of arrival)."""

    __slots__ = ("_heap", "_sequence")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, ScheduledAction]] = []
        self._sequence = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, item: ScheduledAction) -> None:
        """Keep ``item`` until it is due (its ``run_at`` must be timezone-aware)."""
        heapq.heappush(self._heap, (item.run_at.timestamp(), next(self._sequence), item))

    def pending(self) -> tuple[ScheduledAction, ...]:
        """Scheduled actions not yet handed out, earliest first."""
        return tuple(item for _ts, _seq, item in sorted(self._heap))

    def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due, or None."""
        return self._heap[0][2].run_at if self._heap else None

    def cancel(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """Take out (and return, earliest first) every pending action on one member (see
        :meth:`ScheduledAction.concerns`)."""
        kept = [entry for entry in self._heap if not entry[2].concerns(guild_id, user_id)]
        if len(kept) == len(self._heap):
            return ()
        taken = sorted(entry for entry in self._heap if entry[2].concerns(guild_id, user_id))
        heapq.heapify(kept)
        self._heap = kept
        return tuple(item for _ts, _seq, item in taken)

    def pop_due(self, now: datetime.datetime) -> tuple[ScheduledAction, ...]:
        """Hand out (and forget) every scheduled action due at ``now``, earliest first."""
        due = []
        limit = now.timestamp()
        heap = self._heap
        while heap and heap[0][0] <= limit:
            due.append(heapq.heappop(heap)[2])
        return tuple(due)
