"""Shared builders for the core tests: messages on a fixed clock, policies from dicts.

Test modules are imported with ``--import-mode=importlib`` and cannot import this file,
so everything here is reached through fixtures: ``msg`` builds messages (and carries the
ids and clock the tests share), ``make_policy`` builds a policy around one level-0 rule.
"""

from __future__ import annotations

import pathlib
import typing

import pytest
from support.messages import Messages

from spamguard.core import Policy


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
