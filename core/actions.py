"""Plain, serialisable actions: every effect spamguard wants carried out.

An action is a frozen value; an adapter turns it into an API call. Discord's hard limits
are enforced here, where the value is made, so no adapter can exceed them:
a timeout ends at most 28 days after it is issued, a ban deletes at most 7 days of
messages, one delete names at most 100 messages, an audit-log reason is at most 512
characters and a message at most 2000; incident actions (a paused guild's invites and
DMs) end at most 24 hours after the decision.
"""

from __future__ import annotations

__all__ = (
    "BULK_DELETE_MAX_AGE",
    "MAX_BAN_DELETE_SECONDS",
    "MAX_BULK_DELETE",
    "MAX_EMBEDS",
    "MAX_INCIDENT_ACTIONS",
    "MAX_TIMEOUT",
    "Action",
    "AddRole",
    "Ban",
    "DeleteMessages",
    "DirectMessage",
    "Kick",
    "RemoveRole",
    "RemoveTimeout",
    "SendMessage",
    "SetIncidentActions",
    "Timeout",
    "Unban",
    "action_from_dict",
    "action_to_dict",
    "delete_messages",
    "delete_one",
    "incident_actions_for",
    "is_action",
    "register_action",
    "timeout_for",
)

import collections
import dataclasses
import datetime
import typing

# The registry and codec live in their own module; their names stay importable from here.
from spamguard.core.action_codec import (
    action_from_dict,
    action_to_dict,
    is_action,
    register_action,
)

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

MAX_TIMEOUT = datetime.timedelta(days=28)
"""Discord rejects a ``communication_disabled_until`` further away than this."""
MAX_BAN_DELETE_SECONDS = 604_800
"""Discord deletes at most 7 days of a banned member's messages."""
MAX_BULK_DELETE = 100
"""Discord's bulk delete takes at most 100 message ids."""
BULK_DELETE_MAX_AGE = datetime.timedelta(days=14)
"""Discord refuses to bulk delete messages older than this."""
MAX_INCIDENT_ACTIONS = datetime.timedelta(hours=24)
"""Discord refuses an ``invites_disabled_until`` or ``dms_disabled_until`` further away."""
MAX_REASON = 512
MAX_CONTENT = 2000
MAX_EMBEDS = 10
"""Discord takes at most 10 embeds per message."""

Embed = dict[str, typing.Any]


_new = object.__new__
_set = object.__setattr__


def _reason(value: str) -> str:
    return value[:MAX_REASON]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DeleteMessages:
    """Delete up to 100 messages of one channel (one request: single or bulk delete)."""

    kind: typing.ClassVar[str] = "delete"
    channel_id: int
    """The channel holding every message in ``message_ids``."""
    message_ids: tuple[int, ...]
    """1 to 100 message ids, none older than 14 days when the plan was made."""
    guild_id: int | None = None
    """The guild of the channel, for logs and stats."""
    reason: str = ""
    """Audit-log reason (shown for single deletes by other members' messages)."""

    def __post_init__(self) -> None:
        if not 1 <= len(self.message_ids) <= MAX_BULK_DELETE:
            msg = f"DeleteMessages takes 1 to {MAX_BULK_DELETE} ids, got {len(self.message_ids)}"
            raise ValueError(msg)
        object.__setattr__(self, "reason", _reason(self.reason))


