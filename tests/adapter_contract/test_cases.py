"""A flood through the library's real client is one case: its violation, every action with
its outcome as Discord answered, the excerpts defused; a refused request is in the case
with Discord's error; the scheduled unban moves the case's undo state."""

from __future__ import annotations

import typing

from spamguard.core.cases import CaseChange, UndoState

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import LibraryHarness

    from spamguard.core import Policy
    from spamguard.core.cases import CaseUpdate


async def test_a_thirty_message_flood_is_one_case_with_its_actions_and_outcomes(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TIMEOUT", duration=60, clean=True)) as g:
        updates: list[CaseUpdate] = []
        g.protection.runtime.cases.subscribe(updates.append)
        sent = [await g.send(content=f"@everyone free nitro {i}") for i in range(30)]
        guild, channel, alice = g.world.guild_id, g.world.general.id, g.world.alice.id

        (case,) = await g.protection.cases(guild, alice)
        assert case == await g.protection.case(guild, case.number)
        assert case.number == 1
        assert (case.guild_id, case.user_id, case.punishment) == (guild, alice, "TIMEOUT")
        (violation,) = case.violations
        assert (violation.check, violation.limit, violation.interval) == ("max_messages", 3, 10)
        assert violation.count >= 3
        timeouts = [a for a in case.actions if a.kind == "timeout"]
        assert [(a.ok, a.failure) for a in timeouts] == [(True, None)]
        assert timeouts[0].summary.startswith("timeout until ")
        deletions = [a for a in case.actions if a.kind == "delete"]
        assert all(a.ok and a.channel_id == channel for a in deletions)
        assert sum(a.count for a in deletions) == 30
        assert {int(m["id"]) for m in sent} <= set(case.message_ids)
        assert case.channel_ids == (channel,)
        # From the message that fired first (the third) on: each plan's own message.
        assert case.excerpts[0] == "@\u200beveryone free nitro 2"
        assert len(case.excerpts) == 5
        assert case.undo is UndoState.NONE  # Discord lifts a timeout by itself
        assert updates[0].change is CaseChange.OPENED
        assert all(u.change is CaseChange.UPDATED for u in updates[1:])
        assert updates[-1].case == case


async def test_a_refused_punishment_is_in_the_case_with_discords_error(
    guard: GuardFactory, policy_factory: Callable[..., Policy], library: LibraryHarness
) -> None:
    async with guard(
        policy_factory("KICK", clean=True), action_timeout=library.failure_deadline
    ) as g:
        g.api.fail("DELETE", "/guilds/{g}/members/{u}", status=403, times=None)
        await g.spam(3)

        (case,) = await g.protection.cases(g.world.guild_id, g.world.alice.id)
        (kick,) = [a for a in case.actions if a.kind == "kick"]
        assert (kick.ok, kick.failure) == (False, str(library.failure_kind(403)))
        assert kick.detail
        assert [a.ok for a in case.actions if a.kind == "delete"] == [True]


async def test_the_scheduled_unban_moves_the_cases_undo_state(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TEMPBAN", duration=60, clean=True)) as g:
        await g.spam(3)
        guild, alice = g.world.guild_id, g.world.alice.id
        (case,) = await g.protection.cases(guild, alice)
        assert case.undo is UndoState.SCHEDULED
        assert case.undo_at is not None

        g.clock.advance(61)
        assert await g.protection.runtime.run_due() == 1
        assert g.calls()[-1] == ("DELETE", f"/guilds/{guild}/bans/{alice}")
        undone = await g.protection.case(guild, case.number)
        assert undone is not None
        assert undone.undo is UndoState.DONE
