"""``spamguard.moderation.hikari.attach_commands(bot, protection)``: the ``/spamguard``
group on a plain GatewayBot, registered through REST on start and answering
INTERACTION_CREATE (consumed through hikari's own event factory) over real HTTP to the
stand-in."""

from __future__ import annotations

import contextlib
import datetime
import logging
import typing

import hikari
import pytest
from support.hikari_harness import hikari_bot
from support.library_harness import FakeClock, make_policy

import spamguard.adapters.hikari as sg_hikari
import spamguard.moderation.hikari as sg_commands
from spamguard.moderation import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from support import payloads
    from support.discord_api.interactions import InteractionResponse
    from support.hikari_harness import HikariHarness

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
NO_MENTIONS = {"parse": []}

POLICY = make_policy("TIMEOUT")

# What each subcommand is given, and the same call on Moderation (for the expected text).
CALLS: typing.Final[Mapping[str, tuple[dict[str, typing.Any], typing.Any]]] = {
    "status": ({}, lambda m, w: m.status(w.guild_id)),
    "explain": ({"message": "123456789012345678"}, None),
    "cases": ({"member": "alice"}, lambda m, w: m.cases(w.guild_id, w.alice.id)),
    "case": ({"number": 1}, lambda m, w: m.case(w.guild_id, 1)),
    "pardon": ({"member": "bob"}, None),
    "dryrun": ({"on": "off"}, None),
    "reload": ({}, None),
}


class Bot(typing.NamedTuple):
    harness: HikariHarness
    protection: sg_hikari.HikariProtection
    commands: sg_commands.HikariCommands


@contextlib.asynccontextmanager
async def _bot(world: payloads.GuildWorld, **options: typing.Any) -> AsyncIterator[Bot]:
    made: list[tuple[sg_hikari.HikariProtection, sg_commands.HikariCommands]] = []

    def before_start(bot: hikari.GatewayBot) -> None:
        protection = sg_hikari.attach(
            bot,
            policy=POLICY,
            load_entrypoints=False,
            clock=FakeClock(datetime.datetime.now(tz=datetime.UTC)),
            poll_interval=3600.0,
        )
        made.append((protection, sg_commands.attach_commands(bot, protection, **options)))

    async with hikari_bot(world, before_start=before_start) as harness:
        ((protection, commands),) = made
        try:
            yield Bot(harness, protection, commands)
        finally:
            await commands.detach()
            await protection.detach()


def _command_id(h: HikariHarness, guild_id: int | None = None) -> int:
    (command,) = h.api.commands[guild_id].values()
    return int(command["id"])


def _options(world: payloads.GuildWorld, given: Mapping[str, typing.Any]) -> dict[str, typing.Any]:
    return {k: getattr(world, v) if k == "member" else v for k, v in given.items()}


async def _ask(
    h: HikariHarness, subcommand: str, **options: typing.Any
) -> tuple[InteractionResponse, ...]:
    """Dispatch ``/spamguard subcommand options...`` (invoker: the admin unless given);
    the responses made to it."""
    payload = h.world.slash_command(subcommand, command_id=_command_id(h), **options)
    await h.interact(payload)
    return h.api.interactions.of(int(payload["id"]))


async def test_group_is_registered_globally_with_manage_server(
    world: payloads.GuildWorld,
) -> None:
    async with _bot(world) as b:
        (request,) = b.harness.api.find("POST", "/applications/{a}/commands")
        body = request.json
        assert request.path == f"/applications/{world.application_id}/commands"
        assert body["name"] == "spamguard"
        assert int(body["default_member_permissions"]) == MANAGE_GUILD
        assert [(o["name"], o["type"]) for o in body["options"]] == [
            ("status", 1),
            ("explain", 1),
            ("cases", 1),
            ("case", 1),
            ("pardon", 1),
            ("dryrun", 1),
            ("reload", 1),
        ]
        inner = {o["name"]: o.get("options", []) for o in body["options"]}
        assert [(o["name"], o["type"], o["required"]) for o in inner["explain"]] == [
            ("message", 3, True)
        ]
        assert [(o["name"], o["type"]) for o in inner["cases"] + inner["pardon"]] == [
            ("member", 6),
            ("member", 6),
        ]
        assert [(o["name"], o["type"], o["min_value"]) for o in inner["case"]] == [("number", 4, 1)]
        assert [c["value"] for c in inner["dryrun"][0]["choices"]] == ["on", "off", "policy"]
        assert inner["status"] == inner["reload"] == []
        # Only the group was created: the bot's other commands were never overwritten.
        assert b.harness.api.find("PUT", "/applications/{a}/commands") == ()


