"""The owner, administrators and members not below the bot are never acted on."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import typing

import hikari
import pytest
from support import payloads

from spamguard.core import FailureKind, RemoveRole

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy

    from .conftest import Guarded, GuardedFactory


def _senior_world(world: payloads.GuildWorld) -> payloads.GuildWorld:
    """``world`` where bob holds a "Senior" role above the bot's (position 5 > 4)."""
    senior = payloads.Role(
        id=payloads.snowflake(datetime.datetime(2023, 3, 15, tzinfo=datetime.UTC), increment=7),
        name="Senior",
        permissions=payloads.EVERYONE_PERMISSIONS,
        position=5,
    )
    bob = dataclasses.replace(world.bob, role_ids=(senior.id,))
    members = tuple(bob if m.id == bob.id else m for m in world.guild.members)
    guild = dataclasses.replace(world.guild, roles=(*world.guild.roles, senior), members=members)
    return dataclasses.replace(world, guild=guild, bob=bob)


def _failed_notice(g: Guarded, member: payloads.Member, name: str) -> tuple[str, str, typing.Any]:
    return (
        "POST",
        f"/channels/{g.world.general.id}/messages",
        {
            "content": f"I could not punish {name} ({member.id}): max_messages.",
            "allowed_mentions": {"parse": [], "users": [str(member.id)]},
        },
    )


@pytest.mark.parametrize(
    ("who", "name", "because"),
    [
        ("owner", "Olivia", "owns guild"),
        ("admin", "Adam", "is an administrator"),
    ],
)
@pytest.mark.parametrize("punishment", ["TIMEOUT", "KICK", "BAN"])
async def test_owner_and_administrators_are_refused_with_the_opt_in_failure_notice(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    world: payloads.GuildWorld,
    who: str,
    name: str,
    because: str,
    punishment: str,
) -> None:
    member: payloads.Member = getattr(world, who)
    policy = policy_factory(
        punishment=punishment, exempt_admins=False, notices={"failed_in_channel": True}
    )
    async with guarded(policy) as g:
        for i in range(3):
            await g.send(author=member, content=f"spam {i}")

        # No request against the member: only the "failed to punish" notice.
        assert [(r.method, r.path, r.json) for r in g.api.requests] == [
            _failed_notice(g, member, name)
        ]
        (refused,) = g.recorder.failed()
        assert refused.action.kind == punishment.lower()
        assert refused.failure is FailureKind.HIERARCHY
        assert because in refused.detail


async def test_member_whose_top_role_is_not_below_the_bots_is_refused_and_it_is_only_logged(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    world: payloads.GuildWorld,
    caplog: pytest.LogCaptureFixture,
) -> None:
    senior_world = _senior_world(world)
    async with guarded(policy_factory(punishment="TIMEOUT"), the_world=senior_world) as g:
        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            for i in range(3):
                await g.send(author=senior_world.bob, content=f"spam {i}")

        # No request at all: by default the failure is not announced where the spammer
        # reads it, but logged.
        assert g.api.requests == ()
        (logged,) = [r for r in caplog.records if "could not punish" in r.getMessage()]
        assert logged.levelno == logging.WARNING
        assert f"member {senior_world.bob.id} of guild {world.guild_id}" in logged.getMessage()
        (refused,) = g.recorder.failed()
        assert refused.failure is FailureKind.HIERARCHY
        assert "position 5) is not below the bot's top role (position 4)" in refused.detail


