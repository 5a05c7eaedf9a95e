"""What moderators' operations need of the core: a guild's dry run set by hand (kept in
the state, its snapshot and the guild's part), a pardon, a member's undos taken out, and
the action that ends a timeout."""

from __future__ import annotations

import datetime
import json
import typing

from spamguard.core import Guard, Policy, RemoveTimeout, ScheduledAction, Unban
from spamguard.core.actions import action_from_dict, action_to_dict
from spamguard.core.events import GuildTimer
from spamguard.reporting import describe_action

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

THREE_LINKS = "https://a.example https://b.example https://c.example"
ZEROS = {"warn_count": 0, "timeout_count": 0, "kick_count": 0, "ban_count": 0, "violations": 0}
T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def _policy(*, dry_run: bool = False) -> Policy:
    """3 links in a message time the member out; a ladder that climbs per violation."""
    return Policy.from_dict(
        {
            "dry_run": dry_run,
            "escalation": {"kick_threshold": 3, "ban_threshold": 5},
            "spam": {
                "levels": {0: {"punishment": "TIMEOUT", "max_links": {"count": 3, "interval": 60}}}
            },
        }
    )


def test_a_moderators_dry_run_applies_to_the_guild_whatever_the_policy_says(msg: Msg) -> None:
    guard = Guard(_policy())
    guard.set_dry_run(msg.GUILD, True)
    assert guard.dry_run_override(msg.GUILD) is True
    plan = guard.process(msg(THREE_LINKS, t=0))
    assert (plan.punishment, plan.dry_run) == ("TIMEOUT", True)
    # Dry run climbs its own ladder: the real one is where it was.
    assert guard.state.member_counters(msg.GUILD, msg.USER, dry_run=False) == ZEROS
    # Off again: real decisions, from the real ladder.
    guard.set_dry_run(msg.GUILD, None)
    assert guard.dry_run_override(msg.GUILD) is None
    plan = guard.process(msg(THREE_LINKS, t=30))
    assert (plan.punishment, plan.dry_run) == ("TIMEOUT", False)


def test_a_moderator_can_turn_the_policys_dry_run_off_in_one_guild(msg: Msg) -> None:
    guard = Guard(_policy(dry_run=True))
    guard.set_dry_run(msg.GUILD, False)
    assert guard.policy_for(msg.GUILD).dry_run is False
    assert guard.policy_for(msg.GUILD + 1).dry_run is True
    assert guard.process(msg(THREE_LINKS, t=0)).dry_run is False
    # The same object each time (the compiled policy is worked out once).
    assert guard.policy_for(msg.GUILD) is guard.policy_for(msg.GUILD)


def test_the_override_survives_a_snapshot_and_moves_with_the_guilds_part(msg: Msg) -> None:
    guard = Guard(_policy())
    guard.set_dry_run(msg.GUILD, True)
    snapshot = json.loads(json.dumps(guard.snapshot()))
    assert Guard.restore(_policy(), snapshot).dry_run_override(msg.GUILD) is True
    # A takeover: another process loads the guild's part.
    part = json.loads(json.dumps(guard.guild_part(msg.GUILD)))
    assert part["dry_run"] is True
    other = Guard(_policy())
    other.load_guild(msg.GUILD, part)
    assert msg.GUILD in other.held_guilds()
    assert other.process(msg(THREE_LINKS, t=0)).dry_run is True
    other.drop_guild(msg.GUILD)
    assert other.dry_run_override(msg.GUILD) is None
    # A snapshot from before the override existed still restores.
    del snapshot["dry_run_overrides"]
    assert Guard.restore(_policy(), snapshot).dry_run_override(msg.GUILD) is None


def test_a_pardoned_member_starts_again_from_nothing(msg: Msg) -> None:
    guard = Guard(_policy())
    assert guard.process(msg(THREE_LINKS, t=0)).punishment == "TIMEOUT"
    assert guard.member_counters(msg.GUILD, msg.USER)["violations"] == 1
    assert guard.pardon(msg.GUILD, msg.USER) is True
    assert guard.member_counters(msg.GUILD, msg.USER) == ZEROS
    # The incident is closed and the links window forgotten: one more link is no violation.
    assert guard.process(msg("https://d.example", t=1)).violations == ()
    # Unknown to the guard: nothing to forgive.
    assert guard.pardon(msg.GUILD, 424242) is False


def test_cancel_scheduled_takes_out_only_that_members_undos() -> None:
    guard = Guard(_policy())
    mine = ScheduledAction(T0, Unban(guild_id=1, user_id=5))
    others = (
        ScheduledAction(T0, Unban(guild_id=1, user_id=6)),
        ScheduledAction(T0, Unban(guild_id=2, user_id=5)),
        ScheduledAction(T0, GuildTimer(guild_id=1, name="t", at=T0)),
    )
    for item in (*others, mine):
        guard.schedule(item)
    assert guard.cancel_scheduled(1, 5) == (mine,)
    assert guard.cancel_scheduled(1, 5) == ()
    assert set(guard.pending()) == set(others)


def test_remove_timeout_is_an_action_like_the_others() -> None:
    action = RemoveTimeout(guild_id=1, user_id=5, reason="pardoned" * 100)
    assert len(action.reason) == 512
    assert action_from_dict(action_to_dict(action)) == action
    assert action_to_dict(action)["kind"] == "remove_timeout"
    assert describe_action(action) == "end the timeout of user 5"
