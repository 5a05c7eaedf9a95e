"""The cases of both Redis stores (guild-owned and consistent), shared by every process.

Keys, all under the guild's :func:`~spamguard.adapters.stores.redis_layout.guild_base`
(``<prefix>:{g:<guild_id>}``: one Redis Cluster slot per guild):

- ``...:case:next``: the guild's last case number, taken with ``INCR`` (atomic across
  processes; never expires, so a number is never handed out twice);
- ``...:cases``: a hash, case number -> the case as JSON (:meth:`Case.to_dict
  <spamguard.core.cases.Case.to_dict>`); opening case ``n`` forgets case ``n -
  per_guild`` (:data:`~spamguard.adapters.stores.base.CASES_PER_GUILD`);
- ``...:cases:m:<user_id>``: the member's newest ``per_member`` case numbers (a sorted
  set), lapsing ``member_ttl`` seconds after the member's last case.

Each call is one Lua script or command: one round trip. A Redis failure is logged and
counted (the store's ``failures``) and answered fail-open: an unnumbered case, nothing
found. A kept case that does not decode is logged and left out; a key of another type is
set aside (``<key>:bad:...``, logged, ``store.bad_keys``) and the call made once more. A
counter that is gone counts on from the highest case kept.
"""

from __future__ import annotations

__all__ = ("DEFAULT_MEMBER_TTL", "PER_MEMBER", "RedisCaseBook")

import dataclasses
import json
import logging
import typing

from spamguard.adapters.stores.base import CASES_PER_GUILD
from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_layout import as_milliseconds, guild_base
from spamguard.adapters.stores.redis_scripts import CASE_LIST, CASE_OPEN, CASE_SAVE
from spamguard.core.cases import Case
from spamguard.core.errors import SnapshotError

if typing.TYPE_CHECKING:
    from spamguard.adapters.stores.redis_connection import RedisConnection

_LOGGER = logging.getLogger("spamguard.store.redis")

PER_MEMBER: typing.Final = 100
"""Case numbers a member's index keeps (the newest)."""
DEFAULT_MEMBER_TTL: typing.Final = 365 * 86_400.0
"""Seconds a member's index lives after their last case (a year)."""

_T = typing.TypeVar("_T")


class RedisCaseBook:
    """The guilds' cases in Redis (a :class:`~spamguard.adapters.stores.CaseBook`).

    Args:
        connection: the store's connection (its failure state and counters).
        prefix: the store's key prefix.
        per_guild: cases a guild keeps.
        member_ttl: seconds a member's index lives after their last case.
    """

    def __init__(
        self,
        connection: RedisConnection,
        prefix: str,
        *,
        per_guild: int = CASES_PER_GUILD,
        member_ttl: float = DEFAULT_MEMBER_TTL,
    ) -> None:
        self._connection = connection
        self.prefix = prefix
        self.per_guild = per_guild
        self.member_ttl = member_ttl
        self.unreadable = 0
        """Kept cases that did not decode (each one logged)."""

    def keys(self, guild_id: int, user_id: int | None = None) -> tuple[str, ...]:
        """The guild's counter and cases, and the member's index if ``user_id`` is given."""
        base = guild_base(self.prefix, guild_id)
        keys = (f"{base}:case:next", f"{base}:cases")
        return keys if user_id is None else (*keys, f"{base}:cases:m:{user_id}")

    async def _call(
        self,
        what: str,
        call: typing.Callable[[], typing.Awaitable[_T]],
        types: dict[str, str],
    ) -> _T | None:
        """``call()``, or None when Redis is down or fails (logged, counted); a key of
        ``types`` (key -> Redis type) holding another type is set aside first."""
        connection = self._connection
        if not connection.available():
            connection.skipped(what)
            return None
        try:
            result = await connection.set_aside_wrong_types(
                call, lambda: types, "the guild's cases there start anew"
            )
        except BACKEND_ERRORS as exc:
            connection.failed(what, exc)
            return None
        connection.recovered()
        return result

    def _decode(self, guild_id: int, number: int, raw: str) -> Case | None:
        try:
            data = json.loads(raw)
            case = Case.from_dict(data, f"case #{number}")
        except (ValueError, SnapshotError) as exc:
            self.unreadable += 1
            _LOGGER.error(
                "case #%s of guild %s in Redis does not decode (%s); left out",
                number,
                guild_id,
                exc,
            )
            return None
        return dataclasses.replace(case, number=number, guild_id=guild_id)

    @staticmethod
    def _encode(case: Case) -> str:
        return json.dumps(case.to_dict(), separators=(",", ":"))

    async def open(self, draft: Case) -> Case:
        """``draft`` kept with the guild's next number (``INCR``); ``draft`` unnumbered when
        Redis fails."""
        keys = self.keys(draft.guild_id, draft.user_id)
        args = (
            self._encode(dataclasses.replace(draft, number=0)),
            str(self.per_guild),
            str(PER_MEMBER),
            as_milliseconds(self.member_ttl),
        )
        number = await self._call(
            "opening a case",
            lambda: self._connection.run(CASE_OPEN, keys, args),
            dict(zip(keys, ("string", "hash", "zset"), strict=False)),
        )
        if number is None:
            return draft
        return dataclasses.replace(draft, number=int(number))

    async def save(self, case: Case) -> bool:
        """Keep ``case`` as it is now, while the guild still keeps it."""
        keys = self.keys(case.guild_id)[1:]
        args = (str(case.number), self._encode(case))
        saved = await self._call(
            "saving a case", lambda: self._connection.run(CASE_SAVE, keys, args), {keys[0]: "hash"}
        )
        return bool(saved)

    async def get(self, guild_id: int, number: int) -> Case | None:
        """The guild's case ``number``, if kept (None too when Redis fails)."""
        key = self.keys(guild_id)[1]

        async def read() -> typing.Any:
            client = await self._connection.ready()
            self._connection.round_trips += 1
            return await client.hget(key, str(number))

        raw = await self._call("reading a case", read, {key: "hash"})
        return None if raw is None else self._decode(guild_id, number, raw)

    async def of_member(self, guild_id: int, user_id: int, *, limit: int = 25) -> tuple[Case, ...]:
        """The member's newest cases, newest first (empty when Redis fails)."""
        if limit <= 0:
            return ()
        keys = self.keys(guild_id, user_id)[1:]
        found = await self._call(
            "reading a member's cases",
            lambda: self._connection.run(CASE_LIST, keys, (str(min(limit, PER_MEMBER)),)),
            dict(zip(keys, ("hash", "zset"), strict=True)),
        )
        if not found:
            return ()
        cases = (
            self._decode(guild_id, int(found[index]), found[index + 1])
            for index in range(0, len(found), 2)
        )
        return tuple(case for case in cases if case is not None)
