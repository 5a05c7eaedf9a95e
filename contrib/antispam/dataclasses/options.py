"""``Options``: discord-anti-spam 1.9.1's options object, with its fields and defaults.

An ``Options`` is a mutable value, as in 1.9.1: ``handler.options.ignored_members.add(1)``
works, and the handler notices the change before its next decision. Types are checked
when it is built (a ``TypeError`` naming the field, as 1.9.1's validators raise); a value
spamguard cannot honour raises :class:`~spamguard.contrib.antispam.exceptions.UnsupportedOption`
naming the option.

Two fields are spamguard's, for discord-anti-spam 0.x code: ``ignored_perms`` (0.x's
``ignore_perms``) and ``guild_log_in_channel`` (0.x posted the guild notices in the
channel of the spam rather than in a log channel). ``options["ignore_users"]`` reads a field
by its 0.x name (see :data:`LEGACY_NAMES`).
"""

from __future__ import annotations

__all__ = (
    "LEGACY_NAMES",
    "UNSUPPORTED",
    "Options",
    "check_supported",
    "options_from_data",
    "options_to_data",
)

import dataclasses
import typing

from spamguard.contrib.antispam.exceptions import UnsupportedOption

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

Template = str | dict[str, typing.Any]

_FAILED = "I failed to punish you because I lack permissions, but still you shouldn't spam."


@dataclasses.dataclass(kw_only=True, eq=True)
class Options:
    """Options for the :class:`~spamguard.contrib.antispam.AntiSpamHandler` (1.9.1's fields,
    names and defaults; see ``docs/migrating.md`` for how each becomes spamguard policy)."""

    warn_threshold: int = 3
    """Duplicates within ``message_interval`` that warn."""
    kick_threshold: int = 2
    """Warnings after which the next punishment is a kick."""
    ban_threshold: int = 2
    """Kicks after which the next punishment is a ban."""
    message_interval: int = 30000
    """Milliseconds a message counts towards spam."""
    message_duplicate_count: int = 5
    """Duplicates within ``message_interval`` that make a member punishable."""
    message_duplicate_accuracy: int = 90
    """How close (out of 100) two messages must be to count as duplicates."""
    guild_log_warn_message: Template = (
        "$MEMBERNAME was warned for spamming/sending duplicate messages."
    )
    """Posted in the guild's log channel for a warning."""
    guild_log_kick_message: Template = (
        "$MEMBERNAME was kicked for spamming/sending duplicate messages."
    )
    """Posted in the guild's log channel for a kick."""
    guild_log_ban_message: Template = (
        "$MEMBERNAME was banned for spamming/sending duplicate messages."
    )
    """Posted in the guild's log channel for a ban."""
    member_warn_message: Template = (
        "Hey $MENTIONMEMBER, please stop spamming/sending duplicate messages."
    )
    """Posted in the channel of the spam for a warning."""
    member_kick_message: Template = (
        "Hey $MENTIONMEMBER, you are being kicked from $GUILDNAME for spamming/"
        "sending duplicate messages."
    )
    """Sent to the member before a kick."""
    member_ban_message: Template = (
        "Hey $MENTIONMEMBER, you are being banned from $GUILDNAME for spamming/"
        "sending duplicate messages."
    )
    """Sent to the member before a ban."""
    member_failed_kick_message: Template = _FAILED
    """Sent to the member when the kick fails."""
    member_failed_ban_message: Template = _FAILED
    """Sent to the member when the ban fails."""
    use_timeouts: bool = True
    """Time members out (5, 20, 45... minutes) instead of warn -> kick -> ban."""
    member_timeout_message: Template = (
        "Hey $MENTIONMEMBER, you are being timed out from $GUILDNAME for spamming/"
        "sending duplicate messages."
    )
    """Sent to the member before a timeout."""
    member_failed_timeout_message: Template = _FAILED
    """Sent to the member when the timeout fails."""
    guild_failed_timeout_message: Template = (
        "I failed to timeout $MEMBERNAME ($MEMBERID) as I lack permissions."
    )
    """Posted in the log channel when the timeout fails."""
    guild_log_timeout_message: Template = (
        "$MEMBERNAME was timed out for spamming/sending duplicate messages."
    )
    """Posted in the guild's log channel for a timeout."""
    guild_log_timeout_message_delete_after: int | None = None
    member_timeout_message_delete_after: int | None = None
    guild_log_ban_message_delete_after: int | None = None
    guild_log_kick_message_delete_after: int | None = None
    member_ban_message_delete_after: int | None = None
    guild_log_warn_message_delete_after: int | None = None
    member_kick_message_delete_after: int | None = None
    member_warn_message_delete_after: int | None = None
    """Seconds after which the channel warning is deleted (None keeps it)."""
    ignored_members: set[int] = dataclasses.field(default_factory=set)
    ignored_channels: set[int | str] = dataclasses.field(default_factory=set)
    ignored_roles: set[int] = dataclasses.field(default_factory=set)
    ignored_guilds: set[int] = dataclasses.field(default_factory=set)
    delete_spam: bool = False
    """Delete the messages that made up the spam."""
    ignore_bots: bool = True
    warn_only: bool = False
    """Only warn (``use_timeouts`` overrules it, as in 1.9.1)."""
    no_punish: bool = False
    """Only report: ``member_should_be_punished_this_message``, no action."""
    mention_on_embed: bool = True
    """With an embed notice, also mention the member in its text (``False`` is unsupported)."""
    delete_zero_width_chars: bool = True
    """Always on in spamguard (``False`` is unsupported)."""
    per_channel_spam: bool = False
    """Count duplicates per member per channel rather than per member."""
    is_per_channel_per_guild: bool = False
    """Unimplemented in 1.9.1; ``True`` is unsupported."""
    addons: dict[str, typing.Any] = dataclasses.field(default_factory=dict)
    """Storage for plugins' options."""
    ignored_perms: set[int] = dataclasses.field(default_factory=set)
    """spamguard's, for 0.x's ``ignore_perms``: permission bits whose holders are ignored
    (the administrator bit 8 and manage-messages 8192 are understood)."""
    guild_log_in_channel: bool = False
    """spamguard's, for 0.x: post the kick/ban/timeout notices in the channel of the spam
    instead of the log channel (and no ``guild_log_warn_message``)."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name.startswith("ignored_"):
                value = _as_set(field.name, value)
                setattr(self, field.name, value)
            _check_type(field.name, value)
        check_supported(self)

    def __getitem__(self, name: str) -> typing.Any:
        """A field by its discord-anti-spam 0.x name (``options["ignore_users"]``) or its own;
        ignore lists as lists."""
        attribute = LEGACY_NAMES.get(name, name)
        if attribute not in _FIELD_TYPES:
            raise KeyError(name)
        value = getattr(self, attribute)
        return sorted(value, key=str) if attribute.startswith("ignored_") else value


LEGACY_NAMES: Mapping[str, str] = {
    "ignore_users": "ignored_members",
    "ignore_channels": "ignored_channels",
    "ignore_roles": "ignored_roles",
    "ignore_guilds": "ignored_guilds",
    "ignore_perms": "ignored_perms",
    "guild_warn_message": "member_warn_message",
    "guild_warn_message_delete_after": "member_warn_message_delete_after",
    "guild_kick_message": "guild_log_kick_message",
    "guild_ban_message": "guild_log_ban_message",
    "guild_kick_message_delete_after": "guild_log_kick_message_delete_after",
    "guild_ban_message_delete_after": "guild_log_ban_message_delete_after",
    "user_kick_message": "member_kick_message",
    "user_ban_message": "member_ban_message",
    "user_failed_kick_message": "member_failed_kick_message",
    "user_failed_ban_message": "member_failed_ban_message",
    "user_kick_message_delete_after": "member_kick_message_delete_after",
    "user_ban_message_delete_after": "member_ban_message_delete_after",
}
"""discord-anti-spam 0.x's option name -> the 1.9.1 field that holds it."""

