"""The stand-in's routes: the state Discord would keep and what it answers for each route
a moderation bot (and its library's start-up) uses.

`DiscordState` holds the entities and one handler per route; `ROUTES` maps method and
path template to handler; `match_route` finds the route of a request. The server that
records requests and scripts failures is `server.DiscordAPI`, a `DiscordState`.
"""

from __future__ import annotations

__all__ = (
    "JSON",
    "ROUTES",
    "Call",
    "DiscordState",
    "Route",
    "error_response",
    "json_response",
    "match_route",
    "no_content",
    "template_regex",
)

import dataclasses
import datetime
import re
import typing

from aiohttp import web

from support import payloads

from . import incidents, interactions
from .embeds import embed_errors
from .responses import JSON, Call, error_response, json_response, no_content

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def template_regex(template: str, *, named: bool) -> re.Pattern[str]:
    """Compile ``/guilds/{guild_id}/members/{user_id}`` into a full-match regex.

    Route templates use named groups to hand parameters to handlers; test patterns use
    anonymous ones so a test may write ``{x}`` twice or any placeholder name.
    """
    out = []
    for part in re.split(r"(\{[^}]*\})", template):
        if part.startswith("{") and part.endswith("}"):
            out.append(f"(?P<{part[1:-1]}>[^/]+)" if named else "[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


Handler = typing.Callable[["DiscordState", "Call"], "Awaitable[web.Response]"]


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    handler: Handler
    regex: re.Pattern[str]
    bot_token: bool = True
    """Whether the route needs the bot's token and counts toward the global rate limit
    (False for the interaction routes, which the interaction token authorises)."""
    bucketed: bool = True
    """Whether Discord limits the route with a bucket and answers with ``X-RateLimit-*``
    headers. False for ``POST /interactions/{id}/{token}/callback`` only: Discord sends
    no bucket there (hikari's route table says so, ``has_ratelimits=False``, and logs an
    error when a bucket header comes), while the webhook routes of an interaction token
    (followups, ``@original``) have their bucket."""


class DiscordState:
    """What the stand-in knows, so that follow-up calls see earlier ones, and the
    handler of each route.

    Users and members (seeded from a `payloads.GuildWorld`, updated by PATCH and role
    routes, removed by kicks), bans, messages the bot sent, DM channels, AutoMod rules,
    application commands, and each guild's roles and incident actions (`incidents`).
    """

    def __init__(
        self, *, me: payloads.User, application_id: int, application_owner: payloads.User
    ) -> None:
        """Start empty but for the bot user ``me``."""
        self.me: payloads.User = me
        self.application_id: int = application_id
        self.application_owner: payloads.User = application_owner
        self.users: dict[int, JSON] = {self.me.id: self.me.payload()}
        self.members: dict[tuple[int, int], JSON] = {}
        self.channels: dict[int, JSON] = {}
        self.bans: dict[tuple[int, int], JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.dm_channels: dict[int, JSON] = {}
        self.automod_rules: dict[int, dict[int, JSON]] = {}
        self.commands: dict[int | None, dict[int, JSON]] = {}
        self.guilds: dict[int, payloads.Guild] = {}
        self.incidents: dict[int, JSON] = {}
        """Each guild's incidents data (``PUT /guilds/{id}/incident-actions``)."""
        self.interactions: interactions.Interactions = interactions.Interactions()
        """Interactions the gateway sent (`Interactions.receive`) and the responses the
        bot made to them."""

    def seed_guild(self, guild: payloads.Guild) -> None:
        """Make ``guild``'s roles, owner, users, members and channels known to the routes."""
        self.guilds[guild.id] = guild
        for member in guild.members:
            self.add_member(guild.id, member)
        for channel in (*guild.channels, *guild.threads):
            self.channels[channel.id] = channel.payload(guild.id)

    def add_member(self, guild_id: int, member: payloads.Member) -> None:
        """``member`` is in the guild now (as after a GUILD_MEMBER_ADD)."""
        self.users[member.id] = member.user.payload()
        self.members[(guild_id, member.id)] = member.payload()

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """The member left (as after a GUILD_MEMBER_REMOVE)."""
        self.members.pop((guild_id, user_id), None)

    # ------------------------------------------------------------------ entities

    def _user(self, user_id: int) -> JSON:
        # Unknown users are answered rather than 404'd: tests often act on ids that no
        # GUILD_CREATE listed (a user who already left), and Discord knows every user.
        return (
            self.users.get(user_id)
            or payloads.User(id=user_id, username=f"user{user_id}").payload()
        )

    def _member(self, guild_id: int, user_id: int) -> JSON:
        member = self.members.get((guild_id, user_id))
        if member is None:
            member = payloads.Member(
                user=payloads.User(id=user_id, username=f"user{user_id}"),
                joined_at=payloads.snowflake_time(guild_id),
            ).payload()
            member["user"] = self._user(user_id)
            self.members[(guild_id, user_id)] = member
        return member

    def message_payload(self, channel_id: int, body: Mapping[str, typing.Any]) -> JSON:
        """The message object Discord returns for a message the bot sends."""
        now = _utcnow()
        created = now.replace(microsecond=now.microsecond // 1000 * 1000)
        out: JSON = {
            "type": 0,
            "tts": bool(body.get("tts", False)),
            "timestamp": payloads.timestamp(created),
            "pinned": False,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "id": str(payloads.snowflake(created)),
            "flags": int(body.get("flags") or 0),
            "embeds": list(body.get("embeds") or []),
            "edited_timestamp": None,
            "content": body.get("content") or "",
            "components": list(body.get("components") or []),
            "channel_id": str(channel_id),
            "author": self.me.payload(),
            "attachments": [],
        }
        if body.get("nonce") is not None:
            out["nonce"] = body["nonce"]
        if ref := body.get("message_reference"):
            out["type"] = 19
            out["message_reference"] = {"type": 0, "channel_id": str(channel_id), **ref}
        return out

    # ------------------------------------------------------------------ handlers

    async def _get_me(self, call: Call) -> web.Response:
        return json_response(
            200,
            self.me.payload()
            | {"verified": True, "mfa_enabled": False, "email": None, "bot": True},
        )

    async def _get_application(self, call: Call) -> web.Response:
        return json_response(
            200,
            {
                "id": str(self.application_id),
                "name": self.me.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "2d8f4b1c9a7e6f5d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                "flags": 565248,
                "owner": self.application_owner.payload(),
                "team": None,
                "bot": self.me.payload() | {"bot": True},
                "rpc_origins": [],
                "redirect_uris": [],
                "tags": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
                "integration_types_config": {"0": {}, "1": {}},
                "approximate_guild_count": 1,
                "approximate_user_install_count": 0,
                "is_monetized": False,
                "is_verified": False,
                "is_discoverable": False,
                "storefront_available": False,
                "explicit_content_filter": 0,
            },
        )

    async def _get_gateway_bot(self, call: Call) -> web.Response:
        # Served so a stray start() fails at the websocket, not here: the URL is unroutable.
        return json_response(
            200,
            {
                "url": "wss://gateway.invalid",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            },
        )

    async def _get_gateway(self, call: Call) -> web.Response:
        return json_response(200, {"url": "wss://gateway.invalid"})

    async def _get_user(self, call: Call) -> web.Response:
        return json_response(200, self._user(call.snowflake("user_id")))

    async def _get_channel(self, call: Call) -> web.Response:
        channel_id = call.snowflake("channel_id")
        channel = self.channels.get(channel_id) or next(
            (c for c in self.dm_channels.values() if int(c["id"]) == channel_id), None
        )
        return (
            json_response(200, channel)
            if channel
            else error_response(404, 10003, "Unknown Channel")
        )

    async def _create_message(self, call: Call) -> web.Response:
        channel_id = call.snowflake("channel_id")
        body = call.json or {}
        if not (
            body.get("content")
            or body.get("embeds")
            or body.get("sticker_ids")
            or body.get("attachments")
        ):
            return error_response(400, 50006, "Cannot send an empty message")
        known = channel_id in self.channels or any(
            int(c["id"]) == channel_id for c in self.dm_channels.values()
        )
        if not known:
            return error_response(404, 10003, "Unknown Channel")
        if errors := embed_errors(body):
            return error_response(400, 50035, "Invalid Form Body", errors=errors)
        message = self.message_payload(channel_id, body)
        self.messages[(channel_id, int(message["id"]))] = message
        return json_response(200, message)

    async def _get_message(self, call: Call) -> web.Response:
        key = (call.snowflake("channel_id"), call.snowflake("message_id"))
        return (
            json_response(200, self.messages[key])
            if key in self.messages
            else error_response(404, 10008, "Unknown Message")
        )

    async def _edit_message(self, call: Call) -> web.Response:
        key = (call.snowflake("channel_id"), call.snowflake("message_id"))
        if key not in self.messages:
            return error_response(404, 10008, "Unknown Message")
        message = self.messages[key]
        for field in ("content", "embeds", "components", "flags"):
            if call.json and field in call.json:
                message[field] = call.json[field]
        message["edited_timestamp"] = payloads.timestamp(_utcnow())
        return json_response(200, message)

    async def _delete_message(self, call: Call) -> web.Response:
        # Messages the gateway delivered are unknown here, so deletes succeed unless a
        # failure is scripted: that is the common case a test wants.
        self.messages.pop((call.snowflake("channel_id"), call.snowflake("message_id")), None)
        return no_content()

    async def _bulk_delete(self, call: Call) -> web.Response:
        ids = list((call.json or {}).get("messages") or [])
        if not 2 <= len(ids) <= 100:
            return error_response(
                400,
                50035,
                "Invalid Form Body",
                errors={
                    "messages": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 2 and 100 in length.",
                            }
                        ]
                    }
                },
            )
        for message_id in ids:
            self.messages.pop((call.snowflake("channel_id"), int(message_id)), None)
        return no_content()

    async def _create_dm(self, call: Call) -> web.Response:
        recipient = int((call.json or {})["recipient_id"])
        channel = self.dm_channels.get(recipient)
        if channel is None:
            channel = {
                "id": str(payloads.snowflake(_utcnow())),
                "type": int(payloads.ChannelType.DM),
                "last_message_id": None,
                "flags": 0,
                "recipients": [self._user(recipient)],
            }
            self.dm_channels[recipient] = channel
        return json_response(200, channel)

    async def _get_member(self, call: Call) -> web.Response:
        key = (call.snowflake("guild_id"), call.snowflake("user_id"))
        return (
            json_response(200, self.members[key])
            if key in self.members
            else error_response(404, 10007, "Unknown Member")
        )

    async def _edit_member(self, call: Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        for field, value in (call.json or {}).items():
            if field in ("nick", "roles", "mute", "deaf", "flags", "communication_disabled_until"):
                member[field] = value
        return json_response(200, member)

    async def _add_role(self, call: Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        if call.params["role_id"] not in member["roles"]:
            member["roles"] = [*member["roles"], call.params["role_id"]]
        return no_content()

    async def _remove_role(self, call: Call) -> web.Response:
        member = self._member(call.snowflake("guild_id"), call.snowflake("user_id"))
        member["roles"] = [r for r in member["roles"] if r != call.params["role_id"]]
        return no_content()

    async def _kick(self, call: Call) -> web.Response:
        self.members.pop((call.snowflake("guild_id"), call.snowflake("user_id")), None)
        return no_content()

    async def _ban(self, call: Call) -> web.Response:
        guild_id, user_id = call.snowflake("guild_id"), call.snowflake("user_id")
        self.bans[(guild_id, user_id)] = {"reason": call.reason, "user": self._user(user_id)}
        self.members.pop((guild_id, user_id), None)
        return no_content()

    async def _unban(self, call: Call) -> web.Response:
        if self.bans.pop((call.snowflake("guild_id"), call.snowflake("user_id")), None) is None:
            return error_response(404, 10026, "Unknown Ban")
        return no_content()

    async def _get_ban(self, call: Call) -> web.Response:
        ban = self.bans.get((call.snowflake("guild_id"), call.snowflake("user_id")))
        return json_response(200, ban) if ban else error_response(404, 10026, "Unknown Ban")

    async def _list_bans(self, call: Call) -> web.Response:
        guild_id = call.snowflake("guild_id")
        return json_response(200, [b for (g, _), b in self.bans.items() if g == guild_id])

    async def _list_rules(self, call: Call) -> web.Response:
        return json_response(
            200, list(self.automod_rules.get(call.snowflake("guild_id"), {}).values())
        )

    async def _get_rule(self, call: Call) -> web.Response:
        rule = self.automod_rules.get(call.snowflake("guild_id"), {}).get(call.snowflake("rule_id"))
        return json_response(200, rule) if rule else error_response(404, 0, "404: Not Found")

    async def _create_rule(self, call: Call) -> web.Response:
        guild_id = call.snowflake("guild_id")
        body = dict(call.json or {})
        rule = payloads.automod_rule(
            rule_id=payloads.snowflake(_utcnow()),
            guild_id=guild_id,
            creator_id=self.me.id,
            name=body.get("name", "rule"),
            trigger_type=int(body.get("trigger_type", 1)),
            trigger_metadata=body.get("trigger_metadata"),
            actions=body.get("actions") or (),
            enabled=bool(body.get("enabled", False)),
            exempt_roles=[int(r) for r in body.get("exempt_roles") or ()],
            exempt_channels=[int(c) for c in body.get("exempt_channels") or ()],
            event_type=int(body.get("event_type", 1)),
        )
        self.automod_rules.setdefault(guild_id, {})[int(rule["id"])] = rule
        return json_response(200, rule)

    async def _edit_rule(self, call: Call) -> web.Response:
        rule = self.automod_rules.get(call.snowflake("guild_id"), {}).get(call.snowflake("rule_id"))
        if rule is None:
            return error_response(404, 0, "404: Not Found")
        for field, value in (call.json or {}).items():
            if field in ("exempt_roles", "exempt_channels"):
                rule[field] = [str(v) for v in value]
            elif field in ("name", "event_type", "trigger_metadata", "actions", "enabled"):
                rule[field] = value
        return json_response(200, rule)

    async def _delete_rule(self, call: Call) -> web.Response:
        if (
            self.automod_rules.get(call.snowflake("guild_id"), {}).pop(
                call.snowflake("rule_id"), None
            )
            is None
        ):
            return error_response(404, 0, "404: Not Found")
        return no_content()

    def _command_scope(self, call: Call) -> dict[int, JSON]:
        guild = int(call.params["guild_id"]) if "guild_id" in call.params else None
        return self.commands.setdefault(guild, {})

    def _command(
        self, call: Call, body: Mapping[str, typing.Any], command_id: int | None = None
    ) -> JSON:
        guild = call.params.get("guild_id")
        return {
            "id": str(command_id or payloads.snowflake(_utcnow())),
            "application_id": str(self.application_id),
            "version": str(payloads.snowflake(_utcnow())),
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **({"guild_id": guild} if guild else {}),
            **{
                k: v
                for k, v in body.items()
                if k not in ("id", "application_id", "guild_id", "version")
            },
        }

    async def _list_commands(self, call: Call) -> web.Response:
        return json_response(200, list(self._command_scope(call).values()))

    async def _overwrite_commands(self, call: Call) -> web.Response:
        scope = self._command_scope(call)
        by_name = {c["name"]: int(c["id"]) for c in scope.values()}
        scope.clear()
        for body in call.json or []:
            command = self._command(call, body, by_name.get(body.get("name")))
            scope[int(command["id"])] = command
        return json_response(200, list(scope.values()))

    async def _create_command(self, call: Call) -> web.Response:
        command = self._command(call, call.json or {})
        self._command_scope(call)[int(command["id"])] = command
        return json_response(201, command)

    async def _get_command(self, call: Call) -> web.Response:
        command = self._command_scope(call).get(call.snowflake("command_id"))
        return (
            json_response(200, command)
            if command
            else error_response(404, 10063, "Unknown application command")
        )

    async def _edit_command(self, call: Call) -> web.Response:
        scope = self._command_scope(call)
        command = scope.get(call.snowflake("command_id"))
        if command is None:
            return error_response(404, 10063, "Unknown application command")
        command.update({k: v for k, v in (call.json or {}).items() if k != "id"})
        return json_response(200, command)

    async def _delete_command(self, call: Call) -> web.Response:
        if self._command_scope(call).pop(call.snowflake("command_id"), None) is None:
            return error_response(404, 10063, "Unknown application command")
        return no_content()

    async def _command_permissions(self, call: Call) -> web.Response:
        return json_response(200, [])


def _routes(
    *table: tuple[str, str, Callable[[DiscordState, Call], Awaitable[web.Response]]],
    bot_token: bool = True,
    bucketed: bool = True,
) -> tuple[Route, ...]:
    return tuple(
        Route(m, t, h, template_regex(t, named=True), bot_token=bot_token, bucketed=bucketed)
        for m, t, h in table
    )


_WEBHOOK_MESSAGE: typing.Final = (
    "/webhooks/{application_id}/{interaction_token}/messages/{message_id}"
)


# The routes a moderation bot (and its library's start-up) uses; anything else is a 404
# recorded in ``DiscordAPI.unhandled``.
_A = DiscordState
ROUTES: typing.Final = (
    _routes(
        ("GET", "/users/@me", _A._get_me),
        ("GET", "/users/{user_id}", _A._get_user),
        ("POST", "/users/@me/channels", _A._create_dm),
        ("GET", "/oauth2/applications/@me", _A._get_application),
        ("GET", "/applications/@me", _A._get_application),
        ("GET", "/gateway/bot", _A._get_gateway_bot),
        ("GET", "/gateway", _A._get_gateway),
        ("GET", "/channels/{channel_id}", _A._get_channel),
        ("POST", "/channels/{channel_id}/messages", _A._create_message),
        ("POST", "/channels/{channel_id}/messages/bulk-delete", _A._bulk_delete),
        ("GET", "/channels/{channel_id}/messages/{message_id}", _A._get_message),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}", _A._edit_message),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}", _A._delete_message),
        ("GET", "/guilds/{guild_id}/members/{user_id}", _A._get_member),
        ("PATCH", "/guilds/{guild_id}/members/{user_id}", _A._edit_member),
        ("DELETE", "/guilds/{guild_id}/members/{user_id}", _A._kick),
        ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", _A._add_role),
        ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", _A._remove_role),
        ("GET", "/guilds/{guild_id}/bans", _A._list_bans),
        ("GET", "/guilds/{guild_id}/bans/{user_id}", _A._get_ban),
        ("PUT", "/guilds/{guild_id}/bans/{user_id}", _A._ban),
        ("DELETE", "/guilds/{guild_id}/bans/{user_id}", _A._unban),
        ("GET", "/guilds/{guild_id}", incidents.get_guild),
        ("PUT", "/guilds/{guild_id}/incident-actions", incidents.modify_incident_actions),
        ("GET", "/guilds/{guild_id}/auto-moderation/rules", _A._list_rules),
        ("POST", "/guilds/{guild_id}/auto-moderation/rules", _A._create_rule),
        ("GET", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._get_rule),
        ("PATCH", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._edit_rule),
        ("DELETE", "/guilds/{guild_id}/auto-moderation/rules/{rule_id}", _A._delete_rule),
        ("GET", "/applications/{application_id}/commands", _A._list_commands),
        ("PUT", "/applications/{application_id}/commands", _A._overwrite_commands),
        ("POST", "/applications/{application_id}/commands", _A._create_command),
        ("GET", "/applications/{application_id}/commands/{command_id}", _A._get_command),
        ("PATCH", "/applications/{application_id}/commands/{command_id}", _A._edit_command),
        ("DELETE", "/applications/{application_id}/commands/{command_id}", _A._delete_command),
        ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", _A._list_commands),
        (
            "PUT",
            "/applications/{application_id}/guilds/{guild_id}/commands",
            _A._overwrite_commands,
        ),
        ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", _A._create_command),
        (
            "GET",
            "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
            _A._command_permissions,
        ),
        (
            "GET",
            "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
            _A._get_command,
        ),
        (
            "PATCH",
            "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
            _A._edit_command,
        ),
        (
            "DELETE",
            "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
            _A._delete_command,
        ),
    )
    + _routes(
        (
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            interactions.callback,
        ),
        bot_token=False,
        bucketed=False,
    )
    + _routes(
        ("POST", "/webhooks/{application_id}/{interaction_token}", interactions.create_followup),
        ("GET", _WEBHOOK_MESSAGE, interactions.get_message),
        ("PATCH", _WEBHOOK_MESSAGE, interactions.edit_message),
        ("DELETE", _WEBHOOK_MESSAGE, interactions.delete_message),
        bot_token=False,
    )
)
del _A


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    """The route answering ``method path`` and its placeholder values, or ``(None, {})``."""
    for route in ROUTES:
        if route.method == method and (m := route.regex.fullmatch(path)):
            return route, m.groupdict()
    return None, {}
