"""Dry run decides on a ladder of its own: real state is left as dry run found it."""

from __future__ import annotations

import typing

from spamguard.core import Guard, Policy

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

THREE_LINKS = "https://a.example https://b.example https://c.example"
ZEROS = {"warn_count": 0, "timeout_count": 0, "kick_count": 0, "ban_count": 0, "violations": 0}


def policy(*, dry_run: bool, clean: bool = False) -> Policy:
    """A ladder of thresholds 1 (warn, kick, ban); 3 links in a message are a violation."""
    return Policy.from_dict(
        {
            "escalation": {"kick_threshold": 1, "ban_threshold": 1},
            "dry_run": dry_run,
            "spam": {
                "levels": {
                    0: {
                        "punishment": "NONE",
                        "clean": clean,
                        "max_links": {"count": 3, "interval": 60},
                    }
                }
            },
        }
    )


def test_dry_run_incidents_leave_the_real_ladder_where_they_found_it(msg: Msg) -> None:
    guard = Guard(policy(dry_run=True))
    dry = [guard.process(msg(THREE_LINKS, t=t)) for t in (0, 20, 40)]
    # Within dry run, the plans show what would have happened: the ladder climbs.
    assert [(p.punishment, p.dry_run) for p in dry] == [
        ("WARN", True),
        ("KICK", True),
        ("BAN", True),
    ]
    guard.policy = policy(dry_run=False)
    assert guard.member_counters(msg.GUILD, msg.USER) == ZEROS
    # The first real violation is the ladder's first step, not a ban.
    real = guard.process(msg(THREE_LINKS, t=60))
    assert (real.punishment, real.dry_run) == ("WARN", False)


def test_a_dry_run_incident_still_open_does_not_absorb_the_first_real_violation(
    msg: Msg,
) -> None:
    guard = Guard(policy(dry_run=True))
    assert guard.process(msg(THREE_LINKS, t=0)).punishment == "WARN"
    guard.policy = policy(dry_run=False)
    # Within the dry-run incident's window (10 s): the real one was never opened.
    assert guard.process(msg(THREE_LINKS, t=2)).punishment == "WARN"


def test_dry_run_starts_from_the_real_ladder(msg: Msg) -> None:
    guard = Guard(policy(dry_run=False))
    assert guard.process(msg(THREE_LINKS, t=0)).punishment == "WARN"
    guard.policy = policy(dry_run=True)
    assert guard.process(msg(THREE_LINKS, t=20)).punishment == "KICK"
    assert guard.member_counters(msg.GUILD, msg.USER)["kick_count"] == 1
    guard.policy = policy(dry_run=False)
    assert guard.member_counters(msg.GUILD, msg.USER)["kick_count"] == 0
    assert guard.process(msg(THREE_LINKS, t=40)).punishment == "KICK"


def test_a_dry_run_period_after_a_real_one_starts_afresh(msg: Msg) -> None:
    guard = Guard(policy(dry_run=True))
    guard.process(msg(THREE_LINKS, t=0))
    guard.process(msg(THREE_LINKS, t=20))  # dry run: WARN, KICK
    guard.policy = policy(dry_run=False)
    guard.process(msg("hello", t=30))
    guard.policy = policy(dry_run=True)
    # The earlier dry-run ladder was discarded when dry run was switched off.
    assert guard.process(msg(THREE_LINKS, t=40)).punishment == "WARN"


def test_dry_run_cleaning_leaves_the_messages_to_a_real_clean(msg: Msg) -> None:
    guard = Guard(policy(dry_run=True, clean=True))
    one_link = "https://a.example"
    sent = [msg(one_link, t=t) for t in (0, 1, 2)]
    plans = [guard.process(m) for m in sent]
    assert [m for a in plans[2].actions if a.kind == "delete" for m in a.message_ids] == [  # type: ignore[attr-defined]
        m.id for m in sent
    ]
    guard.policy = policy(dry_run=False, clean=True)
    fourth = msg(one_link, t=3)
    real = guard.process(fourth)
    deleted = [m for a in real.actions if a.kind == "delete" for m in a.message_ids]  # type: ignore[attr-defined]
    # Nothing was deleted in dry run: the real clean deletes all four.
    assert sorted(deleted) == sorted([*(m.id for m in sent), fourth.id])


def test_a_snapshot_taken_in_dry_run_holds_the_real_ladder(msg: Msg) -> None:
    guard = Guard(policy(dry_run=True))
    for t in (0, 20, 40):
        guard.process(msg(THREE_LINKS, t=t))
    snapshot = guard.snapshot()
    ((_guild, _user, member),) = snapshot["members"]
    assert {name: member[name] for name in ZEROS} == ZEROS
    assert member["last_violation"] is None
    assert member["incident_until"] is None
    # The dry-run ladder is not persisted: after a restart in dry run it starts again
    # from the real one.
    restored = Guard.restore(policy(dry_run=True), snapshot)
    assert restored.process(msg(THREE_LINKS, t=60)).punishment == "WARN"
    restored.policy = policy(dry_run=False)
    assert restored.process(msg(THREE_LINKS, t=80)).punishment == "WARN"


def test_automod_executions_in_dry_run_leave_the_real_ladder(msg: Msg) -> None:
    def document(dry_run: bool) -> Policy:
        return Policy.from_dict(
            {"escalation": {}, "automod_executions_count": True, "dry_run": dry_run}
        )

    guard = Guard(document(dry_run=True))
    for t in (0, 60, 120):
        guard.record_automod_execution(msg.automod_execution(t=t))
    guard.policy = document(dry_run=False)
    assert guard.member_counters(msg.GUILD, msg.USER) == ZEROS


def test_reset_member_in_dry_run_resets_the_dry_run_ladder_too(msg: Msg) -> None:
    guard = Guard(policy(dry_run=True))
    guard.process(msg(THREE_LINKS, t=0))
    guard.process(msg(THREE_LINKS, t=20))  # dry run: WARN, KICK
    guard.reset_member(msg.GUILD, msg.USER, counters=("warn_count", "kick_count"))
    assert guard.member_counters(msg.GUILD, msg.USER)["kick_count"] == 0
    assert guard.process(msg(THREE_LINKS, t=40)).punishment == "WARN"
