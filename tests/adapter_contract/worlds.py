"""Guilds for the hierarchy tests: the standard world plus members level with and above
the bot. Not collected (no ``test_`` prefix)."""

from __future__ import annotations

__all__ = ("Hierarchy", "hierarchy_world")

import dataclasses

from support import payloads


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Hierarchy:
    """`hierarchy_world`'s guild and who is where in it."""

    world: payloads.GuildWorld
    """The standard world; the bot also holds "Staff", its new top role (position 5)."""
    sam: payloads.Member
    """Holds "Senior" (position 6): above the bot."""
    pat: payloads.Member
    """Holds "Staff" (position 5): level with the bot."""
    senior: payloads.Role
    """The "Senior" role, above the bot's top role."""


def hierarchy_world() -> Hierarchy:
    """The standard world plus a "Senior" role above the bot's and a "Staff" role the bot
    shares as its top role, each held by one member."""
    world = payloads.build_world()
    base = payloads.snowflake_time(world.guild.channels[0].id)
    staff = payloads.Role(
        id=payloads.snowflake(base, increment=101), name="Staff", permissions=0, position=5
    )
    senior = payloads.Role(
        id=payloads.snowflake(base, increment=102), name="Senior", permissions=0, position=6
    )
    sam = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(base, increment=103), username="sam", global_name="Sam"
        ),
        joined_at=base,
        role_ids=(senior.id,),
    )
    pat = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(base, increment=104), username="pat", global_name="Pat"
        ),
        joined_at=base,
        role_ids=(staff.id,),
    )
    bot = dataclasses.replace(world.bot, role_ids=(*world.bot.role_ids, staff.id))
    members = tuple(bot if m.id == bot.id else m for m in world.guild.members)
    guild = dataclasses.replace(
        world.guild, roles=(*world.guild.roles, staff, senior), members=(*members, sam, pat)
    )
    return Hierarchy(
        world=dataclasses.replace(world, guild=guild, bot=bot), sam=sam, pat=pat, senior=senior
    )
