"""The Redis connection of the Redis stores (:mod:`~spamguard.adapters.stores.redis_owned`,
:mod:`~spamguard.adapters.stores.redis_consistent`): a
redis-py client that runs the store's Lua scripts and fails open.

At the first contact the connection asks the server whether it is a Redis Cluster node
(``INFO cluster``: ``cluster_enabled:1``); if so it makes a ``redis.asyncio.RedisCluster``
client from the same URL instead (it finds the other nodes itself), and loads the
scripts on every primary. Every script and command of the stores touches one slot (the
keys of one guild, or of one bucket of scheduled actions), so they work unchanged on a
cluster; a pipeline is one round trip per node.

After a failure the connection counts as down: for ``retry_interval`` seconds callers skip
Redis at once (so an outage costs no per-message timeout), then try again; the client
reconnects by itself and the connection logs when Redis is back. A key holding another
Redis type than the store wrote there is renamed ``<key>:bad:<UTC time>-<random>`` (kept,
with its TTL, for inspection), logged and counted.
"""

from __future__ import annotations

__all__ = ("BACKEND_ERRORS", "Client", "RedisConnection", "is_wrong_type", "loop_time")

import asyncio
import contextlib
import datetime
import logging
import secrets
import typing

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import NoScriptError, RedisError, ResponseError
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "the Redis stores need redis-py: pip install 'spamguard[redis]'"
    raise ImportError(msg) from exc

from spamguard.adapters.stores.base import StoreConfigError
from spamguard.adapters.stores.redis_scripts import SCRIPTS, SET_ASIDE, Script

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

_LOGGER = logging.getLogger("spamguard.store.redis")
_T = typing.TypeVar("_T")

Client: typing.TypeAlias = "aioredis.Redis | aioredis.RedisCluster"
"""A redis-py asyncio client: one server, or a Redis Cluster."""

BACKEND_ERRORS: typing.Final = (RedisError, OSError, TimeoutError)
"""What an unavailable or failing Redis raises: the store fails open on these."""


def loop_time() -> float:
    """The running event loop's clock (seconds, monotonic)."""
    return asyncio.get_running_loop().time()


def is_wrong_type(error: BaseException) -> bool:
    """Whether ``error`` is Redis refusing a command on a key of another type."""
    return isinstance(error, ResponseError) and "WRONGTYPE" in str(error)


