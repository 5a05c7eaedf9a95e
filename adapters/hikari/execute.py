"""Carrying spamguard's actions out with hikari's REST client (hikari adapter internals).

:class:`HikariExecutor` implements :class:`spamguard.adapters.runtime.ActionExecutor`:
one action, one (or, for old messages, a few) REST calls, with an audit-log reason on
every call that takes one and mentions restricted on every message sent. Native AutoMod
rule changes go through :func:`spamguard.adapters.hikari.automod.execute_automod`.
"""

from __future__ import annotations

__all__ = ("HikariExecutor",)

import asyncio
import datetime
import typing

import hikari

from spamguard.adapters.hikari import permissions
from spamguard.adapters.hikari.automod import execute_automod
from spamguard.adapters.runtime.hierarchy import MemberView, RecentMembers, RoleView, refusal
from spamguard.adapters.runtime.requests import (
    audit_reason,
    classify_error,
    delete_messages,
    require_unchanged,
    unsupported_action,
)
from spamguard.core.actions import (
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Kick,
    RemoveRole,
    RemoveTimeout,
    SendMessage,
    SetIncidentActions,
    Timeout,
    Unban,
)
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
)


class HikariExecutor:
    """Carries out actions for one ``hikari.GatewayBot`` (or any gateway-bot-aware app).

    Args:
        app: the bot: its ``rest`` client makes the calls, its ``cache`` answers the
            hierarchy questions.
        self_id: the bot's user id (read lazily: it is known once READY arrived).
        clock: the wall clock, to tell which messages are too old to bulk delete.
        recent: members the runtime saw in events lately, asked before the API.
        lookup_timeout: seconds a REST look-up made to check the hierarchy may take.
    """

    def __init__(
        self,
        app: hikari.GatewayBotAware,
        *,
        self_id: Callable[[], int | None],
        clock: Callable[[], datetime.datetime],
        recent: RecentMembers | None = None,
        lookup_timeout: float | None = None,
    ) -> None:
        self.app = app
        self._self_id = self_id
        self._clock = clock
        self.recent = recent if recent is not None else RecentMembers()
        """Members the runtime saw in events lately (asked before the API)."""
        self.lookup_timeout = lookup_timeout

    @property
    def rest(self) -> hikari.api.RESTClient:
        """The REST client every call goes through."""
        return self.app.rest

    # -- hierarchy (the rules: spamguard.adapters.runtime.hierarchy) -----------------------

    library = "hikari"
    """The library's name, for refusals' text."""

    async def refuse(self, action: object) -> str | None:
        """Why ``action`` must not be attempted, or None
        (:func:`spamguard.adapters.runtime.hierarchy.refusal` over hikari's cache)."""
        return await refusal(action, self)

    def owner_id(self, guild_id: int) -> int | None:
        """The guild's owner from the cache; None when the guild is not cached."""
        guild = self.app.cache.get_guild(guild_id)
        return None if guild is None else int(guild.owner_id)

    def bot_id(self) -> int | None:
        """The bot's user id (known once READY arrived, or from the token)."""
        return self._self_id()

    async def member(self, guild_id: int, user_id: int) -> MemberView | None:
        """The member from the cache, else as a recent event showed it, else from the API;
        None when not a member."""
        member = self.app.cache.get_member(guild_id, user_id)
        fetched = False
        if member is None:
            seen = self.recent.view(guild_id, user_id, self)
            if seen is not None:
                return seen
            try:
                async with asyncio.timeout(self.lookup_timeout):
                    member = await self.rest.fetch_member(guild_id, user_id)
            except hikari.NotFoundError:
                return None
            fetched = True
        cache = self.app.cache
        role_ids = permissions.role_ids_without_everyone(member)
        is_administrator = permissions.is_administrator(cache, guild_id, role_ids)
        if fetched:
            # The next punishments of a raid ask the same (the bot's own member above all).
            self.recent.note(
                guild_id, user_id, frozenset(role_ids), is_administrator=is_administrator
            )
        return MemberView(
            top_role=RoleView(position=permissions.top_role_position(cache, guild_id, role_ids)),
            is_administrator=is_administrator,
        )

    async def channel_guild(self, channel_id: int) -> int | None:
        """The guild of a channel (the cache, else ``GET /channels/{id}``); None for one
        outside any guild (the log channel's check).

        Raises:
            hikari.NotFoundError: the channel does not exist (or the bot cannot see it).
        """
        cache = self.app.cache
        cached = cache.get_guild_channel(channel_id) or cache.get_thread(channel_id)
        if cached is not None:
            return int(cached.guild_id)
        channel = await self.rest.fetch_channel(channel_id)
        guild_id = getattr(channel, "guild_id", None)
        return None if guild_id is None else int(guild_id)

    def role(self, guild_id: int, role_id: int) -> RoleView | None:
        """The role from the cache; None when it is not cached."""
        role = self.app.cache.get_role(role_id)
        return None if role is None else RoleView(position=role.position)

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
                await delete_messages(action, self._clock(), rest)
            case SendMessage():
                message = await rest.create_message(
                    action.channel_id,
                    action.content or hikari.UNDEFINED,
                    embeds=self._embeds(action.all_embeds()),
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
            case RemoveTimeout():
                await rest.edit_member(
                    action.guild_id,
                    action.user_id,
                    communication_disabled_until=None,
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
            case SetIncidentActions():
                if action.only_if_unchanged:
                    # What Discord shows now, not the cache: the GUILD_UPDATE of spamguard's
                    # own pause (or of a moderator's change) may not have arrived yet.
                    incidents = (await rest.fetch_guild(action.guild_id)).incidents
                    require_unchanged(
                        action, incidents.invites_disabled_until, incidents.dms_disabled_until
                    )
                # Discord's incident actions take no audit-log reason.
                await rest.set_guild_incident_actions(
                    action.guild_id,
                    invites_disabled_until=action.invites_disabled_until,
                    dms_disabled_until=action.dms_disabled_until,
                )
            case CreateAutoModRule() | EditAutoModRule() | DeleteAutoModRule():
                await execute_automod(self.app, action)
            case _:
                raise unsupported_action("hikari", action)
        return None

    def _embeds(
        self, data: tuple[dict[str, typing.Any], ...]
    ) -> hikari.UndefinedOr[list[hikari.Embed]]:
        if not data:
            return hikari.UNDEFINED
        return [self.app.entity_factory.deserialize_embed(item) for item in data]

    def _embed(self, data: dict[str, typing.Any] | None) -> hikari.UndefinedOr[hikari.Embed]:
        if data is None:
            return hikari.UNDEFINED
        # Policies hold embeds as Discord's JSON; hikari's own parser turns them into
        # hikari.Embed, which it serialises back to the same JSON.
        return self.app.entity_factory.deserialize_embed(data)

    # -- errors ----------------------------------------------------------------------------

    def classify(self, error: BaseException) -> FailureKind:
        """Map a hikari exception (or a timeout) to a failure kind."""
        if isinstance(error, hikari.BulkDeleteError) and error.__cause__ is not None:
            error = error.__cause__
        return classify_error(error, _FAILURES, hikari.HTTPResponseError)
