"""Real Discord gateway payloads (API v10), as the gateway sends them, in five modules:

* `values`: small frozen values (`User`, `Member`, `Role`, `Channel`, `Guild`,
  `Permission`, snowflakes) whose ``payload()`` methods render the wire objects;
* `events`: builders of gateway events (`ready`, `guild_create`, `message_create`,
  `message_update`, `automod_action_execution`) and seeded REST objects, taking
  everything as parameters;
* `forwards`: a forward's ``message_snapshots`` entries (`message_snapshot`; pass them
  to `message_create`'s ``message_snapshots``) and its ``message_reference``;
* `members`: GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE (`guild_member_add`,
  `guild_member_remove`) and `newcomer`, a fresh account joining;
* `world`: `build_world`, a ready-made moderation guild with shortcut methods, so a test
  reads ``world.message(author=world.alice, content="hi")``.

Tests use the package as one namespace (``payloads.build_world()``,
``payloads.Member``); the names below are the modules' own.
"""

from __future__ import annotations

__all__ = (
    "DISCORD_EPOCH_MS",
    "EVERYONE_PERMISSIONS",
    "HAS_SNAPSHOT",
    "MUTED_DENY",
    "Channel",
    "ChannelType",
    "Guild",
    "GuildWorld",
    "Member",
    "Overwrite",
    "Permission",
    "Role",
    "User",
    "attachment",
    "automod_action_execution",
    "automod_rule",
    "avatar_hash",
    "build_world",
    "embed",
    "forward_reference",
    "guild_create",
    "guild_member_add",
    "guild_member_remove",
    "message_create",
    "message_snapshot",
    "message_update",
    "newcomer",
    "ready",
    "snowflake",
    "snowflake_time",
    "sticker_item",
    "timestamp",
)

from .events import (
    attachment,
    automod_action_execution,
    automod_rule,
    embed,
    guild_create,
    message_create,
    message_update,
    ready,
    sticker_item,
)
from .forwards import HAS_SNAPSHOT, forward_reference, message_snapshot
from .members import guild_member_add, guild_member_remove, newcomer
from .values import (
    DISCORD_EPOCH_MS,
    EVERYONE_PERMISSIONS,
    MUTED_DENY,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    Permission,
    Role,
    User,
    snowflake,
    snowflake_time,
    timestamp,
)
from .world import GuildWorld, avatar_hash, build_world
