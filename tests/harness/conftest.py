"""Fixtures shared by the harness smoke tests; imports no Discord library."""

from __future__ import annotations

__all__ = ("world",)

import pytest
from support import payloads


@pytest.fixture
def world() -> payloads.GuildWorld:
    """The standard moderation guild."""
    return payloads.build_world()