def delete_one(
    channel_id: int, message_id: int, guild_id: int | None, reason: str
) -> DeleteMessages:
    """``DeleteMessages(channel_id=..., message_ids=(message_id,), ...)`` without the
    dataclass machinery: a flood's clean makes one per spam message. ``reason`` must be
    within Discord's limit already."""
    action = _new(DeleteMessages)
    _set(action, "channel_id", channel_id)
    _set(action, "message_ids", (message_id,))
    _set(action, "guild_id", guild_id)
    _set(action, "reason", reason)
    return action


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SendMessage:
    """Post a message in a channel (a warning, a notice).

    Mentions are restricted: the adapter allows pinging only ``mention_user_ids``; never
    @everyone, @here or a role, whatever the text says.
    """

    kind: typing.ClassVar[str] = "send"
    channel_id: int
    """Where to post."""
    content: str = ""
    """The text, at most 2000 characters."""
    embed: Embed | None = None
    """An optional embed, as Discord's JSON embed object."""
    embeds: tuple[Embed, ...] = ()
    """More embeds after ``embed`` (a log message's cases), as Discord's JSON; at most
    :data:`MAX_EMBEDS` in all."""
    delete_after: float | None = None
    """Seconds after which the adapter deletes the posted message; ``None`` keeps it."""
    mention_user_ids: tuple[int, ...] = ()
    """The only users this message may ping."""
    guild_id: int | None = None
    """The guild of the channel, for logs and stats."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", self.content[:MAX_CONTENT])
        if len(self.all_embeds()) > MAX_EMBEDS:
            msg = f"SendMessage takes at most {MAX_EMBEDS} embeds, got {len(self.all_embeds())}"
            raise ValueError(msg)

    def all_embeds(self) -> tuple[Embed, ...]:
        """``embed`` (when set) then ``embeds``: what the message carries, in order."""
        return self.embeds if self.embed is None else (self.embed, *self.embeds)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DirectMessage:
    """Send a direct message to a user. Mentions are not allowed to ping anyone."""

    kind: typing.ClassVar[str] = "dm"
    user_id: int
    """The recipient."""
    content: str = ""
    """The text, at most 2000 characters."""
    embed: Embed | None = None
    """An optional embed, as Discord's JSON embed object."""
    guild_id: int | None = None
    """The guild the DM is about, for logs and stats."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", self.content[:MAX_CONTENT])


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Timeout:
    """Time a member out (``communication_disabled_until``) until ``until``."""

    kind: typing.ClassVar[str] = "timeout"
    guild_id: int
    user_id: int
    until: datetime.datetime
    """When the timeout ends; built by :func:`timeout_for`, at most 28 days ahead."""
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RemoveTimeout:
    """End a member's timeout now (``communication_disabled_until`` set to null): a
    moderator's pardon of a member spamguard timed out."""

    kind: typing.ClassVar[str] = "remove_timeout"
    guild_id: int
    user_id: int
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AddRole:
    """Give a member a role (the mute role)."""

    kind: typing.ClassVar[str] = "add_role"
    guild_id: int
    user_id: int
    role_id: int
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RemoveRole:
    """Take a role from a member (undo of a temporary mute)."""

    kind: typing.ClassVar[str] = "remove_role"
    guild_id: int
    user_id: int
    role_id: int
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Kick:
    """Remove a member from the guild."""

    kind: typing.ClassVar[str] = "kick"
    guild_id: int
    user_id: int
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Ban:
    """Ban a user, deleting up to 7 days of their messages."""

    kind: typing.ClassVar[str] = "ban"
    guild_id: int
    user_id: int
    reason: str = ""
    """Audit-log reason."""
    delete_message_seconds: int = 0
    """How much of the user's recent history to delete, clamped to 0..604800.

    Always sent explicitly: the discord.py family deletes a day of messages when omitted.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))
        clamped = max(0, min(int(self.delete_message_seconds), MAX_BAN_DELETE_SECONDS))
        object.__setattr__(self, "delete_message_seconds", clamped)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Unban:
    """Lift a ban (undo of a temporary ban)."""

    kind: typing.ClassVar[str] = "unban"
    guild_id: int
    user_id: int
    reason: str = ""
    """Audit-log reason."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SetIncidentActions:
    """Pause a guild's invites and/or DMs between members (Discord's incident actions,
    ``PUT /guilds/{guild_id}/incident-actions``) until the times given.

    ``None`` for a time sends ``null``: that pause is lifted (or not set). Build one with
    :func:`incident_actions_for` (times clamped to Discord's 24 hours); the guard clamps
    the ones plugins return to 24 hours after the join that led to them.
    """

    kind: typing.ClassVar[str] = "incident_actions"
    guild_id: int
    invites_disabled_until: datetime.datetime | None
    """Until when nobody can join through an invite; None: invites work."""
    dms_disabled_until: datetime.datetime | None
    """Until when members who share no other relation cannot DM each other; None: they can."""
    reason: str = ""
    """Audit-log reason."""
    only_if_unchanged: bool = False
    """Send the request only while the guild still shows ``expected_invites_disabled_until``
    and ``expected_dms_disabled_until`` (what spamguard set): the lift of a lockdown leaves a
    pause a moderator changed since as it is. The adapter reads the guild's current
    incident actions (the library's cache, else one ``GET /guilds/{id}``); when they differ
    it sends nothing and reports the outcome ``ok`` with ``skipped=True``."""
    expected_invites_disabled_until: datetime.datetime | None = None
    """With ``only_if_unchanged``: the invites pause the guild must still show (None: none)."""
    expected_dms_disabled_until: datetime.datetime | None = None
    """With ``only_if_unchanged``: the DMs pause the guild must still show (None: none)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _reason(self.reason))

    def unchanged(
        self, invites_until: datetime.datetime | None, dms_until: datetime.datetime | None
    ) -> bool:
        """Whether the guild's current pauses (``invites_until``, ``dms_until``, as Discord
        shows them) are still the expected ones, to the second (Discord keeps the time it
        was sent, in its own format); always True without ``only_if_unchanged``."""
        if not self.only_if_unchanged:
            return True
        return _same_time(invites_until, self.expected_invites_disabled_until) and _same_time(
            dms_until, self.expected_dms_disabled_until
        )

    def clamped(self, now: datetime.datetime) -> SetIncidentActions:
        """This action with each time at most :data:`MAX_INCIDENT_ACTIONS` after ``now``.

        Discord answers 400 to a time further ahead; clamped here, where the plan is made,
        a lockdown longer than a day still pauses invites for the day Discord allows
        instead of failing (a plugin renews it if the raid goes on).
        """
        latest = now + MAX_INCIDENT_ACTIONS
        invites, dms = self.invites_disabled_until, self.dms_disabled_until
        if (invites is None or invites <= latest) and (dms is None or dms <= latest):
            return self
        return dataclasses.replace(
            self,
            invites_disabled_until=None if invites is None else min(invites, latest),
            dms_disabled_until=None if dms is None else min(dms, latest),
        )


def _same_time(shown: datetime.datetime | None, expected: datetime.datetime | None) -> bool:
    if shown is None or expected is None:
        return shown is expected
    return abs((shown - expected).total_seconds()) < 1.0


Action = (
    DeleteMessages
    | SendMessage
    | DirectMessage
    | Timeout
    | RemoveTimeout
    | AddRole
    | RemoveRole
    | Kick
    | Ban
    | Unban
    | SetIncidentActions
)
"""Any action a plan can hold."""

for _cls in (
    DeleteMessages,
    SendMessage,
    DirectMessage,
    Timeout,
    RemoveTimeout,
    AddRole,
    RemoveRole,
    Kick,
    Ban,
    Unban,
    SetIncidentActions,
):
    register_action(_cls)


def timeout_for(
    *, guild_id: int, user_id: int, now: datetime.datetime, seconds: float, reason: str = ""
) -> Timeout:
    """A :class:`Timeout` of ``seconds`` from ``now``, clamped to Discord's 28 days."""
    # Clamp the number first: a timedelta of an absurd number of seconds overflows.
    length = datetime.timedelta(seconds=min(max(0.0, seconds), MAX_TIMEOUT.total_seconds()))
    return Timeout(guild_id=guild_id, user_id=user_id, until=now + length, reason=reason)


