"""The offline nextcord harness (tox envs: nextcord26, nextcord3).

The tests live in `harness.dpy_contract`, shared with the disnake harness.
"""

from __future__ import annotations

import typing

import nextcord
from harness.dpy_contract import DpyHarnessContract


class TestNextcordHarness(DpyHarnessContract):
    """Runs the shared contract against nextcord (2.6.0 on Python 3.11, 3.x on 3.12)."""

    library: typing.ClassVar[typing.Literal["nextcord"]] = "nextcord"


def test_the_installed_library_is_nextcord() -> None:
    # Imported at the top on purpose: a missing install is an error here, never a skip.
    assert nextcord.__version__
