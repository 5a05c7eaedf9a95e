"""Builders of gateway events (READY, GUILD_CREATE, MESSAGE_CREATE, MESSAGE_UPDATE,
AUTO_MODERATION_ACTION_EXECUTION) and of the REST objects a test seeds (AutoMod rules,
attachments, embeds), from the values in `values`.

Every builder returns a fresh plain ``dict`` in wire format (snowflakes as strings,
ISO 8601 timestamps, permissions as decimal strings), so the same payload can be fed to
hikari's raw-event consumers and to nextcord's or disnake's ``ConnectionState.parsers``.
"""

from __future__ import annotations

__all__ = (
    "attachment",
    "automod_action_execution",
    "automod_rule",
    "embed",
    "guild_create",
    "message_create",
    "message_update",
    "ready",
    "sticker_item",
)

import typing

from .forwards import HAS_SNAPSHOT, forward_reference
from .values import (
    Member,
    User,
    id_strings,
    snowflake,
    snowflake_time,
    timestamp,
    to_millisecond,
    utc_now,
)

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping, Sequence

    from .values import JSON, Guild


def ready(
    *,
    user: User,
    guild_ids: Iterable[int],
    application_id: int | None = None,
    session_id: str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    shard: tuple[int, int] = (0, 1),
) -> JSON:
    """READY: the bot's own user and its guilds, all still unavailable."""
    me = user.payload() | {"verified": True, "mfa_enabled": False, "email": None, "bot": True}
    return {
        "v": 10,
        "user": me,
        "user_settings": {},
        "session_type": "normal",
        "session_id": session_id,
        "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg",
        "relationships": [],
        "private_channels": [],
        "presences": [],
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east", "us-central", "atlanta", "us-south", "us-west"],
        "application": {"id": str(application_id or user.id), "flags": 565248},
        "auth": {},
        "shard": list(shard),
        "_trace": ['["gateway-prd-us-east1-b-0000",{"micros":1000}]'],
    }


def guild_create(
    guild: Guild,
    *,
    joined_at: datetime.datetime | None = None,
    unavailable: bool | None = False,
    large: bool = False,
) -> JSON:
    """GUILD_CREATE for ``guild``.

    ``unavailable=False`` is what follows READY (libraries report "guild available");
    ``None`` omits the field, which is what a fresh join looks like.
    ``member_count`` equals the number of members sent, so libraries consider the guild
    fully chunked and never ask the (absent) gateway for more members.
    """
    out = guild.payload() | {
        "joined_at": timestamp(joined_at or snowflake_time(guild.id)),
        "large": large,
        "member_count": len(guild.members),
        "members": [m.payload() for m in guild.members],
        "channels": [c.payload(guild.id) for c in guild.channels],
        "threads": [t.payload(guild.id) for t in guild.threads],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
        "activity_instances": [],
        "application_command_counts": {},
        "lazy": True,
        "version": 1_700_000_000_000,
    }
    if unavailable is not None:
        out["unavailable"] = unavailable
    return out


def attachment(
    filename: str = "image.png",
    *,
    attachment_id: int | None = None,
    size: int = 12_345,
    content_type: str | None = "image/png",
    width: int | None = 640,
    height: int | None = 480,
    channel_id: int = 0,
) -> JSON:
    """An attachment object (CDN URLs point at cdn.discordapp.com but are never fetched)."""
    aid = attachment_id or snowflake(utc_now())
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{filename}"
    out: JSON = {
        "id": str(aid),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": content_type,
    }
    if width is not None and height is not None:
        out |= {
            "width": width,
            "height": height,
            "placeholder": "2/gFBQAy+I9ed4h3d3d3d3eHiHcAAAAAAA==",
            "placeholder_version": 1,
        }
    return out


def sticker_item(
    name: str = "wave", *, sticker_id: int | None = None, format_type: int = 1
) -> JSON:
    """A sticker item (``sticker_items`` entry); format 1 PNG, 2 APNG, 3 LOTTIE, 4 GIF."""
    return {"id": str(sticker_id or snowflake(utc_now())), "name": name, "format_type": format_type}


