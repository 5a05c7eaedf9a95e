"""Fixtures of the adapter contract suite: one library per run, real bots offline.

The library comes from ``SPAMGUARD_TEST_LIBRARY`` (set by the tox envs hikari,
lightbulb, nextcord26, nextcord3, disnake and disnake312). Unset or unknown, the run
fails at once; the library's harness is imported, never skipped, so a broken install
fails too.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import typing

import pytest
from support import payloads
from support.library_harness import guarded

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.library_harness import Guarded, LibraryHarness

    from spamguard.core import Policy

# SPAMGUARD_TEST_LIBRARY value -> (harness module, class, constructor arguments).
HARNESSES: typing.Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "hikari": ("support.hikari_harness", "HikariLibrary", ()),
    "lightbulb": ("support.lightbulb_harness", "LightbulbLibrary", ()),
    "nextcord": ("support.dpy_harness", "DpyLibrary", ("nextcord",)),
    "disnake": ("support.dpy_harness", "DpyLibrary", ("disnake",)),
}

LIBRARY = os.environ.get("SPAMGUARD_TEST_LIBRARY", "")
if LIBRARY not in HARNESSES:
    msg = (
        "tests/adapter_contract runs against one library: set SPAMGUARD_TEST_LIBRARY to one "
        f"of {', '.join(HARNESSES)} (each adapter tox env does), got {LIBRARY!r}"
    )
    raise pytest.UsageError(msg)


@pytest.fixture(scope="session")
def library() -> LibraryHarness:
    """The harness of the library under test."""
    module_name, class_name, args = HARNESSES[LIBRARY]
    harness_class = getattr(importlib.import_module(module_name), class_name)
    return typing.cast("LibraryHarness", harness_class(*args))


@pytest.fixture
def world() -> payloads.GuildWorld:
    """The standard moderation guild."""
    return payloads.build_world()


GuardFactory = typing.Callable[..., contextlib.AbstractAsyncContextManager["Guarded"]]


@pytest.fixture
def guard(library: LibraryHarness, world: payloads.GuildWorld) -> GuardFactory:
    """``async with guard(policy, ...) as g``: a started bot of the library under test,
    protected by ``policy``; keywords go to `support.library_harness.guarded`
    (``world=`` replaces the standard guild)."""

    def factory(
        policy: Policy | None, *, world: payloads.GuildWorld = world, **options: typing.Any
    ) -> contextlib.AbstractAsyncContextManager[Guarded]:
        return guarded(library, world, policy, **options)

    return factory


@pytest.fixture
def policy_factory() -> Callable[..., Policy]:
    """`support.library_harness.make_policy`."""
    from support.library_harness import make_policy

    return make_policy
