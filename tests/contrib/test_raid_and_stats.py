"""Cross-member raid detection and per-guild statistics, through a real guard."""

from __future__ import annotations

import json

import pytest

from spamguard.contrib.raid import Raid
from spamguard.contrib.stats import Stats
from spamguard.core import (
    ActionOutcome,
    AutomodExecution,
    DeleteMessages,
    FailureKind,
    Guard,
    Kick,
    PolicyError,
    Timeout,
)

RAID_TEXT = "FREE NITRO at totally-legit dot com, claim now!"


def deleted(plan) -> set[int]:
    return {mid for a in plan.actions if isinstance(a, DeleteMessages) for mid in a.message_ids}


def timed_out(plan) -> set[int]:
    return {a.user_id for a in plan.actions if isinstance(a, Timeout)}


@pytest.fixture
def raid_guard(policy):
    def build(**settings) -> Guard:
        return Guard(
            policy(
                extensions={"raid": {"members": 3, "interval": 30, **settings}},
                rule={"punishment": "NONE", "punishment_duration": 60},
            ),
            plugins=[Raid()],
        )

    return build


def test_many_members_posting_the_same_text_in_a_channel_is_a_raid(msg, raid_guard) -> None:
    guard = raid_guard()
    first = guard.process(msg(RAID_TEXT, author_id=1, t=0))
    second = guard.process(msg(RAID_TEXT.lower() + "!!", author_id=2, t=1))
    third = guard.process(msg(RAID_TEXT, author_id=3, t=2))
    assert first.violations == second.violations == ()
    [violation] = third.violations
    assert (violation.check, violation.count, violation.limit, violation.scope) == (
        "raid",
        3,
        3,
        "channel",
    )
    assert violation.message_ids == (first.message_id, second.message_id, third.message_id)
    # Every raid message is deleted, every raider timed out (the author by the core).
    assert deleted(third) == {first.message_id, second.message_id, third.message_id}
    assert timed_out(third) == {1, 2, 3}
    assert {a.until for a in third.actions if isinstance(a, Timeout)} == {msg.at(2 + 60)}


def test_later_raiders_are_handled_once_and_earlier_ones_are_not_punished_again(
    msg, raid_guard
) -> None:
    guard = raid_guard()
    for author, t in ((1, 0), (2, 1), (3, 2)):
        guard.process(msg(RAID_TEXT, author_id=author, t=t))
    fourth = guard.process(msg(RAID_TEXT, author_id=4, t=3))
    assert timed_out(fourth) == {4}
    assert deleted(fourth) == {fourth.message_id}


def test_one_member_repeating_a_text_is_not_a_raid(msg, raid_guard) -> None:
    guard = raid_guard()
    plans = [guard.process(msg(RAID_TEXT, author_id=1, t=t)) for t in range(5)]
    assert all(plan.violations == () for plan in plans)


def test_the_raid_window_is_per_channel_unless_guild_scoped(msg, raid_guard) -> None:
    channels = (msg.CHANNEL, msg.OTHER_CHANNEL, msg.CHANNEL + 5)
    per_channel = raid_guard()
    guild_wide = raid_guard(scope="guild")
    for author, channel in zip((1, 2, 3), channels, strict=True):
        in_channel = per_channel.process(msg(RAID_TEXT, author_id=author, channel_id=channel))
        in_guild = guild_wide.process(msg(RAID_TEXT, author_id=author, channel_id=channel))
    assert in_channel.violations == ()
    assert [v.scope for v in in_guild.violations] == ["guild"]
    assert len([a for a in in_guild.actions if isinstance(a, DeleteMessages)]) == 3


def test_raid_messages_expire_after_the_interval(msg, raid_guard) -> None:
    guard = raid_guard(interval=10)
    guard.process(msg(RAID_TEXT, author_id=1, t=0))
    guard.process(msg(RAID_TEXT, author_id=2, t=5))
    assert guard.process(msg(RAID_TEXT, author_id=3, t=10.5)).violations == ()


def test_short_greetings_never_make_a_raid(msg, raid_guard) -> None:
    guard = raid_guard()
    plans = [guard.process(msg("gm", author_id=author)) for author in range(1, 6)]
    assert all(plan.violations == () for plan in plans)


def test_raid_without_participant_punishment_or_deletion_only_reports(msg, raid_guard) -> None:
    guard = raid_guard(punish_participants=False, delete=False, punishment="NONE")
    for author in (1, 2):
        guard.process(msg(RAID_TEXT, author_id=author))
    plan = guard.process(msg(RAID_TEXT, author_id=3))
    assert [v.check for v in plan.violations] == ["raid"]
    assert plan.actions == ()


