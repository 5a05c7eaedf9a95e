"""Join raids (``extensions.join_raid``): raid mode from join bursts and look-alike names,
the lockdown, the raid joiners' punishment and the quiet end, through a real guard."""

from __future__ import annotations

import dataclasses
import datetime
import typing

import pytest

from spamguard.contrib.join_raid import JoinRaid, JoinRaidReport
from spamguard.core import Guard, PolicyError
from spamguard.core.actions import (
    Ban,
    Kick,
    SetIncidentActions,
    Timeout,
    action_from_dict,
    action_to_dict,
)
from spamguard.core.events import GuildTimer, MemberJoin, MemberLeave
from spamguard.core.plan import Plan

T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
GUILD = 1


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def join(user: int, t: float, name: str = "", **fields: typing.Any) -> MemberJoin:
    return MemberJoin(
        guild_id=GUILD, user_id=user, joined_at=at(t), username=name or f"member{user}", **fields
    )


def punished(plans: typing.Iterable[Plan]) -> list[int]:
    return [
        a.user_id for plan in plans for a in plan.actions if isinstance(a, Timeout | Kick | Ban)
    ]


def reports(plans: typing.Iterable[Plan]) -> list[JoinRaidReport]:
    return [a for plan in plans for a in plan.actions if isinstance(a, JoinRaidReport)]


def lockdowns(plans: typing.Iterable[Plan]) -> list[SetIncidentActions]:
    return [a for plan in plans for a in plan.actions if isinstance(a, SetIncidentActions)]


@pytest.fixture
def raid_guard(policy) -> typing.Callable[..., Guard]:
    def build(top: dict[str, typing.Any] | None = None, **settings: typing.Any) -> Guard:
        settings = {"joins": 5, "interval": 10, "quiet": 60, "raid_joiners": "TIMEOUT", **settings}
        return Guard(
            policy(extensions={"join_raid": settings}, **(top or {})), plugins=[JoinRaid()]
        )

    return build


def test_a_raid_starts_at_exactly_n_joins_within_the_interval(raid_guard) -> None:
    guard = raid_guard()
    before = [guard.handle(join(user, t)) for user, t in ((10, 0), (11, 2), (12, 4), (13, 6))]
    assert all(not plan.actions for plan in before)
    fifth = guard.handle(join(14, 9.5))
    [report] = reports([fifth])
    assert (report.started, report.joins, report.at) == (True, 5, at(9.5))
    assert report.reason == "5 joins within 10s"
    [violation] = fifth.violations
    assert (violation.check, violation.count, violation.limit, violation.interval) == (
        "join_raid",
        5,
        5,
        10,
    )
    assert (violation.scope, violation.punishment) == ("guild", "TIMEOUT")
    # Every joiner whose join started it is timed out, in the plan of the fifth join.
    assert sorted(punished([fifth])) == [10, 11, 12, 13, 14]
    until = {a.until for a in fifth.actions if isinstance(a, Timeout)}
    assert until == {at(9.5 + 3600)}


def test_n_minus_one_joins_or_joins_spread_over_more_than_the_interval_start_nothing(
    raid_guard,
) -> None:
    guard = raid_guard()
    plans = [guard.handle(join(user, t)) for user, t in ((10, 0), (11, 3), (12, 6), (13, 9))]
    # Five joins, but the first and the fifth are 10 seconds apart: not within 10 seconds.
    plans.append(guard.handle(join(14, 10)))
    plans += [guard.handle(join(15 + i, 13 + 3 * i)) for i in range(5)]
    assert not any(plan.actions for plan in plans)


def test_look_alike_names_start_a_raid_below_the_join_count(raid_guard) -> None:
    guard = raid_guard(joins=50, similar_names={"members": 3, "accuracy": 80, "interval": 60})
    plans = [
        guard.handle(join(10, 0, "alice")),
        guard.handle(join(11, 5, "FreeNitroBot01")),
        guard.handle(join(12, 20, "bob", global_name="Bobby")),
        guard.handle(join(13, 30, "freenitrobot_02")),
    ]
    assert not any(plan.actions for plan in plans)
    third = guard.handle(join(14, 40, "carol", global_name="FreeNitroBot 3"))
    [report] = reports([third])
    assert report.started and report.joins == 3
    assert "3 joiners named like" in report.reason
    # Only the look-alikes are raid joiners; alice and bob joined among them, untouched.
    assert sorted(punished([third])) == [11, 13, 14]
    # Raid mode: the next joiner is taken whatever its name.
    assert punished([guard.handle(join(15, 41, "dave"))]) == [15]


