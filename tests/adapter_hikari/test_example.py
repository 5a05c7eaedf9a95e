"""examples/hikari_bot.py protects a real (offline) bot with the default policy."""

from __future__ import annotations

import importlib.util
import logging
import pathlib
import types
import typing

import pytest
from support import payloads
from support.hikari_harness import hikari_bot

import spamguard.adapters.hikari as sg_hikari

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "hikari_bot.py"


def _load_example() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("hikari_bot_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_example_bot_times_out_a_spammer_and_reports_on_stop(
    world: payloads.GuildWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(sg_hikari.POLICY_ENV, raising=False)
    example = _load_example()
    protections: list[typing.Any] = []

    with caplog.at_level(logging.INFO, logger="example"):
        async with hikari_bot(
            world, before_start=lambda bot: protections.append(example.protect(bot))
        ) as h:
            h.api.clear()
            # The default policy: 8 messages in 5 seconds.
            for i in range(8):
                await h.send_message(content=f"buy now {i}")

            assert [(r.method, r.route) for r in h.api.requests] == [
                ("PATCH", "/guilds/{guild_id}/members/{user_id}"),
                ("POST", "/channels/{channel_id}/messages/bulk-delete"),
            ]

    assert "spamguard stats" in caplog.text
    assert protections[0].stats["runtime"]["actions_ok"] == {"delete": 1, "timeout": 1}
