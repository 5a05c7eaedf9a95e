"""Explanations: every check's count against its limit, and why a plan is what it is."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spamguard.core import Guard, Message, Policy
from spamguard.testing import Explainer, MeasureStatus, Simulation

POLICY = {
    "spam": {
        "levels": {
            0: {
                "punishment": "TEMPMUTE",
                "clean": True,
                "channel_whitelist": [555],
                "max_messages": {"count": 4, "interval": 5},
                "max_links": {"count": 2, "interval": 30},
                "max_duplicates": {"count": 3, "interval": 30},
                "max_mentions": {"count": 3, "interval": 10, "scope": "channel"},
            },
            10: {"punishment": "WARN", "max_characters": {"count": 5000, "interval": 60}},
        }
    },
    "role_levels": {"900": 20},
}


def test_measures_match_the_violation_counts_of_the_guard() -> None:
    sim = Simulation(POLICY)
    alice = sim.member(name="alice")
    alice.spams("https://x.example", times=4, every=0.5, at=0)
    result = sim.run()
    for step in result.steps:
        assert step.explanation is not None
        fired = {m.check: m.count for m in step.explanation.fired}
        assert fired == {v.check: v.count for v in step.plan.violations}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=3, allow_nan=False),
            st.sampled_from(["hi", "hi!", "https://a.example", "<@1> <@2>", "x"]),
            st.integers(min_value=0, max_value=2),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_fired_measures_are_exactly_the_violations_for_any_traffic(
    traffic: list[tuple[float, str, int]],
) -> None:
    sim = Simulation(POLICY)
    members = [sim.member(name=f"m{i}") for i in range(3)]
    for gap, text, who in traffic:
        members[who].says(text, after=gap, mentions=[1, 2] if "<@" in text else ())
    for step in sim.run().steps:
        assert step.explanation is not None
        fired = sorted((m.check, m.count) for m in step.explanation.fired)
        assert fired == sorted((v.check, v.count) for v in step.plan.violations)


def test_an_explanation_table_names_every_check_with_count_limit_and_result() -> None:
    sim = Simulation(POLICY)
    alice = sim.member(name="alice")
    alice.spams("hello", times=3, every=1, at=0)
    result = sim.run()
    explanation = sim.explain(result.steps[-1].message)
    by_check = {m.check: m for m in explanation.measures}
    assert (by_check["max_messages"].count, by_check["max_messages"].limit) == (3, 4)
    assert by_check["max_messages"].status is MeasureStatus.UNDER_LIMIT
    assert by_check["max_duplicates"].status is MeasureStatus.FIRED
    assert by_check["max_links"].status is MeasureStatus.NOT_COUNTED
    text = str(explanation)
    rows = [" ".join(line.split()) for line in text.splitlines()]
    assert "rule check scope window count/limit adds result" in rows
    assert "level:0 max_duplicates user 30s 3/3 1 FIRED" in rows
    assert "level:0 max_messages user 5s 3/4 1 under limit" in rows
    assert "level:0 max_mentions channel 10s 0/3 0 not counted" in rows
    assert "level:10 max_characters user 1m 15/5000 5 under limit" in rows
    assert "Decision: TEMPMUTE. max_duplicates fired and the policy asks for TEMPMUTE." in text
    assert "- delete 3 messages in #general" in text
    assert "- timeout alice for 5m" in text
    assert "(not level:10" not in text  # level 0 members match level 10 rules too


def test_a_message_under_every_limit_names_the_closest_check() -> None:
    sim = Simulation(POLICY)
    alice = sim.member(name="alice")
    alice.spams("a b c", times=2, every=1, at=0)
    explanation = sim.explain(sim.run().steps[-1].message)
    assert explanation.plan.punishment == "NONE"
    assert explanation.reason == (
        "Not punished: no check reached its limit; the closest was max_duplicates at 2/3 in 30s."
    )
    assert explanation.closest is not None and explanation.closest.check == "max_duplicates"


def test_a_violation_inside_an_open_incident_says_it_only_cleans() -> None:
    sim = Simulation(POLICY)
    alice = sim.member(name="alice")
    flood = alice.spams("buy", times=4, every=1, at=0)
    sim.run()
    explanation = sim.explain(flood[-1])
    assert explanation.open_incident is not None and explanation.open_incident[1] == "TEMPMUTE"
    assert "the incident opened by an earlier violation is still open" in explanation.reason
    assert "only cleans" in explanation.reason


def test_whitelisted_channels_and_other_levels_are_explained() -> None:
    sim = Simulation(POLICY)
    bots_channel = sim.channel("bots", id=555)
    mod = sim.member(name="mod", roles=[900])
    alice = sim.member(name="alice")
    mod.says("hi", at=0)
    alice.says("hi", at=1, channel=bots_channel)
    result = sim.run()
    mod_expl = sim.explain(result.steps[0].message)
    assert mod_expl.plan.skipped_reason == "no_rules"
    assert mod_expl.reason == "no level or role rule of the policy applies to the author"
    assert (
        str(mod_expl) == "Not checked: no level or role rule of the policy applies to the author."
    )
    in_bots = sim.explain(result.steps[1].message)
    assert {m.status for m in in_bots.measures if m.rule == "level:0"} == {
        MeasureStatus.WHITELISTED
    }


def test_rules_a_member_is_too_high_for_are_listed_with_the_reason() -> None:
    policy = {
        "spam": {
            "levels": {
                0: {"max_messages": {"count": 4, "interval": 5}},
                50: {"max_links": {"count": 1, "interval": 5}},
            }
        },
        "role_levels": {"901": 10},
    }
    sim = Simulation(policy)
    member = sim.member(name="regular", roles=[901])
    message = member.says("hi")
    sim.run()
    explanation = sim.explain(message)
    assert explanation.rules == ("level:50",)
    assert explanation.rules_not_applying == (("level:0", "the author's level is 10, above 0"),)
    assert "(not level:0: the author's level is 10, above 0)" in str(explanation)


@pytest.mark.parametrize("dry_run", [False, True])
def test_escalation_steps_and_counters_are_explained(dry_run: bool) -> None:
    # In dry run too: the dry-run ladder climbs, and the explanation shows it.
    policy = {
        "spam": {
            "levels": {0: {"punishment": "NONE", "max_duplicates": {"count": 3, "interval": 30}}}
        },
        "escalation": {"kick_threshold": 1, "ban_threshold": 1},
        "incident_window": 1,
        "dry_run": dry_run,
    }
    guard = Guard(Policy.from_dict(policy))
    explainer = Explainer(guard)
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

    def message(i: int) -> Message:
        return Message(
            id=i + 1,
            guild_id=1,
            channel_id=2,
            author_id=3,
            content="same",
            created_at=t0 + datetime.timedelta(seconds=i * 2),
        )

    for i in range(2):
        explainer.process(message(i))
    warned = explainer.explain(message(2))
    assert warned.plan.punishment == "WARN"
    assert "the escalation ladder's next step is WARN" in warned.reason
    assert warned.counters_before["warn_count"] == 0 and warned.counters_after["warn_count"] == 1
    kicked = explainer.explain(message(3))
    assert kicked.plan.punishment == "KICK"
    assert kicked.plan.dry_run is dry_run
    assert "counters before: warn_count=1" in kicked.reason
    data = kicked.to_dict()
    assert data["plan"]["punishment"] == "KICK"
    assert {c["check"] for c in data["checks"]} == {"max_duplicates"}
