"""The spamguard command line: check, replay and explain policies."""

from __future__ import annotations

__all__: tuple[str, ...] = ()
