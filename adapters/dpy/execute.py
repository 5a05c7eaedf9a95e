"""Carrying spamguard's actions out with nextcord's or disnake's HTTP client.

:class:`DpyExecutor` implements :class:`spamguard.adapters.runtime.ActionExecutor` for both
discord.py descendants: one request per action through ``bot.http``, an audit-log reason
on every request that takes one, mentions restricted on every message, an explicit delete
window on every ban, and no action against the owner, administrators or members whose top
role is not below the bot's.
"""

from __future__ import annotations

__all__ = ("DpyExecutor", "UnsupportedActionError")

import asyncio
import datetime
import typing

from spamguard.adapters.dpy.automod import execute_automod
from spamguard.adapters.runtime import (
    MEMBER_RULE_ACTIONS,
    ROLE_RULE_ACTIONS,
    audit_reason,
    failure_for_status,
    split_delete,
)
from spamguard.core.actions import (
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Kick,
    RemoveRole,
    SendMessage,
    Timeout,
    Unban,
)
from spamguard.core.errors import SpamguardError
from spamguard.core.outcomes import FailureKind
from spamguard.core.policy.automod import CreateAutoModRule, DeleteAutoModRule, EditAutoModRule

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.core.actions import Action
    from spamguard.core.policy.automod import AutomodChange

# Failure kinds by the name of the library's exception class, most specific first: both
# libraries define these names at the top level.
_FAILURES: tuple[tuple[str, FailureKind], ...] = (
    ("Forbidden", FailureKind.FORBIDDEN),
    ("NotFound", FailureKind.NOT_FOUND),
    ("DiscordServerError", FailureKind.SERVER_ERROR),
)


class UnsupportedActionError(SpamguardError, TypeError):
    """The adapter does not know how to carry out this kind of action."""


