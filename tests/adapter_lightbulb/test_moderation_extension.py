"""``await client.load_extensions("spamguard.moderation.lightbulb")``: the ``/spamguard``
group as a lightbulb 3 extension, synced by lightbulb and answering INTERACTION_CREATE
(consumed through hikari's event factory, dispatched by the lightbulb client) over real
HTTP to the stand-in."""

from __future__ import annotations

import contextlib
import functools
import typing

import hikari
import lightbulb
import pytest
from support.hikari_harness import hikari_bot
from support.library_harness import make_policy

import spamguard.adapters.lightbulb as sg_lightbulb
from spamguard.adapters.runtime import Protection
from spamguard.core import Policy
from spamguard.moderation import Moderation

if typing.TYPE_CHECKING:
    from support import payloads
    from support.discord_api.interactions import InteractionResponse
    from support.hikari_harness import HikariHarness
    from support.library_harness import FakeClock

    from .conftest import LightbulbFactory

ADAPTER = "spamguard.adapters.lightbulb"
COMMANDS = "spamguard.moderation.lightbulb"
EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
NO_MENTIONS = {"parse": []}
POLICY = make_policy("TIMEOUT")

SUBCOMMANDS: typing.Final[dict[str, dict[str, typing.Any]]] = {
    "status": {},
    "explain": {"message": "123456789012345678"},
    "cases": {"member": "alice"},
    "case": {"number": 1},
    "pardon": {"member": "bob"},
    "dryrun": {"on": "off"},
    "reload": {},
}


def _options(world: payloads.GuildWorld, given: dict[str, typing.Any]) -> dict[str, typing.Any]:
    return {k: getattr(world, v) if k == "member" else v for k, v in given.items()}


Protected = typing.Callable[
    [], contextlib.AbstractAsyncContextManager[tuple["HikariHarness", lightbulb.Client]]
]


@pytest.fixture
def protected(lightbulb_bot: LightbulbFactory, clock: FakeClock) -> Protected:
    """``async with protected() as (h, client)``: both extensions loaded, the runtime on
    the fake clock."""
    options = sg_lightbulb.Options(clock=clock, poll_interval=3600.0, load_entrypoints=False)
    return functools.partial(
        lightbulb_bot,
        di={Policy: POLICY, sg_lightbulb.Options: options},
        extensions=(ADAPTER, COMMANDS),
    )


def _group(h: HikariHarness) -> dict[str, typing.Any]:
    (command,) = (c for c in h.api.commands[None].values() if c["name"] == "spamguard")
    return command


async def _ask(
    h: HikariHarness, subcommand: str, **options: typing.Any
) -> tuple[InteractionResponse, ...]:
    """Dispatch ``/spamguard subcommand options...`` (invoker: the admin unless given);
    the responses made to it."""
    payload = h.world.slash_command(subcommand, command_id=int(_group(h)["id"]), **options)
    await h.interact(payload)
    return h.api.interactions.of(int(payload["id"]))


async def test_the_group_is_synced_with_manage_server_for_servers_only(
    protected: Protected,
) -> None:
    async with protected() as (h, _client):
        group = _group(h)
        assert int(group["default_member_permissions"]) == MANAGE_GUILD
        assert group["contexts"] == [0]
        assert [(o["name"], o["type"]) for o in group["options"]] == [
            (name, 1) for name in SUBCOMMANDS
        ]
        inner = {o["name"]: o.get("options", []) for o in group["options"]}
        assert [(o["name"], o["type"]) for o in inner["case"] + inner["pardon"]] == [
            ("number", 4),
            ("member", 6),
        ]
        assert [c["value"] for c in inner["dryrun"][0]["choices"]] == ["on", "off", "policy"]


@pytest.mark.parametrize("subcommand", list(SUBCOMMANDS))
async def test_each_subcommand_is_answered_ephemerally_without_mentions(
    protected: Protected, world: payloads.GuildWorld, subcommand: str
) -> None:
    async with protected() as (h, _client):
        (response,) = await _ask(h, subcommand, **_options(world, SUBCOMMANDS[subcommand]))
        assert (response.kind, response.type) == ("callback", 4)
        assert (response.flags, response.allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
        assert response.content


async def test_status_is_the_operations_text(
    protected: Protected, world: payloads.GuildWorld
) -> None:
    async with protected() as (h, client):
        (response,) = await _ask(h, "status")
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None
        assert response.content == (await Moderation(protection).status(world.guild_id)).text


async def test_explain_of_a_message_spamguard_never_saw_is_answered(
    protected: Protected, world: payloads.GuildWorld
) -> None:
    async with protected() as (h, client):
        (response,) = await _ask(h, "explain", message="1234567890123")
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None
        expected = await Moderation(protection).explain(world.guild_id, "1234567890123")
        assert not expected.ok
        assert (response.content, response.flags) == (expected.text, EPHEMERAL)


@pytest.mark.parametrize("who", ["moderator", "alice"])
async def test_a_member_without_manage_server_is_refused(
    protected: Protected, world: payloads.GuildWorld, who: str
) -> None:
    async with protected() as (h, _client):
        (response,) = await _ask(h, "pardon", invoker=getattr(world, who), member=world.bob)
        assert response.content == (
            "You need the Manage Server permission (or Administrator) to use /spamguard."
        )
        assert (response.flags, response.allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
        assert [r.route for r in h.api.requests] == [
            "/interactions/{interaction_id}/{interaction_token}/callback"
        ]


async def test_a_protection_registered_in_dependency_injection_is_used(
    world: payloads.GuildWorld,
) -> None:
    """Without the adapter's extension: ``attach(client)``, the protection registered in
    DI, and only the commands' extension loaded."""
    made: list[Protection] = []

    async def build(bot: hikari.GatewayBot) -> None:
        client = lightbulb.client_from_app(bot)
        protection = sg_lightbulb.attach(client, load_entrypoints=False)
        made.append(protection)
        client.di.registry_for(lightbulb.di.Contexts.DEFAULT).register_value(Protection, protection)
        bot.subscribe(hikari.StartedEvent, client.start)
        await client.load_extensions(COMMANDS)

    async with hikari_bot(world, before_start=build) as h:
        (response,) = await _ask(h, "status")
        (protection,) = made
        assert response.content == (await Moderation(protection).status(world.guild_id)).text
        await protection.detach()


async def test_without_a_protection_the_commands_say_so(world: payloads.GuildWorld) -> None:
    async def build(bot: hikari.GatewayBot) -> None:
        client = lightbulb.client_from_app(bot)
        bot.subscribe(hikari.StartedEvent, client.start)
        await client.load_extensions(COMMANDS)

    async with hikari_bot(world, before_start=build) as h:
        (response,) = await _ask(h, "status")
        assert (
            response.content == "spamguard is not running for this bot yet: try again in a moment."
        )
        assert response.flags == EPHEMERAL


async def test_pardon_ends_the_timeout_spamguard_gave(
    protected: Protected, world: payloads.GuildWorld
) -> None:
    member_route = f"/guilds/{world.guild_id}/members/{world.alice.id}"
    async with protected() as (h, _client):
        for i in range(3):
            await h.send_message(author=world.alice, content=f"spam {i}")
        (timeout,) = h.api.find("PATCH", member_route)
        assert timeout.json["communication_disabled_until"] is not None
        h.api.clear()

        (response,) = await _ask(h, "pardon", member=world.alice)

        (ended,) = h.api.find("PATCH", member_route)
        assert ended.json == {"communication_disabled_until": None}
        assert "timeout ended" in (response.content or "")
        assert (response.flags, response.allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
