"""A moderator's pardon, through the library's real REST client: what spamguard did and
still holds is undone by the requests Discord expects, its scheduled undo never runs, the
member starts again from nothing and its cases say who pardoned it."""

from __future__ import annotations

import typing

from spamguard.moderation import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support import payloads

    from spamguard.core import Policy

PARDON_REASON = "spamguard: pardoned by moderator {}"


async def test_a_pardon_ends_the_timeout_and_resets_the_ladder(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guard(policy_factory("TIMEOUT", duration=600)) as g:
        await g.spam(3)
        guild, alice, mod = world.guild_id, world.alice.id, world.moderator.id
        member_path = f"/guilds/{guild}/members/{alice}"
        assert g.calls() == [("PATCH", member_path)]
        assert g.api.members[(guild, alice)]["communication_disabled_until"] is not None

        answer = await Moderation(g.protection).pardon(guild, alice, moderator_id=mod)

        assert answer.ok, answer.text
        lifted = g.requests[1:]
        assert [(r.method, r.path, r.json, r.reason) for r in lifted] == [
            (
                "PATCH",
                member_path,
                {"communication_disabled_until": None},
                PARDON_REASON.format(mod),
            )
        ]
        assert g.api.members[(guild, alice)]["communication_disabled_until"] is None
        assert "timeout ended: done" in answer.text
        (case,) = await g.protection.cases(guild, alice)
        assert case.pardoned_by == mod
        assert answer.data["cases"] == [case.number]
        # The ladder starts again: the next three messages are a first offence, not a second.
        assert g.protection.guard.member_counters(guild, alice)["violations"] == 0
        g.clock.advance(60)
        await g.spam(2)
        assert len(g.requests) == 2  # two messages: no violation yet


async def test_a_pardon_lifts_a_tempban_and_its_scheduled_unban_never_runs(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guard(policy_factory("TEMPBAN", duration=60)) as g:
        await g.spam(3)
        guild, alice, mod = world.guild_id, world.alice.id, world.moderator.id
        ban_path = f"/guilds/{guild}/bans/{alice}"
        assert (guild, alice) in g.api.bans

        answer = await Moderation(g.protection).pardon(guild, alice, moderator_id=mod)

        assert answer.ok, answer.text
        assert [(r.method, r.path, r.reason) for r in g.requests[1:]] == [
            ("DELETE", ban_path, PARDON_REASON.format(mod))
        ]
        assert (guild, alice) not in g.api.bans
        assert len(answer.data["cancelled"]) == 1
        g.clock.advance(120)
        assert await g.run_due() == 0
        assert len(g.requests) == 2


async def test_a_pardon_takes_the_mute_role_back_at_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory("TEMPMUTE", duration=600, mute_role_id=world.muted_role.id)
    async with guard(policy) as g:
        await g.spam(3)
        guild, alice, mod = world.guild_id, world.alice.id, world.moderator.id
        role_path = f"/guilds/{guild}/members/{alice}/roles/{world.muted_role.id}"

        answer = await Moderation(g.protection).pardon(guild, alice, moderator_id=mod)

        assert answer.ok, answer.text
        assert [(r.method, r.path, r.reason) for r in g.requests[1:]] == [
            ("DELETE", role_path, PARDON_REASON.format(mod))
        ]
        assert str(world.muted_role.id) not in g.api.members[(guild, alice)]["roles"]
        g.clock.advance(601)
        assert await g.run_due() == 0


async def test_a_pardon_for_a_member_with_no_case_sends_nothing_and_says_so(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    async with guard(policy_factory("TIMEOUT")) as g:
        answer = await Moderation(g.protection).pardon(
            world.guild_id, world.bob.id, moderator_id=world.moderator.id
        )
        assert not answer.ok
        assert "has no case in this server" in answer.text
        assert answer.data["found"] is False
        assert g.requests == ()