def test_short_names_never_look_alike(raid_guard) -> None:
    guard = raid_guard(joins=50, similar_names={"members": 3, "accuracy": 50})
    plans = [guard.handle(join(10 + i, i, f"a{i}")) for i in range(6)]
    assert not any(plan.actions for plan in plans)


def test_one_lockdown_per_raid_pausing_invites_for_the_duration(raid_guard) -> None:
    guard = raid_guard(lockdown={"duration": 1800})
    plans = [guard.handle(join(100 + i, i * 0.5)) for i in range(30)]
    [lockdown] = lockdowns(plans)
    assert lockdown == SetIncidentActions(
        guild_id=GUILD,
        invites_disabled_until=at(2 + 1800),
        dms_disabled_until=None,
        reason="spamguard: join raid",
    )
    # It comes first in the plan of the join that started the raid: before the timeouts.
    assert plans[4].actions[0] is lockdown
    assert len(reports(plans)) == 1


def test_a_lockdown_with_dms_pauses_both(raid_guard) -> None:
    guard = raid_guard(lockdown={"dms": True, "duration": 600})
    plans = [guard.handle(join(100 + i, i)) for i in range(5)]
    [lockdown] = lockdowns(plans)
    assert lockdown.invites_disabled_until == lockdown.dms_disabled_until == at(4 + 600)


def test_raid_joiners_are_punished_once_each_and_earlier_members_never(raid_guard) -> None:
    guard = raid_guard(raid_joiners="KICK")
    early = [guard.handle(join(1, -500)), guard.handle(join(2, -30))]
    raid = [guard.handle(join(100 + i, i)) for i in range(12)]
    assert not any(plan.actions for plan in early)
    kicked = punished(raid)
    assert sorted(kicked) == list(range(100, 112))
    assert len(kicked) == len(set(kicked))
    assert all(isinstance(a, Kick) for plan in raid for a in plan.actions if a.kind != "join_raid")


def test_exempt_roles_and_bots_are_never_punished_nor_counted(raid_guard) -> None:
    guard = raid_guard(top={"ignore": {"roles": [777]}})
    plans = [guard.handle(join(100 + i, i * 0.1, role_ids=frozenset({777}))) for i in range(6)]
    plans += [guard.handle(join(200 + i, 1 + i * 0.1, bot=True)) for i in range(6)]
    assert not any(plan.actions for plan in plans)
    plans = [guard.handle(join(300 + i, 2 + i * 0.1)) for i in range(5)]
    plans.append(guard.handle(join(400, 3, role_ids=frozenset({777}))))
    assert sorted(punished(plans)) == [300, 301, 302, 303, 304]


def timers(plans: typing.Iterable[Plan]) -> list[GuildTimer]:
    """The guild timers the plans set (what the runtime keeps in its store)."""
    found = [item.action for plan in plans for item in plan.unconditional()]
    assert all(isinstance(timer, GuildTimer) for timer in found)
    return typing.cast("list[GuildTimer]", found)


def lift(until: datetime.datetime) -> SetIncidentActions:
    return SetIncidentActions(
        guild_id=GUILD,
        invites_disabled_until=None,
        dms_disabled_until=None,
        reason="spamguard: join raid over",
        only_if_unchanged=True,
        expected_invites_disabled_until=until,
    )


