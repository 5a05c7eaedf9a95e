"""``join_raid`` in the simulation kit: members joining in a burst, the lockdown and the
raid joiners' timeouts asserted as plain actions, in a dry run too."""

from __future__ import annotations

from spamguard.contrib.join_raid import JoinRaid
from spamguard.core.actions import incident_actions_for
from spamguard.testing import Simulation

POLICY = {
    "spam": {"levels": {0: {"max_messages": {"count": 8, "interval": 5}}}},
    "extensions": {
        "join_raid": {
            "joins": 5,
            "interval": 10,
            "quiet": 60,
            "lockdown": {"duration": 1800},
            "raid_joiners": "TIMEOUT",
        }
    },
}


def test_a_burst_of_joins_is_one_lockdown_and_a_timeout_for_each_raider() -> None:
    sim = Simulation({**POLICY, "dry_run": True}, plugins=[JoinRaid()])
    regular = sim.member(name="regular")
    regular.joins(at=0)
    raiders = [sim.member(name=f"raider{i}") for i in range(7)]
    for index, raider in enumerate(raiders):
        raider.joins(at=100 + index)
    result = sim.run()

    assert result.actions("incident_actions") == [
        incident_actions_for(
            guild_id=regular.guild.id,
            now=sim.time_of(104),
            invites_seconds=1800,
            reason="spamguard: join raid",
        )
    ]
    timed_out = [action.user_id for action in result.actions("timeout")]
    assert sorted(timed_out) == sorted(raider.id for raider in raiders)
    assert [report.started for report in result.actions("join_raid")] == [True]
    assert all(step.plan.dry_run for step in result.member_steps)


def test_the_raid_ends_at_its_timer_with_the_lift_among_the_due_actions() -> None:
    sim = Simulation(POLICY, plugins=[JoinRaid()])
    raiders = [sim.member(name=f"raider{i}") for i in range(7)]
    for index, raider in enumerate(raiders):
        raider.joins(at=100 + index)
    result = sim.run(until=300)

    # The quiet minute after the last join (106 s): the timer's plan, due then.
    due = [(at, item.action.kind) for at, item in result.due]
    assert due == [(166, "join_raid"), (166, "incident_actions")]
    (_, end), (_, lift) = result.due
    assert (end.action.started, end.action.at) == (False, sim.time_of(166))
    assert lift.action.only_if_unchanged
    assert lift.action.invites_disabled_until is None
