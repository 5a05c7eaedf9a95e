"""Offline test support: a local Discord REST stand-in, gateway payload builders and
per-library harnesses that build real bots wired to them.

Nothing in this package talks to Discord. The library-specific modules
(`hikari_harness`, `dpy_harness`) import their library at the top, so import them only
in the tox environment that installs that library.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()
