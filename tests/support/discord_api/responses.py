"""What every route handler of the stand-in shares: the `Call` it receives and the
replies it builds (JSON exactly as Discord's ``Content-Type``, 204, Discord's errors)."""

from __future__ import annotations

__all__ = ("JSON", "Call", "error_response", "json_response", "no_content")

import dataclasses
import json
import typing

from aiohttp import web

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

JSON = dict[str, typing.Any]

_VIA: typing.Final = "1.1 google"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """What a route handler receives."""

    params: Mapping[str, str]
    json: typing.Any
    reason: str | None
    query: Mapping[str, str]

    def snowflake(self, name: str) -> int:
        return int(self.params[name])


def json_response(
    status: int, body: typing.Any, headers: Mapping[str, str] | None = None
) -> web.Response:
    # Built by hand: web.json_response appends "; charset=utf-8", which nextcord and
    # disnake do not recognise as JSON.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Via": _VIA, **(headers or {})},
    )


def no_content() -> web.Response:
    return web.Response(status=204, headers={"Via": _VIA})


def error_response(status: int, code: int, message: str, **extra: typing.Any) -> web.Response:
    return json_response(status, {"message": message, "code": code, **extra})