def test_raid_mode_ends_at_its_timer_quiet_after_the_last_join(raid_guard) -> None:
    guard = raid_guard(lockdown={"duration": 3600})
    raid = [guard.handle(join(100 + i, i)) for i in range(5)]
    # The start sets one timer, due quiet (60 s) after the join that started the raid.
    [timer] = timers(raid)
    assert (timer.guild_id, timer.name, timer.at) == (GUILD, "join_raid", at(4 + 60))
    assert [item.run_at for item in raid[-1].scheduled] == [at(64)]
    end = guard.handle(timer)
    [report] = reports([end])
    assert (report.started, report.at, report.reason) == (False, at(64), "no join for 60s")
    assert [(v.check, v.interval) for v in end.violations] == [("join_raid_end", 60)]
    # The lift of spamguard's pause, only while the guild still shows it.
    assert end.actions == (report, lift(at(4 + 3600)))
    assert (end.guild_id, end.user_id, end.scheduled) == (GUILD, None, ())
    # Over: the next join is an ordinary member's, and the timer firing again does nothing.
    assert guard.handle(join(200, 70)).actions == ()
    assert not guard.handle(timer)


def test_a_later_join_postpones_the_end_and_the_timer_sets_itself_again(raid_guard) -> None:
    guard = raid_guard(lockdown={})
    raid = [guard.handle(join(100 + i, i)) for i in range(5)]
    [first] = timers(raid)
    # A raider 50 s later: the raid goes on until 60 s after it, and sets no timer.
    later = guard.handle(join(200, 54))
    assert punished([later]) == [200] and timers([later]) == []
    moved = guard.handle(first)
    assert reports([moved]) == [] and moved.actions == ()
    [second] = timers([moved])
    assert second.at == at(54 + 60)
    # Still raid mode in between.
    assert punished([guard.handle(join(201, 100))]) == [201]
    [third] = timers([guard.handle(second)])
    assert third.at == at(160)
    [report] = reports([guard.handle(third)])
    assert (report.started, report.at) == (False, at(160))


def test_a_join_after_a_lost_timer_ends_raid_mode_the_same_way(raid_guard) -> None:
    guard = raid_guard(lockdown={"lift_on_end": False})
    raid = [guard.handle(join(100 + i, i)) for i in range(8)]
    assert len(punished(raid)) == 8
    # 59 seconds after the last raid join: still raid mode.
    assert punished([guard.handle(join(200, 7 + 59))]) == [200]
    # The timer was lost (a process died holding it): the next join sees the end.
    later = guard.handle(join(201, 66 + 61))
    [end] = reports([later])
    assert (end.started, end.at) == (False, at(66 + 60))
    assert end.reason == "no join for 60s"
    assert [(v.check, v.interval) for v in later.violations] == [("join_raid_end", 60)]
    # The joiner is an ordinary member; with lift_on_end off, the pause is left to Discord.
    assert punished([later]) == []
    assert lockdowns([later]) == []
    # The timer, found late, does nothing more.
    assert not guard.handle(timers(raid)[0])
    # A new burst is a new raid, with a lockdown and a timer of its own.
    again = [guard.handle(join(300 + i, 200 + i)) for i in range(5)]
    assert [r.started for r in reports(again)] == [True]
    assert len(lockdowns(again)) == 1
    assert [t.at for t in timers(again)] == [at(204 + 60)]
    # An earlier raid's timer falling due during this one leaves it alone.
    assert not guard.handle(GuildTimer(guild_id=GUILD, name="join_raid", at=at(150)))
    assert not guard.handle(GuildTimer(guild_id=GUILD, name="other", at=at(300)))


def test_lift_on_end_lifts_a_pause_that_still_runs_and_only_that(raid_guard) -> None:
    guard = raid_guard(lockdown={"duration": 3600, "dms": True})
    for i in range(5):
        guard.handle(join(100 + i, i))
    end = guard.handle(join(200, 500))
    assert lockdowns([end]) == [
        dataclasses.replace(lift(at(4 + 3600)), expected_dms_disabled_until=at(4 + 3600))
    ]
    for i in range(5):
        guard.handle(join(300 + i, 1000 + i))
    # Discord lifted this one already (an hour later): lifting now could undo a moderator's.
    late = guard.handle(join(400, 1004 + 3700))
    assert [r.started for r in reports([late])] == [False]
    assert lockdowns([late]) == []


def test_the_lift_precondition_compares_what_the_guild_shows_to_the_second() -> None:
    action = lift(at(3600))
    assert action.unchanged(at(3600.4), None)
    assert not action.unchanged(at(7200), None)  # a moderator lengthened it
    assert not action.unchanged(None, None)  # a moderator lifted it
    assert not action.unchanged(at(3600), at(3600))  # and paused DMs too
    plain = dataclasses.replace(action, only_if_unchanged=False)
    assert plain.unchanged(None, at(1))
    # A plain value: it round-trips (replays, the store).
    assert action_from_dict(action_to_dict(action)) == action


