"""Member joins and leaves: real GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE payloads through
the library into the guard, incident actions out as real requests, and the author's join
time read from every message's member object."""

from __future__ import annotations

import dataclasses
import datetime
import typing

from support import payloads

from spamguard.core import FailureKind, hookimpl
from spamguard.core.actions import SetIncidentActions
from spamguard.core.events import MemberJoin

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import LibraryHarness

    from spamguard.core import Policy
    from spamguard.core.context import JoinContext

INCIDENTS = "/guilds/{guild_id}/incident-actions"
LOCKDOWN = datetime.timedelta(hours=1)


class Lockdown:
    """Pauses invites for an hour at every join (what a raid extension would do)."""

    @hookimpl
    def spamguard_check_member_join(
        self, join: MemberJoin, context: JoinContext
    ) -> list[SetIncidentActions]:
        return [
            SetIncidentActions(
                guild_id=join.guild_id,
                invites_disabled_until=join.joined_at + LOCKDOWN,
                dms_disabled_until=None,
                reason="spamguard: join raid",
            )
        ]


async def test_a_join_reaches_the_guard_as_a_member_join(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        w = g.world
        member = await g.join(
            "raider",
            account_age=datetime.timedelta(days=2),
            global_name="Raider",
            avatar=payloads.avatar_hash("raider"),
            role_ids=(w.muted_role.id,),
        )

        assert g.recorder.joins == [
            MemberJoin(
                guild_id=w.guild_id,
                user_id=member.id,
                joined_at=member.joined_at,
                username="raider",
                global_name="Raider",
                has_avatar=True,
                bot=False,
                role_ids=frozenset({w.muted_role.id}),
            )
        ]
        assert g.recorder.joins[0].account_created_at == member.user.created_at
        assert g.requests == ()


async def test_a_bot_without_an_avatar_joining_keeps_its_flags(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(ignore_bots=False)) as g:
        await g.join("helperbot", bot=True)

        (join,) = g.recorder.joins
        assert (join.bot, join.has_avatar, join.global_name) == (True, False, None)


async def test_a_replayed_join_is_decided_once_and_a_leave_lets_the_member_join_again(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(), plugins=[Lockdown()]) as g:
        member = await g.join("raider")
        # The gateway replays the same GUILD_MEMBER_ADD (a resumed session).
        await g.dispatch("GUILD_MEMBER_ADD", g.world.member_add(member))
        assert len(g.recorder.joins) == 1
        assert len(g.api.find("PUT", INCIDENTS)) == 1

        await g.leave(member)
        await g.join(dataclasses.replace(member, joined_at=g.clock.advance(1)))

        assert [j.user_id for j in g.recorder.joins] == [member.id, member.id]
        assert len(g.api.find("PUT", INCIDENTS)) == 2


async def test_a_leave_of_a_member_the_library_never_cached_is_no_error(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        stranger = g.world.newcomer("stranger", joined_at=g.clock.now)
        await g.dispatch("GUILD_MEMBER_REMOVE", g.world.member_remove(stranger))

        stats = g.protection.stats["runtime"]
        assert (stats["malformed"], stats["errors"]) == (0, 0)
        assert g.requests == ()


async def test_a_join_to_an_unknown_guild_counts_as_malformed(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(), plugins=[Lockdown()]) as g:
        member = g.world.newcomer("raider", joined_at=g.clock.advance(0.001))
        elsewhere = payloads.guild_member_add(member, guild_id=g.world.guild_id + 1)
        await g.dispatch("GUILD_MEMBER_ADD", elsewhere)

        assert g.protection.stats["runtime"]["malformed"] == 1
        assert g.recorder.joins == []
        assert g.requests == ()
        # Still protecting.
        await g.join("next")
        assert len(g.recorder.joins) == 1


async def test_a_join_without_a_user_object_is_dropped_without_a_crash(
    library: LibraryHarness, guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(), plugins=[Lockdown()]) as g:
        member = g.world.newcomer("raider", joined_at=g.clock.advance(0.001))
        broken = g.world.member_add(member)
        del broken["user"]
        await g.dispatch("GUILD_MEMBER_ADD", broken)

        assert g.recorder.joins == []
        assert g.requests == ()
        # hikari's own deserialiser drops it before any listener (asyncio's exception
        # handler logs it); the discord.py family's check counts it.
        expected = 0 if library.name in ("hikari", "lightbulb") else 1
        assert g.protection.stats["runtime"]["malformed"] == expected
        await g.join("next")
        assert len(g.recorder.joins) == 1


async def test_incident_actions_are_one_put_with_discords_body(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world(bot_manages_guild=True)
    async with guard(policy_factory(), world=world, plugins=[Lockdown()]) as g:
        member = await g.join("raider")

        (request,) = g.requests
        until = member.joined_at + LOCKDOWN
        assert (request.method, request.route, request.status) == ("PUT", INCIDENTS, 200)
        assert request.params == {"guild_id": str(world.guild_id)}
        assert set(request.json) == {"invites_disabled_until", "dms_disabled_until"}
        assert datetime.datetime.fromisoformat(request.json["invites_disabled_until"]) == until
        assert request.json["dms_disabled_until"] is None
        assert g.api.incidents[world.guild_id]["invites_disabled_until"] == payloads.timestamp(
            until
        )
        outcome = g.recorder.outcome("incident_actions")
        assert (outcome.ok, outcome.guild_id) == (True, world.guild_id)


async def test_incident_actions_refused_403_are_reported_and_protection_goes_on(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # The standard world's bot role lacks Manage Server: Discord answers 403.
    async with guard(policy_factory("KICK"), plugins=[Lockdown()]) as g:
        await g.join("raider")

        outcome = g.recorder.outcome("incident_actions")
        assert (outcome.ok, outcome.failure) == (False, FailureKind.FORBIDDEN)
        assert [(r.route, r.status) for r in g.requests] == [(INCIDENTS, 403)]
        assert g.api.incidents == {}

        await g.spam(3)
        assert g.calls()[-1] == ("DELETE", f"/guilds/{g.world.guild_id}/members/{g.world.alice.id}")


async def test_a_scripted_incident_actions_failure_is_classified(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world(bot_manages_guild=True)
    async with guard(policy_factory(), world=world, plugins=[Lockdown()]) as g:
        g.api.fail("PUT", "/guilds/{g}/incident-actions", status=403)
        await g.join("raider")
        await g.join("raider2")

        assert [o.failure for o in g.recorder.by_kind("incident_actions")] == [
            FailureKind.FORBIDDEN,
            None,
        ]


async def test_a_messages_author_joined_at_comes_from_its_member_object(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        await g.send(content="hello")
        newcomer = await g.join("newbie")
        await g.send(author=newcomer, content="hi all")

        first, second = g.recorder.messages
        assert first.author_joined_at == g.world.alice.joined_at
        assert second.author_joined_at == newcomer.joined_at
