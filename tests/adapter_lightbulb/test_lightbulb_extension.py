"""``await client.load_extensions("spamguard.adapters.lightbulb")`` protects the bot."""

from __future__ import annotations

import datetime
import importlib.metadata
import typing

import hikari
import lightbulb
import pytest
from support.hikari_harness import hikari_bot

import spamguard.adapters
import spamguard.adapters.hikari as sg_hikari
import spamguard.adapters.lightbulb as sg_lightbulb
from spamguard.adapters.runtime import Protection
from spamguard.core import FailureKind, Policy

if typing.TYPE_CHECKING:
    from support import payloads
    from support.library_harness import FakeClock, Recorder

    from .conftest import LightbulbFactory

EXTENSION = "spamguard.adapters.lightbulb"


def _policy(punishment: str = "TIMEOUT", **top: typing.Any) -> Policy:
    level = {
        "punishment": punishment,
        "punishment_duration": 60,
        "max_messages": {"count": 3, "interval": 10},
    }
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


async def _spam(
    h: typing.Any, clock: FakeClock | None = None, count: int = 3
) -> list[dict[str, typing.Any]]:
    sent = []
    for i in range(count):
        kwargs = {} if clock is None else {"created_at": clock.advance(0.001)}
        sent.append(await h.send_message(content=f"spam {i}", **kwargs))
    return sent


def test_lightbulb_extra_resolves_to_lightbulb_3_2_on_hikari_2_6() -> None:
    assert importlib.metadata.version("hikari-lightbulb").startswith("3.2.")
    assert importlib.metadata.version("hikari").startswith("2.6.")


async def test_policy_from_dependency_injection_is_enforced(
    lightbulb_bot: LightbulbFactory, world: payloads.GuildWorld
) -> None:
    async with lightbulb_bot(di={Policy: _policy()}) as (h, client):
        sent = await _spam(h)

        until = datetime.datetime.fromisoformat(sent[-1]["timestamp"]) + datetime.timedelta(
            seconds=60
        )
        assert [(r.method, r.path, r.json, r.reason) for r in h.api.requests] == [
            (
                "PATCH",
                f"/guilds/{world.guild_id}/members/{world.alice.id}",
                {"communication_disabled_until": until.isoformat()},
                "spamguard: max_messages (3/3 in 10s)",
            )
        ]
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None
        assert protection.guard.policy == _policy()
        assert protection.guard.self_id == world.bot.id


