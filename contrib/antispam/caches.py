"""1.9.1's ``antispam.caches``: ``MemoryCache`` works; ``RedisCache`` and ``MongoCache``
do not carry over.

spamguard keeps its state (members, windows, counters) in the guard; to share or persist it
use spamguard's stores with an attached bot (``spamguard.adapters.stores``: ``MemoryStore``,
``RedisStore``; see ``docs/stores.md``), or the handler's ``save_to_dict`` /
``load_from_dict``.
"""

from __future__ import annotations

__all__ = ("MemoryCache", "MongoCache", "RedisCache")

from spamguard.contrib.antispam.abc import Cache
from spamguard.contrib.antispam.exceptions import UnsupportedOption


class MemoryCache(Cache):
    """The default cache: records in memory (plugins' ``addons``)."""


class _Refused(Cache):
    """A 1.9.1 cache spamguard does not provide: building one raises."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        msg = (
            f"{type(self).__name__} is not supported by spamguard.contrib.antispam: spamguard "
            "keeps its state in the guard; persist it with spamguard's stores "
            "(spamguard.adapters.store_redis.RedisStore with attach(), see docs/stores.md) or "
            "with handler.save_to_dict() / AntiSpamHandler.load_from_dict()"
        )
        raise UnsupportedOption(msg)


class RedisCache(_Refused):
    """Not supported: use ``spamguard.adapters.store_redis.RedisStore`` (see the module docs)."""


class MongoCache(_Refused):
    """Not supported: use spamguard's stores or ``save_to_dict`` (see the module docs)."""