def incident_actions_for(
    *,
    guild_id: int,
    now: datetime.datetime,
    invites_seconds: float | None,
    dms_seconds: float | None = None,
    reason: str = "",
) -> SetIncidentActions:
    """A :class:`SetIncidentActions` pausing invites (and DMs) for so many seconds from
    ``now``, each clamped to Discord's 24 hours; ``None`` leaves that pause unset."""

    def until(seconds: float | None) -> datetime.datetime | None:
        if seconds is None:
            return None
        # The number first: a timedelta of an absurd number of seconds overflows.
        limit = MAX_INCIDENT_ACTIONS.total_seconds()
        return now + datetime.timedelta(seconds=min(max(0.0, seconds), limit))

    return SetIncidentActions(
        guild_id=guild_id,
        invites_disabled_until=until(invites_seconds),
        dms_disabled_until=until(dms_seconds),
        reason=reason,
    )


def delete_messages(
    messages: Iterable[tuple[int, int, datetime.datetime]],
    *,
    now: datetime.datetime,
    guild_id: int | None = None,
    reason: str = "",
) -> tuple[DeleteMessages, ...]:
    """Group ``(channel_id, message_id, created_at)`` triples into valid deletes.

    One action per channel and chunk of at most 100 ids, in first-seen channel order,
    ids in ascending order, duplicates and messages older than 14 days left out.
    """
    cutoff = now - BULK_DELETE_MAX_AGE
    per_channel: dict[int, set[int]] = collections.defaultdict(set)
    for channel_id, message_id, created_at in messages:
        if created_at > cutoff:
            per_channel[channel_id].add(message_id)
    actions: list[DeleteMessages] = []
    for channel_id, ids in per_channel.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), MAX_BULK_DELETE):
            chunk = tuple(ordered[start : start + MAX_BULK_DELETE])
            actions.append(
                DeleteMessages(
                    channel_id=channel_id, message_ids=chunk, guild_id=guild_id, reason=reason
                )
            )
    return tuple(actions)
