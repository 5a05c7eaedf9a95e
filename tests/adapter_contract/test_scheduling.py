"""Temporary punishments are undone when due, counted from when they were carried out,
once, across restarts; and only what was done is ever undone."""

from __future__ import annotations

import asyncio
import typing

import pytest
from adapter_contract.wire import REASON, delete_window
from support.discord_api import DiscordAPI, Limit, RateLimits

from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support import payloads
    from support.library_harness import LibraryHarness

    from spamguard.core import Policy

STATUSES = [403, 404, 429, 500, 503]
"""Each scripted on every attempt (see ``LibraryHarness.failure_kind``)."""


async def test_a_tempmute_adds_the_mute_role_and_removes_it_when_due(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory("TEMPMUTE", duration=60, mute_role_id=world.muted_role.id)
    async with guard(policy) as g:
        await g.spam(3)
        role_path = f"/guilds/{world.guild_id}/members/{world.alice.id}/roles/{world.muted_role.id}"

        assert [(r.method, r.path, r.json, r.reason) for r in g.requests] == [
            ("PUT", role_path, None, REASON)
        ]
        # Due 60 s after the role was given (the runtime's clock did not move since).
        g.clock.advance(59)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1
        assert [(r.method, r.path, r.json, r.reason) for r in g.requests[1:]] == [
            ("DELETE", role_path, None, "spamguard: temporary mute ended")
        ]
        roles = g.api.members[(world.guild_id, world.alice.id)]["roles"]
        assert str(world.muted_role.id) not in roles


async def test_a_tempban_is_lifted_by_an_unban_when_it_ends(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TEMPBAN", duration=60)) as g:
        await g.spam(3)
        guild, alice = g.world.guild_id, g.world.alice.id
        ban_path = f"/guilds/{guild}/bans/{alice}"
        assert (guild, alice) in g.api.bans

        g.clock.advance(59)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1

        assert [(r.method, r.path, r.reason, r.status) for r in g.requests] == [
            ("PUT", ban_path, REASON, 204),
            ("DELETE", ban_path, "spamguard: temporary ban ended", 204),
        ]
        assert delete_window(g.requests[0]) == 0
        assert (guild, alice) not in g.api.bans


async def test_a_pending_unban_survives_a_restart_through_the_store(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    world: payloads.GuildWorld,
    tmp_path: pathlib.Path,
) -> None:
    snapshot = tmp_path / "spamguard.json"
    policy = policy_factory("TEMPBAN", duration=60)
    # Two bots start within a second: twice the usual room for their start-up requests
    # (nextcord lists the application commands three times as it starts).
    limits = RateLimits(bucket=Limit(requests=10, per=1.0))
    async with DiscordAPI.for_world(world, rate_limits=limits) as api:
        store = MemoryStore(snapshot, save_interval=None)
        async with guard(policy, api=api, store=store) as g:
            await g.spam(3)
            assert [r.method for r in g.requests] == ["PUT"]
            clock = g.clock
        # The bot closed: the pending unban is on disk.
        assert snapshot.exists()
        assert (world.guild_id, world.alice.id) in api.bans
        assert not api.find("DELETE", "/guilds/{g}/bans/{u}")

        # A new process: a new bot and a new store reading the same file.
        store = MemoryStore(snapshot, save_interval=None)
        async with guard(policy, api=api, store=store, clock=clock) as g:
            assert g.requests == ()
            g.clock.advance(60)
            assert await g.run_due() == 1

            (unban,) = g.requests
            assert (unban.method, unban.path, unban.reason) == (
                "DELETE",
                f"/guilds/{world.guild_id}/bans/{world.alice.id}",
                "spamguard: temporary ban ended",
            )


async def test_the_scheduler_runs_due_actions_by_itself(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TEMPBAN", duration=60), poll_interval=0.02) as g:
        await g.spam(3)
        g.clock.advance(61)

        (unban,) = await g.api.wait_for("DELETE", "/guilds/{g}/bans/{u}", timeout=5)
        assert unban.reason == "spamguard: temporary ban ended"


async def test_a_slow_role_add_is_undone_its_whole_duration_after_it_completed_and_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory("TEMPMUTE", duration=60, mute_role_id=world.muted_role.id)
    role_path = f"/guilds/{world.guild_id}/members/{world.alice.id}/roles/{world.muted_role.id}"
    # The scheduler polls on its own, as in production.
    async with guard(policy, poll_interval=0.01) as g:
        # Discord rate-limits the role add: the library waits, then sends it again.
        g.api.fail("PUT", "/guilds/{g}/members/{u}/roles/{r}", status=429, retry_after=0.5)
        spamming = asyncio.create_task(g.spam(3))
        await g.api.wait_for("PUT", role_path)
        # The mute's whole duration passes (on the runtime's clock) during the wait.
        g.clock.advance(120)
        await spamming
        await asyncio.sleep(0.1)
        assert [(r.method, r.status) for r in g.requests] == [("PUT", 429), ("PUT", 204)]

        # Due 60 s after the add completed, not after the decision.
        g.clock.advance(59)
        await asyncio.sleep(0.1)
        assert not g.api.find("DELETE", role_path)
        g.clock.advance(1)
        await g.api.wait_for("DELETE", role_path)
        await asyncio.sleep(0.1)
        assert [(r.method, r.status) for r in g.requests] == [
            ("PUT", 429),
            ("PUT", 204),
            ("DELETE", 204),
        ]


async def test_a_tempban_after_a_start_that_failed_on_a_corrupt_snapshot_is_still_undone(
    guard: GuardFactory, policy_factory: Callable[..., Policy], tmp_path: pathlib.Path
) -> None:
    # The start with the bot fails (the snapshot is corrupt, and is kept aside); the next
    # message starts the runtime for real, so the TEMPBAN's unban is stored and runs.
    snapshot = tmp_path / "spamguard.json"
    snapshot.write_text("{corrupt")
    store = MemoryStore(snapshot, save_interval=None)
    async with guard(policy_factory("TEMPBAN", duration=60), store=store) as g:
        assert g.protection.runtime.stats.errors >= 1  # the failed start, logged
        await g.spam(3)
        assert [r.method for r in g.requests] == ["PUT"]
        assert g.protection.runtime.started
        g.clock.advance(60)
        assert await g.run_due() == 1
        assert [r.method for r in g.requests] == ["PUT", "DELETE"]
    assert [p.name.split(".corrupt-")[0] for p in tmp_path.glob("*.corrupt-*")] == [
        "spamguard.json"
    ]


async def test_a_failed_scheduled_unban_is_reported_not_raised(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TEMPBAN", duration=60)) as g:
        await g.spam(3)
        g.api.fail("DELETE", "/guilds/{g}/bans/{u}", status=503)
        g.clock.advance(60)

        assert await g.run_due() == 1
        unban = g.recorder.outcome("unban")
        assert (unban.ok, unban.failure) == (False, FailureKind.SERVER_ERROR)


@pytest.mark.parametrize("status", STATUSES)
async def test_a_tempban_that_failed_is_never_lifted(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
    status: int,
) -> None:
    # An unban for a ban that never happened could lift a moderator's ban placed since.
    async with guard(
        policy_factory("TEMPBAN", duration=60), action_timeout=library.failure_deadline
    ) as g:
        g.api.fail("PUT", "/guilds/{g}/bans/{u}", status=status, retry_after=600, times=None)
        await g.spam(3)
        ban = g.recorder.outcome("ban")
        assert (ban.ok, ban.failure) == (False, library.failure_kind(status))

        g.clock.advance(3600)
        assert await g.run_due() == 0
        assert not g.api.find("DELETE", "/guilds/{g}/bans/{u}")
        assert await g.protection.runtime.store.next_due() is None
