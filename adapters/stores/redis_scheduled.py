"""The scheduled actions of the Redis stores: split into buckets, claimed under a lease.

Each action sits in one of :data:`~spamguard.adapters.stores.redis_layout.SCHEDULE_BUCKETS`
buckets by its guild (``<prefix>:{s:<bucket>}:scheduled``, a sorted set by due time; every
bucket is its own Redis Cluster slot, see :mod:`~spamguard.adapters.stores.redis_layout`).
A look at the schedule sends one command per bucket, pipelined (one round trip per server).

Exactly once across processes: a Lua script claims a bucket's due actions *under a lease*:
it moves them to the bucket's ``claimed`` set, scored by the lease's end on the Redis
server's clock, and hands them to this one caller. The caller acknowledges each action
once carried out (:meth:`ScheduledSet.done`, which removes it); an action still claimed
when its lease ends (its process died, or hung, before acknowledging it) is claimed again
by the next process that looks. So an unban whose process died still runs, at most
``lease`` seconds late, and runs twice only if its process carried it out and then failed
to acknowledge it within the lease (a crash or a stall between the REST call and the
acknowledgement, or a Redis outage longer than the lease in between); running an unban or
a role removal twice is harmless.

Actions that could not be written, and acknowledgements that could not be sent, are kept
in memory and sent at the next call that reaches Redis (acknowledgements before any claim).
"""

from __future__ import annotations

__all__ = ("CLAIM_BATCH", "DEFAULT_CLAIM_LEASE", "ScheduledSet")

import contextlib
import datetime
import logging
import typing

from spamguard.adapters.stores.redis_connection import BACKEND_ERRORS, is_wrong_type
from spamguard.adapters.stores.redis_layout import (
    SCHEDULE_BUCKETS,
    as_milliseconds,
    as_score,
    decode_items,
    encode_item,
    schedule_bucket,
    schedule_bucket_of,
    schedule_keys,
)
from spamguard.adapters.stores.redis_scripts import CLAIM
from spamguard.core.plan import check_run_at

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

    from spamguard.adapters.stores.redis_connection import RedisConnection
    from spamguard.core.plan import ScheduledAction

_LOGGER = logging.getLogger("spamguard.store.redis")

CLAIM_BATCH: typing.Final = 500
"""Actions one run of the claim script takes from a bucket at most (buckets whose batch
came back full are claimed again)."""

DEFAULT_CLAIM_LEASE: typing.Final = 60.0
"""Seconds a claimed action stays with its process before others may claim it again."""

_CONSEQUENCE = "the bucket's scheduled actions start anew"


class _Command(typing.NamedTuple):
    """One command on one bucket's keys: the redis-py method ``name`` with ``args``."""

    bucket: int
    name: str
    args: tuple[typing.Any, ...]