class RedisConnection:
    """A redis-py client (``decode_responses=True``) with the store's scripts, its failure
    state and its counters.

    Args:
        timeout: seconds a Redis call may take before it counts as failed.
        retry_interval: after a failure, seconds during which :meth:`available` is False.
        client: a ready client instead of :meth:`connect` (a ``RedisCluster`` for a
            cluster: a given client is used as it is); it is not closed here.
    """

    def __init__(self, *, timeout: float, retry_interval: float, client: Client | None) -> None:
        self.timeout = timeout
        self.retry_interval = retry_interval
        self.failures = 0
        """Operations answered fail-open so far."""
        self.round_trips = 0
        """Commands sent to Redis so far (no pipelining: each is one round trip)."""
        self.bad_keys = 0
        """Keys set aside because they could not be read."""
        self.while_down = "failing open (messages are not punished)"
        """What the store does while Redis is down, as the outage's log line says it."""
        self._client = client
        self._owns_client = client is None
        self._url: str | None = None
        self._prepared = False
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._failed_while_down = 0

    @property
    def connected(self) -> bool:
        """Whether there is a client (given, or made by :meth:`connect`)."""
        return self._client is not None

    @property
    def cluster(self) -> bool:
        """Whether the client is a Redis Cluster client (known once :meth:`prepare` ran)."""
        return isinstance(self._client, aioredis.RedisCluster)

    @property
    def client(self) -> Client:
        """The redis-py client."""
        if self._client is None:
            msg = "the Redis store is not open: call `await store.open(guard)` first"
            raise RuntimeError(msg)
        return self._client

    def connect(self, url: str) -> None:
        """Make the client for ``url`` (no IO: it connects on first use).

        Raises:
            StoreConfigError: a URL redis-py cannot use.
        """
        try:
            self._client = aioredis.Redis.from_url(
                url,
                decode_responses=True,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                # One immediate retry when a pooled connection turned out dead (a
                # restarted server); never on a timeout, which may have run the script.
                retry=Retry(NoBackoff(), 1, (RedisConnectionError,)),
            )
        except ValueError as exc:
            msg = f"Redis store url {url!r} is not usable: {exc} (e.g. redis://localhost:6379/0)"
            raise StoreConfigError(msg) from exc
        self._url = url

    async def prepare(self) -> None:
        """At the first contact: switch to a cluster client if the server is a cluster
        node, and load the scripts (on every primary). Raises what Redis raises."""
        client = self.client
        if self._owns_client and self._url is not None and not self.cluster:
            self.round_trips += 1
            info = await client.info("cluster")
            if str(info.get("cluster_enabled")) == "1":
                self._client = aioredis.RedisCluster.from_url(
                    self._url,
                    decode_responses=True,
                    socket_timeout=self.timeout,
                    socket_connect_timeout=self.timeout,
                    retry=Retry(NoBackoff(), 1),
                )
                with contextlib.suppress(*BACKEND_ERRORS):
                    await client.aclose()
                _LOGGER.info("Redis at %s is a cluster node: using Redis Cluster", self._url)
        await self.load_scripts()
        self._prepared = True

    async def ready(self) -> Client:
        """The client, once :meth:`prepare` succeeded (tried again here after a failure)."""
        if not self._prepared:
            await self.prepare()
        return self.client

    async def close(self) -> None:
        """Close the client this connection made (a given one stays open)."""
        client = self._client
        if client is not None and self._owns_client:
            self._client = None
            with contextlib.suppress(*BACKEND_ERRORS):
                await client.aclose()

    async def load_scripts(self) -> None:
        """Load the scripts Redis does not hold yet."""
        self.round_trips += 1
        loaded = await self.client.script_exists(*(script.sha for script in SCRIPTS))
        for script, present in zip(SCRIPTS, loaded, strict=True):
            if not present:
                self.round_trips += 1
                await self.client.script_load(script.source)

    async def run(self, script: Script, keys: Sequence[str], args: Sequence[str]) -> typing.Any:
        """``EVALSHA`` ``script``; loaded once more when Redis lost it."""
        client = await self.ready()
        self.round_trips += 1
        try:
            return await client.evalsha(script.sha, len(keys), *keys, *args)
        except NoScriptError:
            # The server restarted (or SCRIPT FLUSH): load it once more.
            self.round_trips += 2
            await client.script_load(script.source)
            return await client.evalsha(script.sha, len(keys), *keys, *args)

    async def batch(self, commands: Sequence[tuple[str, Sequence[typing.Any]]]) -> list[typing.Any]:
        """Send ``commands`` (each a redis-py method name and its arguments) together on a
        pipeline: one round trip per server. Returns their replies in order, a command's
        error as its reply (an exception value); a script Redis lost is loaded again and
        the batch sent once more."""
        client = await self.ready()
        for attempt in (1, 2):
            pipeline = client.pipeline(transaction=False)
            for name, args in commands:
                getattr(pipeline, name)(*args)
            self.round_trips += 1
            replies: list[typing.Any] = await pipeline.execute(raise_on_error=False)
            if attempt == 1 and any(isinstance(reply, NoScriptError) for reply in replies):
                await self.load_scripts()
                continue
            break
        return replies

    # -- failing open -------------------------------------------------------------------

    def available(self) -> bool:
        """Whether to try Redis now: connected, and not within ``retry_interval`` of a
        failure."""
        if self._client is None:
            return False
        return self._down_since is None or loop_time() >= self._retry_at

    def failed(self, what: str, exc: BaseException) -> None:
        """Count and log a failed operation; Redis is down until ``retry_interval`` on."""
        self.failures += 1
        now = loop_time()
        if self._down_since is None:
            self._down_since = now
            self._failed_while_down = 0
            _LOGGER.error(
                "Redis store failed on %s (%s: %s); %s and retrying every %gs",
                what,
                type(exc).__name__,
                exc,
                self.while_down,
                self.retry_interval,
            )
        else:
            _LOGGER.error(
                "Redis store still unavailable (%s on %s: %s)", type(exc).__name__, what, exc
            )
        self._failed_while_down += 1
        self._retry_at = now + self.retry_interval

    def skipped(self, what: str) -> None:
        """Count an operation that failed open without trying Redis (it is down)."""
        self.failures += 1
        self._failed_while_down += 1
        _LOGGER.debug("Redis store unavailable: %s failed open", what)

    def recovered(self) -> None:
        """An operation reached Redis: log the end of an outage."""
        if self._down_since is not None:
            _LOGGER.warning(
                "Redis store reachable again after %.1fs; %d operation(s) failed open meanwhile",
                loop_time() - self._down_since,
                self._failed_while_down,
            )
            self._down_since = None

    # -- unreadable keys -----------------------------------------------------------------

    async def set_aside(
        self, expected: dict[str, str], reasons: dict[str, str], consequence: str
    ) -> int:
        """Rename the keys of ``expected`` that do not hold the type it names ('' for any)
        to ``<key>:bad:<UTC time>-<random>`` (``{<key>}:bad:...`` for a key without a hash
        tag: the same cluster slot), kept for inspection (with their TTL); log and
        count each one. Returns how many were moved."""
        suffix = (
            datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            + "-"
            + secrets.token_hex(3)
        )
        moved = await self.run(SET_ASIDE, tuple(expected), (suffix, *expected.values()))
        for index in range(0, len(moved), 3):
            key, bad, kind = moved[index : index + 3]
            self.bad_keys += 1
            reason = reasons.get(key) or f"a {kind} where a {expected[key]} belongs"
            _LOGGER.error(
                "unreadable Redis key %s (%s) set aside as %s; %s",
                key,
                reason,
                bad,
                consequence,
            )
        return len(moved) // 3

    async def set_aside_wrong_types(
        self,
        call: Callable[[], Awaitable[_T]],
        expected: Callable[[], dict[str, str]],
        consequence: str,
    ) -> _T:
        """``call()``; when it fails on a key of another type (every call would), set the
        keys of ``expected()`` (key -> type) that do not hold their type aside and call
        once more."""
        try:
            return await call()
        except ResponseError as exc:
            if not is_wrong_type(exc):
                raise
            if not await self.set_aside(expected(), {}, consequence):
                raise
        return await call()
