"""The offline disnake harness (tox envs: disnake, disnake312).

The tests live in `harness.dpy_contract`, shared with the nextcord harness.
"""

from __future__ import annotations

import typing

import disnake
from harness.dpy_contract import DpyHarnessContract


class TestDisnakeHarness(DpyHarnessContract):
    """Runs the shared contract against disnake 2.12."""

    library: typing.ClassVar[typing.Literal["disnake"]] = "disnake"


def test_the_installed_library_is_disnake() -> None:
    # Imported at the top on purpose: a missing install is an error here, never a skip.
    assert disnake.__version__
