"""``CorePayload``: what :meth:`AntiSpamHandler.propagate` returns (discord-anti-spam 1.9.1)."""

from __future__ import annotations

__all__ = ("LEGACY_KEYS", "CorePayload")

import dataclasses
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.plan import Plan


@dataclasses.dataclass(kw_only=True)
class CorePayload:
    """The handler's report on one message (1.9.1's fields), plus the spamguard ``plan``.

    ``payload["should_be_punished_this_message"]`` reads it by discord-anti-spam 0.x's dict
    keys (see :data:`LEGACY_KEYS`), and ``payload["status"]`` works as on 1.9.1's dict for
    ignored messages.
    """

    member_warn_count: int = 0
    """The member's warnings after this message."""
    member_kick_count: int = 0
    """The member's kicks and bans after this message (1.9.1 counted bans as kicks)."""
    member_duplicate_count: int = 0
    """The duplicates of this message within the interval, this one excluded."""
    member_status: str = "Unknown"
    """What happened, in 1.9.1's words ("Member was warned", "Ignoring messages from bots"...)."""
    member_was_warned: bool = False
    member_was_kicked: bool = False
    member_was_banned: bool = False
    member_was_timed_out: bool = False
    member_should_be_punished_this_message: bool = False
    """Whether this message makes the member punishable (also with ``no_punish``)."""
    pre_invoke_extensions: dict[str, typing.Any] = dataclasses.field(default_factory=dict)
    """What each pre-invoke plugin returned, by class name."""
    after_invoke_extensions: dict[str, typing.Any] = dataclasses.field(default_factory=dict)
    """What each after-invoke plugin returned, by class name."""
    plan: Plan | None = None
    """spamguard's: the decided plan (None when the message was ignored before the core)."""

    def __getitem__(self, key: str) -> typing.Any:
        """A field by its 0.x result-dict key or its own name."""
        name = LEGACY_KEYS.get(key, key)
        if name not in _FIELDS:
            raise KeyError(key)
        return getattr(self, name)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and LEGACY_KEYS.get(key, key) in _FIELDS

    def get(self, key: str, default: typing.Any = None) -> typing.Any:
        """``self[key]``, or ``default`` for an unknown key."""
        name = LEGACY_KEYS.get(key, key)
        return getattr(self, name) if name in _FIELDS else default


LEGACY_KEYS: Mapping[str, str] = {
    "should_be_punished_this_message": "member_should_be_punished_this_message",
    "was_warned": "member_was_warned",
    "was_kicked": "member_was_kicked",
    "was_banned": "member_was_banned",
    "was_timed_out": "member_was_timed_out",
    "status": "member_status",
    "warn_count": "member_warn_count",
    "kick_count": "member_kick_count",
    "duplicate_counter": "member_duplicate_count",
}
"""discord-anti-spam 0.x's result-dict key -> the CorePayload field."""

_FIELDS = frozenset(field.name for field in dataclasses.fields(CorePayload))
