"""A local stand-in of the Discord REST API v10, served by aiohttp on 127.0.0.1: the
server, its request log and scripted failures.

Real Discord libraries send real HTTP requests to it; it records each one as a frozen
`RecordedRequest` and answers with the bodies Discord would send for the routes a
moderation bot uses (those live in `routes`). Failures (403, 404, 429, 5xx) can be
scripted per route.

Discord's rate limits are emulated (`ratelimits`): every answer of a route carries the
``X-RateLimit-*`` headers of its bucket (but an interaction callback's, which Discord
does not limit by bucket), and a request over a bucket's limit or the
bot's global limit gets Discord's 429 without reaching the route; scripted failures
come first. ``DiscordAPI(rate_limits=None)`` turns the emulation off.

Interaction callbacks and the followup webhook routes (`interactions`) need no bot
token, as on Discord: the interaction token authorises them; a test hands the
INTERACTION_CREATE it dispatches to ``api.interactions.receive`` first.

Replies carry exactly ``Content-Type: application/json`` and a ``Via`` header: nextcord
and disnake compare the content type verbatim (a ``; charset=utf-8`` suffix makes them
treat bodies as text) and read a 429 without ``Via`` as a Cloudflare ban.

Usage::

    async with DiscordAPI.for_world(world) as api:
        ...  # point a library at api.url
        api.fail("DELETE", "/guilds/{g}/members/{u}", status=403, times=1)
        assert api.find("DELETE", "/channels/{c}/messages/{m}")[0].reason == "spam"
"""

from __future__ import annotations

__all__ = (
    "API_PREFIX",
    "DiscordAPI",
    "RecordedRequest",
    "ScriptedFailure",
    "fake_token",
)

import asyncio
import base64
import dataclasses
import datetime
import json
import socket
import time
import types
import typing
import urllib.parse

from aiohttp import BodyPartReader, web

from support import payloads

from .failures import ScriptedFailure, scripted_failure
from .ratelimits import DISCORD_RATE_LIMITS, RateLimiter, RateLimits
from .routes import (
    Call,
    DiscordState,
    error_response,
    json_response,
    match_route,
    template_regex,
)

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

API_PREFIX: typing.Final = "/api/v10"
"""Path prefix every library puts before a route."""


def fake_token(user_id: int) -> str:
    """A syntactically valid bot token for ``user_id``.

    hikari derives ``bot.token_id`` from the first segment (base64 of the id), so it must
    name the bot user; the other two segments are never checked by anyone.
    """
    first = base64.b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{first}.ZbQm9A.c3BhbWd1YXJkLW9mZmxpbmUtdGVzdHMtdG9rZW4"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request the stand-in received."""

    method: str
    """HTTP method, upper case."""
    path: str
    """Path without the ``/api/v10`` prefix, e.g. ``/channels/1/messages/2``."""
    route: str | None
    """Template of the route that answered, e.g. ``/channels/{channel_id}/messages``;
    None for an unknown route."""
    params: Mapping[str, str]
    """Placeholder values of ``route`` (``{"channel_id": "1"}``)."""
    query: Mapping[str, str]
    """Query string parameters (last value wins)."""
    json: typing.Any
    """Decoded JSON body (``payload_json`` of a multipart body), or None."""
    files: tuple[str, ...]
    """File names of a multipart upload."""
    reason: str | None
    """``X-Audit-Log-Reason``, URL-decoded; None when absent."""
    authorization: str | None
    """``Authorization`` header as sent (``"Bot <token>"``)."""
    status: int
    """Status the stand-in answered with."""
    at: datetime.datetime
    """Wall-clock time the request arrived (UTC)."""
    monotonic: float
    """`time.monotonic` when the request arrived, to measure back-off between retries."""
    bucket: str | None = None
    """``X-RateLimit-Bucket`` the answer carried; None without rate limit emulation."""
    rate_limit_scope: str | None = None
    """``"user"`` (route bucket) or ``"global"`` when the emulated rate limits answered
    429 instead of the route; None otherwise (a scripted 429 included)."""