def embed(
    *,
    title: str | None = None,
    description: str | None = None,
    url: str | None = None,
    kind: str = "rich",
    color: int | None = None,
) -> JSON:
    """An embed object (``kind`` is the embed ``type``: rich, link, image, video...)."""
    out: JSON = {"type": kind}
    for key, value in (
        ("title", title),
        ("description", description),
        ("url", url),
        ("color", color),
    ):
        if value is not None:
            out[key] = value
    return out


def _mention(target: Member | User) -> JSON:
    if isinstance(target, Member):
        return target.user.payload() | {"member": target.partial_payload()}
    return target.payload()


def _message(
    *,
    channel_id: int,
    author: Member | User,
    content: str,
    guild_id: int | None,
    created_at: datetime.datetime | None,
    message_id: int | None,
    mentions: Sequence[Member | User],
    mention_roles: Sequence[int],
    mention_everyone: bool,
    attachments: Sequence[Mapping[str, typing.Any]],
    embeds: Sequence[Mapping[str, typing.Any]],
    sticker_items: Sequence[Mapping[str, typing.Any]],
    message_snapshots: Sequence[typing.Any] = (),
    edited_at: datetime.datetime | None,
    message_type: int,
    flags: int,
    tts: bool,
    nonce: str | None,
    webhook_id: int | None,
    position: int | None,
) -> JSON:
    # Discord's timestamp is the snowflake's instant, which has millisecond precision.
    created = to_millisecond(created_at or utc_now())
    user = author.user if isinstance(author, Member) else author
    out: JSON = {
        "type": message_type,
        "tts": tts,
        "timestamp": timestamp(created),
        "pinned": False,
        "mentions": [_mention(m) for m in mentions],
        "mention_roles": id_strings(mention_roles),
        "mention_everyone": mention_everyone,
        "id": str(message_id or snowflake(created)),
        "flags": flags,
        "embeds": [dict(e) for e in embeds],
        "edited_timestamp": timestamp(edited_at) if edited_at else None,
        "content": content,
        "components": [],
        "channel_id": str(channel_id),
        "author": user.payload(),
        "attachments": [dict(a) for a in attachments],
    }
    if sticker_items:
        out["sticker_items"] = [dict(s) for s in sticker_items]
    if message_snapshots:
        # Entries as given (a test may pass malformed ones), behind a forward's reference.
        out["message_snapshots"] = list(message_snapshots)
        out["message_reference"] = forward_reference(channel_id=channel_id, guild_id=guild_id)
        out["flags"] = flags | HAS_SNAPSHOT
    if nonce is not None:
        out["nonce"] = nonce
    if webhook_id is not None:
        out["webhook_id"] = str(webhook_id)
    if position is not None:
        out["position"] = position
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
        if isinstance(author, Member):
            out["member"] = author.partial_payload()
    return out


def message_create(
    *,
    channel_id: int,
    author: Member | User,
    content: str = "",
    guild_id: int | None = None,
    created_at: datetime.datetime | None = None,
    message_id: int | None = None,
    mentions: Sequence[Member | User] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    attachments: Sequence[Mapping[str, typing.Any]] = (),
    embeds: Sequence[Mapping[str, typing.Any]] = (),
    sticker_items: Sequence[Mapping[str, typing.Any]] = (),
    message_snapshots: Sequence[typing.Any] = (),
    message_type: int = 0,
    flags: int = 0,
    tts: bool = False,
    nonce: str | None = None,
    webhook_id: int | None = None,
    position: int | None = None,
) -> JSON:
    """MESSAGE_CREATE.

    Pass a `Member` as ``author`` (with ``guild_id``) for a guild message: the payload
    then carries the partial ``member`` as Discord's does. ``mentions`` entries that are
    members carry their partial member too. ``message_id`` defaults to a snowflake of
    ``created_at`` (default: now). ``position`` is set by Discord for messages in threads.
    ``message_snapshots`` (`message_snapshot` entries) makes it a forward: Discord adds
    the forward's ``message_reference`` and the HAS_SNAPSHOT flag.
    """
    return _message(
        channel_id=channel_id,
        author=author,
        content=content,
        guild_id=guild_id,
        created_at=created_at,
        message_id=message_id,
        mentions=mentions,
        mention_roles=mention_roles,
        mention_everyone=mention_everyone,
        attachments=attachments,
        embeds=embeds,
        sticker_items=sticker_items,
        message_snapshots=message_snapshots,
        edited_at=None,
        message_type=message_type,
        flags=flags,
        tts=tts,
        nonce=nonce,
        webhook_id=webhook_id,
        position=position,
    )


