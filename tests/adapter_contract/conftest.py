"""Fixtures of the adapter contract suite: one library per run, real bots offline.

The library comes from ``SPAMGUARD_TEST_LIBRARY`` (set by the tox envs hikari,
lightbulb, discordpy, nextcord26, nextcord3, disnake and disnake312). Unset or unknown, the run
fails at once; the library's harness is imported, never skipped, so a broken install
fails too.
"""

from __future__ import annotations

import contextlib
import os
import typing

import pytest
from support import payloads
from support.library_harness import HARNESSES, guarded, load_library

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.library_harness import Guarded, LibraryHarness

    from spamguard.core import Policy

LIBRARY = os.environ.get("SPAMGUARD_TEST_LIBRARY", "")
if LIBRARY not in HARNESSES:
    msg = (
        "tests/adapter_contract runs against one library: set SPAMGUARD_TEST_LIBRARY to one "
        f"of {', '.join(HARNESSES)} (each adapter tox env does), got {LIBRARY!r}"
    )
    raise pytest.UsageError(msg)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "only_for_libraries(*names): run the test for these libraries only"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests marked ``only_for_libraries`` for other libraries: deselected,
    not skipped, since under CI a skipped test fails the run (tests/conftest.py)."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        mark = item.get_closest_marker("only_for_libraries")
        (drop if mark is not None and LIBRARY not in mark.args else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def library() -> LibraryHarness:
    """The harness of the library under test."""
    return load_library(LIBRARY)


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
