"""One lock per member: the runtime decides a member's events one at a time.

Messages, member events and AutoMod executions of one member take the same lock
(:class:`MemberLocks`), so two of them are never decided at once; a lock lives only while
an event holds or waits for it, so a bot seeing millions of members keeps a lock only for
those with an event in flight.
"""

from __future__ import annotations

__all__ = ("MemberLocks",)

import asyncio
import typing

if typing.TYPE_CHECKING:
    import types

MemberKey = tuple[int | None, int]
"""``(guild_id, user_id)``."""


class MemberLocks:
    """The locks of the members with an event in flight (``async with locks.hold(key)``)."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        # Key -> [its lock, the events holding or waiting for it]. The count, not
        # lock.locked(), says when to forget a lock: between a release and the next
        # waiter's wake-up the lock reads unlocked while that waiter is still coming.
        self._held: dict[MemberKey, list[typing.Any]] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, key: MemberKey) -> _Hold:
        """The member's lock, to hold with ``async with``: the event waits for the
        member's earlier ones, and the lock is forgotten once no event needs it."""
        return _Hold(self._held, key)


class _Hold:
    __slots__ = ("_entry", "_held", "_key")

    def __init__(self, held: dict[MemberKey, list[typing.Any]], key: MemberKey) -> None:
        self._held = held
        self._key = key
        entry = held.get(key)
        if entry is None:
            entry = held[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        self._entry = entry

    async def __aenter__(self) -> None:
        try:
            await self._entry[0].acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self._entry[0].release()
        self._leave()

    def _leave(self) -> None:
        entry = self._entry
        entry[1] -= 1
        if not entry[1] and self._held.get(self._key) is entry:
            del self._held[self._key]
