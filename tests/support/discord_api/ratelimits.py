"""Discord's rate limits, as the REST stand-in emulates them: per-route buckets, the
global limit per bot token, their headers and their 429s.

Discord keys a route's bucket on the HTTP method, the route and its *major parameters*
(``channel_id``, ``guild_id``, ``webhook_id`` + ``webhook_token``): deleting messages
1 and 2 of one channel draws on one bucket, deleting in two channels on two. Every
answer names the bucket with an opaque ``X-RateLimit-Bucket`` hash that is the same for
every channel (it identifies the route, not the resource) and says what is left of it::

    X-RateLimit-Limit: 5
    X-RateLimit-Remaining: 4
    X-RateLimit-Reset: 1717236000.512      (epoch seconds at which the window ends)
    X-RateLimit-Reset-After: 1.000         (seconds until then)
    X-RateLimit-Bucket: 3f0c...

A request over a bucket's limit is answered 429 without running the route, with
``Retry-After`` (whole seconds, rounded up), ``X-RateLimit-Scope: user`` and
``{"message": "You are being rate limited.", "retry_after": 0.488, "global": false,
"code": 0}``; over the global limit, ``"global": true``, ``X-RateLimit-Global: true``
and ``X-RateLimit-Scope: global``.

Windows are fixed: a bucket's window opens with its first request and closes ``per``
seconds later, when the whole limit is back (``Reset-After`` counts down across the
window, which is how hikari recognises a fixed bucket and what nextcord and disnake
sleep on when ``Remaining`` reaches 0).
"""

from __future__ import annotations

__all__ = (
    "DISCORD_RATE_LIMITS",
    "MAJOR_PARAMETERS",
    "Limit",
    "RateLimiter",
    "RateLimits",
    "Verdict",
    "bucket_hash",
    "bucket_headers",
    "refusal_headers",
)

import dataclasses
import hashlib
import math
import re
import time
import types
import typing

from .routes import ROUTES

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MAJOR_PARAMETERS: typing.Final = (
    "channel_id",
    "guild_id",
    "webhook_id",
    "webhook_token",
    "interaction_token",
)
"""Route parameters that split a bucket; any other (message, user, role id) shares it."""

_PLACEHOLDER: typing.Final = re.compile(r"\{[^}]*\}")


def _route_key(method: str, template: str) -> str:
    """``"DELETE /channels/{}/messages/{}"``: a route whatever its placeholders are named."""
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', template)}"


def bucket_hash(method: str, template: str) -> str:
    """The ``X-RateLimit-Bucket`` of a route: opaque, one per method and route template
    (placeholder names do not matter), the same for every channel or guild."""
    return hashlib.sha1(_route_key(method, template).encode()).hexdigest()[:32]


_ROUTE_KEYS: typing.Final = frozenset(_route_key(r.method, r.template) for r in ROUTES)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Limit:
    """``requests`` per ``per`` seconds."""

    requests: int
    """Requests allowed in one window."""
    per: float
    """Length of the window, in seconds."""

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per <= 0:
            msg = f"a limit needs at least one request per positive window, not {self}"
            raise ValueError(msg)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateLimits:
    """The limits the stand-in enforces; ``DiscordAPI(rate_limits=None)`` enforces none.

    ``overrides`` replace ``bucket`` for some routes, keyed by method and template
    (``{"DELETE /channels/{c}/messages/{m}": Limit(requests=50, per=1.0)}``; placeholder
    names do not matter, a key that names no route of the stand-in is a ValueError).
    """

    bucket: Limit = Limit(requests=5, per=1.0)
    """Size and window of each route bucket (Discord's usual 5 per second)."""
    global_limit: Limit = Limit(requests=50, per=1.0)
    """Requests one bot token may send across all routes (Discord's 50 per second)."""
    overrides: Mapping[str, Limit] = dataclasses.field(default_factory=dict)
    """Bucket limits of some routes, keyed ``"METHOD /template"``."""

    def __post_init__(self) -> None:
        overrides = {}
        for key, limit in self.overrides.items():
            method, _, template = key.partition(" ")
            normal = _route_key(method, template)
            if normal not in _ROUTE_KEYS:
                msg = f"rate limit override for a route the stand-in does not serve: {key!r}"
                raise ValueError(msg)
            overrides[normal] = limit
        object.__setattr__(self, "overrides", types.MappingProxyType(overrides))

    def for_route(self, method: str, template: str) -> Limit:
        """The bucket limit of one route."""
        return self.overrides.get(_route_key(method, template), self.bucket)


