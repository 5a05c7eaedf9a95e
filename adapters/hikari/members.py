"""Member joins and leaves on hikari: ``MemberCreateEvent`` and ``MemberDeleteEvent`` (the
``GUILD_MEMBERS`` intent's GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE) as the core's
:class:`~spamguard.core.events.MemberJoin` and :class:`~spamguard.core.events.MemberLeave`
(hikari adapter internals).

A join for a guild hikari has not cached is malformed (:class:`UnknownGuildError`: the
bot is not in it, or its cache is off); a join without a user object never reaches the
listeners (hikari's own deserialiser drops it, logged by asyncio's exception handler).
"""

from __future__ import annotations

__all__ = ("UnknownGuildError", "join_from_event", "leave_from_event", "members_intent_missing")

import typing

import hikari

from spamguard.adapters.hikari.permissions import role_ids_without_everyone
from spamguard.core.errors import SpamguardError
from spamguard.core.events import MemberJoin, MemberLeave

if typing.TYPE_CHECKING:
    import datetime


class UnknownGuildError(SpamguardError, ValueError):
    """A member event names a guild the library has not cached (counted as malformed)."""


def join_from_event(event: hikari.MemberCreateEvent, *, at: datetime.datetime) -> MemberJoin:
    """The core's join for a GUILD_MEMBER_ADD received at ``at`` (the join time when the
    member object carries none).

    Raises:
        UnknownGuildError: hikari has not cached the guild.
    """
    guild_id = int(event.guild_id)
    if typing.cast("hikari.CacheAware", event.app).cache.get_guild(guild_id) is None:
        msg = f"a member joined guild {guild_id}, which hikari has not cached"
        raise UnknownGuildError(msg)
    member = event.member
    return MemberJoin(
        guild_id=guild_id,
        user_id=int(member.id),
        joined_at=member.joined_at or at,
        username=member.username,
        global_name=member.global_name,
        has_avatar=member.avatar_hash is not None,
        bot=member.is_bot,
        role_ids=role_ids_without_everyone(member),
    )


def leave_from_event(event: hikari.MemberDeleteEvent, *, at: datetime.datetime) -> MemberLeave:
    """The core's leave for a GUILD_MEMBER_REMOVE (a leave, a kick or a ban) received at
    ``at``; needs no cache."""
    return MemberLeave(guild_id=int(event.guild_id), user_id=int(event.user.id), at=at)


def members_intent_missing(app: object) -> bool:
    """Whether the bot connects without ``GUILD_MEMBERS`` (so no join or leave arrives)."""
    intents = getattr(app, "intents", None)
    return intents is not None and not intents & hikari.Intents.GUILD_MEMBERS