async def test_mute_role_not_below_the_bots_top_role_is_refused(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory(punishment="MUTE", mute_role_id=world.bot_role.id)
    async with guarded(policy) as g:
        for i in range(3):
            await g.send(content=f"spam {i}")

        assert g.api.requests == ()
        (refused,) = g.recorder.failed()
        assert refused.action.kind == "add_role"
        assert refused.failure is FailureKind.HIERARCHY
        assert f"role {world.bot_role.id} (position 4) is not below" in refused.detail


async def test_member_below_the_bot_is_punished(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    # The moderator's role (position 2) is below the bot's (4); manage-messages would
    # exempt him, so exemptions are off here.
    async with guarded(policy_factory(punishment="KICK", exempt_admins=False)) as g:
        for i in range(3):
            await g.send(author=world.moderator, content=f"spam {i}")

        assert [(r.method, r.path) for r in g.api.requests] == [
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.moderator.id}")
        ]
        assert g.recorder.failed() == []


async def test_the_failure_notice_itself_expires(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory(
        punishment="KICK", exempt_admins=False, notices={"failed_in_channel": True}
    )
    async with guarded(policy) as g:
        for i in range(3):
            await g.send(author=world.owner, content=f"spam {i}")
        ((_, notice_id),) = g.api.messages

        g.clock.advance(30)
        assert await g.run_due() == 1

        assert (g.api.requests[-1].method, g.api.requests[-1].path) == (
            "DELETE",
            f"/channels/{world.general.id}/messages/{notice_id}",
        )


def _without_member_cache() -> hikari.impl.CacheSettings:
    return hikari.impl.CacheSettings(
        components=hikari.api.CacheComponents.ALL & ~hikari.api.CacheComponents.MEMBERS
    )


async def test_members_missing_from_the_cache_are_fetched_for_the_check(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guarded(
        policy_factory(punishment="KICK"), cache_settings=_without_member_cache()
    ) as g:
        assert g.bot.cache.get_member(world.guild_id, world.alice.id) is None
        for i in range(3):
            await g.send(content=f"spam {i}")

        assert [(r.method, r.path) for r in g.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/members/{world.alice.id}"),
            ("GET", f"/guilds/{world.guild_id}/members/{world.bot.id}"),
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}"),
        ]


async def test_uncached_administrator_is_still_refused(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory(punishment="BAN", exempt_admins=False)
    async with guarded(policy, cache_settings=_without_member_cache()) as g:
        for i in range(3):
            await g.send(author=world.admin, content=f"spam {i}")

        assert [(r.method, r.route) for r in g.api.requests] == [
            ("GET", "/guilds/{guild_id}/members/{user_id}"),
        ]
        (refused,) = g.recorder.failed()
        assert refused.failure is FailureKind.HIERARCHY


async def test_ban_of_a_user_who_already_left_goes_ahead(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guarded(
        policy_factory(punishment="BAN"), cache_settings=_without_member_cache()
    ) as g:
        # Alice left: Discord answers 404 Unknown Member for her.
        g.api.members.pop((world.guild_id, world.alice.id))
        for i in range(3):
            await g.send(content=f"spam {i}")

        assert [(r.method, r.path, r.status) for r in g.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/members/{world.alice.id}", 404),
            ("PUT", f"/guilds/{world.guild_id}/bans/{world.alice.id}", 204),
        ]


async def test_a_refused_tempmute_never_removes_the_mute_role(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    senior_world = _senior_world(world)
    policy = policy_factory(punishment="TEMPMUTE", duration=60, mute_role_id=world.muted_role.id)
    async with guarded(policy, the_world=senior_world) as g:
        for i in range(3):
            await g.send(author=senior_world.bob, content=f"spam {i}")
        (refused,) = g.recorder.failed()
        assert (refused.action.kind, refused.failure) == ("add_role", FailureKind.HIERARCHY)

        g.clock.advance(3600)
        assert await g.run_due() == 0
        # The role was never given: nothing to take back, ever.
        assert g.api.requests == ()


async def test_a_role_removal_is_refused_for_a_member_above_the_bot(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    senior_world = _senior_world(world)
    async with guarded(policy_factory(), the_world=senior_world) as g:
        removal = RemoveRole(
            guild_id=world.guild_id, user_id=senior_world.bob.id, role_id=world.muted_role.id
        )
        outcome = await g.protection.runtime.run_action(removal, guild_id=world.guild_id)

        assert (outcome.ok, outcome.failure) == (False, FailureKind.HIERARCHY)
        assert "position 5) is not below the bot's top role (position 4)" in outcome.detail
        assert g.api.requests == ()
