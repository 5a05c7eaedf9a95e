"""Carrying spamguard's actions out with hikari's REST client (hikari adapter internals).

:class:`HikariExecutor` implements :class:`spamguard.adapters.runtime.ActionExecutor`:
one action, one (or, for old messages, a few) REST calls, with an audit-log reason on
every call that takes one and mentions restricted on every message sent. Native AutoMod
rule changes go through :func:`spamguard.adapters.hikari.automod.execute_automod`.
"""

from __future__ import annotations

__all__ = ("HikariExecutor", "UnsupportedActionError")

import asyncio
import datetime
import typing

import hikari

from spamguard.adapters.hikari import convert
from spamguard.adapters.hikari.automod import execute_automod
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
    from collections.abc import Callable

# Failure kinds by hikari exception, most specific first.
_FAILURES: tuple[tuple[type[BaseException], FailureKind], ...] = (
    (hikari.ForbiddenError, FailureKind.FORBIDDEN),
    (hikari.NotFoundError, FailureKind.NOT_FOUND),
    (hikari.RateLimitTooLongError, FailureKind.RATE_LIMITED),
    (hikari.InternalServerError, FailureKind.SERVER_ERROR),
    (TimeoutError, FailureKind.TIMEOUT),
)


class UnsupportedActionError(SpamguardError, TypeError):
    """The hikari adapter does not know how to carry out this kind of action."""


