"""Getting protected in one line, and letting go: ``load_extension``, ``attach``,
``detach``, unloading, and the errors that say what to do."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import subprocess
import sys
import typing

import pytest
from adapter_dpy.dpy_world import ADAPTER, LIBRARY, adapter, make_policy, protected_bot
from support.dpy_harness import dpy_bot, finish

import spamguard.adapters
from spamguard.adapters import dpy
from spamguard.adapters.runtime import POLICY_ENV

if typing.TYPE_CHECKING:
    import pathlib

    from support.dpy_harness import DpyHarness

EXTENSION = f"spamguard.adapters.{ADAPTER}"
POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD
VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD

KICK_AT_THREE = """\
version: 1
spam:
  levels:
    0:
      punishment: KICK
      max_messages: {count: 3, interval: 10}
"""


def _scheduler_running() -> bool:
    return any(t.get_name() == "spamguard-scheduler" and not t.done() for t in asyncio.all_tasks())


async def _spam(h: DpyHarness, n: int = 3) -> None:
    for i in range(n):
        await h.send_message(content=f"spam {i}")


async def test_load_extension_protects_the_bot_with_the_policy_file_named_by_the_environment(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy_file = tmp_path / "spam.yaml"
    policy_file.write_text(KICK_AT_THREE, encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(policy_file))
    async with dpy_bot(LIBRARY, before_login=lambda bot: bot.load_extension(EXTENSION)) as h:
        cog = h.bot.get_cog(dpy.COG_NAME)
        assert _scheduler_running()
        await _spam(h)
        g, alice = h.world.guild_id, h.world.alice.id
        assert [r.path for r in h.api.find("DELETE")] == [f"/guilds/{g}/members/{alice}"]
        assert cog.protection.stats["runtime"]["actions_ok"] == {"kick": 1}

        await finish(h.bot.unload_extension(EXTENSION))
        await asyncio.sleep(0.05)
        assert h.bot.get_cog(dpy.COG_NAME) is None
        assert not _scheduler_running()
        await _spam(h, 5)
        assert len(h.api.find("DELETE")) == 1


async def test_load_extension_without_a_policy_file_uses_the_default_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    async with dpy_bot(LIBRARY, before_login=lambda bot: bot.load_extension(EXTENSION)) as h:
        cog = h.bot.get_cog(dpy.COG_NAME)
        assert cog.protection.guard.policy == spamguard.core.Policy.default()


def test_setup_is_what_the_library_calls_and_takes_what_it_passes() -> None:
    setup = adapter().setup
    # discord.py awaits setup(bot); nextcord and disnake call it and await nothing.
    assert inspect.iscoroutinefunction(setup) == (LIBRARY == "discord")
    kinds = [p.kind for p in inspect.signature(setup).parameters.values()]
    # nextcord passes load_extension's extras as keywords; discord.py and disnake pass
    # the bot alone.
    expected = {
        "discord": [POSITIONAL],
        "nextcord": [POSITIONAL, VAR_KEYWORD],
        "disnake": [POSITIONAL],
    }[LIBRARY]
    assert kinds == expected


if LIBRARY == "nextcord":

    async def test_nextcord_extras_name_the_policy_file(tmp_path: pathlib.Path) -> None:
        policy_file = tmp_path / "spam.yaml"
        policy_file.write_text(KICK_AT_THREE, encoding="utf-8")

        def load(bot: typing.Any) -> None:
            extras = {"policy": str(policy_file), "action_timeout": 1.5}
            bot.load_extension(EXTENSION, extras=extras)

        async with dpy_bot(LIBRARY, before_login=load) as h:
            cog = h.bot.get_cog(dpy.COG_NAME)
            assert cog.protection.runtime.action_timeout == 1.5
            await _spam(h)
            assert len(h.api.find("DELETE", "/guilds/{g}/members/{u}")) == 1


async def test_attach_finds_the_adapter_from_the_bot_and_detach_lets_go() -> None:
    async with dpy_bot(LIBRARY) as h:
        protection = spamguard.adapters.attach(
            h.bot, policy=make_policy("KICK", clean=False), load_entrypoints=False
        )
        assert h.bot.get_cog(dpy.COG_NAME).protection is protection
        await asyncio.sleep(0)
        assert _scheduler_running()
        await _spam(h)
        assert len(h.api.find("DELETE")) == 1

        await protection.detach()
        assert h.bot.get_cog(dpy.COG_NAME) is None
        assert not _scheduler_running()
        await _spam(h, 5)
        assert len(h.api.find("DELETE")) == 1


async def test_a_second_attach_is_refused() -> None:
    async with protected_bot() as p:
        with pytest.raises(dpy.AlreadyAttachedError, match="already attached"):
            adapter().attach(p.harness.bot)


async def test_a_bot_without_cogs_is_refused_with_the_class_to_use() -> None:
    library = importlib.import_module(LIBRARY)
    client = library.Client(intents=library.Intents.default())
    try:
        with pytest.raises(dpy.UnsupportedBotError, match=rf"{LIBRARY}\.ext\.commands\.Bot"):
            adapter().attach(client)
    finally:
        await client.close()


async def test_an_unknown_option_is_named() -> None:
    async with dpy_bot(LIBRARY) as h:
        with pytest.raises(TypeError, match=r"'poll_intervall' \(did you mean 'poll_interval'\?\)"):
            adapter().attach(h.bot, poll_intervall=1.0)  # type: ignore[call-arg]
        with pytest.raises(
            spamguard.adapters.AttachOptionError, match=r"'polcy' \(did you mean 'policy'\?\)"
        ):
            spamguard.adapters.attach(h.bot, polcy="policy.yaml")  # type: ignore[call-arg]
        assert h.bot.get_cog(dpy.COG_NAME) is None


async def test_the_adapters_own_attach_lists_every_option_it_takes() -> None:
    # The adapter's attach (and its extension's setup) is called directly too: it must
    # suggest and list its named options, not only the runtime's and the guard's.
    async with dpy_bot(LIBRARY) as h:
        with pytest.raises(spamguard.adapters.AttachOptionError) as raised:
            adapter().attach(h.bot, polcy="policy.yaml")  # type: ignore[call-arg]
        message = str(raised.value)
        assert "'polcy' (did you mean 'policy'?)" in message
        assert message.endswith(
            "allowed: action_timeout, clock, delete_window, load_entrypoints, plugin_manager, plugins, "
            "policy, poll_interval, store"
        )
        assert h.bot.get_cog(dpy.COG_NAME) is None


def test_without_the_library_the_import_error_says_what_to_install() -> None:
    code = f"import sys; sys.modules[{LIBRARY!r}] = None; import spamguard.adapters.{ADAPTER}"
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert f"pip install 'spamguard[{ADAPTER}]'" in result.stderr


async def test_a_policy_naming_a_redis_store_gets_one() -> None:
    policy = make_policy(store={"url": "redis://127.0.0.1:1/0"})
    async with dpy_bot(LIBRARY) as h:
        if importlib.util.find_spec("redis") is None:
            # The adapter envs do not install the redis extra: the error says what to add.
            with pytest.raises(ImportError, match=r"pip install 'spamguard\[redis\]'"):
                adapter().attach(h.bot, policy=policy, load_entrypoints=False)
            return
        from spamguard.adapters.store_redis import ConsistentRedisStore

        bot = h.bot
        protection = adapter().attach(bot, policy=policy, load_entrypoints=False)
        assert isinstance(protection.runtime.store, ConsistentRedisStore)
        await protection.detach()
