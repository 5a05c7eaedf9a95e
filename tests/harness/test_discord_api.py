"""The REST stand-in, driven by a plain aiohttp client (no Discord library needed)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import typing

import aiohttp
import pytest
from support import payloads
from support.discord_api import DISCORD_RATE_LIMITS, DiscordAPI, Limit, RateLimits

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.asyncio


class _Client:
    """Just enough HTTP client to poke the stand-in the way a library would."""

    def __init__(self, api: DiscordAPI, session: aiohttp.ClientSession) -> None:
        self.api = api
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: typing.Any = None,
        reason: str | None = None,
        params: dict[str, str] | None = None,
        token: str | None = None,
    ) -> tuple[aiohttp.ClientResponse, typing.Any]:
        headers = {"Authorization": f"Bot {token or self.api.token}"}
        if reason is not None:
            headers["X-Audit-Log-Reason"] = reason
        async with self.session.request(
            method, self.api.url + path, json=json, headers=headers, params=params
        ) as response:
            body = await response.json() if response.status != 204 else None
            return response, body


@contextlib.asynccontextmanager
async def _serve(
    world: payloads.GuildWorld, rate_limits: RateLimits | None = DISCORD_RATE_LIMITS
) -> AsyncIterator[_Client]:
    async with (
        DiscordAPI.for_world(world, rate_limits=rate_limits) as api,
        aiohttp.ClientSession() as session,
    ):
        yield _Client(api, session)


@pytest.fixture
async def client(world: payloads.GuildWorld) -> AsyncIterator[_Client]:
    async with _serve(world) as client:
        yield client


async def test_requests_are_recorded_without_prefix_and_with_decoded_reason(
    client: _Client, world: payloads.GuildWorld
) -> None:
    response, _ = await client.call(
        "DELETE",
        f"/channels/{world.general.id}/messages/42",
        reason="spam%20%C3%BC",
        params={"x": "1"},
    )

    assert response.status == 204
    (recorded,) = client.api.requests
    assert recorded.method == "DELETE"
    assert recorded.path == f"/channels/{world.general.id}/messages/42"
    assert recorded.route == "/channels/{channel_id}/messages/{message_id}"
    assert recorded.params == {"channel_id": str(world.general.id), "message_id": "42"}
    assert recorded.query == {"x": "1"}
    assert recorded.reason == "spam ü"
    assert recorded.json is None
    assert client.api.find("DELETE", "/channels/{c}/messages/{m}") == (recorded,)


async def test_replies_carry_exact_json_content_type_and_via(client: _Client) -> None:
    response, body = await client.call("GET", "/users/@me")

    assert response.headers["Content-Type"] == "application/json"
    assert "Via" in response.headers
    assert body["id"] == str(client.api.me.id)
    assert body["bot"] is True


async def test_a_wrong_token_gets_401(client: _Client) -> None:
    response, body = await client.call("GET", "/users/@me", token="wrong")

    assert response.status == 401
    assert body == {"message": "401: Unauthorized", "code": 0}


async def test_created_message_echoes_content(client: _Client, world: payloads.GuildWorld) -> None:
    _, body = await client.call(
        "POST", f"/channels/{world.mod_log.id}/messages", json={"content": "logged"}
    )

    assert body["content"] == "logged"
    assert body["channel_id"] == str(world.mod_log.id)
    assert body["author"]["id"] == str(world.bot.id)
    assert client.api.requests[-1].json == {"content": "logged"}


async def test_a_message_to_an_unknown_channel_is_404_unknown_channel(client: _Client) -> None:
    response, body = await client.call("POST", "/channels/1/messages", json={"content": "x"})

    assert (response.status, body) == (404, {"message": "Unknown Channel", "code": 10003})


async def test_embeds_beyond_discords_limits_are_400_naming_the_field(
    client: _Client, world: payloads.GuildWorld
) -> None:
    path = f"/channels/{world.mod_log.id}/messages"
    eleven = [{"title": "case"}] * 11
    long_field = [{"fields": [{"name": "Actions", "value": "x" * 1025}]}]
    too_big = [{"description": "x" * 4000}, {"description": "y" * 2001}]
    fits = [
        {"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v"}]}
    ]

    answers = [
        await client.call("POST", path, json={"embeds": embeds})
        for embeds in (eleven, long_field, too_big, fits)
    ]

    assert [response.status for response, _ in answers] == [400, 400, 400, 200]
    assert [body.get("code") for _, body in answers[:3]] == [50035, 50035, 50035]
    assert answers[0][1]["errors"] == {"embeds": "Must be 10 or fewer in length."}
    assert answers[1][1]["errors"] == {
        "embeds.0.fields.0.value": "Must be 1024 or fewer in length."
    }
    assert answers[2][1]["errors"] == {"embeds": "Embed size exceeds maximum size of 6000"}


async def test_scripted_failure_is_served_the_given_number_of_times(
    client: _Client, world: payloads.GuildWorld
) -> None:
    failure = client.api.fail("DELETE", "/guilds/{g}/members/{u}", status=403, times=1)
    path = f"/guilds/{world.guild_id}/members/{world.bob.id}"

    first, body = await client.call("DELETE", path)
    second, _ = await client.call("DELETE", path)

    assert (first.status, second.status) == (403, 204)
    assert body == {"message": "Missing Permissions", "code": 50013}
    assert failure.hits == 1
    assert failure.remaining == 0


@pytest.mark.parametrize(
    ("pattern", "code", "message"),
    [
        ("/channels/{c}/messages/{m}", 10008, "Unknown Message"),
        ("/guilds/{g}/members/{u}", 10007, "Unknown Member"),
        ("/guilds/{g}/bans/{u}", 10026, "Unknown Ban"),
    ],
)
async def test_404_code_depends_on_the_resource(
    client: _Client, pattern: str, code: int, message: str
) -> None:
    client.api.fail("*", pattern, status=404)

    response, body = await client.call(
        "DELETE",
        pattern.replace("{c}", "1").replace("{g}", "1").replace("{m}", "2").replace("{u}", "2"),
    )

    assert response.status == 404
    assert body == {"message": message, "code": code}


async def test_429_has_discord_body_and_rate_limit_headers(client: _Client) -> None:
    client.api.fail("POST", "/channels/{c}/messages", status=429, retry_after=0.25)

    response, body = await client.call("POST", "/channels/1/messages", json={"content": "x"})

    assert response.status == 429
    assert body == {
        "message": "You are being rate limited.",
        "code": 0,
        "retry_after": 0.25,
        "global": False,
    }
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-RateLimit-Reset-After"] == "0.250"
    assert response.headers["X-RateLimit-Scope"] == "shared"
    assert "Via" in response.headers
    assert client.api.rate_limited == ()


async def test_failure_without_times_persists(client: _Client) -> None:
    client.api.fail("*", "/guilds/{g}/bans/{u}", status=500, times=None)

    statuses = [(await client.call("PUT", "/guilds/1/bans/2"))[0].status for _ in range(3)]

    assert statuses == [500, 500, 500]


async def test_automod_rules_are_kept_in_memory(
    client: _Client, world: payloads.GuildWorld
) -> None:
    rules = f"/guilds/{world.guild_id}/auto-moderation/rules"
    _, created = await client.call(
        "POST",
        rules,
        json={
            "name": "no invites",
            "event_type": 1,
            "trigger_type": 1,
            "trigger_metadata": {"keyword_filter": ["discord.gg"]},
            "actions": [{"type": 1, "metadata": {}}],
            "enabled": True,
        },
    )
    await client.call("PATCH", f"{rules}/{created['id']}", json={"enabled": False})
    _, listed = await client.call("GET", rules)
    await client.call("DELETE", f"{rules}/{created['id']}")
    _, after_delete = await client.call("GET", rules)

    assert [(r["name"], r["enabled"], r["trigger_metadata"]["keyword_filter"]) for r in listed] == [
        ("no invites", False, ["discord.gg"])
    ]
    assert after_delete == []


async def test_member_edits_and_roles_are_remembered(
    client: _Client, world: payloads.GuildWorld
) -> None:
    member = f"/guilds/{world.guild_id}/members/{world.alice.id}"
    await client.call(
        "PATCH", member, json={"communication_disabled_until": "2030-01-01T00:00:00+00:00"}
    )
    await client.call("PUT", f"{member}/roles/{world.muted_role.id}")

    _, body = await client.call("GET", member)

    assert body["communication_disabled_until"] == "2030-01-01T00:00:00+00:00"
    assert body["roles"] == [str(world.muted_role.id)]
    assert body["user"]["username"] == "alice"


async def test_bulk_delete_needs_two_to_hundred_ids(client: _Client) -> None:
    one, _ = await client.call("POST", "/channels/1/messages/bulk-delete", json={"messages": ["1"]})
    two, _ = await client.call(
        "POST", "/channels/1/messages/bulk-delete", json={"messages": ["1", "2"]}
    )

    assert (one.status, two.status) == (400, 204)


async def test_wait_for_returns_once_the_request_arrived(client: _Client) -> None:
    await client.call("DELETE", "/guilds/1/bans/2")

    found = await client.api.wait_for("DELETE", "/guilds/{g}/bans/{u}", timeout=1)

    assert [r.status for r in found] == [404]


async def test_strict_stand_in_fails_on_unknown_routes() -> None:
    api = DiscordAPI()
    with pytest.raises(AssertionError, match="GET /nope"):
        async with (
            api,
            aiohttp.ClientSession() as session,
            session.get(
                api.url + "/nope", headers={"Authorization": f"Bot {api.token}"}
            ) as response,
        ):
            assert response.status == 404


# ---------------------------------------------------------------- emulated rate limits


async def test_a_reply_carries_the_rate_limit_headers_of_its_bucket(
    client: _Client, world: payloads.GuildWorld
) -> None:
    before = time.time()
    response, _ = await client.call("DELETE", f"/channels/{world.general.id}/messages/1")

    headers = response.headers
    assert response.status == 204
    assert (headers["X-RateLimit-Limit"], headers["X-RateLimit-Remaining"]) == ("5", "4")
    assert 0.9 < float(headers["X-RateLimit-Reset-After"]) <= 1.0
    assert before + 0.9 < float(headers["X-RateLimit-Reset"]) < time.time() + 1.001
    assert len(headers["X-RateLimit-Reset"].partition(".")[2]) == 3
    assert len(headers["X-RateLimit-Bucket"]) == 32
    assert not {"Retry-After", "X-RateLimit-Scope", "X-RateLimit-Global"} & set(headers)
    (recorded,) = client.api.requests
    assert recorded.bucket == headers["X-RateLimit-Bucket"]
    assert recorded.rate_limit_scope is None


async def test_a_bucket_is_shared_across_messages_and_split_by_channel(
    client: _Client, world: payloads.GuildWorld
) -> None:
    general, mod_log = world.general.id, world.mod_log.id
    replies = [
        (await client.call("DELETE", f"/channels/{general}/messages/{m}"))[0] for m in range(1, 7)
    ]
    other_channel, _ = await client.call("DELETE", f"/channels/{mod_log}/messages/1")
    other_route, _ = await client.call("GET", f"/channels/{general}/messages/1")

    assert [r.headers["X-RateLimit-Remaining"] for r in replies] == ["4", "3", "2", "1", "0", "0"]
    assert [r.status for r in replies] == [204] * 5 + [429]
    assert (other_channel.status, other_channel.headers["X-RateLimit-Remaining"]) == (204, "4")
    assert other_channel.headers["X-RateLimit-Bucket"] == replies[0].headers["X-RateLimit-Bucket"]
    assert (other_route.status, other_route.headers["X-RateLimit-Remaining"]) == (404, "4")
    assert other_route.headers["X-RateLimit-Bucket"] != replies[0].headers["X-RateLimit-Bucket"]


async def test_over_the_bucket_limit_is_a_429_that_changes_nothing(
    client: _Client, world: payloads.GuildWorld
) -> None:
    path = f"/channels/{world.general.id}/messages"
    started = time.monotonic()
    for n in range(5):
        await client.call("POST", path, json={"content": f"ok {n}"})

    response, body = await client.call("POST", path, json={"content": "too many"})
    elapsed = time.monotonic() - started

    assert response.status == 429
    assert body["message"] == "You are being rate limited."
    assert (body["global"], body["code"]) == (False, 0)
    # The bucket resets 1 s after its first request: what is left of that second (a
    # loaded machine may take a tenth of it for the five requests).
    assert 1.0 - elapsed - 0.002 <= body["retry_after"] <= 1.0
    assert float(response.headers["X-RateLimit-Reset-After"]) == pytest.approx(
        body["retry_after"], abs=0.0011
    )
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-RateLimit-Scope"] == "user"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert "X-RateLimit-Global" not in response.headers
    assert "Via" in response.headers
    assert sorted(m["content"] for m in client.api.messages.values()) == [
        f"ok {n}" for n in range(5)
    ]
    (limited,) = client.api.rate_limited
    assert (limited.status, limited.rate_limit_scope) == (429, "user")
    assert limited.json == {"content": "too many"}
    assert len(client.api.find("POST", "/channels/{c}/messages")) == 6
    assert len(client.api.find("POST", "/channels/{c}/messages", rate_limited=False)) == 5


async def test_the_global_limit_counts_every_route_of_the_token(
    client: _Client, world: payloads.GuildWorld
) -> None:
    # 50 channels: no bucket is exhausted, only the bot's 50 requests a second.
    statuses = [
        (await client.call("DELETE", f"/channels/{channel}/messages/1"))[0].status
        for channel in range(1, 51)
    ]
    response, body = await client.call("GET", f"/guilds/{world.guild_id}/members/{world.bob.id}")

    assert statuses == [204] * 50
    assert response.status == 429
    assert body["global"] is True
    assert 0 < body["retry_after"] <= 1.0
    assert response.headers["X-RateLimit-Global"] == "true"
    assert response.headers["X-RateLimit-Scope"] == "global"
    assert response.headers["Retry-After"] == "1"
    assert [r.rate_limit_scope for r in client.api.rate_limited] == ["global"]


async def test_a_bucket_is_whole_again_once_its_window_passed(world: payloads.GuildWorld) -> None:
    limits = RateLimits(bucket=Limit(requests=2, per=0.2))
    async with _serve(world, limits) as client:
        path = f"/channels/{world.general.id}/messages/1"
        for _ in range(2):
            await client.call("DELETE", path)
        refused, body = await client.call("DELETE", path)
        await asyncio.sleep(body["retry_after"])
        again, _ = await client.call("DELETE", path)

    assert refused.status == 429
    assert 0 < body["retry_after"] <= 0.2
    assert (again.status, again.headers["X-RateLimit-Remaining"]) == (204, "1")
    assert float(again.headers["X-RateLimit-Reset-After"]) > 0.15


async def test_overrides_set_the_limit_of_one_route(world: payloads.GuildWorld) -> None:
    limits = RateLimits(overrides={"DELETE /channels/{c}/messages/{m}": Limit(requests=50, per=1)})
    async with _serve(world, limits) as client:
        deleted, _ = await client.call("DELETE", f"/channels/{world.general.id}/messages/1")
        fetched, _ = await client.call("GET", f"/channels/{world.general.id}/messages/1")

    assert deleted.headers["X-RateLimit-Limit"] == "50"
    assert fetched.headers["X-RateLimit-Limit"] == "5"
    with pytest.raises(ValueError, match="GET /nope"):
        RateLimits(overrides={"GET /nope": Limit(requests=1, per=1)})


async def test_without_rate_limits_nothing_is_limited(world: payloads.GuildWorld) -> None:
    async with _serve(world, rate_limits=None) as client:
        replies = [
            (await client.call("DELETE", f"/channels/{world.general.id}/messages/{m}"))[0]
            for m in range(60)
        ]

    assert {r.status for r in replies} == {204}
    assert not any("X-RateLimit-Limit" in r.headers for r in replies)
    assert {r.bucket for r in client.api.requests} == {None}
    assert client.api.rate_limited == ()
