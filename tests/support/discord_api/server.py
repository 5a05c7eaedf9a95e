"""A local stand-in of the Discord REST API v10, served by aiohttp on 127.0.0.1: the
server, its request log and scripted failures.

Real Discord libraries send real HTTP requests to it; it records each one as a frozen
`RecordedRequest` and answers with the bodies Discord would send for the routes a
moderation bot uses (those live in `routes`). Failures (403, 404, 429, 5xx) can be
scripted per route.

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
import hashlib
import json
import math
import socket
import time
import types
import typing
import urllib.parse

from aiohttp import BodyPartReader, web

from support import payloads

from .routes import (
    Call,
    DiscordState,
    error_response,
    json_response,
    match_route,
    template_regex,
)

if typing.TYPE_CHECKING:
    import re
    from collections.abc import Mapping

JSON = dict[str, typing.Any]

API_PREFIX: typing.Final = "/api/v10"
"""Path prefix every library puts before a route."""

# Message and code Discord sends for each scripted status when the test gives none.
_DEFAULT_ERRORS: typing.Final[Mapping[int, tuple[int, str]]] = types.MappingProxyType(
    {
        400: (50035, "Invalid Form Body"),
        401: (0, "401: Unauthorized"),
        403: (50013, "Missing Permissions"),
        404: (10008, "Unknown Message"),
        429: (0, "You are being rate limited."),
        500: (0, "500: Internal Server Error"),
        502: (0, "502: Bad Gateway"),
        503: (0, "503: Service Unavailable"),
        504: (0, "504: Gateway Timeout"),
    }
)

# A 404's code depends on what was missing; the last collection in the path says what.
_NOT_FOUND_BY_COLLECTION: typing.Final[Mapping[str, tuple[int, str]]] = types.MappingProxyType(
    {
        "messages": (10008, "Unknown Message"),
        "members": (10007, "Unknown Member"),
        "bans": (10026, "Unknown Ban"),
        "roles": (10011, "Unknown Role"),
        "channels": (10003, "Unknown Channel"),
        "guilds": (10004, "Unknown Guild"),
        "users": (10013, "Unknown User"),
        "commands": (10063, "Unknown application command"),
        "rules": (0, "404: Not Found"),
    }
)

_ERROR_MESSAGES_BY_CODE: typing.Final[Mapping[int, str]] = types.MappingProxyType(
    {
        10003: "Unknown Channel",
        10004: "Unknown Guild",
        10007: "Unknown Member",
        10008: "Unknown Message",
        10011: "Unknown Role",
        10013: "Unknown User",
        10026: "Unknown Ban",
        50001: "Missing Access",
        50007: "Cannot send messages to this user",
        50013: "Missing Permissions",
        50034: "You can only bulk delete messages that are under 14 days old.",
        50035: "Invalid Form Body",
    }
)


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


@dataclasses.dataclass(slots=True, kw_only=True)
class ScriptedFailure:
    """A failure the stand-in answers instead of the normal reply.

    Mutable on purpose: ``remaining`` counts down as the failure is served and ``hits``
    counts the times it was, so a test can check that the library retried.
    """

    method: str
    """HTTP method to match, or ``"*"``."""
    pattern: str
    """Path template to match (placeholders match one segment)."""
    status: int
    """Status to answer."""
    body: JSON
    """JSON body to answer."""
    headers: Mapping[str, str]
    """Extra headers (rate limit headers for a 429)."""
    remaining: int | None
    """How many more times to fail; None for always."""
    hits: int = 0
    """How many times the failure was served."""
    _regex: re.Pattern[str] = dataclasses.field(repr=False)

    def matches(self, method: str, path: str) -> bool:
        """Whether this failure applies to a request."""
        live = self.remaining is None or self.remaining > 0
        return live and self.method in ("*", method) and self._regex.fullmatch(path) is not None


def _not_found_error(path: str) -> tuple[int, str]:
    """Code and message of the 404 Discord sends for ``path`` (a path or a template)."""
    collections = [
        p for p in path.split("/") if p and not p.isdigit() and not p.startswith("{") and p != "@me"
    ]
    return _NOT_FOUND_BY_COLLECTION.get(
        collections[-1] if collections else "", (0, "404: Not Found")
    )


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
    ) -> None:
        """Create a stand-in; call `start` (or use ``async with``) to serve.

        ``me`` is the bot user answered by ``GET /users/@me`` (default: a generic bot);
        ``application_id`` defaults to its id. Requests must carry
        ``Authorization: Bot <api.token>``. With ``strict``, leaving the context
        raises AssertionError if a request hit a route the stand-in does not know, so a
        missing route fails loudly instead of passing as a silent 404.
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
        self.token: str = fake_token(self.me.id)
        """The only token accepted; any other ``Authorization`` gets Discord's 401."""
        self._requests: list[RecordedRequest] = []
        self._failures: list[ScriptedFailure] = []
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @classmethod
    def for_world(cls, world: payloads.GuildWorld, *, strict: bool = True) -> DiscordAPI:
        """A stand-in that knows ``world``'s bot, users, members and channels."""
        api = cls(
            me=world.bot.user,
            application_id=world.application_id,
            application_owner=world.owner.user,
            strict=strict,
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

    def find(
        self, method: str | None = None, pattern: str | None = None
    ) -> tuple[RecordedRequest, ...]:
        """Requests with ``method`` whose path matches the template ``pattern``."""
        regex = template_regex(pattern, named=False) if pattern else None
        return tuple(
            r
            for r in self._requests
            if (method is None or r.method == method.upper())
            and (regex is None or regex.fullmatch(r.path))
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
        method = method.upper()
        extra: dict[str, str] = dict(headers or {})
        default_code, default_message = (
            _not_found_error(pattern)
            if status == 404
            else _DEFAULT_ERRORS.get(status, (0, f"{status}: Error"))
        )
        if code is None:
            code = default_code
        elif message is None:
            message = _ERROR_MESSAGES_BY_CODE.get(code)
        body: JSON = {"message": message or default_message, "code": code}
        if status == 429:
            body |= {"retry_after": retry_after, "global": is_global}
            bucket = hashlib.sha1(f"{method} {pattern}".encode()).hexdigest()[:32]
            extra = {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
                "X-RateLimit-Scope": "global" if is_global else scope,
                **({"X-RateLimit-Global": "true"} if is_global else {}),
                **extra,
            }
        failure = ScriptedFailure(
            method=method,
            pattern=pattern,
            status=status,
            body=body,
            headers=extra,
            remaining=times,
            _regex=template_regex(pattern, named=False),
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
        if request.headers.get("Authorization") != f"Bot {self.token}":
            response = error_response(401, 0, "401: Unauthorized")
        elif failure is not None:
            failure.hits += 1
            if failure.remaining is not None:
                failure.remaining -= 1
            response = json_response(failure.status, failure.body, failure.headers)
        elif route is None:
            response = error_response(404, 0, "404: Not Found")
        else:
            call = Call(
                params=types.MappingProxyType(params),
                json=body,
                reason=urllib.parse.unquote(raw_reason) if raw_reason else None,
                query=query,
            )
            response = await route.handler(self, call)

        record = RecordedRequest(
            method=method,
            path=path,
            route=route.template if route else None,
            params=types.MappingProxyType(params),
            query=query,
            json=body,
            files=files,
            reason=urllib.parse.unquote(raw_reason) if raw_reason else None,
            authorization=request.headers.get("Authorization"),
            status=response.status,
            at=arrived_at,
            monotonic=arrived_mono,
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
