"""Shared builders for the contrib and plugin tests (reached through fixtures).

Test modules are imported with ``--import-mode=importlib`` and cannot import this file:
``msg`` builds messages on a fixed clock with increasing ids, ``policy`` builds a policy
from a dict (a level-0 rule without checks unless one is given).
"""

from __future__ import annotations

import datetime
import itertools
import pathlib
import typing

import pytest

from spamguard.core import Message, Policy

PLUGIN_PKG = pathlib.Path(__file__).with_name("plugin_pkg")


class Messages:
    """Builds messages with increasing ids; ``t`` is seconds after :attr:`T0`."""

    T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    GUILD = 1000
    OTHER_GUILD = 1001
    CHANNEL = 2000
    OTHER_CHANNEL = 2001
    USER = 3000
    OTHER_USER = 3001

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def at(self, seconds: float) -> datetime.datetime:
        """``T0`` plus ``seconds``."""
        return self.T0 + datetime.timedelta(seconds=seconds)

    def __call__(self, content: str = "hello", *, t: float = 0.0, **fields: typing.Any) -> Message:
        values: dict[str, typing.Any] = {
            "id": next(self._ids),
            "guild_id": self.GUILD,
            "channel_id": self.CHANNEL,
            "author_id": self.USER,
            "content": content,
            "created_at": self.at(t),
        }
        values.update(fields)
        return Message(**values)


@pytest.fixture
def msg() -> Messages:
    """A message builder with fresh ids."""
    return Messages()


@pytest.fixture
def policy() -> typing.Callable[..., Policy]:
    """``policy(extensions={...}, **top_level)``: a policy with one level-0 rule."""

    def build(
        extensions: dict[str, typing.Any] | None = None,
        rule: dict[str, typing.Any] | None = None,
        **top: typing.Any,
    ) -> Policy:
        document: dict[str, typing.Any] = {
            "spam": {"levels": {0: rule or {"punishment": "NONE"}}},
            "extensions": extensions or {},
        }
        document.update(top)
        return Policy.from_dict(document)

    return build


@pytest.fixture
def plugin_pkg() -> pathlib.Path:
    """The tiny third-party extension package (tests/contrib/plugin_pkg)."""
    return PLUGIN_PKG
