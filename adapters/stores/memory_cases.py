"""The cases of a :class:`~spamguard.adapters.stores.memory.MemoryStore`: kept in the
process and, with a snapshot file, in the snapshot beside the guard's state (``"cases"``).

Numbers count on from the snapshot after a restart; without a snapshot file nothing
survives a restart, case numbers included. Each guild keeps its newest
:data:`~spamguard.adapters.stores.base.CASES_PER_GUILD` cases (as a Redis store).
"""

from __future__ import annotations

__all__ = ("MemoryCaseBook",)

import dataclasses
import typing

from spamguard.adapters.stores.base import CASES_PER_GUILD
from spamguard.core.cases import Case
from spamguard.core.errors import SnapshotError

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping


class MemoryCaseBook:
    """The cases of one process, by guild (a :class:`~spamguard.adapters.stores.CaseBook`).

    Args:
        on_open: awaited after a case was numbered (the memory store writes its snapshot,
            so a number handed out is not handed out again after a crash).
        per_guild: cases a guild keeps.
    """

    def __init__(
        self,
        *,
        on_open: Callable[[], Awaitable[object]] | None = None,
        per_guild: int = CASES_PER_GUILD,
    ) -> None:
        self._on_open = on_open
        self.per_guild = per_guild
        self._last: dict[int, int] = {}
        self._cases: dict[int, dict[int, Case]] = {}
        self._members: dict[tuple[int, int], list[int]] = {}

    async def open(self, draft: Case) -> Case:
        """``draft`` kept with the guild's next number."""
        guild_id = draft.guild_id
        number = self._last.get(guild_id, 0) + 1
        self._last[guild_id] = number
        case = dataclasses.replace(draft, number=number)
        self._keep(case)
        if self._on_open is not None:
            await self._on_open()
        return case

    def _keep(self, case: Case) -> None:
        guild = self._cases.setdefault(case.guild_id, {})
        guild[case.number] = case
        if case.user_id is not None:
            self._members.setdefault((case.guild_id, case.user_id), []).append(case.number)
        while len(guild) > self.per_guild:
            oldest = guild.pop(next(iter(guild)))
            if oldest.user_id is not None:
                key = (oldest.guild_id, oldest.user_id)
                numbers = self._members[key]
                numbers.remove(oldest.number)
                if not numbers:
                    del self._members[key]

    async def save(self, case: Case) -> bool:
        """Replace the kept case of the same number; False when it is not kept."""
        guild = self._cases.get(case.guild_id)
        if guild is None or case.number not in guild:
            return False
        guild[case.number] = case
        return True

    async def get(self, guild_id: int, number: int) -> Case | None:
        """The guild's case ``number``, if kept."""
        return self._cases.get(guild_id, {}).get(number)

    async def of_member(self, guild_id: int, user_id: int, *, limit: int = 25) -> tuple[Case, ...]:
        """The member's newest cases, newest first."""
        numbers = self._members.get((guild_id, user_id), ())
        guild = self._cases.get(guild_id, {})
        return tuple(guild[number] for number in reversed(numbers[-limit:])) if limit > 0 else ()

    # -- the snapshot ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, typing.Any]:
        """Every kept case and each guild's last number, as JSON-serialisable data."""
        return {
            "last": {str(guild_id): number for guild_id, number in self._last.items()},
            "cases": [case.to_dict() for guild in self._cases.values() for case in guild.values()],
        }

    def load(self, data: Mapping[str, typing.Any] | None) -> None:
        """Replace every case with a :meth:`snapshot`'s (None: a snapshot written before
        cases were kept: nothing).

        Raises:
            SnapshotError: malformed data, naming the field (``cases.cases[3].number``);
                nothing is changed then.
        """
        if data is None:
            return
        if not isinstance(data, dict):
            msg = f"snapshot field cases: must be an object, got {type(data).__name__}"
            raise SnapshotError(msg)
        last_raw = data.get("last")
        rows = data.get("cases")
        if not isinstance(last_raw, dict) or not isinstance(rows, list):
            msg = "snapshot field cases: must hold 'last' (an object) and 'cases' (a list)"
            raise SnapshotError(msg)
        last: dict[int, int] = {}
        for key, number in last_raw.items():
            if not key.isdigit() or not isinstance(number, int) or isinstance(number, bool):
                msg = f"snapshot field cases.last.{key}: must be a guild id -> a whole number"
                raise SnapshotError(msg)
            last[int(key)] = number
        cases = sorted(
            (Case.from_dict(row, f"cases.cases[{index}]") for index, row in enumerate(rows)),
            key=lambda case: (case.guild_id, case.number),
        )
        self._last, self._cases, self._members = last, {}, {}
        for case in cases:
            self._last[case.guild_id] = max(self._last.get(case.guild_id, 0), case.number)
            self._keep(case)
