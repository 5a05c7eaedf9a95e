"""Member joins and leaves on the discord.py family: ``on_member_join`` and
``on_raw_member_remove`` (the members intent's GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE) as
the core's :class:`~spamguard.core.events.MemberJoin` and
:class:`~spamguard.core.events.MemberLeave`.

The leave listener is the raw one: it fires whether or not the library cached the member
(``on_member_remove`` needs the member cache). The libraries' own parsers of these
events drop a join for a guild they have not cached without a word, and raise on a
payload without a user object (out of the gateway's read loop: the bot's connection
ends). The checks of :func:`member_checks` stand in front of both parsers: such a payload is
counted as malformed and dropped, everything else goes to the library's parser as before.
"""

from __future__ import annotations

__all__ = ("join_from_member", "leave_from_raw", "member_checks")

import logging
import typing

from spamguard.core.events import MemberJoin, MemberLeave

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable

    from spamguard.adapters.dpy.parsers import Check

_LOGGER = logging.getLogger("spamguard.adapters.dpy")

_CHECKED_EVENTS: typing.Final = ("GUILD_MEMBER_ADD", "GUILD_MEMBER_REMOVE")


def join_from_member(member: typing.Any, *, at: datetime.datetime) -> MemberJoin:
    """The core's join for the library ``Member`` of ``on_member_join``, received at
    ``at`` (the join time when the member object carries none)."""
    guild_id = int(member.guild.id)
    return MemberJoin(
        guild_id=guild_id,
        user_id=int(member.id),
        joined_at=member.joined_at or at,
        username=str(member.name),
        global_name=getattr(member, "global_name", None),
        # The account's own avatar (a guild avatar is set later, by the member).
        has_avatar=member.avatar is not None,
        bot=bool(member.bot),
        role_ids=frozenset(role.id for role in member.roles if role.id != guild_id),
    )


def leave_from_raw(event: typing.Any, *, at: datetime.datetime) -> MemberLeave:
    """The core's leave for ``on_raw_member_remove``'s event, received at ``at``."""
    return MemberLeave(guild_id=int(event.guild_id), user_id=int(event.user.id), at=at)


def _problem(event_name: str, data: object, known_guild: Callable[[int], bool]) -> str | None:
    """What makes a member event's payload unusable, or None."""
    if not isinstance(data, dict):
        return "the payload is not an object"
    user = data.get("user")
    if not isinstance(user, dict) or "id" not in user:
        return "it has no user object"
    guild_id = data.get("guild_id")
    if guild_id is None:
        return "it names no guild"
    if event_name == "GUILD_MEMBER_ADD" and not known_guild(int(guild_id)):
        return f"guild {guild_id} is not cached (the bot is not in it, or no GUILDS intent)"
    return None


def member_checks(bot: typing.Any) -> dict[str, Check]:
    """The GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE checks for ``bot``'s parsers
    (:class:`~spamguard.adapters.dpy.parsers.PayloadChecks`)."""

    def known_guild(guild_id: int) -> bool:
        return bot.get_guild(guild_id) is not None

    def checker(event_name: str) -> Check:
        def check(data: typing.Any, report: Callable[[str], None]) -> bool:
            problem = _problem(event_name, data, known_guild)
            if problem is not None:
                report(problem)
            return problem is None

        return check

    return {name: checker(name) for name in _CHECKED_EVENTS}
