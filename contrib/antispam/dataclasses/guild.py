"""1.9.1's cache records: ``Guild``, ``Member`` and ``Message``.

spamguard keeps its own state (the guard's snapshot); these records hold what plugins
store through :class:`~spamguard.contrib.antispam.plugin_cache.PluginCache` (``addons``)
and the guild's log channel, under 1.9.1's names.
"""

from __future__ import annotations

__all__ = ("Guild", "Member", "Message")

import dataclasses
import typing

from spamguard.contrib.antispam.dataclasses.options import Options

if typing.TYPE_CHECKING:
    import datetime


@dataclasses.dataclass(kw_only=True)
class Message:
    """A message as 1.9.1's cache held it."""

    id: int
    channel_id: int
    guild_id: int
    author_id: int
    content: str
    creation_time: datetime.datetime | None = None
    """The message's time (1.9.1 defaulted to the clock; spamguard never reads it)."""
    is_duplicate: bool = False


@dataclasses.dataclass(kw_only=True)
class Member:
    """A member as 1.9.1's cache held it; ``addons`` is plugin storage by class name."""

    id: int
    guild_id: int
    warn_count: int = 0
    kick_count: int = 0
    times_timed_out: int = 0
    duplicate_counter: int = 1
    duplicate_channel_counter_dict: dict[int, int] = dataclasses.field(default_factory=dict)
    internal_is_in_guild: bool = True
    messages: list[Message] = dataclasses.field(default_factory=list)
    addons: dict[str, typing.Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Guild:
    """A guild as 1.9.1's cache held it; ``addons`` is plugin storage by class name."""

    id: int
    options: Options = dataclasses.field(default_factory=Options)
    log_channel_id: int | None = None
    members: dict[int, Member] = dataclasses.field(default_factory=dict)
    messages: list[Message] = dataclasses.field(default_factory=list)
    addons: dict[str, typing.Any] = dataclasses.field(default_factory=dict)
