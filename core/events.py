"""The events a :class:`~spamguard.core.Guard` takes, as small frozen values.

Events go in through one entry, :meth:`Guard.handle <spamguard.core.engine.guard.Guard.handle>`,
and a :class:`~spamguard.core.plan.Plan` comes out:

- :class:`~spamguard.core.messages.Message`: a new message (or one delivered again);
- :class:`MessageEdit`: a message whose content changed;
- :class:`AutomodExecution`: Discord's own AutoMod acted on a member;
- :class:`MemberJoin`: a member joined a guild (GUILD_MEMBER_ADD);
- :class:`MemberLeave`: a member left or was removed (GUILD_MEMBER_REMOVE);
- :class:`GuildTimer`: a timer a plugin set fell due (the runtime's scheduler);
- :class:`MemberPardon`: a moderator pardoned a member.

A new kind of event is a value here and one entry in the guard's handler table.
"""

from __future__ import annotations

__all__ = (
    "AutomodExecution",
    "Event",
    "GuildTimer",
    "MemberEvent",
    "MemberJoin",
    "MemberLeave",
    "MemberPardon",
    "MessageEdit",
)

import dataclasses
import datetime
import typing

from spamguard.core.actions import register_action
from spamguard.core.messages import Message, snowflake_time

if typing.TYPE_CHECKING:
    from spamguard.core.messages import MessageLike


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdit:
    """A message's content changed (MESSAGE_UPDATE).

    Its contribution to the windows is replaced by the new content's: a check fires only
    when the new content adds more (a typo fixed fires nothing again).
    """

    message: MessageLike
    """The message as it reads after the edit (same id, channel, author and ``created_at``)."""
    edited_at: datetime.datetime | None = None
    """When it was edited: the decision time (None: the message's ``created_at``)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AutomodExecution:
    """Discord's own AutoMod acted on a member (AUTO_MODERATION_ACTION_EXECUTION)."""

    guild_id: int
    user_id: int
    rule_id: int
    """The AutoMod rule that triggered."""
    rule_trigger_type: int
    """Discord's trigger type (1 keyword, 3 spam, 4 keyword preset, 5 mention spam, 6 member profile)."""
    action_type: int
    """Discord's action type (1 block message, 2 send alert, 3 timeout, 4 block member interaction)."""
    at: datetime.datetime
    """When the event arrived: the core's clock for it."""
    channel_id: int | None = None
    message_id: int | None = None
    """The blocked or flagged message, if any (blocked messages have none)."""
    content: str = ""
    matched_keyword: str | None = None
    matched_content: str | None = None
    rule_name: str = ""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoin:
    """A member joined a guild (GUILD_MEMBER_ADD).

    The guard records when (the member's ``joined_at``, read by the ``new_members``
    section of a policy) and asks the ``spamguard_check_member_join`` hooks what to do;
    the same member joining again without a leave in between (a gateway replay) is
    decided once.
    """

    guild_id: int
    user_id: int
    joined_at: datetime.datetime
    """When the member joined (timezone-aware): the decision time."""
    username: str = ""
    """The account's unique username."""
    global_name: str | None = None
    """The account's display name, if it has one."""
    has_avatar: bool = False
    """Whether the account has an avatar of its own."""
    bot: bool = False
    """Whether the account is a bot."""
    role_ids: frozenset[int] = frozenset()
    """Roles the member holds on joining (a returning member's, an invite's)."""

    @property
    def account_created_at(self) -> datetime.datetime:
        """When the account was created: the time in its user id (a snowflake)."""
        return snowflake_time(self.user_id)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeave:
    """A member left a guild, or was kicked or banned from it (GUILD_MEMBER_REMOVE).

    The guard forgets what only matters while the member is there (when it joined) and
    carries nothing punitive out.
    """

    guild_id: int
    user_id: int
    at: datetime.datetime
    """When the event arrived: the core's clock for it."""


@register_action
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GuildTimer:
    """A plugin's timer for a guild, due at ``at``: the core's way to act later without a clock.

    A plugin sets one by returning ``ScheduledAction(at, GuildTimer(...))`` from a hook
    whose results go into a plan (``spamguard_check_member_join``,
    ``spamguard_guild_timer``). The runtime keeps it in the store like any scheduled
    action (across restarts, and claimed by one process of a shared Redis store); when it
    falls due, the runtime hands it back as an event to
    :meth:`Guard.handle <spamguard.core.engine.guard.Guard.handle>`, which asks the
    ``spamguard_guild_timer`` hooks what to do and returns the plan the runtime carries
    out. The plugin that set it recognises it by ``name``; a timer may come late (the
    scheduler's poll, a restart) or twice set: a plugin checks its own state when it fires.
    It is registered as an action (kind ``guild_timer``) so scheduled items carry it.
    """

    kind: typing.ClassVar[str] = "guild_timer"
    guild_id: int
    name: str
    """What the timer is for, chosen by the plugin that set it (e.g. ``join_raid``)."""
    at: datetime.datetime
    """When it is due (timezone-aware): the decision time of its event."""

    def describe(self) -> str:
        """The timer in a few words (``spamguard replay``, ``explain``)."""
        return f"timer {self.name!r} of guild {self.guild_id}"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberPardon:
    """A moderator pardoned a member: the guard forgets its escalation counters, its open
    incident and the windows that count only its messages
    (:meth:`Guard.pardon <spamguard.core.engine.guard.Guard.pardon>`), and plans nothing.

    An event, so a store decides it like a member's join: under the member's lock, against
    the member's stored state (a Redis store shared by processes too).
    """

    guild_id: int
    user_id: int
    at: datetime.datetime
    """When the moderator pardoned the member."""
    moderator_id: int | None = None
    """Who did."""


Event = (
    Message | MessageEdit | AutomodExecution | MemberJoin | MemberLeave | GuildTimer | MemberPardon
)
"""Every event :meth:`Guard.handle <spamguard.core.engine.guard.Guard.handle>` takes."""

MemberEvent = MemberJoin | MemberLeave | GuildTimer | MemberPardon
"""The events a store decides with ``handle_event``: a member's (a guild timer's, as
member 0), under the member's lock, against the member's stored state."""