DISCORD_RATE_LIMITS: typing.Final = RateLimits()
"""Discord's usual limits, the stand-in's default: 5 a second per bucket, 50 in all."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """Whether a request may run, and the rate limit headers of its answer."""

    allowed: bool
    """False: answer `body` with status 429 instead of running the route."""
    bucket: str
    """``X-RateLimit-Bucket`` of the route."""
    scope: str | None
    """``X-RateLimit-Scope`` of a refusal (``"user"`` for the route bucket, ``"global"``);
    None when allowed."""
    retry_after: float
    """Seconds until a refused request would be accepted; 0 when allowed."""
    headers: Mapping[str, str]
    """Headers to add to the answer, whatever it is."""

    @property
    def body(self) -> dict[str, typing.Any]:
        """Discord's 429 body."""
        return {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.scope == "global",
            "code": 0,
        }


@dataclasses.dataclass(slots=True)
class _Window:
    """A fixed window of one bucket: opened by a request, full after ``limit.requests``."""

    limit: Limit
    opened: float
    """Monotonic time of the first request."""
    reset_epoch: float
    """Wall-clock time the window closes (``X-RateLimit-Reset``)."""
    used: int = 0

    def reset_after(self, now: float) -> float:
        return max(0.0, self.opened + self.limit.per - now)


def bucket_headers(
    bucket: str, limit: int, remaining: int, reset_epoch: float, reset_after: float
) -> dict[str, str]:
    """The ``X-RateLimit-*`` headers every answer of a limited route carries; times are
    rounded up to the millisecond, so that a library waiting for them is never early."""
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{_ceil_ms(reset_epoch):.3f}",
        "X-RateLimit-Reset-After": f"{_ceil_ms(reset_after):.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def refusal_headers(retry_after: float, scope: str) -> dict[str, str]:
    """What a 429 adds: ``Retry-After`` in whole seconds, the scope, the global flag."""
    headers = {"Retry-After": str(max(1, math.ceil(retry_after))), "X-RateLimit-Scope": scope}
    if scope == "global":
        headers["X-RateLimit-Global"] = "true"
    return headers


class RateLimiter:
    """Discord's buckets for the stand-in: `admit` each routed request before running it.

    Not thread-safe; the stand-in calls it from its event loop only.
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._wall_clock = wall_clock
        self._buckets: dict[tuple[str | None, str, tuple[str, ...]], _Window] = {}
        self._global: dict[str | None, _Window] = {}

    def _window(
        self, windows: dict[typing.Any, _Window], key: object, limit: Limit, now: float
    ) -> _Window:
        """The live window under ``key``, a fresh one if it closed (or never opened)."""
        window = windows.get(key)
        if window is None or now >= window.opened + window.limit.per:
            window = windows[key] = _Window(limit, now, self._wall_clock() + limit.per)
        return window

    def admit(
        self,
        authorization: str | None,
        method: str,
        template: str,
        params: Mapping[str, str],
        *,
        counts_global: bool = True,
    ) -> Verdict:
        """Count a request of ``authorization`` (the bot's token) to a route; say whether
        it may run and with which headers. A route that does not ``counts_global`` (the
        webhook routes of an interaction token) draws on its bucket only; the stand-in
        does not admit an interaction callback at all (Discord sends it no bucket)."""
        bucket = bucket_hash(method, template)
        major = tuple(params.get(name, "") for name in MAJOR_PARAMETERS)
        now = self._clock()
        glob = self._window(self._global, authorization, self.limits.global_limit, now)
        if counts_global and glob.used >= glob.limit.requests:
            retry_after = _ceil_ms(glob.reset_after(now))
            return Verdict(
                allowed=False,
                bucket=bucket,
                scope="global",
                retry_after=retry_after,
                headers=refusal_headers(retry_after, "global"),
            )
        glob.used += int(counts_global)
        limit = self.limits.for_route(method, template)
        window = self._window(self._buckets, (authorization, bucket, major), limit, now)
        allowed = window.used < limit.requests
        window.used += allowed
        reset_after = window.reset_after(now)
        headers = bucket_headers(
            bucket,
            limit.requests,
            limit.requests - window.used,
            window.reset_epoch,
            reset_after,
        )
        if allowed:
            return Verdict(
                allowed=True, bucket=bucket, scope=None, retry_after=0.0, headers=headers
            )
        retry_after = _ceil_ms(reset_after)
        return Verdict(
            allowed=False,
            bucket=bucket,
            scope="user",
            retry_after=retry_after,
            headers=headers | refusal_headers(retry_after, "user"),
        )


def _ceil_ms(seconds: float) -> float:
    """Seconds rounded up to the millisecond."""
    return math.ceil(round(seconds * 1000, 6)) / 1000
