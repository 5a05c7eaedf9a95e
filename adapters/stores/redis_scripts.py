"""The Lua scripts of the Redis stores.

Each script is a ``redis_<name>.lua`` file shipped in this package (package data), read
once at import with :mod:`importlib.resources` and run by its SHA1 (``EVALSHA``). The
comment at the top of each file says what its ``KEYS`` and ``ARGV`` hold.
"""

from __future__ import annotations

__all__ = (
    "CASE_LIST",
    "CASE_OPEN",
    "CASE_SAVE",
    "CLAIM",
    "LOAD",
    "RELEASE",
    "SAVE",
    "SCRIPTS",
    "SET_ASIDE",
    "TAKE",
    "WRITE",
    "Script",
    "read_script",
)

import hashlib
import importlib.resources


class Script:
    """One Lua script: its source and the SHA1 Redis knows it by."""

    __slots__ = ("name", "sha", "source")

    def __init__(self, name: str, source: str) -> None:
        self.name = name
        """The file's name without ``redis_`` and ``.lua``, e.g. ``"load"``."""
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


def read_script(name: str) -> Script:
    """The script ``redis_<name>.lua`` of this package."""
    resource = importlib.resources.files("spamguard.adapters.stores").joinpath(f"redis_{name}.lua")
    return Script(name, resource.read_text(encoding="utf-8"))


LOAD = read_script("load")
"""Take a message's locks and read its state (windows trimmed by time)."""
SAVE = read_script("save")
"""Write what a decision changed, with TTLs, and release the locks."""
CLAIM = read_script("claim")
"""Claim a bucket's due scheduled actions under a lease (and those whose lease ran out)."""
SET_ASIDE = read_script("set_aside")
"""Rename keys that hold the wrong type out of the way."""
TAKE = read_script("take")
"""Take a guild over (become its owner) and read its part (the guild-owned store)."""
WRITE = read_script("write")
"""Write a guild's part behind, if this process still owns the guild."""
RELEASE = read_script("release")
"""Delete a lock while it holds the caller's token."""
CASE_OPEN = read_script("case_open")
"""Number a new case (``INCR``) and keep it, within the guild's retention."""
CASE_SAVE = read_script("case_save")
"""Save a case as it is now, while the guild still keeps it."""
CASE_LIST = read_script("case_list")
"""Read a member's newest cases."""
SCRIPTS = (LOAD, SAVE, CLAIM, SET_ASIDE, TAKE, WRITE, RELEASE, CASE_OPEN, CASE_SAVE, CASE_LIST)
"""Every script, loaded into Redis when the store connects."""
