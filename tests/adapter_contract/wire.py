"""Reading the stand-in's request log the same way for every library.

Libraries put the same values on the wire in different shapes (hikari sends snowflakes
as strings, nextcord and disnake as numbers; nextcord sends a ban's delete window in the
query string, disnake and hikari in the body): these helpers read them as values.
Not collected (no ``test_`` prefix).
"""

from __future__ import annotations

__all__ = ("REASON", "delete_window", "ids", "mentions", "timeout_until")

import datetime
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from support.discord_api import RecordedRequest

REASON: typing.Final = "spamguard: max_messages (3/3 in 10s)"
"""The audit-log reason of a punishment for 3 messages in 10 s."""


def ids(values: Iterable[typing.Any]) -> list[int]:
    """Snowflakes (strings or numbers) as sorted integers."""
    return sorted(int(v) for v in values)


def mentions(body: Mapping[str, typing.Any]) -> dict[str, list[typing.Any]]:
    """A message body's ``allowed_mentions`` with user and role ids as integers."""
    allowed = dict(body["allowed_mentions"])
    for key in ("users", "roles"):
        if key in allowed:
            allowed[key] = [int(v) for v in allowed[key]]
    return allowed


def delete_window(ban: RecordedRequest) -> int:
    """The ``delete_message_seconds`` of a ban request, wherever the library put it."""
    return int({**ban.query, **(ban.json or {})}["delete_message_seconds"])


def timeout_until(created: Mapping[str, typing.Any], seconds: float) -> str:
    """``communication_disabled_until`` of a timeout of ``seconds`` decided on the message
    ``created`` (the guard's clock is the triggering message's own time)."""
    sent = datetime.datetime.fromisoformat(created["timestamp"])
    return (sent + datetime.timedelta(seconds=seconds)).isoformat()
