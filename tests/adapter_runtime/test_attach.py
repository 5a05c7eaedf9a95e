"""``spamguard.adapters.attach``'s own rules, with no Discord library installed: which
libraries it names when it knows none of the bot, and where each built-in adapter is
registered."""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest

import spamguard.adapters
from spamguard.adapters import AdapterNotFoundError
from spamguard.core.plugin_manager import ADAPTER_GROUP


class Robot:
    """A bot of no library spamguard knows."""


def test_an_unknown_bot_is_refused_naming_every_supported_library() -> None:
    with pytest.raises(AdapterNotFoundError) as raised:
        spamguard.adapters.attach(Robot())
    message = str(raised.value)
    assert f"{__name__}.Robot" in message
    for library in ("hikari", "lightbulb", "discord.py", "nextcord", "disnake"):
        assert library in message


def test_every_built_in_adapter_is_an_entry_point_of_a_module_that_exists() -> None:
    entry_points = {e.name: e.value for e in importlib.metadata.entry_points(group=ADAPTER_GROUP)}
    # Named after the library's import name, as the finder recognises bots; discord.py's
    # adapter module is discordpy (the extra's name), its import name discord.
    assert entry_points == {
        name: f"spamguard.adapters.{module}"
        for name, module in {
            "hikari": "hikari",
            "lightbulb": "lightbulb",
            "discord": "discordpy",
            "nextcord": "nextcord",
            "disnake": "disnake",
        }.items()
    }
    assert frozenset(entry_points) == spamguard.adapters._BUILTIN_ADAPTERS
    for module in entry_points.values():
        # Found without importing it (which would import its library).
        assert importlib.util.find_spec(module) is not None