class ScheduledSet:
    """The scheduled actions of one key prefix, over ``connection``.

    Args:
        connection: the store's connection.
        prefix: the store's key prefix.
        lease: seconds a claimed action is reserved for its claimer (see the module).
    """

    def __init__(
        self, connection: RedisConnection, prefix: str, *, lease: float = DEFAULT_CLAIM_LEASE
    ) -> None:
        self._connection = connection
        self.prefix = prefix
        self.lease = lease
        self.reclaimed = 0
        """Actions claimed again because their lease ran out unacknowledged."""
        self._unsent: dict[str, ScheduledAction] = {}
        self._unacked: dict[str, int] = {}  # encoded action -> its bucket
        self._claimed: dict[ScheduledAction, str] = {}

    def keys(self, bucket: int) -> tuple[str, str]:
        """The (pending, claimed) keys of ``bucket``."""
        return schedule_keys(self.prefix, bucket)

    async def _send(self, commands: Sequence[_Command]) -> list[typing.Any]:
        """Send the commands together (pipelined) and return their replies in order. A
        bucket whose keys hold another Redis type has them set aside, and its commands are
        sent once more."""
        replies: list[typing.Any] = [None] * len(commands)
        wanted = list(range(len(commands)))
        for attempt in (1, 2):
            answers = await self._connection.batch(
                [(commands[index].name, commands[index].args) for index in wanted]
            )
            retry = []
            for index, answer in zip(wanted, answers, strict=True):
                if attempt == 1 and is_wrong_type(answer):
                    retry.append(index)
                elif isinstance(answer, BaseException):
                    raise answer
                else:
                    replies[index] = answer
            if not retry:
                break
            for bucket in sorted({commands[index].bucket for index in retry}):
                expected = dict.fromkeys(self.keys(bucket), "zset")
                await self._connection.set_aside(expected, {}, _CONSEQUENCE)
            wanted = retry
        return replies

    # -- scheduling ------------------------------------------------------------------------

    async def schedule(self, items: Sequence[ScheduledAction]) -> None:
        """See :meth:`ConsistentRedisStore.schedule <spamguard.adapters.stores.redis_consistent.ConsistentRedisStore.schedule>`."""
        for item in items:
            check_run_at(item.run_at)
        for item in items:
            self._unsent[encode_item(item)] = item
        await self._send_held("schedule")

    async def _send_held(self, what: str) -> None:
        """:meth:`_flush` if Redis is available; a failure is counted and logged, and what
        was held stays held."""
        if not (self._unsent or self._unacked):
            return
        connection = self._connection
        if not connection.available():
            connection.skipped(what)
            return
        try:
            await self._flush()
        except BACKEND_ERRORS as exc:
            connection.failed(what, exc)
        else:
            connection.recovered()

    async def _flush(self) -> None:
        """Send the acknowledgements and actions held in memory (one round trip)."""
        if not (self._unsent or self._unacked):
            return
        # Taken out while in flight: a concurrent call must not send an action again once
        # it may have been claimed (it would be due a second time).
        sent_adds, self._unsent = self._unsent, {}
        sent_acks, self._unacked = self._unacked, {}
        adds: dict[int, dict[str, float]] = {}
        for encoded, item in sent_adds.items():
            adds.setdefault(schedule_bucket(item), {})[encoded] = item.run_at.timestamp()
        acks: dict[int, list[str]] = {}
        for encoded, bucket in sent_acks.items():
            acks.setdefault(bucket, []).append(encoded)
        commands = [
            _Command(bucket, "zrem", (self.keys(bucket)[1], *members))
            for bucket, members in acks.items()
        ]
        commands += [
            _Command(bucket, "zadd", (self.keys(bucket)[0], scores))
            for bucket, scores in adds.items()
        ]
        try:
            await self._send(commands)
        except BaseException:
            self._unsent = {**sent_adds, **self._unsent}
            self._unacked = {**sent_acks, **self._unacked}
            raise

    # -- claiming --------------------------------------------------------------------------

    async def claim_due(self, now: datetime.datetime) -> Sequence[ScheduledAction]:
        """See :meth:`ConsistentRedisStore.claim_due <spamguard.adapters.stores.redis_consistent.ConsistentRedisStore.claim_due>`."""
        connection = self._connection
        if not connection.available():
            connection.skipped("claiming scheduled actions")
            return ()
        claimed: dict[str, int] = {}  # encoded action -> its bucket
        reclaimed: list[str] = []
        try:
            await self._flush()
            args = (as_score(now.timestamp()), str(CLAIM_BATCH), as_milliseconds(self.lease))
            buckets = list(range(SCHEDULE_BUCKETS))
            while buckets:
                replies = await self._send(
                    [
                        _Command(bucket, "evalsha", (CLAIM.sha, 2, *self.keys(bucket), *args))
                        for bucket in buckets
                    ]
                )
                full = []
                for bucket, (due, expired) in zip(buckets, replies, strict=True):
                    for encoded in (*due, *expired):
                        claimed[encoded] = bucket
                    reclaimed += expired
                    if CLAIM_BATCH in (len(due), len(expired)):
                        full.append(bucket)
                buckets = full
        except BACKEND_ERRORS as exc:
            connection.failed("claim", exc)
        else:
            connection.recovered()
        if reclaimed:
            self.reclaimed += len(reclaimed)
            _LOGGER.warning(
                "claimed %d scheduled action(s) again: their lease (%gs) ran out "
                "unacknowledged (their process died or hung)",
                len(reclaimed),
                self.lease,
            )
        items = []
        for encoded, bucket in claimed.items():
            decoded = decode_items((encoded,))  # logs one that does not decode
            for item in decoded:
                self._claimed[item] = encoded
                items.append(item)
            if not decoded:  # nobody carries it out: acknowledged at the next write
                self._unacked[encoded] = bucket
        return tuple(sorted(items, key=lambda item: item.run_at))

    async def done(self, items: Sequence[ScheduledAction]) -> None:
        """See :meth:`ConsistentRedisStore.done <spamguard.adapters.stores.redis_consistent.ConsistentRedisStore.done>`."""
        for item in items:
            encoded = self._claimed.pop(item, None) or encode_item(item)
            self._unacked[encoded] = schedule_bucket(item)
        await self._send_held("acknowledge")

    async def cancel(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """See :meth:`ConsistentRedisStore.cancel_scheduled <spamguard.adapters.stores.redis_consistent.ConsistentRedisStore.cancel_scheduled>`."""
        held = [e for e, item in self._unsent.items() if item.concerns(guild_id, user_id)]
        taken = [self._unsent.pop(encoded) for encoded in held]
        connection = self._connection
        if not connection.available():
            connection.skipped("cancelling scheduled actions")
            return tuple(sorted(taken, key=lambda item: item.run_at))
        bucket = schedule_bucket_of(guild_id)
        pending = self.keys(bucket)[0]
        try:
            (members,) = await self._send([_Command(bucket, "zrange", (pending, 0, -1))])
            mine = {
                encoded: item
                for encoded in members
                for item in decode_items((encoded,))
                if item.concerns(guild_id, user_id)
            }
            # One ZREM each: its reply says whether this call took the action out (0: a
            # process claimed it meanwhile, and carries it out).
            removed = await self._send(
                [_Command(bucket, "zrem", (pending, encoded)) for encoded in mine]
            )
        except BACKEND_ERRORS as exc:
            connection.failed("cancel", exc)
        else:
            connection.recovered()
            taken += [item for item, gone in zip(mine.values(), removed, strict=True) if gone]
        return tuple(sorted(taken, key=lambda item: item.run_at))

    async def next_due(self) -> datetime.datetime | None:
        """See :meth:`ConsistentRedisStore.next_due <spamguard.adapters.stores.redis_consistent.ConsistentRedisStore.next_due>`."""
        connection = self._connection
        retry = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
            seconds=connection.retry_interval
        )
        if not connection.available():
            return retry
        try:
            firsts = await self._send(
                [
                    _Command(bucket, "zrange", (self.keys(bucket)[0], 0, 0))
                    for bucket in range(SCHEDULE_BUCKETS)
                ]
            )
        except BACKEND_ERRORS as exc:
            connection.failed("next_due", exc)
            return retry
        connection.recovered()
        stored = decode_items(encoded for first in firsts for encoded in first)
        return min((item.run_at for item in (*stored, *self._unsent.values())), default=None)

    # -- opening and closing ---------------------------------------------------------------

    async def move_legacy(self) -> int:
        """Move the actions of the one set used before the split (``<prefix>:scheduled``)
        into their buckets; returns how many. Raises what Redis raises."""
        legacy = f"{self.prefix}:scheduled"
        connection = self._connection
        connection.round_trips += 1
        try:
            raw = typing.cast("list[str]", await connection.client.zrange(legacy, 0, -1))
        except BACKEND_ERRORS as exc:
            if not is_wrong_type(exc):
                raise
            await connection.set_aside({legacy: "zset"}, {}, "its scheduled actions are lost")
            return 0
        if not raw:
            return 0
        for item in decode_items(raw):
            self._unsent[encode_item(item)] = item
        await self._flush()
        connection.round_trips += 1
        await connection.client.zrem(legacy, *raw)
        _LOGGER.warning("moved %d scheduled action(s) from %s into buckets", len(raw), legacy)
        return len(raw)

    async def close(self) -> None:
        """Send what is still held in memory (if Redis is back); log the actions that stay
        unwritten."""
        if (self._unsent or self._unacked) and self._connection.available():
            with contextlib.suppress(*BACKEND_ERRORS):
                await self._flush()
        if self._unsent:
            _LOGGER.error(
                "closing with %d scheduled action(s) not written to Redis: %s",
                len(self._unsent),
                [item.to_dict() for item in self._unsent.values()],
            )
        if self._unacked:
            _LOGGER.error(
                "closing with %d carried-out action(s) unacknowledged: another process "
                "carries them out again after their lease",
                len(self._unacked),
            )