async def test_group_is_registered_in_the_guilds_asked_for(world: payloads.GuildWorld) -> None:
    async with _bot(world, guild_ids=[world.guild_id]) as b:
        (request,) = b.harness.api.find("POST", "/applications/{a}/guilds/{g}/commands")
        assert request.path == (
            f"/applications/{world.application_id}/guilds/{world.guild_id}/commands"
        )
        assert int(request.json["default_member_permissions"]) == MANAGE_GUILD
        assert "contexts" not in request.json
        assert b.harness.api.find("POST", "/applications/{a}/commands") == ()
        assert _command_id(b.harness, world.guild_id)


async def test_a_bot_registering_in_bulk_puts_the_group_in_its_list_for_servers_only(
    world: payloads.GuildWorld,
) -> None:
    async with _bot(world, register=False) as b:
        assert b.harness.api.find("POST", "/applications/{a}/commands") == ()
        rest = b.harness.bot.rest
        ping = rest.slash_command_builder("ping", "Pong")
        await rest.set_application_commands(world.application_id, [ping, b.commands.builder()])

        (request,) = b.harness.api.find("PUT", "/applications/{a}/commands")
        ours = next(c for c in request.json if c["name"] == "spamguard")
        assert ours["contexts"] == [0]
        assert int(ours["default_member_permissions"]) == MANAGE_GUILD
        by_name = {c["name"]: int(c["id"]) for c in b.harness.api.commands[None].values()}
        payload = world.slash_command("status", command_id=by_name["spamguard"])
        await b.harness.interact(payload)
        assert len(b.harness.api.interactions.of(int(payload["id"]))) == 1


async def test_a_refused_registration_is_logged_and_the_bot_runs_on(
    world: payloads.GuildWorld, caplog: pytest.LogCaptureFixture
) -> None:
    async with _bot(world) as b:
        b.harness.api.fail("POST", "/applications/{a}/commands", status=403)
        with caplog.at_level(logging.WARNING, "spamguard.moderation.hikari"):
            assert await b.commands.register() is False
        assert "could not register /spamguard" in caplog.text
        assert await b.commands.register() is True


@pytest.mark.parametrize("subcommand", list(CALLS))
async def test_each_subcommand_is_answered_ephemerally_without_mentions(
    world: payloads.GuildWorld, subcommand: str
) -> None:
    given, call = CALLS[subcommand]
    async with _bot(world) as b:
        (response,) = await _ask(b.harness, subcommand, **_options(world, given))

        assert (response.kind, response.type) == ("callback", 4)
        assert response.flags == EPHEMERAL
        assert response.allowed_mentions == NO_MENTIONS
        assert response.content
        if call is not None:  # a read-only operation: the same call answers the same
            assert response.content == (await call(Moderation(b.protection), world)).text


async def test_explain_of_a_message_spamguard_never_saw_is_answered(
    world: payloads.GuildWorld,
) -> None:
    link = f"https://discord.com/channels/{world.guild_id}/{world.general.id}/1234567890123"
    async with _bot(world) as b:
        (response,) = await _ask(b.harness, "explain", message=link)
        expected = await Moderation(b.protection).explain(world.guild_id, link)
        assert not expected.ok
        assert (response.content, response.flags) == (expected.text, EPHEMERAL)


