"""A join raid on a real library bot: N GUILD_MEMBER_ADD payloads within seconds through the
library into ``extensions.join_raid``, and out as real requests to the Discord stand-in."""

from __future__ import annotations

import datetime
import typing

from support import payloads

from spamguard.adapters.runtime.requests import LEFT_AS_SET
from spamguard.contrib.join_raid import JoinRaid, JoinRaidReport
from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory

    from spamguard.core import Policy

INCIDENTS = "/guilds/{guild_id}/incident-actions"
MEMBER = "/guilds/{guild_id}/members/{user_id}"
RAID = {
    "joins": 6,
    "interval": 10,
    "quiet": 60,
    "lockdown": {"invites": True, "duration": 1800},
    "raid_joiners": "TIMEOUT",
    "punishment_duration": 600,
}


async def test_a_join_raid_sends_one_lockdown_and_times_out_each_raid_joiner_only(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world(bot_manages_guild=True)
    policy = policy_factory(extensions={"join_raid": RAID})
    async with guard(policy, world=world, plugins=[JoinRaid()]) as g:
        # Members who joined before the raid: a minute earlier, and the guild's own.
        early = await g.join("early_bird")
        g.clock.advance(60)
        raiders = [await g.join(f"raider{index:02}") for index in range(9)]

        (lockdown,) = g.api.find("PUT", INCIDENTS)
        assert lockdown.status == 200
        until = datetime.datetime.fromisoformat(lockdown.json["invites_disabled_until"])
        started = raiders[RAID["joins"] - 1].joined_at
        assert until == started + datetime.timedelta(seconds=1800)
        assert until > g.clock.now
        assert lockdown.json["dms_disabled_until"] is None

        timed_out = {
            int(r.params["user_id"]): r.json["communication_disabled_until"]
            for r in g.api.find("PATCH", MEMBER)
        }
        assert sorted(timed_out) == sorted(raider.id for raider in raiders)
        assert len(g.api.find("PATCH", MEMBER)) == len(raiders)  # each once
        untouched = {early.id, world.alice.id}
        assert not any(str(user) in r.path for r in g.requests for user in untouched)

        # The start reached the outcome hook, with no request of its own.
        (report,) = g.recorder.by_kind("join_raid")
        assert report.ok
        assert isinstance(report.action, JoinRaidReport)
        assert report.action.started


async def test_a_lockdown_refused_403_is_reported_and_the_raid_joiners_still_punished(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # The standard world's bot lacks Manage Server: Discord answers the lockdown 403.
    policy = policy_factory(extensions={"join_raid": RAID})
    async with guard(policy, plugins=[JoinRaid()]) as g:
        raiders = [await g.join(f"raider{index:02}") for index in range(7)]

        assert [r.status for r in g.api.find("PUT", INCIDENTS)] == [403]
        (outcome,) = g.recorder.by_kind("incident_actions")
        assert (outcome.ok, outcome.failure) == (False, FailureKind.FORBIDDEN)
        timed_out = [int(r.params["user_id"]) for r in g.api.find("PATCH", MEMBER)]
        assert sorted(timed_out) == sorted(raider.id for raider in raiders)


GUILD = "/guilds/{guild_id}"


async def _raid_then_quiet(g: typing.Any) -> None:
    """A raid of 8 joins, then the quiet minute passes and the due timers run."""
    for index in range(8):
        await g.join(f"raider{index:02}")
    assert len(g.api.find("PUT", INCIDENTS)) == 1
    # The joins came a millisecond apart: the timer the start (the 6th join) set is due
    # first, finds the raid's end moved by the two later joins and sets itself again.
    g.clock.advance(59.999)
    assert await g.run_due() == 1
    assert [r.action.started for r in g.recorder.by_kind("join_raid")] == [True]
    g.clock.advance(0.002)
    assert await g.run_due() == 1


async def test_the_raid_ends_quiet_after_its_last_join_and_lifts_its_lockdown_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world(bot_manages_guild=True)
    policy = policy_factory(extensions={"join_raid": RAID})
    async with guard(policy, world=world, plugins=[JoinRaid()]) as g:
        await _raid_then_quiet(g)

        start, end = g.recorder.by_kind("join_raid")
        assert (start.action.started, end.action.started, end.ok) == (True, False, True)
        # Looked at what the guild shows, then lifted: both pauses null.
        assert len(g.api.find("GET", GUILD)) == 1
        _lockdown, lift = g.api.find("PUT", INCIDENTS)
        assert lift.status == 200
        assert lift.json == {"invites_disabled_until": None, "dms_disabled_until": None}
        assert g.api.incidents[world.guild_id]["invites_disabled_until"] is None
        assert [(o.ok, o.skipped) for o in g.recorder.by_kind("incident_actions")] == [
            (True, False),
            (True, False),
        ]
        # Over: nothing more falls due, nothing more is sent.
        g.clock.advance(3600)
        assert await g.run_due() == 0
        assert len(g.api.find("PUT", INCIDENTS)) == 2


async def test_a_lockdown_a_moderator_changed_since_is_left_as_it_is(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world(bot_manages_guild=True)
    policy = policy_factory(extensions={"join_raid": RAID})
    async with guard(policy, world=world, plugins=[JoinRaid()]) as g:
        for index in range(8):
            await g.join(f"raider{index:02}")
        # A moderator pauses invites for a day instead (Discord's state, and the
        # GUILD_UPDATE it sends).
        longer = payloads.timestamp(g.clock.now + datetime.timedelta(hours=23))
        g.api.incidents[world.guild_id]["invites_disabled_until"] = longer
        update = {**world.guild.payload(), "incidents_data": dict(g.api.incidents[world.guild_id])}
        await g.dispatch("GUILD_UPDATE", update)
        g.clock.advance(61)
        while await g.run_due():
            pass

        start, end = g.recorder.by_kind("join_raid")
        assert (start.action.started, end.action.started) == (True, False)
        # Looked, and sent nothing: the moderator's pause stands.
        assert len(g.api.find("GET", GUILD)) == 1
        assert len(g.api.find("PUT", INCIDENTS)) == 1
        assert g.api.incidents[world.guild_id]["invites_disabled_until"] == longer
        _lockdown, lift = g.recorder.by_kind("incident_actions")
        assert (lift.ok, lift.skipped, lift.failure) == (True, True, None)
        assert lift.detail == LEFT_AS_SET
        assert g.recorder.failed() == []
