"""The in-memory state store's public path; the code lives in
:mod:`spamguard.adapters.stores.memory`."""

from __future__ import annotations

__all__ = ("MemoryStore",)

from spamguard.adapters.stores.memory import MemoryStore
