"""State stores: where an adapter's runtime keeps the guard's state between decisions.

- :mod:`~spamguard.adapters.stores.base`: the :class:`Store` interface the runtime uses;
- :mod:`~spamguard.adapters.stores.memory`: :class:`MemoryStore`, the default (the guard's
  own memory, optionally a snapshot file);
- :mod:`~spamguard.adapters.stores.redis_owned`: ``RedisStore``, for sharded and
  multi-process bots: each guild decided from memory in the process that owns its shard,
  written behind to Redis (``redis_takeover``: loading a guild; ``redis_write_behind``:
  the writes);
- :mod:`~spamguard.adapters.stores.redis_consistent`: ``ConsistentRedisStore``, every
  message decided against Redis under locks (``redis_locks``, ``redis_joins``).

Both (``pip install 'spamguard[redis]'``; not imported here, so this package works without
redis-py) share ``redis_base`` (settings, opening, scheduled actions, guild tasks),
``redis_connection`` (the client, single server or Cluster, its Lua scripts and failing
open), ``redis_layout`` (keys and encodings), ``redis_scheduled`` (the scheduled actions'
buckets), ``redis_tasks``, ``redis_scripts`` and the ``redis_*.lua`` files.

``spamguard.adapters.store_memory`` and ``spamguard.adapters.store_redis`` are the same
classes under their first, documented names.
"""

from __future__ import annotations

__all__ = ("CaseBook", "MemoryStore", "Store", "StoreConfigError")

from spamguard.adapters.stores.base import CaseBook, Store, StoreConfigError
from spamguard.adapters.stores.memory import MemoryStore