def test_a_raid_outlasting_its_lockdown_renews_it_once(raid_guard) -> None:
    guard = raid_guard(lockdown={"duration": 100}, quiet=60)
    plans = [guard.handle(join(100 + i, i)) for i in range(5)]
    # The raid goes on at a join every 30 seconds, past the pause's 100 seconds.
    plans += [guard.handle(join(200 + i, 4 + 30 * (i + 1))) for i in range(6)]
    paused = [lockdown.invites_disabled_until for lockdown in lockdowns(plans)]
    assert paused == [at(104), at(124 + 100)]


def test_replayed_joins_are_counted_once_and_a_join_after_a_leave_again(raid_guard) -> None:
    guard = raid_guard()
    # The gateway replays a join: the guard decides it once.
    plans = [guard.handle(join(10, 0)) for _ in range(5)]
    plans += [guard.handle(join(11, 1)), guard.handle(join(12, 2)), guard.handle(join(11, 2.5))]
    assert not any(plan.actions for plan in plans)
    # Joining and leaving over and over is a way to raid too: each join after a leave counts.
    guard.handle(MemberLeave(guild_id=GUILD, user_id=12, at=at(3)))
    assert guard.handle(join(12, 3.5)).actions == ()
    fifth = guard.handle(join(13, 4))
    # The member is punished once, however many of its joins started the raid.
    assert sorted(punished([fifth])) == [10, 11, 12, 13]


def test_joins_out_of_order_start_one_raid_and_spare_earlier_members(raid_guard) -> None:
    guard = raid_guard(lockdown={})
    # Two shards' clocks disagree: the joins arrive out of order.
    order = [(100, 3.0), (101, 1.0), (102, 4.5), (103, 2.0), (104, 0.5)]
    plans = [guard.handle(join(user, t)) for user, t in order]
    assert [bool(plan.actions) for plan in plans] == [False] * 4 + [True]
    assert sorted(punished(plans)) == [100, 101, 102, 103, 104]
    # A join from before the raid's first join, delivered late: left alone.
    assert guard.handle(join(1, -20)).actions == ()
    # A join in the raid delivered late is a raid joiner.
    assert punished([guard.handle(join(105, 0.7))]) == [105]
    assert len(lockdowns(plans)) == 1


def test_raid_mode_survives_a_snapshot(raid_guard) -> None:
    guard = raid_guard(lockdown={})
    for i in range(5):
        guard.handle(join(100 + i, i))
    restored = raid_guard(lockdown={})
    restored.load_snapshot(guard.snapshot())
    plan = restored.handle(join(200, 10))
    assert punished([plan]) == [200]
    assert lockdowns([plan]) == reports([plan]) == []


def test_a_dry_run_plans_the_lockdown_and_the_punishments(raid_guard) -> None:
    guard = raid_guard(top={"dry_run": True}, lockdown={})
    plans = [guard.handle(join(100 + i, i)) for i in range(5)]
    assert plans[-1].dry_run
    assert [a.kind for a in plans[-1].actions] == ["incident_actions", "join_raid"] + [
        "timeout"
    ] * 5


def test_none_for_raid_joiners_reports_the_raid_and_punishes_nobody(raid_guard) -> None:
    guard = raid_guard(raid_joiners="NONE")
    plans = [guard.handle(join(100 + i, i)) for i in range(7)]
    assert punished(plans) == []
    assert [r.started for r in reports(plans)] == [True]


