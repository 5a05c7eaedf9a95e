"""hikari's member cache: members it has not cached are fetched for the hierarchy check,
and one who left is banned all the same (the shared refusal rules are in
tests/adapter_contract/test_hierarchy.py)."""

from __future__ import annotations

import typing

import hikari

from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support import payloads

    from spamguard.core import Policy

    from .conftest import GuardedFactory


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
        assert g.harness.bot.cache.get_member(world.guild_id, world.alice.id) is None
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