async def test_default_policy_without_dependency_injection(
    lightbulb_bot: LightbulbFactory, world: payloads.GuildWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(sg_hikari.POLICY_ENV, raising=False)
    async with lightbulb_bot() as (h, client):
        # The bundled default: 8 messages in 5 s earn a 300 s timeout and a clean.
        await _spam(h, count=8)

        protection = sg_lightbulb.protection_for(client)
        assert protection is not None and protection.guard.policy == Policy.default()
        assert [(r.method, r.route) for r in h.api.requests] == [
            ("PATCH", "/guilds/{guild_id}/members/{user_id}"),
            ("POST", "/channels/{channel_id}/messages/bulk-delete"),
        ]


async def test_options_from_dependency_injection_set_plugins_and_clock(
    lightbulb_bot: LightbulbFactory,
    clock: FakeClock,
    recorder: Recorder,
    world: payloads.GuildWorld,
) -> None:
    options = sg_lightbulb.Options(
        plugins=[recorder], load_entrypoints=False, clock=clock, poll_interval=3600
    )
    async with lightbulb_bot(di={Policy: _policy("TEMPBAN"), sg_lightbulb.Options: options}) as (
        h,
        client,
    ):
        await _spam(h, clock)
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None

        clock.advance(60)
        assert await protection.runtime.run_due() == 1

        assert [(r.method, r.path) for r in h.api.requests] == [
            ("PUT", f"/guilds/{world.guild_id}/bans/{world.alice.id}"),
            ("DELETE", f"/guilds/{world.guild_id}/bans/{world.alice.id}"),
        ]
        assert [(o.action.kind, o.ok) for o in recorder.outcomes] == [
            ("ban", True),
            ("unban", True),
        ]


async def test_protection_is_injectable_once_the_extension_ran(
    lightbulb_bot: LightbulbFactory,
) -> None:
    async with lightbulb_bot(di={Policy: _policy()}) as (h, client):
        await h.send_message(content="hello")

        async with client.di.enter_context(lightbulb.di.Contexts.DEFAULT) as container:
            injected = await container.get(Protection)
        assert injected is sg_lightbulb.protection_for(h.bot)
        assert injected.stats["runtime"]["messages"] == 1


async def test_unloading_the_extension_detaches_spamguard(
    lightbulb_bot: LightbulbFactory,
) -> None:
    async with lightbulb_bot(di={Policy: _policy("KICK")}) as (h, client):
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None
        await client.unload_extensions(EXTENSION)

        await _spam(h)

        assert h.api.requests == ()
        assert sg_lightbulb.protection_for(client) is None
        assert sg_lightbulb.on_message_create not in h.bot.get_listeners(
            hikari.GuildMessageCreateEvent
        )


async def test_extension_loaded_on_a_running_bot_starts_on_first_message(
    lightbulb_bot: LightbulbFactory, world: payloads.GuildWorld
) -> None:
    async with lightbulb_bot(di={Policy: _policy("KICK")}, extensions=()) as (h, client):
        await client.load_extensions(EXTENSION)
        assert sg_lightbulb.protection_for(client) is None

        await _spam(h)

        assert [(r.method, r.path) for r in h.api.requests] == [
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}")
        ]


async def test_hierarchy_refusal_through_the_extension(
    lightbulb_bot: LightbulbFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy("BAN", exempt_admins=False, notices={"failed_in_channel": True})
    async with lightbulb_bot(di={Policy: policy}) as (h, client):
        for i in range(3):
            await h.send_message(author=world.admin, content=f"spam {i}")

        # The ban is never requested; the policy opted in to the failure notice.
        assert [(r.method, r.route) for r in h.api.requests] == [
            ("POST", "/channels/{channel_id}/messages")
        ]
        assert (
            h.api.requests[0].json["content"]
            == f"I could not punish Adam ({world.admin.id}): max_messages."
        )
        protection = sg_lightbulb.protection_for(client)
        assert protection is not None
        assert protection.stats["runtime"]["actions_failed"] == {str(FailureKind.HIERARCHY): 1}


async def test_attach_detects_a_lightbulb_client(world: payloads.GuildWorld) -> None:
    async with hikari_bot(world) as h:
        client = lightbulb.client_from_app(h.bot)
        protection = spamguard.adapters.attach(
            client, policy=_policy("KICK"), load_entrypoints=False
        )
        assert isinstance(protection, sg_hikari.HikariProtection)
        assert protection.app is h.bot
        h.api.clear()

        await _spam(h)

        assert [r.method for r in h.api.requests] == ["DELETE"]
        await protection.detach()


async def test_reloading_the_extension_keeps_the_bot_protected_with_its_options(
    lightbulb_bot: LightbulbFactory, recorder: Recorder
) -> None:
    options = sg_lightbulb.Options(plugins=[recorder], load_entrypoints=False)
    async with lightbulb_bot(di={Policy: _policy("KICK"), sg_lightbulb.Options: options}) as (
        h,
        client,
    ):
        before = sg_lightbulb.protection_for(client)
        # lightbulb imports the extension module afresh on reload.
        await client.reload_extensions(EXTENSION)

        await _spam(h)

        after = sg_lightbulb.protection_for(client)
        assert after is not None and after is not before
        assert [r.method for r in h.api.requests] == ["DELETE"]
        assert [o.action.kind for o in recorder.outcomes] == ["kick"]
        names = [
            getattr(cb, "__name__", "")
            for cb in h.bot.get_listeners(hikari.GuildMessageCreateEvent)
        ]
        assert names.count("on_message_create") == 1
