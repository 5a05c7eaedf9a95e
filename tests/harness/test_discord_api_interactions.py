"""The REST stand-in's interaction callback and followup webhook routes, and the
INTERACTION_CREATE builders, driven by a plain aiohttp client."""

from __future__ import annotations

import contextlib
import typing

import aiohttp
from support import payloads
from support.discord_api import DiscordAPI

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator


COMMAND_ID: typing.Final = 1_100_000_000_000_000_000


class _Caller:
    """Calls the interaction routes without a bot token, as the libraries do, for one
    ``/spamguard pardon`` interaction (``payload``) whose routes it names."""

    def __init__(
        self, api: DiscordAPI, session: aiohttp.ClientSession, payload: dict[str, typing.Any]
    ) -> None:
        self.api = api
        self.session = session
        self.payload = payload
        self.callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
        """The interaction's callback route."""
        self.webhook = f"/webhooks/{api.application_id}/{payload['token']}"
        """The interaction token's webhook (followups, ``/messages/@original``)."""

    async def __call__(
        self, method: str, path: str, *, json: typing.Any = None, query: str = ""
    ) -> tuple[int, typing.Any]:
        async with self.session.request(method, self.api.url + path + query, json=json) as reply:
            return reply.status, (await reply.json() if reply.status != 204 else None)


@contextlib.asynccontextmanager
async def _serve(world: payloads.GuildWorld, *, received: bool = True) -> AsyncIterator[_Caller]:
    """The stand-in, told of a ``/spamguard pardon`` interaction (as a test harness does
    when it dispatches one) unless not ``received``."""
    payload = _pardon(world)
    async with DiscordAPI.for_world(world) as api, aiohttp.ClientSession() as session:
        if received:
            api.interactions.receive(payload)
        yield _Caller(api, session, payload)


def _pardon(world: payloads.GuildWorld, **kwargs: typing.Any) -> dict[str, typing.Any]:
    return world.slash_command("pardon", command_id=COMMAND_ID, member=world.alice, **kwargs)


def test_a_slash_command_payload_carries_the_subcommand_options_and_permissions(
    world: payloads.GuildWorld,
) -> None:
    payload = world.slash_command(
        "explain",
        command_id=COMMAND_ID,
        invoker=world.moderator,
        message="https://discord.com/channels/1/2/3",
        number=7,
        on=True,
        member=world.alice,
    )

    assert (payload["type"], payload["guild_id"], payload["channel_id"]) == (
        2,
        str(world.guild_id),
        str(world.general.id),
    )
    assert payload["data"]["name"] == "spamguard"
    assert payload["data"]["id"] == str(COMMAND_ID)
    (sub,) = payload["data"]["options"]
    assert (sub["name"], sub["type"]) == ("explain", 1)
    assert [(o["name"], o["type"], o["value"]) for o in sub["options"]] == [
        ("message", 3, "https://discord.com/channels/1/2/3"),
        ("number", 4, 7),
        ("on", 5, True),
        ("member", 6, str(world.alice.id)),
    ]
    resolved = payload["data"]["resolved"]
    assert resolved["users"][str(world.alice.id)]["username"] == "alice"
    assert "user" not in resolved["members"][str(world.alice.id)]
    # The moderator role lacks Manage Server; the admin role is an administrator.
    permissions = int(payload["member"]["permissions"])
    assert not permissions & payloads.Permission.MANAGE_GUILD
    assert permissions & payloads.Permission.MANAGE_MESSAGES
    admin = int(world.slash_command("status", command_id=1)["member"]["permissions"])
    assert admin == payloads.ALL_PERMISSIONS
    assert int(payload["app_permissions"]) == world.permissions(world.bot)
    assert payload["token"] != world.slash_command("status", command_id=1)["token"]


def test_channel_permissions_apply_the_overwrites(world: payloads.GuildWorld) -> None:
    # mod-log hides itself from @everyone and shows itself to moderators.
    assert not world.permissions(world.alice, world.mod_log) & payloads.Permission.VIEW_CHANNEL
    assert world.permissions(world.moderator, world.mod_log) & payloads.Permission.VIEW_CHANNEL
    assert not world.permissions(world.carol) & payloads.Permission.SEND_MESSAGES
    assert world.permissions(world.owner, world.mod_log) == payloads.ALL_PERMISSIONS


async def test_an_ephemeral_answer_is_recorded_with_its_type_flags_and_mentions(
    world: payloads.GuildWorld,
) -> None:
    async with _serve(world) as call:
        payload = call.payload
        body = {
            "type": 4,
            "data": {"content": "Pardoned <@1>.", "flags": 64, "allowed_mentions": {"parse": []}},
        }
        path = call.callback
        status, answer = await call("POST", path, json=body)

        assert (status, answer) == (204, None)
        (response,) = call.api.interactions.of(int(payload["id"]))
        assert (response.kind, response.type, response.flags, response.ephemeral) == (
            "callback",
            4,
            64,
            True,
        )
        assert response.content == "Pardoned <@1>."
        assert response.allowed_mentions == {"parse": []}
        (message,) = call.api.interactions.messages(int(payload["id"]))
        assert message["flags"] == 64
        assert message["channel_id"] == str(world.general.id)
        # The interaction token authorised the call: no bot token was sent.
        (request,) = call.api.find("POST", "/interactions/{i}/{t}/callback")
        assert request.authorization is None


