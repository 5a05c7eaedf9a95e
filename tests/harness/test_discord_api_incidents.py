"""The REST stand-in's incident actions (``PUT /guilds/{guild_id}/incident-actions``) and
the member payloads, driven by a plain aiohttp client."""

from __future__ import annotations

import contextlib
import datetime
import typing

import aiohttp
from support import payloads
from support.discord_api import DiscordAPI

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator


ROUTE = "/guilds/{guild_id}/incident-actions"


@contextlib.asynccontextmanager
async def _put(
    world: payloads.GuildWorld,
) -> AsyncIterator[tuple[DiscordAPI, typing.Any]]:
    async with DiscordAPI.for_world(world) as api, aiohttp.ClientSession() as session:

        async def put(body: typing.Any) -> tuple[int, typing.Any]:
            async with session.put(
                f"{api.url}/guilds/{world.guild_id}/incident-actions",
                json=body,
                headers={"Authorization": f"Bot {api.token}"},
            ) as response:
                return response.status, await response.json()

        yield api, put


def _ahead(**delta: float) -> str:
    return (datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(**delta)).isoformat()


async def test_incident_actions_are_set_kept_and_answered_as_incidents_data() -> None:
    world = payloads.build_world(bot_manages_guild=True)
    async with _put(world) as (api, put):
        until = _ahead(hours=1)
        status, body = await put({"invites_disabled_until": until, "dms_disabled_until": None})

        assert status == 200
        expected = payloads.timestamp(datetime.datetime.fromisoformat(until))
        assert body == {
            "dm_spam_detected_at": None,
            "raid_detected_at": None,
            "invites_disabled_until": expected,
            "dms_disabled_until": None,
        }
        assert api.incidents[world.guild_id] == body
        # Leaving a field out lifts it, as null does: each request sets both.
        status, body = await put({"dms_disabled_until": until})
        assert (status, body["invites_disabled_until"], body["dms_disabled_until"]) == (
            200,
            None,
            expected,
        )
        assert [r.route for r in api.requests] == [ROUTE, ROUTE]


async def test_without_manage_server_incident_actions_are_403() -> None:
    world = payloads.build_world()
    async with _put(world) as (api, put):
        status, body = await put({"invites_disabled_until": _ahead(hours=1)})

        assert (status, body["code"], body["message"]) == (403, 50013, "Missing Permissions")
        assert api.incidents == {}


async def test_incident_actions_more_than_a_day_ahead_are_refused() -> None:
    world = payloads.build_world(bot_manages_guild=True)
    async with _put(world) as (api, put):
        status, body = await put({"invites_disabled_until": _ahead(hours=25)})
        assert (status, body["code"]) == (400, 50035)
        assert "invites_disabled_until" in body["errors"]
        status, body = await put({"dms_disabled_until": "next tuesday"})
        assert (status, body["code"]) == (400, 50035)
        assert api.incidents == {}


async def test_a_scripted_failure_answers_incident_actions() -> None:
    world = payloads.build_world(bot_manages_guild=True)
    async with _put(world) as (api, put):
        api.fail("PUT", "/guilds/{g}/incident-actions", status=403)
        status, body = await put({"invites_disabled_until": _ahead(hours=1)})
        assert (status, body["code"]) == (403, 50013)
        status, _ = await put({"invites_disabled_until": _ahead(hours=1)})
        assert status == 200


def test_member_add_is_a_member_object_with_the_guild_id() -> None:
    world = payloads.build_world()
    joined = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    member = world.newcomer("raider", joined_at=joined, account_age=datetime.timedelta(days=2))

    added = world.member_add(member)
    removed = world.member_remove(member)

    assert added["guild_id"] == str(world.guild_id)
    assert added["user"]["username"] == "raider"
    assert added["joined_at"] == payloads.timestamp(joined)
    assert added["roles"] == []
    assert payloads.snowflake_time(added["user"]["id"]) == joined - datetime.timedelta(days=2)
    assert removed == {"guild_id": str(world.guild_id), "user": member.user.payload()}
    other = world.newcomer("raider2", joined_at=joined, account_age=datetime.timedelta(days=2))
    assert other.id != member.id