@pytest.mark.parametrize("who", ["moderator", "alice"])
async def test_a_member_without_manage_server_is_refused(
    world: payloads.GuildWorld, who: str
) -> None:
    invoker = getattr(world, who)
    assert not world.permissions(invoker) & MANAGE_GUILD
    async with _bot(world) as b:
        b.harness.api.clear()
        (response,) = await _ask(b.harness, "pardon", invoker=invoker, member=world.bob)
        assert response.content == (
            "You need the Manage Server permission (or Administrator) to use /spamguard."
        )
        assert (response.flags, response.allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
        # Nothing was done to bob: the only request is the answer.
        assert [r.route for r in b.harness.api.requests] == [
            "/interactions/{interaction_id}/{interaction_token}/callback"
        ]


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_the_owner_and_administrators_are_answered(
    world: payloads.GuildWorld, who: str
) -> None:
    async with _bot(world) as b:
        (response,) = await _ask(b.harness, "status", invoker=getattr(world, who))
        assert response.content == (await Moderation(b.protection).status(world.guild_id)).text


async def test_a_slow_operation_is_deferred_and_answered_in_a_followup(
    world: payloads.GuildWorld,
) -> None:
    async with _bot(world, defer_after=0.0) as b:
        payload = world.slash_command("status", command_id=_command_id(b.harness))
        await b.harness.interact(payload)

        interaction_id = int(payload["id"])
        deferred, followup = b.harness.api.interactions.of(interaction_id)
        assert (deferred.kind, deferred.type, deferred.flags) == ("callback", 5, EPHEMERAL)
        assert followup.kind == "followup"
        assert followup.allowed_mentions == NO_MENTIONS
        (message,) = b.harness.api.interactions.messages(interaction_id)
        assert message["flags"] == EPHEMERAL  # no longer loading, still ephemeral
        assert message["content"] == (await Moderation(b.protection).status(world.guild_id)).text


@pytest.mark.parametrize("defer_after", [2.0, 0.0])
async def test_answers_meet_the_rate_limits_hikari_expects_and_log_no_error(
    world: payloads.GuildWorld, caplog: pytest.LogCaptureFixture, defer_after: float
) -> None:
    # hikari knows the interaction callback has no bucket: a bucket header there is
    # logged as an ERROR, and the route is then bucketed for the rest of the process.
    callback = hikari.internal.routes.POST_INTERACTION_RESPONSE
    async with _bot(world, defer_after=defer_after) as b:
        with caplog.at_level(logging.WARNING):
            responses = await _ask(b.harness, "status")

        assert [r.kind for r in responses] == (
            ["callback"] if defer_after else ["callback", "followup"]
        )
        buckets = {r.route: r.bucket for r in b.harness.api.requests if r.route}
        assert buckets["/interactions/{interaction_id}/{interaction_token}/callback"] is None
        if not defer_after:  # the followup webhook has Discord's bucket
            assert buckets["/webhooks/{application_id}/{interaction_token}"] is not None
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert callback.has_ratelimits is False


async def test_other_commands_are_left_alone(world: payloads.GuildWorld) -> None:
    async with _bot(world) as b:
        payload = world.slash_command(None, command_id=1, command="ping")
        await b.harness.interact(payload)
        assert b.harness.api.interactions.of(int(payload["id"])) == ()


async def test_after_detach_the_commands_answer_nothing(world: payloads.GuildWorld) -> None:
    async with _bot(world) as b:
        await b.commands.detach()
        assert await _ask(b.harness, "status") == ()


async def _spam(h: HikariHarness, author: payloads.Member, count: int = 3) -> None:
    for i in range(count):
        await h.send_message(author=author, content=f"spam {i}")


async def test_pardon_ends_the_timeout_spamguard_gave(world: payloads.GuildWorld) -> None:
    member_route = f"/guilds/{world.guild_id}/members/{world.alice.id}"
    async with _bot(world) as b:
        await _spam(b.harness, world.alice)
        (timeout,) = b.harness.api.find("PATCH", member_route)
        assert timeout.json["communication_disabled_until"] is not None
        b.harness.api.clear()

        (response,) = await _ask(b.harness, "pardon", member=world.alice)

        (ended,) = b.harness.api.find("PATCH", member_route)
        assert ended.json == {"communication_disabled_until": None}
        assert "timeout ended" in (response.content or "")
        assert (response.flags, response.allowed_mentions) == (EPHEMERAL, NO_MENTIONS)


async def test_pardon_of_a_member_with_no_case_changes_nothing(
    world: payloads.GuildWorld,
) -> None:
    async with _bot(world) as b:
        b.harness.api.clear()
        (response,) = await _ask(b.harness, "pardon", member=world.bob)

        assert response.content
        assert response.flags == EPHEMERAL
        assert [r.route for r in b.harness.api.requests] == [
            "/interactions/{interaction_id}/{interaction_token}/callback"
        ]


async def test_dryrun_on_keeps_spamguard_from_acting(world: payloads.GuildWorld) -> None:
    async with _bot(world) as b:
        (response,) = await _ask(b.harness, "dryrun", on="on")
        assert (response.content or "").startswith("Dry run is on here")
        b.harness.api.clear()

        await _spam(b.harness, world.alice)
        assert b.harness.api.find("PATCH", "/guilds/{g}/members/{u}") == ()
