"""The handler finds the adapter for ``bot`` by itself (the one-import migration): the
``spamguard_find_adapter`` hook names it, it is loaded from the ``spamguard.adapters``
entry-point group, and its ``spamguard_make_compat_bridge`` implementation (``compat_bridge``)
converts messages and carries plans out. The adapter here is a real installed distribution made in a temporary directory.
"""

from __future__ import annotations

import sys
import textwrap

import pytest

from spamguard.contrib.antispam import AntiSpamHandler, UnsupportedAction
from spamguard.contrib.antispam.enums import Library
from spamguard.core import Guard, Policy
from spamguard.core.plugin_manager import get_plugin_manager, load_adapter_for
from spamguard.core.plugins import Hooks

ADAPTER = '''
"""A stand-in adapter for a library whose messages are plain dicts."""
import datetime

from spamguard.core import Message, hookimpl


class FakeBot:
    def __init__(self):
        self.user = None
        self.carried = []


class Finder:
    name = "fake_finder"

    @hookimpl
    def spamguard_find_adapter(self, bot):
        return "fakelib" if isinstance(bot, FakeBot) else None


finder = Finder()


class Bridge:
    def __init__(self, bot, guard):
        self.bot = bot
        self.guard = guard

    def convert(self, raw):
        return Message(
            id=raw["id"], guild_id=raw["guild"], channel_id=raw["channel"],
            author_id=raw["author"], content=raw["content"],
            created_at=datetime.datetime.fromtimestamp(raw["ts"], tz=datetime.UTC),
        )

    async def carry_out(self, plan):
        self.bot.carried.append(plan)


@hookimpl(specname="spamguard_make_compat_bridge")
def compat_bridge(bot, guard):
    return Bridge(bot, guard)
'''


@pytest.fixture
def fake_adapter(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "fake_adapter.py").write_text(textwrap.dedent(ADAPTER), encoding="utf-8")
    dist_info = site / "fake_adapter-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-adapter\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[spamguard]\nfake_finder = fake_adapter:finder\n\n"
        "[spamguard.adapters]\nfakelib = fake_adapter\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "fake_adapter", raising=False)
    import fake_adapter

    return fake_adapter


def raw_message(number: int) -> dict[str, object]:
    return {
        "id": number,
        "guild": 10,
        "channel": 20,
        "author": 30,
        "content": "join my server please",
        "ts": 1_700_000_000 + number,
    }


async def test_the_handler_converts_and_carries_out_through_the_adapters_bridge(
    fake_adapter,
) -> None:
    bot = fake_adapter.FakeBot()
    handler = AntiSpamHandler(bot)
    results = [await handler.propagate(raw_message(n)) for n in range(1, 6)]
    assert results[-1]["was_warned"]
    assert bot.carried == [results[-1]["plan"]]
    assert handler.lib_handler is not None


async def test_an_explicit_executor_wins_over_the_bridge(fake_adapter) -> None:
    bot = fake_adapter.FakeBot()
    mine = []
    handler = AntiSpamHandler(bot, executor=mine.append)
    for n in range(1, 6):
        await handler.propagate(raw_message(n))
    assert len(mine) == 1
    assert bot.carried == []


async def test_without_an_adapter_library_objects_are_refused_with_a_hint() -> None:
    handler = AntiSpamHandler(object())
    with pytest.raises(ValueError, match="install the spamguard adapter for your library"):
        await handler.propagate(raw_message(1))


def test_an_adapter_is_found_by_its_finder_or_by_the_bots_library_package(fake_adapter) -> None:
    # The finder names the adapter of FakeBot; a bot of the library "fakelib" that no
    # finder knows is the adapter's too, by its entry-point name.
    client = type("Client", (), {"__module__": "fakelib.client"})()
    guard = Guard(Policy.default(), load_entrypoints=False)
    for bot in (fake_adapter.FakeBot(), client):
        pm = get_plugin_manager()
        assert load_adapter_for(pm, bot) == "fakelib"
        assert pm.get_plugin("fakelib") is fake_adapter
        bridge = Hooks(pm).make_compat_bridge(bot, guard)
        assert isinstance(bridge, fake_adapter.Bridge)
        assert bridge.guard is guard


def test_no_adapter_is_loaded_for_an_object_of_no_library(fake_adapter) -> None:
    pm = get_plugin_manager()
    assert load_adapter_for(pm, object()) is None
    assert pm.get_plugin("fakelib") is None


async def test_a_library_not_served_by_the_bots_adapter_is_refused_naming_both(
    fake_adapter,
) -> None:
    handler = AntiSpamHandler(fake_adapter.FakeBot(), Library.NEXTCORD)
    with pytest.raises(UnsupportedAction) as caught:
        await handler.propagate(raw_message(1))
    assert str(caught.value) == (
        "Library.NEXTCORD was given, but this bot (FakeBot) is served by spamguard's "
        "'fakelib' adapter"
    )


async def test_a_library_without_an_installed_adapter_says_what_to_install() -> None:
    handler = AntiSpamHandler(object(), Library.DISNAKE)
    with pytest.raises(UnsupportedAction, match=r"pip install 'spamguard\[disnake\]'"):
        await handler.init()
