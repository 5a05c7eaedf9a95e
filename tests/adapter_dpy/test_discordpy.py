"""What only discord.py does that way: ``add_cog``/``remove_cog`` are coroutines (yet
``attach`` stays one synchronous line), and py-cord installs under the same import name.

Collected in the discordpy tox env only (the other libraries' Cogs are synchronous).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import typing

import pytest
from adapter_dpy.dpy_world import LIBRARY, adapter
from support.dpy_harness import default_intents, dpy_bot

from spamguard.adapters import dpy

if typing.TYPE_CHECKING:
    import pathlib

if LIBRARY == "discord":
    import discord
    from discord.ext import commands

    def test_attach_before_the_event_loop_runs_adds_the_cog_at_once() -> None:
        # The usual script: build the bot, attach, then bot.run(). discord.py's add_cog
        # is a coroutine, and no loop runs yet to await it.
        bot = commands.Bot(command_prefix="!", intents=default_intents(discord))
        protection = adapter().attach(bot, load_entrypoints=False)

        cog = bot.get_cog(dpy.COG_NAME)
        assert cog is not None
        assert cog.protection is protection
        assert [name for name, _ in cog.get_listeners()].count("on_message") == 1
        with pytest.raises(dpy.AlreadyAttachedError):
            adapter().attach(bot)

        asyncio.run(protection.detach())
        assert bot.get_cog(dpy.COG_NAME) is None

    async def test_detach_awaits_remove_cog_and_the_cog_stops_hearing_messages() -> None:
        async with dpy_bot(LIBRARY) as h:
            protection = adapter().attach(h.bot, load_entrypoints=False)
            await h.send_message(content="hello")
            assert protection.stats["runtime"]["messages"] == 1

            await protection.detach()
            await h.send_message(content="hello again")
            assert h.bot.get_cog(dpy.COG_NAME) is None
            assert protection.stats["runtime"]["messages"] == 1

    async def test_a_bot_whose_add_cog_waits_is_refused_and_told_to_load_the_extension() -> None:
        class SlowBot(commands.Bot):
            async def add_cog(self, cog: typing.Any, /, **kwargs: typing.Any) -> None:
                await asyncio.sleep(0)  # a bot that logs its Cogs somewhere first
                await super().add_cog(cog, **kwargs)

        bot = SlowBot(command_prefix="!", intents=default_intents(discord))
        try:
            with pytest.raises(dpy.SuspendedCogError, match=r"await bot\.load_extension"):
                adapter().attach(bot, load_entrypoints=False)
            assert bot.get_cog(dpy.COG_NAME) is None

            # The extension awaits add_cog, so the same bot is protected that way.
            await bot.load_extension("spamguard.adapters.discordpy")
            assert bot.get_cog(dpy.COG_NAME) is not None
        finally:
            await bot.close()

    def test_py_cord_under_the_discord_name_is_refused_saying_what_to_install(
        tmp_path: pathlib.Path,
    ) -> None:
        # A stand-in for py-cord: a package named ``discord`` declaring py-cord's
        # __title__, found before the installed discord.py.
        package = tmp_path / "discord"
        package.mkdir()
        (package / "__init__.py").write_text('__title__ = "pycord"\n', encoding="utf-8")
        code = textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(tmp_path)!r})
            from spamguard.adapters.dpy import UnsupportedLibraryError
            try:
                import spamguard.adapters.discordpy
            except UnsupportedLibraryError as error:
                print(error)
            """
        )
        result = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
        )
        assert "the installed 'discord' package is pycord" in result.stdout
        assert "pip install 'spamguard[discordpy]'" in result.stdout
