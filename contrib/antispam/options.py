"""discord-anti-spam's options and the spamguard policy they make.

:class:`~spamguard.contrib.antispam.dataclasses.Options` (1.9.1) is what the handler holds;
0.x's keyword options (names, defaults, validation errors: :func:`validate_options`) become
an ``Options`` with 0.x's defaults (:func:`from_legacy`). Each guild's ``Options`` becomes
one :class:`~spamguard.core.policy.GuildPolicy`, so the core decides:

================================  ==========================================================
discord-anti-spam option          spamguard policy
================================  ==========================================================
message_duplicate_count           ``max_duplicates.count`` of the level-0 rule
message_interval (ms)             ``max_duplicates.interval`` (seconds) and ``clean_duration``
message_duplicate_accuracy        ``max_duplicates.accuracy``
per_channel_spam                  ``max_duplicates.scope: user_channel`` (else ``user``)
warn/kick/ban_threshold           ``escalation`` with ``counting: violation_count``
use_timeouts                      ``escalation.timeout_threshold`` 89, ``timeout_duration``
                                  300, no warning step (overrules ``warn_only``)
warn_only                         rule ``punishment: WARN``, no escalation
no_punish                         no punishment, no clean: violations are only reported
delete_spam                       rule ``clean: true``
ignored_members/channels/roles/   ``ignore.users/channels/roles/guilds``
guilds
ignore_bots                       ``ignore_bots``
member_warn_message (+delete)     ``notices.warn`` (+ ``warn_delete_after``)
================================  ==========================================================

``incident_window`` is 0: like discord-anti-spam, every duplicate past the limit is a new
punishment step. The log-channel notices and the DMs around kicks, bans and timeouts are
added by the handler (:mod:`spamguard.contrib.antispam.notices`).
"""

from __future__ import annotations

__all__ = (
    "ALIASES",
    "DEFAULTS",
    "LIST_OPTIONS",
    "MAX_TIMEOUTS",
    "MESSAGE_OPTIONS",
    "from_legacy",
    "guild_policy",
    "options_from_any",
    "translate_template",
    "validate_options",
)

import copy
import difflib
import math
import re
import string
import typing

from spamguard.contrib.antispam.dataclasses.options import (
    LEGACY_NAMES,
    Options,
    check_supported,
    options_from_data,
)
from spamguard.contrib.antispam.exceptions import BaseASHException
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.policy import GuildPolicy

DEFAULTS: Mapping[str, typing.Any] = {
    "warn_threshold": 3,
    "kick_threshold": 2,
    "ban_threshold": 2,
    "message_interval": 30000,
    "guild_warn_message": "Hey $MENTIONUSER, please stop spamming/sending duplicate messages.",
    "guild_kick_message": "$USERNAME was kicked for spamming/sending duplicate messages.",
    "guild_ban_message": "$USERNAME was banned for spamming/sending duplicate messages.",
    "user_kick_message": "Hey $MENTIONUSER, you are being kicked from $GUILDNAME for spamming/"
    "sending duplicate messages.",
    "user_ban_message": "Hey $MENTIONUSER, you are being banned from $GUILDNAME for spamming/"
    "sending duplicate messages.",
    "user_failed_kick_message": "I failed to punish you because I lack permissions, but still "
    "you shouldn't spam.",
    "user_failed_ban_message": "I failed to punish you because I lack permissions, but still "
    "you shouldn't spam.",
    "message_duplicate_count": 5,
    "message_duplicate_accuracy": 90,
    "delete_spam": True,
    "ignore_perms": [8],
    "ignore_users": [],
    "ignore_channels": [],
    "ignore_roles": [],
    "ignore_guilds": [],
    "ignore_bots": True,
    "warn_only": False,
    "no_punish": False,
    "per_channel_spam": False,
    "guild_warn_message_delete_after": None,
    "user_kick_message_delete_after": None,
    "guild_kick_message_delete_after": None,
    "user_ban_message_delete_after": None,
    "guild_ban_message_delete_after": None,
    "delete_zero_width_chars": True,
}
"""discord-anti-spam's defaults, by option name."""

INT_OPTIONS = (
    "warn_threshold",
    "kick_threshold",
    "ban_threshold",
    "message_interval",
    "message_duplicate_count",
)
MESSAGE_OPTIONS = (
    "guild_warn_message",
    "guild_kick_message",
    "guild_ban_message",
    "user_kick_message",
    "user_ban_message",
    "user_failed_kick_message",
    "user_failed_ban_message",
)
"""Options holding a text or an embed (a dict), with discord-anti-spam's ``$VARIABLES``."""
BOOL_OPTIONS = (
    "delete_spam",
    "ignore_bots",
    "warn_only",
    "no_punish",
    "per_channel_spam",
    "delete_zero_width_chars",
)
LIST_OPTIONS = ("ignore_perms", "ignore_users", "ignore_channels", "ignore_roles", "ignore_guilds")
"""Options holding lists of ids."""
DELETE_AFTER_OPTIONS = tuple(name for name in DEFAULTS if name.endswith("_delete_after"))

