"""Scripted failures of the REST stand-in: the error a test asks `DiscordAPI.fail` to
answer instead of a route's normal reply, with the code, message, body and headers
Discord would send for it.
"""

from __future__ import annotations

__all__ = ("ScriptedFailure", "not_found_error", "scripted_failure")

import dataclasses
import time
import types
import typing

from .ratelimits import bucket_hash, bucket_headers, refusal_headers
from .routes import template_regex

if typing.TYPE_CHECKING:
    import re
    from collections.abc import Mapping

JSON = dict[str, typing.Any]

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


def not_found_error(path: str) -> tuple[int, str]:
    """Code and message of the 404 Discord sends for ``path`` (a path or a template)."""
    collections = [
        p for p in path.split("/") if p and not p.isdigit() and not p.startswith("{") and p != "@me"
    ]
    return _NOT_FOUND_BY_COLLECTION.get(
        collections[-1] if collections else "", (0, "404: Not Found")
    )


def scripted_failure(
    method: str,
    pattern: str,
    *,
    status: int,
    code: int | None,
    message: str | None,
    times: int | None,
    retry_after: float,
    scope: str,
    headers: Mapping[str, str] | None,
    bucket_limit: int,
) -> ScriptedFailure:
    """The failure `DiscordAPI.fail` documents; a 429 says ``bucket_limit`` requests
    and ``global`` when ``scope`` is ``"global"``."""
    method = method.upper()
    extra: dict[str, str] = dict(headers or {})
    default_code, default_message = (
        not_found_error(pattern)
        if status == 404
        else _DEFAULT_ERRORS.get(status, (0, f"{status}: Error"))
    )
    if code is None:
        code = default_code
    elif message is None:
        message = _ERROR_MESSAGES_BY_CODE.get(code)
    body: JSON = {"message": message or default_message, "code": code}
    if status == 429:
        body |= {"retry_after": retry_after, "global": scope == "global"}
        extra = {
            **bucket_headers(
                bucket_hash(method, pattern),
                bucket_limit,
                0,
                time.time() + retry_after,
                retry_after,
            ),
            **refusal_headers(retry_after, scope),
            **extra,
        }
    return ScriptedFailure(
        method=method,
        pattern=pattern,
        status=status,
        body=body,
        headers=extra,
        remaining=times,
        _regex=template_regex(pattern, named=False),
    )
