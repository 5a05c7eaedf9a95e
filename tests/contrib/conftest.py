"""Shared builders for the contrib and plugin tests (reached through fixtures).

Test modules are imported with ``--import-mode=importlib`` and cannot import this file:
``msg`` builds messages on a fixed clock with increasing ids, ``policy`` builds a policy
from a dict (a level-0 rule without checks unless one is given).
"""

from __future__ import annotations

import pathlib
import typing

import pytest
from support.messages import Messages

from spamguard.core import Policy

PLUGIN_PKG = pathlib.Path(__file__).with_name("plugin_pkg")


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
