"""Member joins and leaves in :class:`~spamguard.adapters.stores.redis_consistent.ConsistentRedisStore`.

A member event reads and writes the member's state (``m:<user_id>``: its join and leave
times beside its counters) and the guild's join windows, the windows plugins open through
:meth:`JoinContext.window <spamguard.core.context.JoinContext.window>`. Those are kept
together in one key per guild, ``<prefix>:{g:<guild_id>}:joins``: a JSON list of windows in
the snapshot's format (each window at most ``MAX_ENTRIES`` entries, its entries expired to
its interval at every join), with a TTL of the longest window's interval.

One member event, four round trips: the load script takes the member's lock and the
guild's (every join of a guild is decided one at a time across processes, as one process
decides them) and returns the member's state; ``GET`` the guild's join windows; the guard
decides on exactly that state (:func:`~spamguard.core.engine.joins.decide_member_slice`);
``SET`` the windows; the save script writes the member and releases the locks. So a join
through Redis is decided exactly like one in memory. The windows are read and written
whole at each event: a join costs time in proportion to the joins they hold (about 8 ms
with 400 entries on the test machine, round trips to a local Redis included).
"""

from __future__ import annotations

__all__ = ("MemberEvents", "joins_key")

import json
import logging
import secrets
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS
from spamguard.adapters.stores.redis_layout import (
    as_milliseconds,
    decode_load,
    guild_base,
    message_keys,
    save_changes,
)
from spamguard.adapters.stores.redis_locks import LockBusyError
from spamguard.adapters.stores.redis_scripts import SAVE
from spamguard.core.engine import Footprint
from spamguard.core.engine.joins import decide_member_slice
from spamguard.core.errors import SnapshotError
from spamguard.core.events import MemberJoin
from spamguard.core.plan import Plan

if typing.TYPE_CHECKING:
    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.adapters.stores.redis_locks import MessageLocks
    from spamguard.core.engine import Guard
    from spamguard.core.events import MemberEvent

_LOGGER = logging.getLogger("spamguard.store.redis")


def joins_key(prefix: str, guild_id: int) -> str:
    """The key of a guild's join windows."""
    return f"{guild_base(prefix, guild_id)}:joins"


class MemberEvents:
    """Decides member events against the state in Redis (see the module's docstring)."""

    def __init__(
        self,
        connection: RedisConnection,
        locks: MessageLocks,
        prefix: str,
        *,
        ttl_slack: float,
        max_clean_marks: int,
    ) -> None:
        self._connection = connection
        self._locks = locks
        self.prefix = prefix
        self.ttl_slack = ttl_slack
        self.max_clean_marks = max_clean_marks

    @staticmethod
    def _empty_plan(guard: Guard, event: MemberEvent) -> Plan:
        return Plan(
            guild_id=event.guild_id,
            user_id=getattr(event, "user_id", None),
            dry_run=guard.policy_for(event.guild_id).dry_run,
        )

    async def handle(self, guard: Guard, event: MemberEvent) -> Plan:
        """Decide ``event`` against the state in Redis and save the result; an empty plan
        on a Redis failure (logged and counted), never an exception from Redis."""
        connection = self._connection
        if not connection.available():
            connection.skipped("a member event")
            return self._empty_plan(guard, event)
        policy = guard.policy_for(event.guild_id)
        spot = Footprint(
            guild_id=event.guild_id,
            user_id=getattr(event, "user_id", 0),
            channel_id=0,
            windows=(),
            horizon=policy.history_seconds,
        )
        keys = message_keys(self.prefix, spot)
        guild_lock = f"{guild_base(self.prefix, event.guild_id)}:lock:g"
        keys = keys._replace(locks=tuple(sorted((*keys.locks, guild_lock))))
        windows_key = joins_key(self.prefix, event.guild_id)
        # A guild timer (a plugin's) reads and writes the guild's join windows under the
        # guild's lock like a join, as member 0.
        now_ts = (event.joined_at if isinstance(event, MemberJoin) else event.at).timestamp()
        token = secrets.token_hex(8)
        async with self._locks.held_here(keys.locks):
            try:
                await self._locks.release_stale()
                reply = await self._locks.load(spot, keys, token, 0, now_ts)
            except LockBusyError as exc:
                connection.failures += 1
                _LOGGER.error("a member event of guild %s failed open: %s", event.guild_id, exc)
                return self._empty_plan(guard, event)
            except BACKEND_ERRORS as exc:
                self._locks.may_be_held(keys, token)
                connection.failed("load", exc)
                return self._empty_plan(guard, event)
            try:
                raw_windows = await self._load_windows(windows_key)
                state, before, unreadable = decode_load(spot, keys, reply)
                windows = self._windows(windows_key, raw_windows, unreadable)
                try:
                    plan, after = decide_member_slice(guard, event, {**state, "windows": windows})
                except SnapshotError as exc:  # JSON, but not windows: they start anew
                    unreadable[windows_key] = str(exc)
                    plan, after = decide_member_slice(guard, event, {**state, "windows": []})
                if unreadable:
                    await connection.set_aside(
                        dict.fromkeys(unreadable, ""),
                        unreadable,
                        "its part of the state starts anew",
                    )
            except BACKEND_ERRORS as exc:
                self._locks.may_be_held(keys, token)
                connection.failed("loading a member event's state", exc)
                return self._empty_plan(guard, event)
            except BaseException:
                # A bad time, a plugin that raised: free the locks now, not after lock_timeout.
                await self._locks.unlock_quietly(keys, token)
                raise
            connection.recovered()
            changes = save_changes(
                guard,
                spot,
                now_ts,
                before,
                {**after, "windows": [], "cleaned": []},
                ttl_slack=self.ttl_slack,
                max_clean_marks=self.max_clean_marks,
            )
            try:
                await self._save_windows(windows_key, after["windows"])
                await connection.run(
                    SAVE,
                    (*keys.locks, keys.member, keys.recent, keys.cleaned),
                    (token, str(len(keys.locks)), json.dumps(changes, separators=(",", ":"))),
                )
            except BACKEND_ERRORS as exc:
                self._locks.may_be_held(keys, token)
                connection.failed("save", exc)
                return self._empty_plan(guard, event)
        return plan

    async def _load_windows(self, key: str) -> str | None:
        connection = self._connection

        async def get() -> str | None:
            connection.round_trips += 1
            # A str: the store's client decodes responses.
            return typing.cast("str | None", await connection.client.get(key))

        return await connection.set_aside_wrong_types(
            get, lambda: {key: "string"}, "the guild's join windows start anew"
        )

    @staticmethod
    def _windows(key: str, raw: str | None, unreadable: dict[str, str]) -> list[typing.Any]:
        """The guild's join windows as stored; unreadable ones are noted and start anew."""
        if not raw:
            return []
        try:
            windows = json.loads(raw)
            if not isinstance(windows, list):
                msg = f"a JSON list is expected, got {type(windows).__name__}"
                raise SnapshotError(msg)
        except (ValueError, SnapshotError) as exc:
            unreadable[key] = str(exc)
            return []
        return windows

    async def _save_windows(self, key: str, windows: list[typing.Any]) -> None:
        connection = self._connection
        connection.round_trips += 1
        kept = [window for window in windows if window[3]]
        if not kept:
            await connection.client.delete(key)
            return
        longest = max(float(window[2]) for window in kept)
        await connection.client.set(
            key,
            json.dumps(kept, separators=(",", ":")),
            px=int(as_milliseconds(longest + self.ttl_slack)),
        )