ALIASES: Mapping[str, str] = {
    "ignored_members": "ignore_users",
    "ignored_channels": "ignore_channels",
    "ignored_roles": "ignore_roles",
    "ignored_guilds": "ignore_guilds",
    "member_warn_message": "guild_warn_message",
    "member_kick_message": "user_kick_message",
    "member_ban_message": "user_ban_message",
    "member_failed_kick_message": "user_failed_kick_message",
    "member_failed_ban_message": "user_failed_ban_message",
    "member_warn_message_delete_after": "guild_warn_message_delete_after",
    "member_kick_message_delete_after": "user_kick_message_delete_after",
    "member_ban_message_delete_after": "user_ban_message_delete_after",
}
"""discord-anti-spam 1.x names accepted for the 0.x options they correspond to."""

# discord-anti-spam 0.x's template variables that 1.x and spamguard spell differently.
_VARIABLES = {
    "MENTIONUSER": "MENTIONMEMBER",
    "USERNAME": "MEMBERNAME",
    "USERID": "MEMBERID",
    "USERAVATAR": "MEMBERAVATAR",
}


def _rename(match: re.Match[str]) -> str:
    # Placeholders as string.Template reads them: ``$$`` and unknown names stay as written.
    name = match.group("named") or match.group("braced")
    new = _VARIABLES.get(name) if name else None
    return match.group(0) if new is None else f"${{{new}}}"


def translate_template(template: typing.Any) -> typing.Any:
    """A text or embed with discord-anti-spam 0.x's variables renamed to 1.x's, which are
    spamguard's (``$MENTIONUSER`` -> ``$MENTIONMEMBER``, ``$USERNAME`` -> ``$MEMBERNAME``,
    ``$USERID`` -> ``$MEMBERID``, ``$USERAVATAR`` -> ``$MEMBERAVATAR``); the others are
    the same in all three."""
    if isinstance(template, str):
        return string.Template.pattern.sub(_rename, template)
    if isinstance(template, dict):
        return {key: translate_template(value) for key, value in template.items()}
    if isinstance(template, list):
        return [translate_template(value) for value in template]
    return template


def _id(item: object, name: str) -> int | str:
    """An id from an int, a digit string or an object with an ``id`` (a library's Role);
    a channel's name stays a string (discord-anti-spam matched channels by name too)."""
    candidate = getattr(item, "id", item)
    if isinstance(candidate, bool):
        msg = f"Expected {name} to hold ids, got {item!r}"
        raise ValueError(msg)
    if isinstance(candidate, int):
        return candidate
    if isinstance(candidate, str):
        if candidate.strip().isdigit():
            return int(candidate)
        if name == "ignore_channels":
            return candidate
        if name == "ignore_roles":
            msg = (
                f"ignore_roles takes role ids; spamguard cannot match the role name "
                f"{candidate!r} (messages carry role ids only)"
            )
            raise ValueError(msg)
    msg = f"Expected {name} to hold ids, got {item!r}"
    raise ValueError(msg)


