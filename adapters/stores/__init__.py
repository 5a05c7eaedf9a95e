"""State stores: where an adapter's runtime keeps the guard's state between decisions.

- :mod:`~spamguard.adapters.stores.base`: the :class:`Store` interface the runtime uses;
- :mod:`~spamguard.adapters.stores.memory`: :class:`MemoryStore`, the default (the guard's
  own memory, optionally a snapshot file);
- :mod:`~spamguard.adapters.stores.redis_store`: ``RedisStore``, shared by the processes of
  a sharded bot (``pip install 'spamguard[redis]'``; not imported here, so this package
  works without redis-py). Its parts: ``redis_connection`` (the client, its Lua scripts
  and failing open), ``redis_layout`` (keys and encodings), ``redis_scheduled`` (the
  scheduled actions' set), ``redis_scripts`` and the ``redis_*.lua`` files.

``spamguard.adapters.store_memory`` and ``spamguard.adapters.store_redis`` are the same
classes under their first, documented names.
"""

from __future__ import annotations

__all__ = ("MemoryStore", "Store", "StoreConfigError")

from spamguard.adapters.stores.base import Store, StoreConfigError
from spamguard.adapters.stores.memory import MemoryStore
