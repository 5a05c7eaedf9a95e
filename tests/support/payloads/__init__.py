"""Real Discord gateway payloads (API v10), as the gateway sends them, in six modules:

* `values`: small frozen values (`User`, `Member`, `Role`, `Channel`, `Guild`,
  `Permission`, snowflakes) whose ``payload()`` methods render the wire objects;
* `events`: builders of gateway events (`ready`, `guild_create`, `message_create`,
  `message_update`, `automod_action_execution`) and seeded REST objects, taking
  everything as parameters;
* `forwards`: a forward's ``message_snapshots`` entries (`message_snapshot`; pass them
  to `message_create`'s ``message_snapshots``) and its ``message_reference``;
* `interactions`: INTERACTION_CREATE for slash commands (`application_command`, typed
  options built by `option`) and the permissions Discord computes for them
  (`channel_permissions`);
* `members`: GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE (`guild_member_add`,
  `guild_member_remove`) and `newcomer`, a fresh account joining;
* `world`: `build_world`, a ready-made moderation guild with shortcut methods, so a test
  reads ``world.message(author=world.alice, content="hi")``.

Tests use the package as one namespace (``payloads.build_world()``,
``payloads.Member``); the names below are the modules' own.
"""

from __future__ import annotations

__all__ = (
    "ALL_PERMISSIONS",
    "DISCORD_EPOCH_MS",
    "EVERYONE_PERMISSIONS",
    "HAS_SNAPSHOT",
    "MUTED_DENY",
    "Channel",
    "ChannelType",
    "Guild",
    "GuildWorld",
    "Member",
    "Option",
    "OptionType",
    "Overwrite",
    "Permission",
    "Role",
    "User",
    "application_command",
    "attachment",
    "automod_action_execution",
    "automod_rule",
    "avatar_hash",
    "build_world",
    "channel_permissions",
    "embed",
    "forward_reference",
    "guild_create",
    "guild_member_add",
    "guild_member_remove",
    "interaction_token",
    "message_create",
    "message_snapshot",
    "message_update",
    "newcomer",
    "option",
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
from .interactions import (
    ALL_PERMISSIONS,
    Option,
    OptionType,
    application_command,
    channel_permissions,
    interaction_token,
    option,
)
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
