"""Member joins and leaves on the discord.py family: ``on_member_join`` and
``on_raw_member_remove`` (the members intent's GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE) as
the core's :class:`~spamguard.core.events.MemberJoin` and
:class:`~spamguard.core.events.MemberLeave`.

The leave listener is the raw one: it fires whether or not the library cached the member
(``on_member_remove`` needs the member cache). The libraries' own parsers of these
events drop a join for a guild they have not cached without a word, and raise on a
payload without a user object (out of the gateway's read loop: the bot's connection
ends). :class:`MemberPayloadCheck` stands in front of both parsers: such a payload is
counted as malformed and dropped, everything else goes to the library's parser as before.
"""

from __future__ import annotations

__all__ = ("MemberPayloadCheck", "join_from_member", "leave_from_raw")

import logging
import typing

from spamguard.core.events import MemberJoin, MemberLeave

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Mapping

_LOGGER = logging.getLogger("spamguard.adapters.dpy")

_Parser = typing.Callable[[typing.Any], None]

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


class MemberPayloadCheck:
    """Checks GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE payloads before the library's
    parsers (``ConnectionState.parsers``, what the gateway hands every event to).

    Args:
        bot: the library's bot.
        malformed: called with the event's name and the reason for each payload dropped.
    """

    def __init__(self, bot: typing.Any, malformed: Callable[[str, str], None]) -> None:
        self.bot = bot
        self._malformed = malformed
        self._originals: dict[str, _Parser] = {}
        self._installed: dict[str, _Parser] = {}

    def install(self) -> None:
        """Put the check in front of the library's parsers (once)."""
        parsers = self._parsers()
        if parsers is None or self._installed:
            return
        for name in _CHECKED_EVENTS:
            original = parsers.get(name)
            if original is None:
                continue
            checked = self._checked(name, original)
            self._originals[name] = original
            self._installed[name] = checked
            parsers[name] = checked

    def uninstall(self) -> None:
        """Give the library its own parsers back (those nobody replaced since)."""
        parsers = self._parsers()
        for name, checked in self._installed.items():
            if parsers is not None and parsers.get(name) is checked:
                parsers[name] = self._originals[name]
        self._installed.clear()
        self._originals.clear()

    def _parsers(self) -> dict[str, _Parser] | None:
        # The gateway looks each DISPATCH up in this dict (discord.py, nextcord, disnake).
        parsers = getattr(getattr(self.bot, "_connection", None), "parsers", None)
        return parsers if isinstance(parsers, dict) else None

    def _known_guild(self, guild_id: int) -> bool:
        return self.bot.get_guild(guild_id) is not None

    def _checked(self, name: str, original: _Parser) -> _Parser:
        def parse(data: Mapping[str, typing.Any]) -> None:
            problem = _problem(name, data, self._known_guild)
            if problem is not None:
                self._malformed(name, problem)
                return
            original(data)

        return parse
