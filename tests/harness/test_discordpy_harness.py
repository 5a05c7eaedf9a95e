"""The offline discord.py harness (tox env: discordpy).

The tests live in `harness.dpy_contract`, shared with the nextcord and disnake harnesses.
"""

from __future__ import annotations

import typing

import discord
from harness.dpy_contract import DpyHarnessContract


class TestDiscordpyHarness(DpyHarnessContract):
    """Runs the shared contract against discord.py 2.x (import name ``discord``)."""

    library: typing.ClassVar[typing.Literal["discord"]] = "discord"


def test_the_installed_library_is_discord_py() -> None:
    # Imported at the top on purpose: a missing install is an error here, never a skip.
    # py-cord installs as ``discord`` too; its __title__ is "pycord".
    assert discord.__version__
    assert discord.__title__ == "discord"
