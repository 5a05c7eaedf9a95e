"""The Redis state store's public path (``pip install 'spamguard[redis]'``); the code lives
in :mod:`spamguard.adapters.stores.redis_store`."""

from __future__ import annotations

__all__ = ("DEFAULT_MAX_CLEAN_MARKS", "ENV_URL", "RedisStore", "StoreConfigError")

from spamguard.adapters.stores.redis_store import (
    DEFAULT_MAX_CLEAN_MARKS,
    ENV_URL,
    RedisStore,
    StoreConfigError,
)
