"""Helpers of the discord.py/nextcord/disnake-specific tests: a protected bot, policies.

Not collected (no ``test_`` prefix). Everything is real: the library's ``commands.Bot``
logged in to the REST stand-in, gateway payloads fed through its parsers
(`support.dpy_harness`), and spamguard attached with the adapter under test.
"""

from __future__ import annotations

__all__ = (
    "ADAPTER",
    "LIBRARY",
    "adapter",
    "make_policy",
    "protected_bot",
)

import contextlib
import datetime
import importlib
import os
import types
import typing

from support import payloads
from support.dpy_harness import ADAPTERS, TEST_LIBRARIES, DpyLibrary, dpy_bot
from support.library_harness import FakeClock, Guarded, Recorder

from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from support.discord_api import DiscordAPI


LIBRARY: typing.Final = TEST_LIBRARIES[os.environ["SPAMGUARD_TEST_LIBRARY"]]
"""The import name of the library under test (checked by conftest): ``discord`` for
discord.py, ``nextcord``, ``disnake``."""

ADAPTER: typing.Final = ADAPTERS[LIBRARY]
"""spamguard's adapter for it under ``spamguard.adapters``, also the extra's name."""


def adapter() -> types.ModuleType:
    """``spamguard.adapters.discordpy``, ``.nextcord`` or ``.disnake``."""
    return importlib.import_module(f"spamguard.adapters.{ADAPTER}")


def make_policy(
    punishment: str = "TIMEOUT",
    *,
    count: int = 3,
    clean: bool = True,
    duration: int = 60,
    rule: dict[str, typing.Any] | None = None,
    **top: typing.Any,
) -> Policy:
    """Level-0 members may send ``count - 1`` messages per 10 seconds; then ``punishment``."""
    level: dict[str, typing.Any] = {
        "punishment": punishment,
        "punishment_duration": duration,
        "clean": clean,
        "max_messages": {"count": count, "interval": 10},
    }
    level |= rule or {}
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


@contextlib.asynccontextmanager
async def protected_bot(
    policy: Policy | None = None,
    *,
    world: payloads.GuildWorld | None = None,
    api: DiscordAPI | None = None,
    action_timeout: float = 2.0,
    bot_options: dict[str, typing.Any] | None = None,
    **options: typing.Any,
) -> AsyncIterator[Guarded]:
    """A ready bot protected by ``policy`` (default: TIMEOUT at 3 messages in 10 s).

    ``bot_options`` go to the library's ``commands.Bot``; ``options`` to ``attach``.
    """
    clock = options.pop("clock", None) or FakeClock(datetime.datetime.now(tz=datetime.UTC))
    recorder = Recorder()
    async with dpy_bot(
        LIBRARY, world or payloads.build_world(), api=api, **(bot_options or {})
    ) as h:
        protection = adapter().attach(
            h.bot,
            policy=policy or make_policy(),
            plugins=[recorder],
            action_timeout=action_timeout,
            clock=clock,
            poll_interval=0.02,
            load_entrypoints=False,
            **options,
        )
        try:
            yield Guarded(
                library=DpyLibrary(LIBRARY),
                harness=h,
                protection=protection,
                clock=clock,
                recorder=recorder,
            )
            await h.settle()
        finally:
            await protection.detach()