_FIELD_TYPES: dict[str, tuple[type, ...]] = {}
for _field in dataclasses.fields(Options):
    _kind = str(_field.type)
    if _kind == "Template":
        _FIELD_TYPES[_field.name] = (str, dict)
    elif _kind == "int | None":
        _FIELD_TYPES[_field.name] = (int, float, type(None))
    else:
        _FIELD_TYPES[_field.name] = {"int": (int,), "bool": (bool,)}.get(_kind, (set, dict))

UNSUPPORTED: Mapping[str, tuple[object, str]] = {
    "delete_zero_width_chars": (
        True,
        "spamguard always removes zero-width characters before comparing messages",
    ),
    "is_per_channel_per_guild": (
        False,
        "it is unimplemented in discord-anti-spam 1.9.1 too; use per_channel_spam, or "
        "spamguard's max_duplicates check with scope: channel",
    ),
    "mention_on_embed": (True, "spamguard always mentions the member with an embed notice"),
}
"""Option -> (the only value spamguard supports, why / what to use instead)."""


def check_supported(options: Options) -> None:
    """Refuse option values spamguard cannot honour.

    Raises:
        UnsupportedOption: the message names the option and says what to use instead.
    """
    for name, (supported, why) in UNSUPPORTED.items():
        if getattr(options, name) != supported:
            msg = f"Options({name}={getattr(options, name)!r}) is not supported: {why}"
            raise UnsupportedOption(msg)


def _as_set(name: str, value: object) -> set[typing.Any]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        msg = f"'{name}' must be a set of ids (got {value!r})"
        raise TypeError(msg)
    return set(typing.cast("typing.Iterable[typing.Any]", value))


def _check_type(name: str, value: object) -> None:
    expected = _FIELD_TYPES[name]
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        names = " or ".join(kind.__name__ for kind in expected)
        msg = f"'{name}' must be {names} (got {value!r} that is a {type(value).__name__})"
        raise TypeError(msg)


def options_to_data(options: Options) -> dict[str, typing.Any]:
    """``options`` as JSON-serialisable data (sets as sorted lists), for ``save_to_dict``."""
    data = dataclasses.asdict(options)
    for name, value in data.items():
        if isinstance(value, set):
            data[name] = sorted(value, key=str)
    return data


def options_from_data(data: Mapping[str, typing.Any]) -> Options:
    """The :class:`Options` of :func:`options_to_data`'s output (or of 1.9.1's ``attr.asdict``).

    Raises:
        TypeError: an unknown field or a value of the wrong type.
        UnsupportedOption: a value spamguard cannot honour.
    """
    return Options(**data)
