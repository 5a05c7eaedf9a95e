"""Test policies without Discord: a simulator, assertions and a pytest plugin."""

from __future__ import annotations

__all__: tuple[str, ...] = ()
