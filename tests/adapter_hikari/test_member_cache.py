"""hikari's member cache: a member it has not cached is read from the message that led to
the punishment, else fetched for the hierarchy check, and one who left is banned all the
same (the shared refusal rules are in tests/adapter_contract/test_hierarchy.py)."""

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


async def test_the_author_comes_from_the_message_and_the_bot_member_is_fetched(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guarded(
        policy_factory(punishment="KICK"), cache_settings=_without_member_cache()
    ) as g:
        assert g.harness.bot.cache.get_member(world.guild_id, world.alice.id) is None
        for author in (world.alice, world.bob):
            for i in range(3):
                await g.send(author=author, content=f"spam {i}")

        # Their roles came with their messages; nothing showed the bot's own member: it is
        # fetched once, and the next punishment uses what the fetch showed.
        assert [(r.method, r.path) for r in g.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/members/{world.bot.id}"),
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.alice.id}"),
            ("DELETE", f"/guilds/{world.guild_id}/members/{world.bob.id}"),
        ]


async def test_uncached_administrator_is_still_refused(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory(punishment="BAN", exempt_admins=False)
    async with guarded(policy, cache_settings=_without_member_cache()) as g:
        for i in range(3):
            await g.send(author=world.admin, content=f"spam {i}")

        # Refused on the administrator's roles as the message showed them: no request.
        assert g.api.requests == ()
        (refused,) = g.recorder.failed()
        assert refused.failure is FailureKind.HIERARCHY


async def test_ban_of_a_user_who_already_left_goes_ahead(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guarded(
        policy_factory(punishment="BAN"), cache_settings=_without_member_cache()
    ) as g:
        # Alice left after her messages: Discord answers 404 Unknown Member for her.
        g.api.members.pop((world.guild_id, world.alice.id))
        for i in range(3):
            await g.send(content=f"spam {i}")

        # Her messages showed her roles: checked against the bot's (fetched), then banned.
        assert [(r.method, r.path, r.status) for r in g.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/members/{world.bot.id}", 200),
            ("PUT", f"/guilds/{world.guild_id}/bans/{world.alice.id}", 204),
        ]