class DpyExecutor:
    """Carries out actions for one nextcord or disnake bot through ``bot.http``.

    Implements :class:`spamguard.adapters.runtime.ActionExecutor`. The HTTP layer is used
    for every action: it needs no cached object (a member who left can still be banned, a
    channel the bot never cached can still be cleaned), and it is where a reason can be
    given to a single-message delete.

    Args:
        flavour: the library.
        bot: the bot; ``bot.http`` makes the calls, its cache answers hierarchy questions.
        clock: the wall clock, to tell which messages are too old to bulk delete.
        lookup_timeout: seconds the member look-up of a hierarchy check may take.
    """

    def __init__(
        self,
        flavour: Flavour,
        bot: typing.Any,
        *,
        clock: Callable[[], datetime.datetime],
        lookup_timeout: float = 10.0,
    ) -> None:
        self.flavour = flavour
        self.bot = bot
        self._clock = clock
        self.lookup_timeout = lookup_timeout

    @property
    def http(self) -> typing.Any:
        """The library's ``HTTPClient`` every request goes through."""
        return self.bot.http

    # -- hierarchy -------------------------------------------------------------------------

    async def refuse(self, action: Action | AutomodChange) -> str | None:
        """Why ``action`` must not be attempted, or None.

        Punishments (timeout, mute role, kick, ban) and the mute role's removal are
        refused for the guild owner, the bot itself, administrators and members whose top
        role is not below the bot's; a role is given or taken only when it is below the
        bot's top role. A punishment in a guild the library did not cache (no GUILDS
        intent) is refused: the hierarchy cannot be checked. A target who is not a member is left to Discord (a ban of a user who
        already left is legitimate).
        """
        if isinstance(action, MEMBER_RULE_ACTIONS):
            refusal = await self._member_refusal(action.guild_id, action.user_id)
            if refusal is not None:
                return refusal
        if isinstance(action, ROLE_RULE_ACTIONS):
            return self._role_refusal(action.guild_id, action.role_id)
        return None

    async def _member(self, guild: typing.Any, user_id: int) -> typing.Any:
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            async with asyncio.timeout(self.lookup_timeout):
                return await guild.fetch_member(user_id)
        except self.flavour.module.NotFound:
            return None

    async def _member_refusal(self, guild_id: int, user_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return (
                f"guild {guild_id} is not in the {self.flavour.name} cache, so the role "
                "hierarchy cannot be checked (enable the GUILDS intent)"
            )
        if user_id == guild.owner_id:
            return f"user {user_id} owns guild {guild_id}"
        me = guild.me
        if me is None:
            return f"the bot's own member of guild {guild_id} is not cached"
        if user_id == me.id:
            return "the target is the bot itself"
        target = await self._member(guild, user_id)
        if target is None:
            return None
        if target.guild_permissions.administrator:
            return f"member {user_id} is an administrator of guild {guild_id}"
        if me.id == guild.owner_id:
            return None
        if target.top_role >= me.top_role:
            return (
                f"member {user_id}'s top role {target.top_role.name!r} (position "
                f"{target.top_role.position}) is not below the bot's top role "
                f"{me.top_role.name!r} (position {me.top_role.position})"
            )
        return None

    def _role_refusal(self, guild_id: int, role_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        me = None if guild is None else guild.me
        if guild is None or me is None or me.id == guild.owner_id:
            return None
        role = guild.get_role(role_id)
        if role is not None and role >= me.top_role:
            return (
                f"role {role.name!r} (position {role.position}) is not below the bot's "
                f"top role {me.top_role.name!r} (position {me.top_role.position})"
            )
        return None

    # -- execution -------------------------------------------------------------------------

    async def execute(self, action: Action | AutomodChange) -> int | None:
        """Carry ``action`` out; the id of the message a :class:`SendMessage` created."""
        http = self.http
        # Matched as an object: extensions may hand over action kinds of their own.
        item: object = action
        match item:
            case DeleteMessages():
                await self._delete(item)
            case SendMessage():
                data = await http.send_message(
                    item.channel_id,
                    item.content or None,
                    embed=item.embed,
                    # Both libraries ping everything by default: only the member the
                    # notice is about may be pinged, never @everyone/@here or a role.
                    allowed_mentions=self._mentions(item.mention_user_ids),
                )
                return int(data["id"])
            case DirectMessage():
                channel = await http.start_private_message(item.user_id)
                await http.send_message(
                    int(channel["id"]),
                    item.content or None,
                    embed=item.embed,
                    allowed_mentions=self._mentions(()),
                )
            case Timeout():
                await http.edit_member(
                    item.guild_id,
                    item.user_id,
                    reason=audit_reason(item.reason),
                    communication_disabled_until=item.until.isoformat(),
                )
            case AddRole():
                await http.add_role(
                    item.guild_id, item.user_id, item.role_id, reason=audit_reason(item.reason)
                )
            case RemoveRole():
                await http.remove_role(
                    item.guild_id, item.user_id, item.role_id, reason=audit_reason(item.reason)
                )
            case Kick():
                await http.kick(item.user_id, item.guild_id, reason=audit_reason(item.reason))
            case Ban():
                # Always explicit: the libraries delete a day of messages when omitted.
                await http.ban(
                    item.user_id,
                    item.guild_id,
                    delete_message_seconds=item.delete_message_seconds,
                    reason=audit_reason(item.reason),
                )
            case Unban():
                await http.unban(item.user_id, item.guild_id, reason=audit_reason(item.reason))
            case CreateAutoModRule() | EditAutoModRule() | DeleteAutoModRule():
                await execute_automod(self.bot, item, library=self.flavour.name)
            case _:
                kind = getattr(item, "kind", type(item).__name__)
                msg = f"the {self.flavour.name} adapter cannot carry out {kind!r} actions"
                raise UnsupportedActionError(msg)
        return None

    def _mentions(self, user_ids: Iterable[int]) -> dict[str, typing.Any]:
        lib = self.flavour.module
        users = [lib.Object(id=user_id) for user_id in user_ids]
        allowed = lib.AllowedMentions(
            everyone=False, users=users or False, roles=False, replied_user=False
        )
        return typing.cast("dict[str, typing.Any]", allowed.to_dict())

    async def _delete(self, action: DeleteMessages) -> None:
        reason = audit_reason(action.reason)
        recent, single = split_delete(action, self._clock())
        if recent:
            # An action holds at most 100 ids: one bulk request (the libraries raise above 100).
            await self.http.delete_messages(action.channel_id, recent, reason=reason)
        for message_id in single:
            await self.http.delete_message(action.channel_id, message_id, reason=reason)

    # -- errors ----------------------------------------------------------------------------

    def classify(self, error: BaseException) -> FailureKind:
        """Map one of the library's exceptions to a failure kind."""
        lib = self.flavour.module
        for name, kind in _FAILURES:
            if isinstance(error, getattr(lib, name)):
                return kind
        if isinstance(error, lib.HTTPException):
            # A 429 is raised only when the library gives up (one without Discord's
            # headers); a long retry_after it sleeps on ends at the action deadline.
            return failure_for_status(int(error.status))
        if isinstance(error, TimeoutError):
            return FailureKind.TIMEOUT
        return FailureKind.ERROR
