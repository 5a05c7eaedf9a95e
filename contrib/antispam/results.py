"""What ``AntiSpamHandler.propagate`` returns: discord-anti-spam's result dict."""

from __future__ import annotations

__all__ = ("RESULT_FLAGS", "PropagateResult", "new_result")

import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.plan import Plan


class PropagateResult(typing.TypedDict):
    """What :meth:`AntiSpamHandler.propagate` returns: discord-anti-spam's dict, plus ``plan``."""

    should_be_punished_this_message: bool
    was_warned: bool
    was_kicked: bool
    was_banned: bool
    status: str
    warn_count: int
    kick_count: int
    """Kicks and bans (discord-anti-spam counted bans as kicks)."""
    duplicate_counter: int
    pre_invoke_extensions: dict[str, typing.Any]
    """What each pre-invoke extension returned, by its class name."""
    after_invoke_extensions: dict[str, typing.Any]
    """What each after-invoke extension returned, by its class name."""
    plan: Plan | None
    """The spamguard plan (None when the message was ignored before the core saw it)."""


RESULT_FLAGS: Mapping[str, tuple[typing.Literal["was_warned", "was_kicked", "was_banned"], str]] = {
    "WARN": ("was_warned", "User was warned."),
    "KICK": ("was_kicked", "User was kicked."),
    "BAN": ("was_banned", "User was banned."),
}
"""A punishment -> the flag the result sets and its status."""


def new_result(status: str, plan: Plan | None, counters: Mapping[str, int]) -> PropagateResult:
    """A result that reports nothing punished yet, with the member's ``counters``."""
    return {
        "should_be_punished_this_message": False,
        "was_warned": False,
        "was_kicked": False,
        "was_banned": False,
        "status": status,
        "warn_count": counters.get("warn_count", 0),
        # discord-anti-spam counted bans as kicks.
        "kick_count": counters.get("kick_count", 0) + counters.get("ban_count", 0),
        "duplicate_counter": 0,
        "pre_invoke_extensions": {},
        "after_invoke_extensions": {},
        "plan": plan,
    }