def test_the_report_round_trips_as_plain_data_and_describes_itself() -> None:
    from spamguard.core.actions import action_from_dict, action_to_dict

    report = JoinRaidReport(guild_id=1, started=True, at=T0, joins=5, reason="5 joins within 10s")
    assert action_from_dict(action_to_dict(report)) == report
    assert report.describe() == "join raid started (5 joins within 10s)"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"lockdown": {"duration": 100_000}},
            "extensions.join_raid.lockdown.duration: must be at most 86400 seconds (24 hours: "
            "Discord's limit for incident actions), got 100000",
        ),
        (
            {"lockdown": {"invites": False}},
            "extensions.join_raid.lockdown: pauses nothing: set invites or dms to true, or "
            "lockdown to false",
        ),
        (
            {"joins": 1},
            "extensions.join_raid.joins: must be an integer >= 2, got 1",
        ),
        (
            {"interval": 30, "quiet": 20},
            "extensions.join_raid.quiet: must be at least the interval joins are counted "
            "over (30 seconds), got 20",
        ),
        (
            {"raid_joiners": "WARN"},
            "extensions.join_raid.raid_joiners: must be one of NONE, TIMEOUT, KICK, BAN, "
            "got 'WARN'",
        ),
        (
            {"similar_names": {"accuracy": 101}},
            "extensions.join_raid.similar_names.accuracy: must be an integer from 0 to 100, got 101",
        ),
        (
            {"lockdown": {"invite": True}},
            "extensions.join_raid.lockdown.invite: unknown key (did you mean 'invites'?)",
        ),
        (
            {"punishment_duration": 3_000_000},
            "extensions.join_raid.punishment_duration: must be at most 2419200 seconds",
        ),
    ],
)
def test_settings_mistakes_name_their_field(policy, settings, message) -> None:
    with pytest.raises(PolicyError) as caught:
        Guard(policy(extensions={"join_raid": settings}), plugins=[JoinRaid()])
    assert any(str(issue).startswith(message) for issue in caught.value.issues), [
        str(issue) for issue in caught.value.issues
    ]


def test_the_extension_is_off_without_settings_or_with_enabled_false(policy) -> None:
    for extensions in ({}, {"join_raid": {"enabled": False}}):
        guard = Guard(policy(extensions=extensions), plugins=[JoinRaid()])
        plans = [guard.handle(join(100 + i, i * 0.1)) for i in range(20)]
        assert not any(plan.actions for plan in plans)


def test_the_readme_ready_policy_is_valid_and_stops_a_raid() -> None:
    import pathlib
    import re

    import yaml

    from spamguard.core import Policy

    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Raids and new members", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    guard = Guard(Policy.from_dict(yaml.safe_load(block.group(1))), plugins=[JoinRaid()])
    # member100, member101...: five look-alike names in a minute start the raid at the fifth.
    plans = [guard.handle(join(100 + i, i * 0.5)) for i in range(12)]
    [lockdown] = lockdowns(plans)
    assert lockdown.invites_disabled_until == at(2 + 1800)
    assert sorted(punished(plans)) == list(range(100, 112))


def test_the_policy_reference_names_every_setting_of_every_built_in_extension() -> None:
    from spamguard.contrib import link_filter, mass_mention, message_length, raid
    from spamguard.contrib.join_raid_settings import JoinRaidSettings
    from spamguard.core.policy.reference import reference_markdown

    rows = {
        line.split("|")[1].strip(" `"): line
        for line in reference_markdown().split("## `extensions`")[1].splitlines()
        if line.startswith("| `")
    }
    probes = {
        "mass_mention": (mass_mention.MassMentionSettings.parse, {}),
        "message_length": (message_length.MessageLengthSettings.parse, {}),
        "link_filter": (link_filter.LinkFilterSettings.parse, {}),
        "link_filter.lookalikes": (link_filter.LinkFilterSettings.parse, "lookalikes"),
        "raid": (raid.RaidSettings.parse, {}),
        "join_raid": (JoinRaidSettings.parse, {}),
        "join_raid.similar_names": (JoinRaidSettings.parse, "similar_names"),
        "join_raid.lockdown": (JoinRaidSettings.parse, "lockdown"),
    }
    for name, (parse, section) in probes.items():
        data: dict[str, typing.Any] = {"unknown_probe": 1}
        if section:
            data = {section: data}
        with pytest.raises(PolicyError) as caught:
            parse(data)
        # The reader lists the allowed keys in its "unknown key" message.
        allowed = str(caught.value.issues[0]).split("allowed: ")[1].split(", ")
        row = rows[name.split(".")[0]]
        missing = [key for key in allowed if key != "enabled" and f"`{key}`" not in row]
        assert not missing, (name, missing)