class HikariExecutor:
    """Carries out actions for one ``hikari.GatewayBot`` (or any gateway-bot-aware app).

    Args:
        app: the bot: its ``rest`` client makes the calls, its ``cache`` answers the
            hierarchy questions.
        self_id: the bot's user id (read lazily: it is known once READY arrived).
        clock: the wall clock, to tell which messages are too old to bulk delete.
        lookup_timeout: seconds a REST look-up made to check the hierarchy may take.
    """

    def __init__(
        self,
        app: hikari.GatewayBotAware,
        *,
        self_id: Callable[[], int | None],
        clock: Callable[[], datetime.datetime],
        lookup_timeout: float = 10.0,
    ) -> None:
        self.app = app
        self._self_id = self_id
        self._clock = clock
        self.lookup_timeout = lookup_timeout

    @property
    def rest(self) -> hikari.api.RESTClient:
        """The REST client every call goes through."""
        return self.app.rest

    # -- hierarchy -------------------------------------------------------------------------

    async def refuse(self, action: object) -> str | None:
        """Why ``action`` must not be attempted, or None.

        Punishments (timeout, mute role, kick, ban) and the mute role's removal are
        refused for the guild owner, the bot itself, administrators and members whose top
        role is not below the bot's; a role is given or taken only when it is below the
        bot's top role. A punishment in a guild hikari has not cached is refused: the
        hierarchy cannot be checked. Unknown members are left to Discord (a ban of a user
        who already left is legitimate).
        """
        if isinstance(action, MEMBER_RULE_ACTIONS):
            refusal = await self._member_refusal(action.guild_id, action.user_id)
            if refusal is not None:
                return refusal
        if isinstance(action, ROLE_RULE_ACTIONS):
            return await self._role_refusal(action.guild_id, action.role_id)
        return None

    async def _member(self, guild_id: int, user_id: int) -> hikari.Member | None:
        member = self.app.cache.get_member(guild_id, user_id)
        if member is not None:
            return member
        try:
            async with asyncio.timeout(self.lookup_timeout):
                return await self.rest.fetch_member(guild_id, user_id)
        except hikari.NotFoundError:
            return None

    def _owner_id(self, guild_id: int) -> int | None:
        guild = self.app.cache.get_guild(guild_id)
        return None if guild is None else int(guild.owner_id)

    async def _member_refusal(self, guild_id: int, user_id: int) -> str | None:
        owner_id = self._owner_id(guild_id)
        if owner_id is None:
            return (
                f"guild {guild_id} is not in the hikari cache, so the role hierarchy cannot "
                "be checked (enable the GUILDS intent)"
            )
        me = self._self_id()
        if user_id == owner_id:
            return f"user {user_id} owns guild {guild_id}"
        if user_id == me:
            return "the target is the bot itself"
        target = await self._member(guild_id, user_id)
        if target is None:
            return None
        cache = self.app.cache
        role_ids = convert.role_ids_without_everyone(target)
        if convert.is_administrator(cache, guild_id, role_ids):
            return f"member {user_id} is an administrator of guild {guild_id}"
        if me is None or me == owner_id:
            return None
        bot_member = await self._member(guild_id, me)
        if bot_member is None:
            return None
        bot_top = convert.top_role_position(cache, guild_id, bot_member.role_ids)
        target_top = convert.top_role_position(cache, guild_id, role_ids)
        if target_top >= bot_top:
            return (
                f"member {user_id}'s top role (position {target_top}) is not below "
                f"the bot's top role (position {bot_top})"
            )
        return None

    async def _role_refusal(self, guild_id: int, role_id: int) -> str | None:
        me = self._self_id()
        if me is None or me == self._owner_id(guild_id):
            return None
        role = self.app.cache.get_role(role_id)
        bot_member = await self._member(guild_id, me)
        if role is None or bot_member is None:
            return None
        bot_top = convert.top_role_position(self.app.cache, guild_id, bot_member.role_ids)
        if role.position >= bot_top:
            return (
                f"role {role_id} (position {role.position}) is not below "
                f"the bot's top role (position {bot_top})"
            )
        return None

    # -- execution -------------------------------------------------------------------------

    async def execute(self, action: object) -> int | None:
        """Carry ``action`` out (a core action, or one an extension registered); the id of
        the message a :class:`SendMessage` created.

        Raises:
            UnsupportedActionError: an action kind this adapter does not know.
        """
        rest = self.rest
        match action:
            case DeleteMessages():
                await self._delete(action)
            case SendMessage():
                message = await rest.create_message(
                    action.channel_id,
                    action.content or hikari.UNDEFINED,
                    embed=self._embed(action.embed),
                    # Only the member the notice is about may be pinged: never
                    # @everyone/@here, never a role, whatever the template holds.
                    user_mentions=list(action.mention_user_ids) or False,
                    role_mentions=False,
                    mentions_everyone=False,
                    mentions_reply=False,
                )
                return int(message.id)
            case DirectMessage():
                channel = await rest.create_dm_channel(action.user_id)
                await rest.create_message(
                    channel,
                    action.content or hikari.UNDEFINED,
                    embed=self._embed(action.embed),
                    user_mentions=False,
                    role_mentions=False,
                    mentions_everyone=False,
                    mentions_reply=False,
                )
            case Timeout():
                await rest.edit_member(
                    action.guild_id,
                    action.user_id,
                    communication_disabled_until=action.until,
                    reason=audit_reason(action.reason),
                )
            case AddRole():
                await rest.add_role_to_member(
                    action.guild_id,
                    action.user_id,
                    action.role_id,
                    reason=audit_reason(action.reason),
                )
            case RemoveRole():
                await rest.remove_role_from_member(
                    action.guild_id,
                    action.user_id,
                    action.role_id,
                    reason=audit_reason(action.reason),
                )
            case Kick():
                await rest.kick_user(
                    action.guild_id, action.user_id, reason=audit_reason(action.reason)
                )
            case Ban():
                await rest.ban_user(
                    action.guild_id,
                    action.user_id,
                    delete_message_seconds=action.delete_message_seconds,
                    reason=audit_reason(action.reason),
                )
            case Unban():
                await rest.unban_user(
                    action.guild_id, action.user_id, reason=audit_reason(action.reason)
                )
            case CreateAutoModRule() | EditAutoModRule() | DeleteAutoModRule():
                await execute_automod(self.app, action)
            case _:
                kind = getattr(action, "kind", type(action).__name__)
                msg = f"the hikari adapter cannot carry out {kind!r} actions"
                raise UnsupportedActionError(msg)
        return None

    def _embed(self, data: dict[str, typing.Any] | None) -> hikari.UndefinedOr[hikari.Embed]:
        if data is None:
            return hikari.UNDEFINED
        # Policies hold embeds as Discord's JSON; hikari's own parser turns them into
        # hikari.Embed, which it serialises back to the same JSON.
        return self.app.entity_factory.deserialize_embed(data)

    async def _delete(self, action: DeleteMessages) -> None:
        reason = audit_reason(action.reason)
        recent, single = split_delete(action, self._clock())
        if recent:
            # hikari sends one bulk request per 100 ids; an action holds at most 100.
            await self.rest.delete_messages(action.channel_id, recent, reason=reason)
        for message_id in single:
            await self.rest.delete_message(action.channel_id, message_id, reason=reason)

    # -- errors ----------------------------------------------------------------------------

    def classify(self, error: BaseException) -> FailureKind:
        """Map a hikari exception (or a timeout) to a failure kind."""
        if isinstance(error, hikari.BulkDeleteError) and error.__cause__ is not None:
            error = error.__cause__
        for error_type, kind in _FAILURES:
            if isinstance(error, error_type):
                return kind
        if isinstance(error, hikari.HTTPResponseError):
            return failure_for_status(int(error.status))
        return FailureKind.ERROR
