"""Test policies without Discord: a simulator, assertions and a pytest plugin.

::

    from spamguard.testing import Simulation, assert_punished

    def test_flood_is_timed_out():
        sim = Simulation("policy.yaml")
        alice = sim.member(name="alice")
        alice.spams("hello", times=8, every=0.5)
        assert_punished(sim.run(), alice, "TEMPMUTE")

With spamguard installed, pytest also gets the fixtures ``spamguard_sim``,
``spamguard_policy``, ``spamguard_plugins``, ``spamguard_guild``, ``spamguard_channel`` and
``spamguard_member`` (see :mod:`spamguard.testing.pytest_plugin`).

The describing, explaining and log-reading names are :mod:`spamguard.reporting`'s,
exported here too.
"""

from __future__ import annotations

from spamguard.reporting import (
    CheckMeasure,
    Explainer,
    Explanation,
    LogError,
    LogRecord,
    MeasureStatus,
    MemberRecord,
    ReplaySummary,
    describe_action,
    describe_plan,
    describe_violation,
    iter_log,
    parse_line,
    read_log,
)
from spamguard.testing.assertions import (
    PolicyAssertionError,
    assert_deleted,
    assert_fired,
    assert_not_deleted,
    assert_not_fired,
    assert_not_punished,
    assert_punished,
    assert_skipped,
)
from spamguard.testing.results import MemberStep, RunResult, Step
from spamguard.testing.simulation import DEFAULT_START, Simulation, load_policy
from spamguard.testing.world import SimChannel, SimGuild, SimMember, SimulationError

__all__ = (
    "DEFAULT_START",
    "CheckMeasure",
    "Explainer",
    "Explanation",
    "LogError",
    "LogRecord",
    "MeasureStatus",
    "MemberRecord",
    "MemberStep",
    "PolicyAssertionError",
    "ReplaySummary",
    "RunResult",
    "SimChannel",
    "SimGuild",
    "SimMember",
    "Simulation",
    "SimulationError",
    "Step",
    "assert_deleted",
    "assert_fired",
    "assert_not_deleted",
    "assert_not_fired",
    "assert_not_punished",
    "assert_punished",
    "assert_skipped",
    "describe_action",
    "describe_plan",
    "describe_violation",
    "iter_log",
    "load_policy",
    "parse_line",
    "read_log",
)
