"""Adapters: carry spamguard's plans out on a Discord library.

This package imports no Discord library; each adapter module imports its own.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()
