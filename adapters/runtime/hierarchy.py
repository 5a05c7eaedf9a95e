"""The hierarchy refusals: which actions spamguard never attempts, for every library.

One rule set over a small library-neutral view of a guild: each adapter's executor is a
:class:`HierarchySource` (it answers from its library's cache, or a REST look-up) and its
``refuse`` is :func:`refusal`.

- Punishments (timeout, mute role, kick, ban) and the mute role's removal
  (:data:`MEMBER_RULE_ACTIONS`) are refused for the guild owner, the bot itself,
  administrators and members whose top role is not below the bot's; in a guild the library
  has not cached, or while the bot's own member is unknown, they are refused too (the
  hierarchy cannot be checked). A target who is not a member is left to Discord (a ban of
  a user who already left is legitimate).
- A role is given or taken (:data:`ROLE_RULE_ACTIONS`) only when it is below the bot's top
  role.

The member comes from the library's cache, else from the event that led to the action
(:class:`RecentMembers`: the gateway delivers the author's roles with every message, so a
bot without the members intent need not ask Discord for each member it punishes), and
only else from a REST look-up.
"""

from __future__ import annotations

__all__ = (
    "MEMBER_RULE_ACTIONS",
    "ROLE_RULE_ACTIONS",
    "HierarchySource",
    "MemberView",
    "RecentMembers",
    "RoleView",
    "refusal",
)

import collections
import dataclasses
import time
import typing

from spamguard.core.actions import AddRole, Ban, Kick, RemoveRole, RemoveTimeout, Timeout

if typing.TYPE_CHECKING:
    from collections.abc import Callable

MEMBER_RULE_ACTIONS = (Timeout, RemoveTimeout, AddRole, RemoveRole, Kick, Ban)
"""Actions checked against the member rule: refused for the guild owner, the bot itself,
administrators and members whose top role is not below the bot's. The mute role's and a
timeout's removal too: Discord refuses them for such a member all the same."""

ROLE_RULE_ACTIONS = (AddRole, RemoveRole)
"""Actions checked against the role rule: the role must be below the bot's top role."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RoleView:
    """A role as the refusal rules see it."""

    position: int
    """Its position in the guild's role list (0: @everyone)."""
    name: str | None = None
    """Its name, for the refusal's text (None: the text names the role by id)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberView:
    """A guild member as the refusal rules see it."""

    top_role: RoleView
    """The member's highest role (@everyone's, position 0, when it has none)."""
    is_administrator: bool
    """Whether a role of the member grants ADMINISTRATOR."""


class HierarchySource(typing.Protocol):
    """What a library tells the rules about one guild (its executor implements it)."""

    @property
    def library(self) -> str:
        """The library's name, for the refusal's text."""

    def owner_id(self, guild_id: int) -> int | None:
        """The guild's owner; None when the library has not cached the guild."""

    def bot_id(self) -> int | None:
        """The bot's own user id; None while it is not known."""

    async def member(self, guild_id: int, user_id: int) -> MemberView | None:
        """The member (cache first, then the API); None when the user is not a member."""

    def role(self, guild_id: int, role_id: int) -> RoleView | None:
        """The role from the cache; None when it is not cached."""


class RecentMembers:
    """The roles of members seen lately: what a hierarchy check uses when the library's
    cache lacks the member.

    The runtime notes the author of each message whose plan has actions (as the gateway
    event showed it), an executor each member it had to fetch; an executor's ``member``
    asks :meth:`view` before it asks Discord. A note is trusted for ``max_age`` seconds
    (a role given or taken since then is seen after that), and at most ``size`` members
    are kept, the least recently noted forgotten first.
    """

    def __init__(
        self,
        size: int = 4096,
        *,
        max_age: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.max_age = max_age
        self._clock = clock
        self._members: collections.OrderedDict[
            tuple[int, int], tuple[frozenset[int], bool, float]
        ] = collections.OrderedDict()

    def note(
        self, guild_id: int, user_id: int, role_ids: frozenset[int], *, is_administrator: bool
    ) -> None:
        """Remember a member's roles (without @everyone) and administrator flag."""
        key = (guild_id, user_id)
        self._members[key] = (role_ids, is_administrator, self._clock())
        self._members.move_to_end(key)
        if len(self._members) > self.size:
            self._members.popitem(last=False)

    def view(self, guild_id: int, user_id: int, source: HierarchySource) -> MemberView | None:
        """The member as last noted, its top role read from ``source``'s cached roles;
        None when it was not noted within ``max_age`` or one of its roles is not cached."""
        noted = self._members.get((guild_id, user_id))
        if noted is None:
            return None
        role_ids, is_administrator, noted_at = noted
        if self._clock() - noted_at > self.max_age:
            return None
        top = RoleView(position=0)
        for role_id in role_ids:
            role = source.role(guild_id, role_id)
            if role is None:
                return None
            if role.position > top.position:
                top = role
        return MemberView(top_role=top, is_administrator=is_administrator)


def _role_text(role: RoleView) -> str:
    named = "" if role.name is None else f" {role.name!r}"
    return f"{named} (position {role.position})"


async def refusal(action: object, source: HierarchySource) -> str | None:
    """Why ``action`` must not be attempted, or None to go ahead."""
    if isinstance(action, MEMBER_RULE_ACTIONS):
        refused = await _member_refusal(source, action.guild_id, action.user_id)
        if refused is not None:
            return refused
    if isinstance(action, ROLE_RULE_ACTIONS):
        return await _role_refusal(source, action.guild_id, action.role_id)
    return None


async def _member_refusal(source: HierarchySource, guild_id: int, user_id: int) -> str | None:
    owner_id = source.owner_id(guild_id)
    if owner_id is None:
        return (
            f"guild {guild_id} is not in the {source.library} cache, so the role hierarchy "
            "cannot be checked (enable the GUILDS intent)"
        )
    if user_id == owner_id:
        return f"user {user_id} owns guild {guild_id}"
    me = source.bot_id()
    if me is None:
        return f"the bot's own member of guild {guild_id} is not known yet"
    if user_id == me:
        return "the target is the bot itself"
    target = await source.member(guild_id, user_id)
    if target is None:
        return None
    if target.is_administrator:
        return f"member {user_id} is an administrator of guild {guild_id}"
    if me == owner_id:
        return None
    bot = await source.member(guild_id, me)
    if bot is None:
        return f"the bot's own member of guild {guild_id} is not known"
    if target.top_role.position >= bot.top_role.position:
        return (
            f"member {user_id}'s top role{_role_text(target.top_role)} is not below "
            f"the bot's top role{_role_text(bot.top_role)}"
        )
    return None


async def _role_refusal(source: HierarchySource, guild_id: int, role_id: int) -> str | None:
    me = source.bot_id()
    owner_id = source.owner_id(guild_id)
    if me is None or owner_id is None or me == owner_id:
        return None
    role = source.role(guild_id, role_id)
    if role is None:
        return None
    bot = await source.member(guild_id, me)
    if bot is None:
        return None
    if role.position >= bot.top_role.position:
        label = str(role_id) if role.name is None else repr(role.name)
        return (
            f"role {label} (position {role.position}) is not below "
            f"the bot's top role{_role_text(bot.top_role)}"
        )
    return None
