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
"""

from __future__ import annotations

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
from spamguard.testing.describe import describe_action, describe_plan, describe_violation
from spamguard.testing.explain import CheckMeasure, Explainer, Explanation, MeasureStatus
from spamguard.testing.replay import (
    LogError,
    LogRecord,
    ReplaySummary,
    iter_log,
    parse_line,
    read_log,
)
from spamguard.testing.simulation import (
    DEFAULT_START,
    RunResult,
    SimChannel,
    SimGuild,
    SimMember,
    Simulation,
    SimulationError,
    Step,
    load_policy,
)

__all__ = (
    "DEFAULT_START",
    "CheckMeasure",
    "Explainer",
    "Explanation",
    "LogError",
    "LogRecord",
    "MeasureStatus",
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
