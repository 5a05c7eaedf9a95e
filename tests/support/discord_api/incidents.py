"""The stand-in's ``PUT /guilds/{guild_id}/incident-actions`` (Modify Guild Incident
Actions), as Discord documents it.

The body holds ``invites_disabled_until`` and ``dms_disabled_until``: ISO 8601 times at
most 24 hours ahead, or null (which lifts that action; a field left out counts as null,
so each request sets both). The bot needs Manage Server (``MANAGE_GUILD``) in the guild,
read from the roles the stand-in was seeded with and the bot member's roles now;
without it Discord answers 403 Missing Permissions. The answer is the guild's incidents
data, which the stand-in keeps in ``DiscordState.incidents`` for tests to assert (or to
change, as a moderator would). ``GET /guilds/{guild_id}`` answers the guild object with
those incidents data (``incidents_data``, null while none was set).
"""

from __future__ import annotations

__all__ = ("MAX_AHEAD", "get_guild", "guild_permissions", "modify_incident_actions")

import datetime
import typing

from support import payloads

from .responses import error_response, json_response

if typing.TYPE_CHECKING:
    from aiohttp import web

    from .responses import JSON, Call
    from .routes import DiscordState

MAX_AHEAD: typing.Final = datetime.timedelta(hours=24)
"""How far ahead Discord lets an incident action last."""

# A request is checked against the stand-in's wall clock while the tests' bots stamp
# their times from a clock of their own (a FakeClock a little behind or ahead of it).
_CLOCK_SLACK: typing.Final = datetime.timedelta(minutes=1)

_FIELDS: typing.Final = ("invites_disabled_until", "dms_disabled_until")


def guild_permissions(state: DiscordState, guild_id: int, user_id: int) -> int:
    """The guild-wide permissions of a member (owner: all; administrator: all), from the
    guild's seeded roles and the member's current roles; 0 for a stranger."""
    guild = state.guilds[guild_id]
    if user_id == guild.owner_id:
        return ~0
    member = state.members.get((guild_id, user_id))
    if member is None:
        return 0
    held = {int(role_id) for role_id in member["roles"]} | {guild_id}
    permissions = 0
    for role in guild.roles:
        if role.id in held:
            permissions |= int(role.permissions)
    if permissions & payloads.Permission.ADMINISTRATOR:
        return ~0
    return permissions


def _invalid(field: str, message: str) -> web.Response:
    return error_response(
        400,
        50035,
        "Invalid Form Body",
        errors={field: {"_errors": [{"code": "BASE_TYPE_BAD_TIMESTAMP", "message": message}]}},
    )


def _parse(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=datetime.UTC)


async def modify_incident_actions(state: DiscordState, call: Call) -> web.Response:
    """``PUT /guilds/{guild_id}/incident-actions``: set (or lift) both incident actions;
    answers the guild's incidents data."""
    guild_id = call.snowflake("guild_id")
    if guild_id not in state.guilds:
        return error_response(404, 10004, "Unknown Guild")
    if not guild_permissions(state, guild_id, state.me.id) & payloads.Permission.MANAGE_GUILD:
        return error_response(403, 50013, "Missing Permissions")
    body = call.json if isinstance(call.json, dict) else {}
    now = datetime.datetime.now(tz=datetime.UTC)
    values: JSON = {}
    for field in _FIELDS:
        raw = body.get(field)
        if raw is None:
            values[field] = None
            continue
        at = _parse(raw)
        if at is None:
            return _invalid(field, "Could not interpret the value as a timestamp.")
        if at > now + MAX_AHEAD + _CLOCK_SLACK:
            return _invalid(field, "Timestamp must be at most 24 hours in the future.")
        values[field] = payloads.timestamp(at)
    incidents = state.incidents.setdefault(
        guild_id, {"dm_spam_detected_at": None, "raid_detected_at": None}
    )
    incidents.update(values)
    return json_response(200, dict(incidents))


async def get_guild(state: DiscordState, call: Call) -> web.Response:
    """``GET /guilds/{guild_id}``: the guild object (as seeded) with its current
    ``incidents_data`` and approximate counts (Discord's ``with_counts``)."""
    guild_id = call.snowflake("guild_id")
    guild = state.guilds.get(guild_id)
    if guild is None:
        return error_response(404, 10004, "Unknown Guild")
    incidents = state.incidents.get(guild_id)
    members = sum(1 for key in state.members if key[0] == guild_id)
    return json_response(
        200,
        {
            **guild.payload(),
            "incidents_data": None if incidents is None else dict(incidents),
            "approximate_member_count": members,
            "approximate_presence_count": 0,
        },
    )
