"""The Redis state stores' public path (``pip install 'spamguard[redis]'``); the code lives
in :mod:`spamguard.adapters.stores.redis_owned` (:class:`OwnedRedisStore`, guild-owned) and
:mod:`spamguard.adapters.stores.redis_store` (:class:`RedisStore`, every message decided
against Redis)."""

from __future__ import annotations

__all__ = (
    "DEFAULT_MAX_CLEAN_MARKS",
    "ENV_URL",
    "OwnedRedisStore",
    "RedisStore",
    "StoreConfigError",
    "redis_store_for",
)

from spamguard.adapters.stores.redis_owned import OwnedRedisStore
from spamguard.adapters.stores.redis_store import (
    DEFAULT_MAX_CLEAN_MARKS,
    ENV_URL,
    RedisStore,
    StoreConfigError,
)
from spamguard.core.policy import StoreMode


def redis_store_for(mode: StoreMode) -> OwnedRedisStore | RedisStore:
    """The Redis store of a policy's ``store: mode:`` (its URL is read at ``open``)."""
    if mode is StoreMode.CONSISTENT:
        return RedisStore()
    return OwnedRedisStore()
