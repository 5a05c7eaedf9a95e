"""Fixtures of the discord.py/nextcord/disnake adapter tests: one library per run, real
bots offline.

The library comes from ``SPAMGUARD_TEST_LIBRARY`` (set by the tox envs discordpy,
nextcord26, nextcord3, disnake and disnake312). Unset, the run fails at once: a skip would
hide a broken environment.
"""

from __future__ import annotations

import os

import pytest
from support.dpy_harness import TEST_LIBRARIES

LIBRARY = os.environ.get("SPAMGUARD_TEST_LIBRARY", "")
if LIBRARY not in TEST_LIBRARIES:
    msg = (
        "tests/adapter_dpy runs against one library: set SPAMGUARD_TEST_LIBRARY to one of "
        f"{', '.join(TEST_LIBRARIES)} (the tox envs discordpy, nextcord26, nextcord3, "
        f"disnake, disnake312 do), got {LIBRARY!r}"
    )
    raise pytest.UsageError(msg)
