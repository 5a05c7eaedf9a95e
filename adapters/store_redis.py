"""The Redis state stores' public path (``pip install 'spamguard[redis]'``); the code lives
in :mod:`spamguard.adapters.stores.redis_owned` (:class:`RedisStore`, guild-owned) and
:mod:`spamguard.adapters.stores.redis_consistent` (:class:`ConsistentRedisStore`, every message decided
against Redis)."""

from __future__ import annotations

__all__ = (
    "DEFAULT_MAX_CLEAN_MARKS",
    "ENV_URL",
    "ConsistentRedisStore",
    "RedisStore",
    "StoreConfigError",
    "redis_store_for",
)

from spamguard.adapters.stores.redis_consistent import (
    DEFAULT_MAX_CLEAN_MARKS,
    ENV_URL,
    ConsistentRedisStore,
    StoreConfigError,
)
from spamguard.adapters.stores.redis_owned import RedisStore
from spamguard.core.policy import StoreMode


def redis_store_for(mode: StoreMode) -> RedisStore | ConsistentRedisStore:
    """The Redis store of a policy's ``store: mode:`` (its URL is read at ``open``)."""
    if mode is StoreMode.CONSISTENT:
        return ConsistentRedisStore()
    return RedisStore()