def message_update(
    *,
    message_id: int,
    channel_id: int,
    author: Member | User,
    content: str,
    guild_id: int | None = None,
    created_at: datetime.datetime | None = None,
    edited_at: datetime.datetime | None = None,
    mentions: Sequence[Member | User] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    attachments: Sequence[Mapping[str, typing.Any]] = (),
    embeds: Sequence[Mapping[str, typing.Any]] = (),
    sticker_items: Sequence[Mapping[str, typing.Any]] = (),
    flags: int = 0,
) -> JSON:
    """MESSAGE_UPDATE for an edit: the full message with ``edited_timestamp`` set.

    ``created_at`` defaults to the time in ``message_id``; ``edited_at`` to now.
    """
    return _message(
        channel_id=channel_id,
        author=author,
        content=content,
        guild_id=guild_id,
        created_at=created_at or snowflake_time(message_id),
        message_id=message_id,
        mentions=mentions,
        mention_roles=mention_roles,
        mention_everyone=mention_everyone,
        attachments=attachments,
        embeds=embeds,
        sticker_items=sticker_items,
        edited_at=edited_at or utc_now(),
        message_type=0,
        flags=flags,
        tts=False,
        nonce=None,
        webhook_id=None,
        position=None,
    )


def automod_action_execution(
    *,
    guild_id: int,
    rule_id: int,
    user_id: int,
    content: str,
    matched_keyword: str | None = None,
    matched_content: str | None = None,
    channel_id: int | None = None,
    message_id: int | None = None,
    alert_system_message_id: int | None = None,
    action_type: int = 1,
    action_metadata: Mapping[str, typing.Any] | None = None,
    trigger_type: int = 1,
) -> JSON:
    """AUTO_MODERATION_ACTION_EXECUTION.

    ``action_type``: 1 BLOCK_MESSAGE, 2 SEND_ALERT_MESSAGE (metadata ``channel_id``),
    3 TIMEOUT (metadata ``duration_seconds``), 4 BLOCK_MEMBER_INTERACTION.
    ``trigger_type``: 1 KEYWORD, 3 SPAM, 4 KEYWORD_PRESET, 5 MENTION_SPAM, 6 MEMBER_PROFILE.
    """
    out: JSON = {
        "guild_id": str(guild_id),
        "action": {"type": action_type, "metadata": dict(action_metadata or {})},
        "rule_id": str(rule_id),
        "rule_trigger_type": trigger_type,
        "user_id": str(user_id),
        "content": content,
        "matched_keyword": matched_keyword,
        "matched_content": matched_content,
    }
    for key, value in (
        ("channel_id", channel_id),
        ("message_id", message_id),
        ("alert_system_message_id", alert_system_message_id),
    ):
        if value is not None:
            out[key] = str(value)
    return out


def automod_rule(
    *,
    rule_id: int,
    guild_id: int,
    creator_id: int,
    name: str = "Block spam",
    trigger_type: int = 1,
    trigger_metadata: Mapping[str, typing.Any] | None = None,
    actions: Sequence[Mapping[str, typing.Any]] = ({"type": 1, "metadata": {}},),
    enabled: bool = True,
    exempt_roles: Sequence[int] = (),
    exempt_channels: Sequence[int] = (),
    event_type: int = 1,
) -> JSON:
    """An auto moderation rule object (what the REST API returns)."""
    metadata: dict[str, typing.Any] = {"keyword_filter": [], "regex_patterns": [], "allow_list": []}
    if trigger_type == 5:
        metadata = {"mention_total_limit": 5, "mention_raid_protection_enabled": False}
    elif trigger_type == 4:
        metadata = {"presets": [], "allow_list": []}
    elif trigger_type == 3:
        metadata = {}
    return {
        "id": str(rule_id),
        "guild_id": str(guild_id),
        "name": name,
        "creator_id": str(creator_id),
        "event_type": event_type,
        "trigger_type": trigger_type,
        "trigger_metadata": metadata | dict(trigger_metadata or {}),
        "actions": [dict(a) for a in actions],
        "enabled": enabled,
        "exempt_roles": id_strings(exempt_roles),
        "exempt_channels": id_strings(exempt_channels),
        "position": 0,
    }
