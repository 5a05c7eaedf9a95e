"""Assertion helpers pass on what happened and fail saying what happened instead."""

from __future__ import annotations

import pytest

from spamguard.testing import (
    PolicyAssertionError,
    RunResult,
    Simulation,
    assert_deleted,
    assert_fired,
    assert_not_deleted,
    assert_not_fired,
    assert_not_punished,
    assert_punished,
    assert_skipped,
)

POLICY = {
    "spam": {
        "levels": {
            0: {
                "punishment": "TEMPMUTE",
                "clean": True,
                "max_messages": {"count": 5, "interval": 5},
                "max_duplicates": {"count": 4, "interval": 30},
            }
        }
    }
}


@pytest.fixture
def sim() -> Simulation:
    return Simulation(POLICY)


def test_passing_assertions_on_a_flood(sim: Simulation) -> None:
    alice, bob = sim.member(name="alice"), sim.member(name="bob")
    flood = alice.spams("buy now", times=4, every=0.5, at=0)
    kept = bob.says("hi", at=0.2)
    result = sim.run()
    assert_fired(result, "max_duplicates", member=alice, times=1)
    assert_not_fired(result, "max_messages")
    assert_not_fired(result, member=bob)
    assert_punished(result, alice, "TEMPMUTE")
    assert_punished(result, alice.id)
    assert_not_punished(result, bob)
    assert_deleted(result, flood)
    assert_not_deleted(result, [kept])


def test_assert_fired_failure_shows_the_closest_count_and_window(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    for i in range(3):
        alice.says(f"message {i} about something else entirely {i * 7}", at=i)
    result = sim.run()
    with pytest.raises(PolicyAssertionError) as failure:
        assert_fired(result, "max_messages", member=alice)
    text = str(failure.value)
    assert text.startswith(
        f"expected max_messages to fire for alice ({alice.id}), but it never did."
    )
    assert "closest: 3/5 in 5s (user) at t=+2.00s" in text
    assert "what fired: nothing" in text
    assert "3 message(s) from t=+0.00s to t=+2.00s: 0 fired a check" in text


def test_assert_fired_names_an_unconfigured_check(sim: Simulation) -> None:
    sim.member().says("x")
    with pytest.raises(PolicyAssertionError, match="max_links never ran: no rule"):
        assert_fired(sim.run(), "max_links")


def test_assert_fired_with_times_reports_the_real_count(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    alice.spams("same", times=5, every=1, at=0)
    with pytest.raises(PolicyAssertionError) as failure:
        assert_fired(sim.run(), "max_duplicates", times=1)
    text = str(failure.value)
    assert "expected max_duplicates to fire 1 time(s), but it fired 2." in text
    assert "max_duplicates 4/4 in 30s -> TEMPMUTE" in text
    assert "max_duplicates 5/4 in 30s -> already punished in this incident: clean only" in text


def test_assert_not_fired_lists_every_violation_with_counts(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    alice.spams("spam", times=4, every=1, at=0)
    with pytest.raises(PolicyAssertionError) as failure:
        assert_not_fired(sim.run(), "max_duplicates")
    text = str(failure.value)
    assert "expected max_duplicates not to fire, but it fired 1 time(s)." in text
    assert f"t=+3.00s alice ({alice.id}): max_duplicates 4/4 in 30s -> TEMPMUTE" in text


def test_assert_punished_failure_says_nothing_fired_and_what_came_closest(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    alice.spams("same", times=3, every=1, at=0)
    with pytest.raises(PolicyAssertionError) as failure:
        assert_punished(sim.run(), alice, "ban")
    text = str(failure.value)
    assert "expected alice to be punished with BAN, but no punishment was given." in text
    assert "closest to a limit: max_duplicates 3/4 in 30s at t=+2.00s" in text


def test_assert_punished_failure_names_the_punishment_given(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    alice.spams("same", times=4, every=1, at=0)
    with pytest.raises(PolicyAssertionError, match="with KICK, but got TEMPMUTE"):
        assert_punished(sim.run(), alice, "KICK")


def test_assert_not_punished_lists_the_punishments(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    alice.spams("same", times=4, every=1, at=0)
    with pytest.raises(PolicyAssertionError) as failure:
        assert_not_punished(sim.run())
    assert "expected nobody to be punished, but 1 punishment(s) were given:" in str(failure.value)
    assert "TEMPMUTE for max_duplicates 4/4 in 30s" in str(failure.value)


def test_deletion_assertions_name_the_missing_ids(sim: Simulation) -> None:
    alice = sim.member(name="alice")
    quiet = alice.says("hello", at=0)
    flood = alice.spams("same", times=4, every=1, at=10)
    result = sim.run()
    with pytest.raises(PolicyAssertionError, match=f"1 were not: {quiet.id}"):
        assert_deleted(result, [quiet, *flood])
    with pytest.raises(PolicyAssertionError, match=f"2 were deleted: {flood[0].id}, {flood[1].id}"):
        assert_not_deleted(result, [flood[0].id, flood[1].id])


def test_assert_skipped_checks_the_reason(sim: Simulation) -> None:
    bot = sim.member(name="bot", bot=True)
    admin = sim.member(name="admin", admin=True)
    bot.says("beep", at=0)
    admin.says("hi", at=1)
    result = sim.run()
    assert_skipped(result, "bot", member=bot)
    assert_skipped(result)
    with pytest.raises(PolicyAssertionError, match=r"to be skipped \(bot\), but 1 of 2 were not:"):
        assert_skipped(result, "bot")


def test_unknown_punishment_names_the_allowed_ones(sim: Simulation) -> None:
    sim.member().says("x")
    with pytest.raises(ValueError, match="use one of NONE, WARN"):
        assert_punished(sim.run(), None, "JAIL")


def test_assertions_want_a_run_result() -> None:
    with pytest.raises(TypeError, match=r"RunResult that Simulation\.run"):
        assert_fired([], "max_messages")  # type: ignore[arg-type]
    assert isinstance(Simulation(POLICY).run(), RunResult)
