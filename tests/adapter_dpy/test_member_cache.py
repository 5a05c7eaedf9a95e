"""discord.py's, nextcord's and disnake's member cache: a member GUILD_CREATE did not list is read from
the message that led to the punishment, not looked up (the shared refusal rules are in
tests/adapter_contract/test_hierarchy.py)."""

from __future__ import annotations

from adapter_dpy.dpy_world import make_policy, protected_bot
from support import payloads


async def test_a_member_missing_from_the_cache_is_read_from_the_message_not_fetched() -> None:
    world = payloads.build_world()
    # dave posts but GUILD_CREATE did not list him (a large guild without a member chunk).
    dave = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(world.alice.joined_at, increment=77), username="dave"
        ),
        joined_at=world.alice.joined_at,
    )
    async with protected_bot(make_policy("KICK", clean=False), world=world) as p:
        for i in range(3):
            await p.harness.dispatch(
                "MESSAGE_CREATE",
                payloads.message_create(
                    channel_id=world.general.id,
                    author=dave,
                    guild_id=world.guild_id,
                    content=f"hi {i}",
                ),
            )
        g = world.guild_id
        # The gateway delivered dave's member (roles) with each message: no GET for him.
        assert p.calls() == [("DELETE", f"/guilds/{g}/members/{dave.id}")]
