"""A local stand-in of the Discord REST API v10, served by aiohttp on 127.0.0.1.

Real Discord libraries send real HTTP requests to it; it records each one as a frozen
`RecordedRequest` and answers with the bodies Discord would send for the routes a
moderation bot uses. Failures (403, 404, 429, 5xx) can be scripted per route.

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
import re
import socket
import time
import types
import typing
import urllib.parse

from aiohttp import BodyPartReader, web

from . import payloads

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

JSON = dict[str, typing.Any]

API_PREFIX: typing.Final = "/api/v10"
"""Path prefix every library puts before a route."""

_VIA: typing.Final = "1.1 google"

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


def _template_regex(template: str, *, named: bool) -> re.Pattern[str]:
    """Compile ``/guilds/{guild_id}/members/{user_id}`` into a full-match regex.

    Route templates use named groups to hand parameters to handlers; test patterns use
    anonymous ones so a test may write ``{x}`` twice or any placeholder name.
    """
    out = []
    for part in re.split(r"(\{[^}]*\})", template):
        if part.startswith("{") and part.endswith("}"):
            out.append(f"(?P<{part[1:-1]}>[^/]+)" if named else "[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


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


Handler = typing.Callable[["DiscordAPI", "_Call"], "Awaitable[web.Response]"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _Call:
    """What a route handler receives."""

    params: Mapping[str, str]
    json: typing.Any
    reason: str | None
    query: Mapping[str, str]

    def snowflake(self, name: str) -> int:
        return int(self.params[name])


@dataclasses.dataclass(frozen=True, slots=True)
class _Route:
    method: str
    template: str
    handler: Handler
    regex: re.Pattern[str]


def _json_response(
    status: int, body: typing.Any, headers: Mapping[str, str] | None = None
) -> web.Response:
    # Built by hand: web.json_response appends "; charset=utf-8", which nextcord and
    # disnake do not recognise as JSON.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Via": _VIA, **(headers or {})},
    )


def _no_content() -> web.Response:
    return web.Response(status=204, headers={"Via": _VIA})


def _error(status: int, code: int, message: str, **extra: typing.Any) -> web.Response:
    return _json_response(status, {"message": message, "code": code, **extra})


def _not_found_error(path: str) -> tuple[int, str]:
    """Code and message of the 404 Discord sends for ``path`` (a path or a template)."""
    collections = [
        p for p in path.split("/") if p and not p.isdigit() and not p.startswith("{") and p != "@me"
    ]
    return _NOT_FOUND_BY_COLLECTION.get(
        collections[-1] if collections else "", (0, "404: Not Found")
    )


class DiscordAPI:
    """The REST stand-in; an async context manager that serves on an ephemeral port.

    State it keeps so that follow-up calls see earlier ones: users and members (seeded
    from a `payloads.GuildWorld`, updated by PATCH and role routes, removed by kicks),
    bans, messages the bot sent, DM channels, AutoMod rules and application commands.
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
        self.me: payloads.User = me or payloads.User(
            id=payloads.snowflake(datetime.datetime(2022, 2, 2, tzinfo=datetime.UTC), increment=0),
            username="spamguard",
            bot=True,
        )
        self.application_id: int = application_id or self.me.id
        self.application_owner: payloads.User = application_owner or payloads.User(
            id=payloads.snowflake(datetime.datetime(2020, 2, 2, tzinfo=datetime.UTC), increment=0),
            username="developer",
            global_name="Developer",
        )
        self.strict = strict
        self.token: str = fake_token(self.me.id)
        """The only token accepted; any other ``Authorization`` gets Discord's 401."""
        self.users: dict[int, JSON] = {self.me.id: self.me.payload()}
        self.members: dict[tuple[int, int], JSON] = {}
        self.channels: dict[int, JSON] = {}
        self.bans: dict[tuple[int, int], JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.dm_channels: dict[int, JSON] = {}
        self.automod_rules: dict[int, dict[int, JSON]] = {}
        self.commands: dict[int | None, dict[int, JSON]] = {}
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

    def seed_guild(self, guild: payloads.Guild) -> None:
        """Make ``guild``'s users, members and channels known to GET/PATCH routes."""
        for member in guild.members:
            self.users[member.id] = member.user.payload()
            self.members[(guild.id, member.id)] = member.payload()
        for channel in (*guild.channels, *guild.threads):
            self.channels[channel.id] = channel.payload(guild.id)

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
        regex = _template_regex(pattern, named=False) if pattern else None
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
            _regex=_template_regex(pattern, named=False),
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

        route, params = self._match(method, path) if path != request.path else (None, {})
        failure = next((f for f in self._failures if f.matches(method, path)), None)
        if request.headers.get("Authorization") != f"Bot {self.token}":
            response = _error(401, 0, "401: Unauthorized")
        elif failure is not None:
            failure.hits += 1
            if failure.remaining is not None:
                failure.remaining -= 1
            response = _json_response(failure.status, failure.body, failure.headers)
        elif route is None:
            response = _error(404, 0, "404: Not Found")
        else:
            call = _Call(
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

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for route in _ROUTES:
            if route.method == method and (m := route.regex.fullmatch(path)):
                return route, m.groupdict()
        return None, {}

    # ------------------------------------------------------------------ entities

    def _user(self, user_id: int) -> JSON:
        # Unknown users are answered rather than 404'd: tests often act on ids that no
        # GUILD_CREATE listed (a user who already left), and Discord knows every user.
        return (
            self.users.get(user_id)
            or payloads.User(id=user_id, username=f"user{user_id}").payload()
        )

    def _member(self, guild_id: int, user_id: int) -> JSON:
        member = self.members.get((guild_id, user_id))
        if member is None:
            member = payloads.Member(
                user=payloads.User(id=user_id, username=f"user{user_id}"),
                joined_at=payloads.snowflake_time(guild_id),
            ).payload()
            member["user"] = self._user(user_id)
            self.members[(guild_id, user_id)] = member
        return member

    def message_payload(self, channel_id: int, body: Mapping[str, typing.Any]) -> JSON:
        """The message object Discord returns for a message the bot sends."""
        now = _utcnow()
        created = now.replace(microsecond=now.microsecond // 1000 * 1000)
        out: JSON = {
            "type": 0,
            "tts": bool(body.get("tts", False)),
            "timestamp": payloads.timestamp(created),
            "pinned": False,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "id": str(payloads.snowflake(created)),
            "flags": int(body.get("flags") or 0),
            "embeds": list(body.get("embeds") or []),
            "edited_timestamp": None,
            "content": body.get("content") or "",
            "components": list(body.get("components") or []),
            "channel_id": str(channel_id),
            "author": self.me.payload(),
            "attachments": [],
        }
        if body.get("nonce") is not None:
            out["nonce"] = body["nonce"]
        if ref := body.get("message_reference"):
            out["type"] = 19
            out["message_reference"] = {"type": 0, "channel_id": str(channel_id), **ref}
        return out

    # ------------------------------------------------------------------ handlers

    async def _get_me(self, call: _Call) -> web.Response:
        return _json_response(
            200,
            self.me.payload()
            | {"verified": True, "mfa_enabled": False, "email": None, "bot": True},
        )

    async def _get_application(self, call: _Call) -> web.Response:
        return _json_response(
            200,
            {
                "id": str(self.application_id),
                "name": self.me.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "2d8f4b1c9a7e6f5d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                "flags": 565248,
                "owner": self.application_owner.payload(),
                "team": None,
                "bot": self.me.payload() | {"bot": True},
                "rpc_origins": [],
                "redirect_uris": [],
                "tags": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
                "integration_types_config": {"0": {}, "1": {}},
                "approximate_guild_count": 1,
                "approximate_user_install_count": 0,
                "is_monetized": False,
                "is_verified": False,
                "is_discoverable": False,
                "storefront_available": False,
                "explicit_content_filter": 0,
            },
        )

    async def _get_gateway_bot(self, call: _Call) -> web.Response:
        # Served so a stray start() fails at the websocket, not here: the URL is unroutable.
        return _json_response(
            200,
            {
                "url": "wss://gateway.invalid",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            },
        )

    async def _get_gateway(self, call: _Call) -> web.Response:
        return _json_response(200, {"url": "wss://gateway.invalid"})

    async def _get_user(self, call: _Call) -> web.Response:
        return _json_response(200, self._user(call.snowflake("user_id")))

    async def _get_channel(self, call: _Call) -> web.Response:
        channel_id = call.snowflake("channel_id")
        channel = self.channels.get(channel_id) or next(
            (c for c in self.dm_channels.values() if int(c["id"]) == channel_id), None
        )
        return _json_response(200, channel) if channel else _error(404, 10003, "Unknown Channel")

    async def _create_message(self, call: _Call) -> web.Response:
        channel_id = call.snowflake("channel_id")
        body = call.json or {}
        if not (
            body.get("content")
            or body.get("embeds")
            or body.get("sticker_ids")
            or body.get("attachments")
        ):
            return _error(400, 50006, "Cannot send an empty message")
        message = self.message_payload(channel_id, body)
        self.messages[(channel_id, int(message["id"]))] = message
        return _json_response(200, message)

    async def _get_message(self, call: _Call) -> web.Response:
        key = (call.snowflake("channel_id"), call.snowflake("message_id"))
        return (
            _json_response(200, self.messages[key])
            if key in self.messages
            else _error(404, 10008, "Unknown Message")
        )

    async def _edit_message(self, call: _Call) -> web.Response:
        key = (call.snowflake("channel_id"), call.snowflake("message_id"))
        if key not in self.messages:
            return _error(404, 10008, "Unknown Message")
        message = self.messages[key]
        for field in ("content", "embeds", "components", "flags"):
            if call.json and field in call.json:
                message[field] = call.json[field]
        message["edited_timestamp"] = payloads.timestamp(_utcnow())
        return _json_response(200, message)

    async def _delete_message(self, call: _Call) -> web.Response:
        # Messages the gateway delivered are unknown here, so deletes succeed unless a
        # failure is scripted: that is the common case a test wants.
        self.messages.pop((call.snowflake("channel_id"), call.snowflake("message_id")), None)
        return _no_content()

    async def _bulk_delete(self, call: _Call) -> web.Response:
        ids = list((call.json or {}).get("messages") or [])
        if not 2 <= len(ids) <= 100:
            return _error(
                400,
                50035,
                "Invalid Form Body",
                errors={
                    "messages": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 2 and 100 in length.",
                            }
                        ]
                    }
                },
            )
        for message_id in ids:
            self.messages.pop((call.snowflake("channel_id"), int(message_id)), None)
        return _no_content()

    async def _create_dm(self, call: _Call) -> web.Response:
        recipient = int((call.json or {})["recipient_id"])
        channel = self.dm_channels.get(recipient)
        if channel is None:
            channel = {
                "id": str(payloads.snowflake(_utcnow())),
                "type": int(payloads.ChannelType.DM),
                "last_message_id": None,
                "flags": 0,
                "recipients": [self._user(recipient)],
            }
            self.dm_channels[recipient] = channel
        return _json_response(200, channel)

    async def _get_member(self, call: _Call) -> web.Response:
        key = (call.snowflake("guild_id"), call.snowflake("user_id"))
        return (
            _json_response(200, self.members[key])
            if key in self.members
            else _error(404, 10007, "Unknown Member")
        )

    async def _edit_member(self, call: _Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        for field, value in (call.json or {}).items():
            if field in ("nick", "roles", "mute", "deaf", "flags", "communication_disabled_until"):
                member[field] = value
        return _json_response(200, member)

    async def _add_role(self, call: _Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        if call.params["role_id"] not in member["roles"]:
            member["roles"] = [*member["roles"], call.params["role_id"]]
        return _no_content()

    async def _remove_role(self, call: _Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        member["roles"] = [r for r in member["roles"] if r != call.params["role_id"]]
        return _no_content()

    async def _kick(self, call: _Call) -> web.Response:
        self.members.pop((call.snowflake("guild_id"), call.snowflake("user_id")), None)
        return _no_content()

    async def _ban(self, call: _Call) -> web.Response:
        guild_id, user_id = call.snowflake("guild_id"), call.snowflake("user_id")
        self.bans[(guild_id, user_id)] = {"reason": call.reason, "user": self._user(user_id)}
        self.members.pop((guild_id, user_id), None)
        return _no_content()

    async def _unban(self, call: _Call) -> web.Response:
        if self.bans.pop((call.snowflake("guild_id"), call.snowflake("user_id")), None) is None:
            return _error(404, 10026, "Unknown Ban")
        return _no_content()

    async def _get_ban(self, call: _Call) -> web.Response:
        ban = self.bans.get((call.snowflake("guild_id"), call.snowflake("user_id")))
        return _json_response(200, ban) if ban else _error(404, 10026, "Unknown Ban")

    async def _list_bans(self, call: _Call) -> web.Response:
        guild_id = call.snowflake("guild_id")
        return _json_response(200, [b for (g, _), b in self.bans.items() if g == guild_id])

    async def _list_rules(self, call: _Call) -> web.Response:
        return _json_response(
            200, list(self.automod_rules.get(call.snowflake("guild_id"), {}).values())
        )

    async def _get_rule(self, call: _Call) -> web.Response:
        rule = self.automod_rules.get(call.snowflake("guild_id"), {}).get(call.snowflake("rule_id"))
        return _json_response(200, rule) if rule else _error(404, 0, "404: Not Found")

    async def _create_rule(self, call: _Call) -> web.Response:
        guild_id = call.snowflake("guild_id")
        body = dict(call.json or {})
        rule = payloads.automod_rule(
            rule_id=payloads.snowflake(_utcnow()),
            guild_id=guild_id,
            creator_id=self.me.id,
            name=body.get("name", "rule"),
            trigger_type=int(body.get("trigger_type", 1)),
            trigger_metadata=body.get("trigger_metadata"),
            actions=body.get("actions") or (),
            enabled=bool(body.get("enabled", False)),
            exempt_roles=[int(r) for r in body.get("exempt_roles") or ()],
            exempt_channels=[int(c) for c in body.get("exempt_channels") or ()],
            event_type=int(body.get("event_type", 1)),
        )
        self.automod_rules.setdefault(guild_id, {})[int(rule["id"])] = rule
        return _json_response(200, rule)

    async def _edit_rule(self, call: _Call) -> web.Response:
        rule = self.automod_rules.get(call.snowflake("guild_id"), {}).get(call.snowflake("rule_id"))
        if rule is None:
            return _error(404, 0, "404: Not Found")
        for field, value in (call.json or {}).items():
            if field in ("exempt_roles", "exempt_channels"):
                rule[field] = [str(v) for v in value]
            elif field in ("name", "event_type", "trigger_metadata", "actions", "enabled"):
                rule[field] = value
        return _json_response(200, rule)

    async def _delete_rule(self, call: _Call) -> web.Response:
        if (
            self.automod_rules.get(call.snowflake("guild_id"), {}).pop(
                call.snowflake("rule_id"), None
            )
            is None
        ):
            return _error(404, 0, "404: Not Found")
        return _no_content()

    def _command_scope(self, call: _Call) -> dict[int, JSON]:
        guild = int(call.params["guild_id"]) if "guild_id" in call.params else None
        return self.commands.setdefault(guild, {})

    def _command(
        self, call: _Call, body: Mapping[str, typing.Any], command_id: int | None = None
    ) -> JSON:
        guild = call.params.get("guild_id")
        return {
            "id": str(command_id or payloads.snowflake(_utcnow())),
            "application_id": str(self.application_id),
            "version": str(payloads.snowflake(_utcnow())),
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **({"guild_id": guild} if guild else {}),
            **{
                k: v
                for k, v in body.items()
                if k not in ("id", "application_id", "guild_id", "version")
            },
        }

    async def _list_commands(self, call: _Call) -> web.Response:
        return _json_response(200, list(self._command_scope(call).values()))

    async def _overwrite_commands(self, call: _Call) -> web.Response:
        scope = self._command_scope(call)
        by_name = {c["name"]: int(c["id"]) for c in scope.values()}
        scope.clear()
        for body in call.json or []:
            command = self._command(call, body, by_name.get(body.get("name")))
            scope[int(command["id"])] = command
        return _json_response(200, list(scope.values()))

    async def _create_command(self, call: _Call) -> web.Response:
        command = self._command(call, call.json or {})
        self._command_scope(call)[int(command["id"])] = command
        return _json_response(201, command)

    async def _get_command(self, call: _Call) -> web.Response:
        command = self._command_scope(call).get(call.snowflake("command_id"))
        return (
            _json_response(200, command)
            if command
            else _error(404, 10063, "Unknown application command")
        )

    async def _edit_command(self, call: _Call) -> web.Response:
        scope = self._command_scope(call)
        command = scope.get(call.snowflake("command_id"))
        if command is None:
            return _error(404, 10063, "Unknown application command")
        command.update({k: v for k, v in (call.json or {}).items() if k != "id"})
        return _json_response(200, command)

    async def _delete_command(self, call: _Call) -> web.Response:
        if self._command_scope(call).pop(call.snowflake("command_id"), None) is None:
            return _error(404, 10063, "Unknown application command")
        return _no_content()

    async def _command_permissions(self, call: _Call) -> web.Response:
        return _json_response(200, [])


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


def _routes(
    *table: tuple[str, str, Callable[[DiscordAPI, _Call], Awaitable[web.Response]]],
) -> tuple[_Route, ...]:
    return tuple(_Route(m, t, h, _template_regex(t, named=True)) for m, t, h in table)


# The routes a moderation bot (and its library's start-up) uses; anything else is a 404
# recorded in DiscordAPI.unhandled.
_A = DiscordAPI
_ROUTES: typing.Final = _routes(
    ("GET", "/users/@me", _A._get_me),
    ("GET", "/users/{user_id}", _A._get_user),
    ("POST", "/users/@me/channels", _A._create_dm),
    ("GET", "/oauth2/applications/@me", _A._get_application),
    ("GET", "/applications/@me", _A._get_application),
    ("GET", "/gateway/bot", _A._get_gateway_bot),
    ("GET", "/gateway", _A._get_gateway),
    ("GET", "/channels/{channel_id}", _A._get_channel),
    ("POST", "/channels/{channel_id}/messages", _A._create_message),
    ("POST", "/channels/{channel_id}/messages/bulk-delete", _A._bulk_delete),
    ("GET", "/channels/{channel_id}/messages/{message_id}", _A._get_message),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", _A._edit_message),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", _A._delete_message),
    ("GET", "/guilds/{guild_id}/members/{user_id}", _A._get_member),
    ("PATCH", "/guilds/{guild_id}/members/{user_id}", _A._edit_member),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}", _A._kick),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", _A._add_role),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", _A._remove_role),
    ("GET", "/guilds/{guild_id}/bans", _A._list_bans),
    ("GET", "/guilds/{guild_id}/bans/{user_id}", _A._get_ban),
    ("PUT", "/guilds/{guild_id}/bans/{user_id}", _A._ban),
    ("DELETE", "/guilds/{guild_id}/bans/{user_id}", _A._unban),
    ("GET", "/guilds/{guild_id}/auto-moderation/rules", _A._list_rules),
    ("POST", "/guilds/{guild_id}/auto-moderation/rules", _A._create_rule),
    ("GET", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._get_rule),
    ("PATCH", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._edit_rule),
    ("DELETE", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._delete_rule),
    ("GET", "/applications/{application_id}/commands", _A._list_commands),
    ("PUT", "/applications/{application_id}/commands", _A._overwrite_commands),
    ("POST", "/applications/{application_id}/commands", _A._create_command),
    ("GET", "/applications/{application_id}/commands/{command_id}", _A._get_command),
    ("PATCH", "/applications/{application_id}/commands/{command_id}", _A._edit_command),
    ("DELETE", "/applications/{application_id}/commands/{command_id}", _A._delete_command),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", _A._list_commands),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", _A._overwrite_commands),
    ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", _A._create_command),
    (
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
        _A._command_permissions,
    ),
    (
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
        _A._get_command,
    ),
    (
        "PATCH",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
        _A._edit_command,
    ),
    (
        "DELETE",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
        _A._delete_command,
    ),
)
del _A