def validate_options(**options: typing.Any) -> dict[str, typing.Any]:
    """The complete option set: ``options`` checked the way discord-anti-spam checks them,
    every other option at its default.

    Raises:
        TypeError: an unknown option (with the closest known name).
        ValueError: an option of the wrong type ("Expected warn_threshold of type int").
        BaseASHException: ``message_interval`` under 1000 ms, or both ``warn_only`` and
            ``no_punish``.
    """
    given: dict[str, typing.Any] = {}
    for raw_name, value in options.items():
        name = ALIASES.get(raw_name, raw_name)
        if name not in DEFAULTS:
            hint = difflib.get_close_matches(raw_name, [*DEFAULTS, *ALIASES], n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            msg = f"AntiSpamHandler got an unknown option {raw_name!r}{suggestion}"
            raise TypeError(msg)
        if value is not None:
            given[name] = value
    for name in INT_OPTIONS:
        value = given.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            msg = f"Expected {name} of type int"
            raise ValueError(msg)
    if given.get("message_interval", 1000) < 1000:
        msg = "Minimum message_interval is 1 seconds (1000 ms)"
        raise BaseASHException(msg)
    if given.get("message_duplicate_count", 1) < 1:
        msg = "Expected message_duplicate_count of at least 1"
        raise ValueError(msg)
    for name in ("warn_threshold", "kick_threshold", "ban_threshold"):
        if given.get(name, 0) < 0:
            msg = f"Expected {name} of at least 0"
            raise ValueError(msg)
    for name in MESSAGE_OPTIONS:
        if name in given and not isinstance(given[name], str | dict):
            msg = f"Expected {name} of type str or dict"
            raise ValueError(msg)
    accuracy = given.get("message_duplicate_accuracy")
    if accuracy is not None:
        if isinstance(accuracy, bool) or not isinstance(accuracy, int | float):
            msg = "Expected message_duplicate_accuracy of type float"
            raise ValueError(msg)
        if not 1.0 <= accuracy <= 100.0:
            msg = "Expected message_duplicate_accuracy between 1 and 100"
            raise ValueError(msg)
    for name in BOOL_OPTIONS:
        if name in given and not isinstance(given[name], bool):
            msg = f"Expected {name} of type bool"
            raise ValueError(msg)
    for name in LIST_OPTIONS:
        if name in given:
            value = given[name]
            if not isinstance(value, list | tuple | set | frozenset):
                msg = f"Expected {name} of type list"
                raise ValueError(msg)
            given[name] = list(dict.fromkeys(_id(item, name) for item in value))
    for name in DELETE_AFTER_OPTIONS:
        value = given.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            msg = f"Expected {name} of type int"
            raise ValueError(msg)
    if given.get("warn_only") and given.get("no_punish"):
        msg = "Cannot do BOTH warn_only and no_punish. Pick one and try again"
        raise BaseASHException(msg)
    result = copy.deepcopy(dict(DEFAULTS))
    result.update(copy.deepcopy(given))
    return result


def from_legacy(options: Mapping[str, typing.Any]) -> Options:
    """The :class:`Options` of a validated 0.x option set (:func:`validate_options`'s
    output): 0.x's names and defaults, so 0.x's behaviour (warn -> kick -> ban, notices in
    the channel, ``delete_spam`` on, administrators ignored)."""
    fields = {LEGACY_NAMES.get(name, name): value for name, value in options.items()}
    for name in ("member_warn_message", *(f for f in fields if f.endswith("_message"))):
        fields[name] = translate_template(fields[name])
    return Options(use_timeouts=False, guild_log_in_channel=True, **fields)


def _int_ids(values: typing.Iterable[int | str]) -> list[int]:
    return sorted(value for value in values if isinstance(value, int))


MAX_TIMEOUTS = 89
"""1.9.1's n-th timeout lasts n x n x 5 minutes; the 89th is the last within Discord's
28 days. The ladder kicks (then bans) after it."""


def _escalation(options: Options) -> dict[str, typing.Any] | None:
    if options.no_punish:
        return None
    # warn_threshold counts duplicates, as in discord-anti-spam.
    ladder: dict[str, typing.Any] = {
        "counting": "violation_count",
        "warn_threshold": options.warn_threshold,
        "kick_threshold": options.kick_threshold,
        "ban_threshold": options.ban_threshold,
    }
    if options.use_timeouts:
        # use_timeouts overrules warn_only (1.9.1): every punishment is a timeout of
        # 5 x n x n minutes, n the member's timeouts so far plus one.
        return {**ladder, "kick_threshold": 0, "timeout_threshold": MAX_TIMEOUTS}
    if options.warn_only:
        return None
    return ladder


def guild_policy(
    options: Options, extensions: Mapping[str, typing.Any] | None = None
) -> GuildPolicy:
    """The spamguard settings that decide like discord-anti-spam with ``options``.

    ``extensions`` are spamguard extension settings (``policy.extensions``) to add.

    Raises:
        UnsupportedOption: an option value spamguard cannot honour.
        PolicyError: a value the core refuses (the message names the policy key).
    """
    check_supported(options)
    interval = options.message_interval / 1000
    punishing = not options.no_punish
    warn_only = options.warn_only and not options.use_timeouts
    level: dict[str, typing.Any] = {
        "punishment": "WARN" if warn_only and punishing else "NONE",
        "clean": bool(options.delete_spam and punishing),
        "clean_count": 100,
        "clean_duration": max(1, math.ceil(interval)),
        "max_duplicates": {
            "count": options.message_duplicate_count,
            "interval": interval,
            "accuracy": round(options.message_duplicate_accuracy),
            "scope": "user_channel" if options.per_channel_spam else "user",
        },
    }
    document = {
        "version": 1,
        "spam": {"levels": {0: level}},
        "escalation": _escalation(options),
        "ignore_bots": options.ignore_bots,
        # ignored_perms is applied by the handler, with discord-anti-spam's permission bits.
        "exempt_admins": False,
        "ignore": {
            "users": _int_ids(options.ignored_members),
            "channels": _int_ids(options.ignored_channels),
            "roles": _int_ids(options.ignored_roles),
            "guilds": _int_ids(options.ignored_guilds),
        },
        "incident_window": 0,
        "notices": {
            "warn": translate_template(options.member_warn_message),
            "warn_delete_after": options.member_warn_message_delete_after,
            "punishment": None,
            "dm": None,
            "failed": None,
        },
        "extensions": dict(extensions or {}),
    }
    return Policy.from_dict(document).base


def options_from_any(data: Mapping[str, typing.Any]) -> Options:
    """Saved options: 1.9.1's fields (``options_to_data``, or 1.9.1's own ``save_to_dict``),
    else 0.x's names (what this facade saved before it followed 1.9.1).

    Raises:
        TypeError, ValueError, BaseASHException: neither.
    """
    try:
        return options_from_data(data)
    except TypeError:
        return from_legacy(validate_options(**data))