def test_raid_state_survives_a_snapshot_round_trip(msg, policy) -> None:
    document = policy(extensions={"raid": {"members": 3}})
    guard = Guard(document, plugins=[Raid()])
    for author in (1, 2):
        guard.process(msg(RAID_TEXT, author_id=author))
    snapshot = json.loads(json.dumps(guard.snapshot()))
    restored = Guard.restore(document, snapshot, plugins=[Raid()])
    assert [v.check for v in restored.process(msg(RAID_TEXT, author_id=3)).violations] == ["raid"]


def test_raid_punishments_needing_a_scheduled_undo_are_refused(policy) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(
            policy(extensions={"raid": {"punishment": "TEMPBAN", "members": 1}}), plugins=[Raid()]
        )
    assert [str(i) for i in caught.value.issues] == [
        "extensions.raid.members: must be an integer >= 2, got 1",
        "extensions.raid.punishment: must be one of NONE, WARN, TIMEOUT, KICK, BAN, got 'TEMPBAN'",
    ]


# -- stats -------------------------------------------------------------------------------------


def test_stats_count_checks_punishments_and_planned_actions_per_guild(msg, policy) -> None:
    stats = Stats()
    guard = Guard(
        policy(
            rule={
                "punishment": "KICK",
                "clean": True,
                "max_messages": {"count": 2, "interval": 10},
            },
        ),
        plugins=[stats],
    )
    guard.process(msg(t=0))
    guard.process(msg(t=1))
    guard.process(msg(guild_id=msg.OTHER_GUILD, t=2))
    counts = stats.for_guild(msg.GUILD)
    assert counts.messages == 2
    assert dict(counts.checks) == {"max_messages": 1}
    assert dict(counts.punishments) == {"KICK": 1}
    assert dict(counts.planned) == {"delete": 1, "kick": 1}
    assert stats.for_guild(msg.OTHER_GUILD).messages == 1
    assert stats.guild_ids() == (msg.GUILD, msg.OTHER_GUILD)


def test_stats_count_outcomes_reported_by_adapters(msg, policy) -> None:
    stats = Stats()
    guard = Guard(policy(), plugins=[stats])
    kick = Kick(guild_id=msg.GUILD, user_id=msg.USER)
    guard.hooks.report_outcome(ActionOutcome(action=kick, ok=True, guild_id=msg.GUILD))
    guard.hooks.report_outcome(
        ActionOutcome(action=kick, ok=False, failure=FailureKind.FORBIDDEN, guild_id=msg.GUILD)
    )
    guard.hooks.report_outcome(
        ActionOutcome(action=kick, ok=True, guild_id=msg.GUILD, dry_run=True)
    )
    guard.record_automod_execution(
        AutomodExecution(
            guild_id=msg.GUILD,
            user_id=msg.USER,
            rule_id=1,
            rule_trigger_type=1,
            action_type=1,
            at=msg.at(0),
        )
    )
    counts = stats.for_guild(msg.GUILD)
    assert (dict(counts.succeeded), dict(counts.failed), dict(counts.failures)) == (
        {"kick": 1},
        {"kick": 1},
        {"forbidden": 1},
    )
    assert (counts.dry_run, counts.automod_executions) == (1, 1)
    assert json.loads(json.dumps(stats.to_dict()))[str(msg.GUILD)]["failures"] == {"forbidden": 1}


def test_stats_see_the_plan_other_plugins_amended(msg, policy) -> None:
    stats = Stats()
    guard = Guard(
        policy(extensions={"raid": {"members": 2}}),
        plugins=[stats, Raid()],
    )
    guard.process(msg(RAID_TEXT, author_id=1))
    guard.process(msg(RAID_TEXT, author_id=2))
    counts = stats.for_guild(msg.GUILD)
    assert dict(counts.checks) == {"raid": 1}
    assert counts.planned["timeout"] == 2
    assert counts.planned["delete"] == 1


def test_a_guild_that_disables_stats_is_not_counted(msg, policy) -> None:
    stats = Stats()
    guard = Guard(
        policy(guilds={msg.OTHER_GUILD: {"disabled_extensions": ["stats"]}}), plugins=[stats]
    )
    guard.process(msg(guild_id=msg.OTHER_GUILD))
    kick = Kick(guild_id=msg.OTHER_GUILD, user_id=msg.USER)
    guard.hooks.report_outcome(ActionOutcome(action=kick, ok=True, guild_id=msg.OTHER_GUILD))
    assert stats.guild_ids() == ()