class DiscordAPI(DiscordState):
    """The REST stand-in; an async context manager that serves on an ephemeral port.

    It records every request as a `RecordedRequest`, answers scripted failures
    (`fail`) and hands everything else to the route handlers of `DiscordState`, whose
    state (users, members, bans, messages, AutoMod rules...) it exposes.
    """

    def __init__(
        self,
        *,
        me: payloads.User | None = None,
        application_id: int | None = None,
        application_owner: payloads.User | None = None,
        strict: bool = True,
        rate_limits: RateLimits | None = DISCORD_RATE_LIMITS,
    ) -> None:
        """Create a stand-in; call `start` (or use ``async with``) to serve.

        ``me`` is the bot user answered by ``GET /users/@me`` (default: a generic bot);
        ``application_id`` defaults to its id. Requests must carry
        ``Authorization: Bot <api.token>``. With ``strict``, leaving the context
        raises AssertionError if a request hit a route the stand-in does not know, so a
        missing route fails loudly instead of passing as a silent 404. ``rate_limits``
        are the limits emulated (default: Discord's, 5 a second per route bucket and 50
        a second in all); None answers every request at once.
        """
        me = me or payloads.User(
            id=payloads.snowflake(datetime.datetime(2022, 2, 2, tzinfo=datetime.UTC), increment=0),
            username="spamguard",
            bot=True,
        )
        super().__init__(
            me=me,
            application_id=application_id or me.id,
            application_owner=application_owner
            or payloads.User(
                id=payloads.snowflake(
                    datetime.datetime(2020, 2, 2, tzinfo=datetime.UTC), increment=0
                ),
                username="developer",
                global_name="Developer",
            ),
        )
        self.strict = strict
        self.rate_limits = rate_limits
        self._limiter = RateLimiter(rate_limits) if rate_limits is not None else None
        self.token: str = fake_token(self.me.id)
        """The only token accepted; any other ``Authorization`` gets Discord's 401."""
        self._requests: list[RecordedRequest] = []
        self._failures: list[ScriptedFailure] = []
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @classmethod
    def for_world(
        cls,
        world: payloads.GuildWorld,
        *,
        strict: bool = True,
        rate_limits: RateLimits | None = DISCORD_RATE_LIMITS,
    ) -> DiscordAPI:
        """A stand-in that knows ``world``'s bot, users, members and channels."""
        api = cls(
            me=world.bot.user,
            application_id=world.application_id,
            application_owner=world.owner.user,
            strict=strict,
            rate_limits=rate_limits,
        )
        api.seed_guild(world.guild)
        return api

    # ------------------------------------------------------------------ lifecycle

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._port is None:
            msg = "the stand-in is not running"
            raise RuntimeError(msg)
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        """Base URL including ``/api/v10``: what hikari's ``rest_url`` and
        nextcord/disnake's ``Route.BASE`` need."""
        return self.origin + API_PREFIX

    async def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # Binding the socket ourselves gives the port without private aiohttp attributes.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordAPI:
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        await self.close()
        if self.strict and exc_type is None and self.unhandled:
            lines = "\n".join(f"  {r.method} {r.path}" for r in self.unhandled)
            msg = f"requests to routes the stand-in does not serve:\n{lines}"
            raise AssertionError(msg)

    # ------------------------------------------------------------------ recording

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request so far, oldest first."""
        return tuple(self._requests)

    @property
    def unhandled(self) -> tuple[RecordedRequest, ...]:
        """Requests that matched no known route."""
        return tuple(r for r in self._requests if r.route is None)

    @property
    def rate_limited(self) -> tuple[RecordedRequest, ...]:
        """Requests the rate limit emulation answered 429 (the route did not run)."""
        return tuple(r for r in self._requests if r.rate_limit_scope is not None)

    def find(
        self,
        method: str | None = None,
        pattern: str | None = None,
        *,
        rate_limited: bool = True,
    ) -> tuple[RecordedRequest, ...]:
        """Requests with ``method`` whose path matches the template ``pattern``; without
        those the rate limits refused if not ``rate_limited`` (what reached the route)."""
        regex = template_regex(pattern, named=False) if pattern else None
        return tuple(
            r
            for r in self._requests
            if (method is None or r.method == method.upper())
            and (regex is None or regex.fullmatch(r.path))
            and (rate_limited or r.rate_limit_scope is None)
        )

    def clear(self) -> None:
        """Forget recorded requests (state and scripted failures stay)."""
        self._requests.clear()

    async def wait_for(
        self, method: str, pattern: str, *, count: int = 1, timeout: float = 5.0
    ) -> tuple[RecordedRequest, ...]:
        """Wait until ``count`` matching requests were recorded; return them.

        For effects a library performs in a background task; raises TimeoutError.
        """
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.find(method, pattern)) >= count),
                timeout=timeout,
            )
        return self.find(method, pattern)

    # ------------------------------------------------------------------ failures

    def fail(
        self,
        method: str,
        pattern: str,
        *,
        status: int,
        code: int | None = None,
        message: str | None = None,
        times: int | None = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        scope: str = "shared",
        headers: Mapping[str, str] | None = None,
    ) -> ScriptedFailure:
        """Answer the next ``times`` matching requests (None: all) with an error.

        ``pattern`` is a path template without ``/api/v10`` (``"/guilds/{g}/bans/{u}"``);
        a concrete segment narrows it (``"/guilds/{g}/members/123"``). ``code`` and
        ``message`` default to what Discord sends for the status (404's code depends on
        the resource: 10008 messages, 10007 members, 10026 bans...).

        For 429 the body is ``{"message", "retry_after", "global", "code"}`` with
        ``Retry-After`` and ``X-RateLimit-*`` headers (``Remaining: 0``,
        ``Reset-After: retry_after``, ``Scope: scope``; ``Global: true`` if global).
        Keep ``retry_after`` small for nextcord/disnake (they sleep it, whatever its
        size); make it larger than hikari's ``max_rate_limit`` to get
        ``RateLimitTooLongError``.
        """
        failure = scripted_failure(
            method,
            pattern,
            status=status,
            code=code,
            message=message,
            times=times,
            retry_after=retry_after,
            scope="global" if is_global else scope,
            headers=headers,
            bucket_limit=self.rate_limits.bucket.requests if self.rate_limits else 5,
        )
        self._failures.append(failure)
        return failure

    def clear_failures(self) -> None:
        """Drop every scripted failure."""
        self._failures.clear()

    # ------------------------------------------------------------------ dispatch

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        arrived_at, arrived_mono = _utcnow(), time.monotonic()
        method = request.method.upper()
        path = request.path
        path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        body, files = await _read_body(request)
        raw_reason = request.headers.get("X-Audit-Log-Reason")
        query = types.MappingProxyType(dict(request.query.items()))

        route, params = match_route(method, path) if path != request.path else (None, {})
        failure = next((f for f in self._failures if f.matches(method, path)), None)
        authorization = request.headers.get("Authorization")
        # The interaction token authorises the interaction routes: no bot token needed.
        authorized = authorization == f"Bot {self.token}" or (
            route is not None and not route.bot_token and authorization is None
        )
        verdict = (
            self._limiter.admit(
                authorization,
                method,
                route.template,
                params,
                counts_global=route.bot_token,
            )
            if self._limiter is not None
            and authorized
            and failure is None
            and route is not None
            and route.bucketed
            else None
        )
        if not authorized:
            response = error_response(401, 0, "401: Unauthorized")
        elif failure is not None:
            failure.hits += 1
            if failure.remaining is not None:
                failure.remaining -= 1
            response = json_response(failure.status, failure.body, failure.headers)
        elif route is None:
            response = error_response(404, 0, "404: Not Found")
        elif verdict is not None and not verdict.allowed:
            response = json_response(429, verdict.body, verdict.headers)
        else:
            call = Call(
                params=types.MappingProxyType(params),
                json=body,
                reason=urllib.parse.unquote(raw_reason) if raw_reason else None,
                query=query,
            )
            response = await route.handler(self, call)
            if verdict is not None:
                response.headers.update(verdict.headers)

        record = RecordedRequest(
            method=method,
            path=path,
            route=route.template if route else None,
            params=types.MappingProxyType(params),
            query=query,
            json=body,
            files=files,
            reason=urllib.parse.unquote(raw_reason) if raw_reason else None,
            authorization=authorization,
            status=response.status,
            at=arrived_at,
            monotonic=arrived_mono,
            bucket=verdict.bucket if verdict else None,
            rate_limit_scope=verdict.scope if verdict else None,
        )
        async with self._arrived:
            self._requests.append(record)
            self._arrived.notify_all()
        return response


async def _read_body(request: web.Request) -> tuple[typing.Any, tuple[str, ...]]:
    """Decode a JSON body, or the ``payload_json`` part and file names of a multipart one."""
    if request.content_type == "multipart/form-data":
        body: typing.Any = None
        files: list[str] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.filename:
                files.append(part.filename)
            elif part.name == "payload_json":
                body = json.loads(data)
        return body, tuple(files)
    raw = await request.read()
    if not raw:
        return None, ()
    try:
        return json.loads(raw), ()
    except ValueError:
        return raw.decode(errors="replace"), ()
