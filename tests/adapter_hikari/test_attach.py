"""One line protects a hikari bot: discovery, policy sources, life cycle, detach."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import textwrap
import typing

import hikari
import pytest
from support import payloads
from support.hikari_harness import hikari_bot

import spamguard.adapters
import spamguard.adapters.hikari as sg_hikari
from spamguard.adapters.runtime import ProtectionStats, RuntimeStats, RuntimeStatsDict
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Policy

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable


async def _spam(h: typing.Any, count: int = 3) -> None:
    for i in range(count):
        await h.send_message(content=f"spam {i}")


async def test_attach_detects_hikari_and_returns_a_working_handle(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy]
) -> None:
    async with hikari_bot(world) as h:
        protection = spamguard.adapters.attach(
            h.bot, policy=policy_factory(punishment="KICK"), load_entrypoints=False
        )
        assert isinstance(protection, sg_hikari.HikariProtection)
        assert protection.guard.policy == policy_factory(punishment="KICK")
        h.api.clear()

        await _spam(h)

        assert [(r.method, r.path) for r in h.api.requests] == [
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}")
        ]
        assert protection.stats["runtime"]["actions_ok"] == {"kick": 1}
        assert protection.stats["guard"]["action:kick"] == 1
        await protection.detach()


async def test_attach_on_a_running_bot_starts_the_runtime_at_once(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy]
) -> None:
    store = MemoryStore()
    async with hikari_bot(world) as h:
        protection = sg_hikari.attach(
            h.bot, policy=policy_factory(), store=store, load_entrypoints=False
        )
        async with asyncio.timeout(5):
            while True:
                try:
                    assert store.guard is protection.guard
                    break
                except RuntimeError:
                    await asyncio.sleep(0.01)
        await protection.detach()


async def test_runtime_starts_with_started_event_and_stops_with_stopping_event(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy], tmp_path: pathlib.Path
) -> None:
    snapshot = tmp_path / "state.json"
    store = MemoryStore(snapshot, save_interval=None)
    holder: list[sg_hikari.HikariProtection] = []

    def before_start(bot: hikari.GatewayBot) -> None:
        holder.append(
            sg_hikari.attach(bot, policy=policy_factory(), store=store, load_entrypoints=False)
        )
        with pytest.raises(RuntimeError):
            _ = store.guard  # not opened before the bot starts

    async with hikari_bot(world, before_start=before_start):
        assert store.guard is holder[0].guard
        assert not snapshot.exists()
    # StoppingEvent stopped the runtime: the store saved its snapshot on close.
    assert snapshot.exists()


async def test_detach_unsubscribes_and_stops(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy]
) -> None:
    async with hikari_bot(world) as h:
        protection = sg_hikari.attach(
            h.bot, policy=policy_factory(punishment="KICK"), load_entrypoints=False
        )
        await protection.detach()
        h.api.clear()

        await _spam(h)

        assert h.api.requests == ()
        assert protection.on_message_create not in h.bot.get_listeners(
            hikari.GuildMessageCreateEvent
        )
        assert protection.stats["runtime"]["messages"] == 0


def test_bad_policy_file_is_reported_with_the_path(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "version: 1\nspam:\n  levels:\n    0:\n      max_messages: {count: -1, interval: 10}\n"
    )

    with pytest.raises(Exception, match=r"max_messages\.count"):
        sg_hikari.load_policy(path)


def test_attach_refuses_an_object_that_is_not_a_hikari_bot() -> None:
    with pytest.raises(TypeError, match=r"needs a hikari\.GatewayBot"):
        sg_hikari.attach(typing.cast("hikari.GatewayBot", object()))


def test_adapter_without_hikari_says_what_to_install() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["hikari"] = None  # as if hikari were not installed
        try:
            import spamguard.adapters.hikari
        except ImportError as exc:
            print(exc)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert "pip install 'spamguard[hikari]'" in result.stdout


def test_adapters_package_imports_no_discord_library() -> None:
    code = "import sys, spamguard.adapters; print(sorted(m for m in ('hikari', 'lightbulb') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


async def test_policy_naming_a_redis_store_needs_the_redis_extra(
    world: payloads.GuildWorld,
    policy_factory: Callable[..., Policy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if redis-py were not installed.
    monkeypatch.setitem(sys.modules, "redis", None)
    for name in (
        "store_redis",
        "stores.redis_consistent",
        "stores.redis_owned",
        "stores.redis_connection",
    ):
        monkeypatch.delitem(sys.modules, f"spamguard.adapters.{name}", raising=False)
    policy = policy_factory(store={"url": "redis://127.0.0.1:1/0"})

    async with hikari_bot(world) as h:
        with pytest.raises(ImportError, match=r"pip install 'spamguard\[redis\]'"):
            sg_hikari.attach(h.bot, policy=policy, load_entrypoints=False)
        assert h.bot.get_listeners(hikari.GuildMessageCreateEvent) == []


async def test_events_between_stopping_and_started_are_dropped(
    world: payloads.GuildWorld, policy_factory: Callable[..., Policy]
) -> None:
    async with hikari_bot(world) as h:
        protection = sg_hikari.attach(
            h.bot, policy=policy_factory(punishment="KICK"), load_entrypoints=False
        )
        await h.bot.dispatch(h.bot.event_factory.deserialize_stopping_event(), return_tasks=True)
        h.api.clear()

        await _spam(h)
        assert h.api.requests == ()
        assert protection.stats["runtime"]["messages"] == 0

        await h.bot.dispatch(h.bot.event_factory.deserialize_started_event(), return_tasks=True)
        await _spam(h)
        assert [r.method for r in h.api.requests] == ["DELETE"]
        await protection.detach()


async def test_a_misspelt_option_is_named_with_the_option_meant(world: payloads.GuildWorld) -> None:
    async with hikari_bot(world) as h:
        with pytest.raises(spamguard.adapters.AttachOptionError) as raised:
            spamguard.adapters.attach(h.bot, polcy="policy.yaml")  # type: ignore[call-arg]
        assert str(raised.value).startswith(
            "attach() got unknown option(s) 'polcy' (did you mean 'policy'?); allowed: "
        )
        assert isinstance(raised.value, TypeError)
        # The hikari adapter's own attach says the same of the options it hands the runtime.
        with pytest.raises(
            spamguard.adapters.AttachOptionError,
            match="'poll_intervall' \\(did you mean 'poll_interval'\\?\\)",
        ):
            sg_hikari.attach(h.bot, load_entrypoints=False, poll_intervall=1.0)  # type: ignore[call-arg]
        assert h.bot.get_listeners(hikari.GuildMessageCreateEvent) == []


async def test_the_hikari_attach_lists_every_option_it_takes(world: payloads.GuildWorld) -> None:
    # Called directly (not through spamguard.adapters.attach), the adapter's attach must
    # suggest and list its named options too, not only the runtime's.
    async with hikari_bot(world) as h:
        with pytest.raises(spamguard.adapters.AttachOptionError) as raised:
            sg_hikari.attach(h.bot, polcy="policy.yaml")  # type: ignore[call-arg]
        message = str(raised.value)
        assert "'polcy' (did you mean 'policy'?)" in message
        assert message.endswith(
            "allowed: action_timeout, clock, delete_window, load_entrypoints, plugin_manager, plugins, "
            "policy, poll_interval, store"
        )
        assert h.bot.get_listeners(hikari.GuildMessageCreateEvent) == []


def test_the_stats_types_name_exactly_the_counters_returned() -> None:
    counters = {field.name for field in dataclasses.fields(RuntimeStats)}
    assert RuntimeStatsDict.__required_keys__ == counters
    assert set(RuntimeStats().as_dict()) == counters
    assert ProtectionStats.__required_keys__ == {"guard", "runtime"}
