"""Shared builders for the core tests: messages on a fixed clock, policies from dicts.

Test modules are imported with ``--import-mode=importlib`` and cannot import this file,
so everything here is reached through fixtures: ``msg`` builds messages (and carries the
ids and clock the tests share), ``make_policy`` builds a policy around one level-0 rule.
"""

from __future__ import annotations

import datetime
import itertools
import pathlib
import typing

import pytest

from spamguard.core import Message, Policy


class Messages:
    """Builds messages with increasing ids; ``t`` is seconds after :attr:`T0`."""

    T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    GUILD = 1000
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
    """A fresh message factory (ids start at 1)."""
    return Messages()


PolicyFactory = typing.Callable[..., Policy]


@pytest.fixture
def make_policy() -> PolicyFactory:
    """``make_policy(rule, **top)``: a policy whose only rule is level 0's ``rule``."""

    def build(rule: dict[str, typing.Any] | None = None, **top: typing.Any) -> Policy:
        document: dict[str, typing.Any] = dict(top)
        if rule is not None:
            document["spam"] = {"levels": {0: rule}}
        return Policy.from_dict(document)

    return build


@pytest.fixture
def fixtures_dir() -> pathlib.Path:
    """The folder of policy fixtures (the seed Rowboat configurations)."""
    return pathlib.Path(__file__).with_name("fixtures")
