"""Fixtures of the nextcord/disnake adapter tests: one library per run, real bots offline.

The library comes from ``SPAMGUARD_TEST_LIBRARY`` (set by the tox envs nextcord26,
nextcord3, disnake and disnake312). Unset, the run fails at once: a skip would hide a
broken environment.
"""

from __future__ import annotations

import os

import pytest

LIBRARY = os.environ.get("SPAMGUARD_TEST_LIBRARY", "")
if LIBRARY not in ("nextcord", "disnake"):
    msg = (
        "tests/adapter_dpy runs against one library: set SPAMGUARD_TEST_LIBRARY=nextcord or "
        f"=disnake (the tox envs nextcord26, nextcord3, disnake, disnake312 do), got {LIBRARY!r}"
    )
    raise pytest.UsageError(msg)