async def test_with_response_answers_the_callback_response_object(
    world: payloads.GuildWorld,
) -> None:
    async with _serve(world) as call:
        payload = call.payload
        path = call.callback
        status, answer = await call(
            "POST",
            path,
            json={"type": 4, "data": {"content": "done", "flags": 64}},
            query="?with_response=true",
        )

        assert status == 200
        assert answer["interaction"]["id"] == payload["id"]
        assert answer["interaction"]["response_message_ephemeral"] is True
        assert answer["interaction"]["response_message_loading"] is False
        assert answer["resource"]["type"] == 4
        assert answer["resource"]["message"]["content"] == "done"
        assert answer["resource"]["message"]["id"] == answer["interaction"]["response_message_id"]


async def test_a_second_callback_and_an_unknown_interaction_are_refused(
    world: payloads.GuildWorld,
) -> None:
    async with _serve(world, received=False) as call:
        payload, path = call.payload, call.callback
        body = {"type": 4, "data": {"content": "x"}}

        assert (await call("POST", path, json=body))[1]["code"] == 10062
        call.api.interactions.receive(payload)
        assert (await call("POST", path, json={"type": 4, "data": {}}))[1]["code"] == 50006
        assert (await call("POST", path, json=body))[0] == 204
        status, error = await call("POST", path, json=body)
        assert (status, error["code"]) == (400, 40060)


async def test_a_deferred_answer_is_filled_in_by_editing_the_original(
    world: payloads.GuildWorld,
) -> None:
    async with _serve(world) as call:
        payload = call.payload
        webhook = call.webhook

        # Before the callback the webhook is unknown.
        assert (await call("POST", webhook, json={"content": "early"}))[1]["code"] == 10015
        callback = call.callback
        await call("POST", callback, json={"type": 5, "data": {"flags": 64}})
        status, loading = await call("GET", webhook + "/messages/@original")
        assert (status, loading["flags"]) == (200, 64 | 128)

        status, edited = await call(
            "PATCH",
            webhook + "/messages/@original",
            json={"content": "done", "allowed_mentions": {"parse": []}},
        )
        assert (status, edited["flags"], edited["content"]) == (200, 64, "done")
        kinds = [r.kind for r in call.api.interactions.of(int(payload["id"]))]
        assert kinds == ["callback", "edit_original"]
        assert call.api.interactions.responses[-1].allowed_mentions == {"parse": []}


async def test_the_callback_has_no_bucket_and_the_webhook_routes_have_one(
    world: payloads.GuildWorld,
) -> None:
    # As on Discord (hikari's route table: has_ratelimits=False for the callback only).
    async with _serve(world) as call:
        callback = call.callback
        webhook = call.webhook
        heard: dict[str, set[str]] = {}
        for path, body in ((callback, {"type": 5}), (webhook, {"content": "more"})):
            async with call.session.post(call.api.url + path, json=body) as reply:
                assert reply.status in {200, 204}
                heard[path] = {h for h in reply.headers if h.lower().startswith("x-ratelimit")}

        assert heard[callback] == set()
        assert "X-RateLimit-Bucket" in heard[webhook]
        assert [r.bucket is None for r in call.api.requests] == [True, False]


async def test_followups_are_created_edited_and_deleted(world: payloads.GuildWorld) -> None:
    async with _serve(world) as call:
        payload = call.payload
        callback = call.callback
        await call("POST", callback, json={"type": 4, "data": {"content": "first"}})
        webhook = call.webhook

        status, followup = await call("POST", webhook, json={"content": "more", "flags": 64})
        assert (status, followup["flags"], followup["webhook_id"]) == (
            200,
            64,
            str(world.application_id),
        )
        message = f"{webhook}/messages/{followup['id']}"
        assert (await call("PATCH", message, json={"content": "edited"}))[1]["content"] == "edited"
        assert (await call("GET", message))[1]["content"] == "edited"
        assert (await call("DELETE", message))[0] == 204
        assert (await call("GET", message))[1]["code"] == 10008
        assert (await call("DELETE", webhook + "/messages/@original"))[0] == 204
        assert call.api.interactions.messages(int(payload["id"])) == ()
        # Another application's id names no webhook.
        assert (await call("POST", f"/webhooks/1/{payload['token']}", json={"content": "x"}))[1][
            "code"
        ] == 10015
        assert not call.api.unhandled
