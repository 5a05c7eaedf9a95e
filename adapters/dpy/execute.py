"""Carrying spamguard's actions out with discord.py's, nextcord's or disnake's HTTP client.

:class:`DpyExecutor` implements :class:`spamguard.adapters.runtime.ActionExecutor` for the
discord.py family (the libraries name and sign these ``HTTPClient`` methods alike, except
``send_message``: :meth:`~spamguard.adapters.dpy.flavour.Flavour.send_message`): one request per action through ``bot.http``, an audit-log reason
on every request that takes one, mentions restricted on every message, an explicit delete
window on every ban, and no action against the owner, administrators or members whose top
role is not below the bot's.
"""

from __future__ import annotations

__all__ = ("DpyExecutor", "bot_user_id")

import asyncio
import datetime
import typing

from spamguard.adapters.dpy.automod import execute_automod
from spamguard.adapters.runtime.hierarchy import MemberView, RecentMembers, RoleView, refusal
from spamguard.adapters.runtime.requests import (
    audit_reason,
    classify_error,
    delete_messages,
    incident_actions_json,
    parse_time,
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
    from collections.abc import Callable, Iterable

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.core.actions import Action
    from spamguard.core.policy.automod import AutomodChange

# Failure kinds by the name of the library's exception class, most specific first: every
# library of the family defines these names at the top level.
_FAILURES: tuple[tuple[str, FailureKind], ...] = (
    ("Forbidden", FailureKind.FORBIDDEN),
    ("NotFound", FailureKind.NOT_FOUND),
    ("DiscordServerError", FailureKind.SERVER_ERROR),
)


def bot_user_id(bot: typing.Any) -> int | None:
    """The bot's user id; None before login."""
    # Before login discord.py's and nextcord's bot.user is None, disnake's a MISSING sentinel.
    user_id = getattr(bot.user, "id", None)
    return None if user_id is None else int(user_id)


class DpyExecutor:
    """Carries out actions for one discord.py, nextcord or disnake bot through ``bot.http``.

    Implements :class:`spamguard.adapters.runtime.ActionExecutor`. The HTTP layer is used
    for every action: it needs no cached object (a member who left can still be banned, a
    channel the bot never cached can still be cleaned), and it is where a reason can be
    given to a single-message delete.

    Args:
        flavour: the library.
        bot: the bot; ``bot.http`` makes the calls, its cache answers hierarchy questions.
        clock: the wall clock, to tell which messages are too old to bulk delete.
        recent: members the runtime saw in events lately, asked before the API.
        lookup_timeout: seconds the member look-up of a hierarchy check may take.
    """

    def __init__(
        self,
        flavour: Flavour,
        bot: typing.Any,
        *,
        clock: Callable[[], datetime.datetime],
        recent: RecentMembers | None = None,
        lookup_timeout: float | None = None,
    ) -> None:
        self.flavour = flavour
        self.bot = bot
        self._clock = clock
        self.recent = recent if recent is not None else RecentMembers()
        """Members the runtime saw in events lately (asked before the API)."""
        self.lookup_timeout = lookup_timeout

    @property
    def http(self) -> typing.Any:
        """The library's ``HTTPClient`` every request goes through."""
        return self.bot.http

    # -- hierarchy (the rules: spamguard.adapters.runtime.hierarchy) -----------------------

    @property
    def library(self) -> str:
        """The library's name, for refusals' text."""
        return self.flavour.name

    async def refuse(self, action: Action | AutomodChange) -> str | None:
        """Why ``action`` must not be attempted, or None
        (:func:`spamguard.adapters.runtime.hierarchy.refusal` over the library's cache)."""
        return await refusal(action, self)

    def owner_id(self, guild_id: int) -> int | None:
        """The guild's owner from the cache; None when the guild is not cached."""
        guild = self.bot.get_guild(guild_id)
        return None if guild is None else int(guild.owner_id)

    def bot_id(self) -> int | None:
        """The bot's user id (known once logged in)."""
        return bot_user_id(self.bot)

    async def member(self, guild_id: int, user_id: int) -> MemberView | None:
        """The member from the cache, else as a recent event showed it, else from the API;
        None when not a member."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None
        member = guild.get_member(user_id)
        fetched = False
        if member is None:
            seen = self.recent.view(guild_id, user_id, self)
            if seen is not None:
                return seen
            try:
                async with asyncio.timeout(self.lookup_timeout):
                    member = await guild.fetch_member(user_id)
            except self.flavour.module.NotFound:
                return None
            fetched = True
        top = member.top_role
        is_administrator = bool(member.guild_permissions.administrator)
        if fetched:
            # The next punishments of a raid ask the same: no second request for them.
            role_ids = frozenset(role.id for role in member.roles if role.id != guild_id)
            self.recent.note(guild_id, user_id, role_ids, is_administrator=is_administrator)
        return MemberView(
            top_role=RoleView(position=int(top.position), name=str(top.name)),
            is_administrator=is_administrator,
        )

    async def channel_guild(self, channel_id: int) -> int | None:
        """The guild of a channel (the cache, else ``GET /channels/{id}``); None for one
        outside any guild (the log channel's check).

        Raises:
            NotFound: the channel does not exist (or the bot cannot see it); the library's.
        """
        cached = self.bot.get_channel(channel_id)
        if cached is not None:
            guild = getattr(cached, "guild", None)
            return None if guild is None else int(guild.id)
        data = await self.http.get_channel(channel_id)
        guild_id = (data or {}).get("guild_id")
        return None if guild_id is None else int(guild_id)

    def role(self, guild_id: int, role_id: int) -> RoleView | None:
        """The role from the cache; None when it is not cached."""
        guild = self.bot.get_guild(guild_id)
        role = None if guild is None else guild.get_role(role_id)
        return None if role is None else RoleView(position=int(role.position), name=str(role.name))

    # -- execution -------------------------------------------------------------------------

    async def execute(self, action: Action | AutomodChange) -> int | None:
        """Carry ``action`` out; the id of the message a :class:`SendMessage` created."""
        http = self.http
        # Matched as an object: extensions may hand over action kinds of their own.
        item: object = action
        match item:
            case DeleteMessages():
                await delete_messages(item, self._clock(), http)
            case SendMessage():
                data = await self.flavour.send_message(
                    http,
                    item.channel_id,
                    content=item.content or None,
                    embeds=item.all_embeds(),
                    # The libraries ping everything by default: only the member the
                    # notice is about may be pinged, never @everyone/@here or a role.
                    allowed_mentions=self._mentions(item.mention_user_ids),
                )
                return int(data["id"])
            case DirectMessage():
                channel = await http.start_private_message(item.user_id)
                await self.flavour.send_message(
                    http,
                    int(channel["id"]),
                    content=item.content or None,
                    embeds=() if item.embed is None else (item.embed,),
                    allowed_mentions=self._mentions(()),
                )
            case Timeout():
                await http.edit_member(
                    item.guild_id,
                    item.user_id,
                    reason=audit_reason(item.reason),
                    communication_disabled_until=item.until.isoformat(),
                )
            case RemoveTimeout():
                # JSON null: the member's timeout ends now.
                await http.edit_member(
                    item.guild_id,
                    item.user_id,
                    reason=audit_reason(item.reason),
                    communication_disabled_until=None,
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
            case SetIncidentActions():
                # No HTTPClient method in every library (nextcord has none): the library's
                # own Route and request, so its rate limiting applies. No audit-log reason:
                # Discord's incident actions take none.
                route_of = self.flavour.module.http.Route
                if item.only_if_unchanged:
                    # What Discord shows now (one GET, the same in every library: nextcord
                    # caches no incident actions, and a cache may lag the GUILD_UPDATE of
                    # spamguard's own pause or of a moderator's change).
                    guild = await http.request(
                        route_of("GET", "/guilds/{guild_id}", guild_id=item.guild_id)
                    )
                    shown = (guild or {}).get("incidents_data") or {}
                    require_unchanged(
                        item,
                        parse_time(shown.get("invites_disabled_until")),
                        parse_time(shown.get("dms_disabled_until")),
                    )
                route = route_of(
                    "PUT", "/guilds/{guild_id}/incident-actions", guild_id=item.guild_id
                )
                await http.request(route, json=incident_actions_json(item))
            case CreateAutoModRule() | EditAutoModRule() | DeleteAutoModRule():
                await execute_automod(self.bot, item, library=self.flavour.name)
            case _:
                raise unsupported_action(self.flavour.name, item)
        return None

    def _mentions(self, user_ids: Iterable[int]) -> typing.Any:
        # The library's AllowedMentions (what its send_message takes, as itself or as JSON).
        lib = self.flavour.module
        users = [lib.Object(id=user_id) for user_id in user_ids]
        return lib.AllowedMentions(
            everyone=False, users=users or False, roles=False, replied_user=False
        )

    # -- errors ----------------------------------------------------------------------------

    def classify(self, error: BaseException) -> FailureKind:
        """Map one of the library's exceptions to a failure kind."""
        # A 429 is raised only when the library gives up (one without Discord's headers);
        # a long retry_after it sleeps on ends at the action deadline.
        lib = self.flavour.module
        failures = [(getattr(lib, name), kind) for name, kind in _FAILURES]
        return classify_error(error, failures, lib.HTTPException)
