"""From a punishment to the actions of the plan: each punishment, notices, DMs, dry runs."""

from __future__ import annotations

import datetime
import typing

import pytest

from spamguard.core import (
    AddRole,
    Ban,
    DirectMessage,
    Guard,
    Kick,
    Plan,
    Policy,
    PolicyError,
    RemoveRole,
    ScheduledAction,
    SendMessage,
    Timeout,
    Unban,
)
from spamguard.core.policy import GuildPolicy, Punishment
from spamguard.core.policy.punishments import punishment_actions

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

DAY = 86_400


def punish(msg: Msg, punishment: str, duration: int = 300, **top: typing.Any) -> Plan:
    """The plan for a single link when one link is the limit."""
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "punishment": punishment,
                        "punishment_duration": duration,
                        "max_links": {"count": 1, "interval": 10},
                    }
                }
            },
            **top,
        }
    )
    return Guard(policy).process(msg("https://spam.example", t=0, author_name="Spammer"))


def test_none_reports_the_violation_without_actions(msg: Msg) -> None:
    plan = punish(msg, "NONE")
    assert plan.violations
    assert plan.actions == ()
    assert plan.punishment == "NONE"
    assert not plan


def test_warn_posts_the_warning_in_the_channel(msg: Msg) -> None:
    plan = punish(msg, "WARN")
    (warning,) = plan.actions
    assert isinstance(warning, SendMessage)
    assert warning.channel_id == msg.CHANNEL
    assert warning.content == f"Hey <@{msg.USER}>, please stop spamming."
    assert warning.mention_user_ids == (msg.USER,)
    assert warning.delete_after == 30.0
    assert plan.punishment == "WARN"
    assert plan.on_failure == ()
    assert plan


def test_tempmute_without_mute_role_is_a_timeout(msg: Msg) -> None:
    plan = punish(msg, "TEMPMUTE", 120)
    (timeout,) = plan.actions
    assert timeout == Timeout(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        until=msg.at(120),
        reason="spamguard: max_links (1/1 in 10s)",
    )
    assert plan.scheduled == ()


def test_tempmute_with_mute_role_adds_it_and_schedules_removal(msg: Msg) -> None:
    plan = punish(msg, "TEMPMUTE", 120, mute_role_id=999)
    (add,) = plan.actions
    assert isinstance(add, AddRole)
    assert (add.user_id, add.role_id) == (msg.USER, 999)
    ((run_at, remove, *_),) = plan.scheduled
    assert run_at == msg.at(120)
    assert remove == RemoveRole(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        role_id=999,
        reason="spamguard: temporary mute ended",
    )


def test_mute_without_mute_role_is_the_longest_timeout(msg: Msg) -> None:
    (timeout,) = punish(msg, "MUTE").actions
    assert isinstance(timeout, Timeout)
    assert timeout.until == msg.at(28 * DAY)


def test_mute_with_mute_role_is_never_undone(msg: Msg) -> None:
    plan = punish(msg, "MUTE", mute_role_id=999)
    assert [type(a) for a in plan.actions] == [AddRole]
    assert plan.scheduled == ()


def test_timeout_lasts_the_punishment_duration(msg: Msg) -> None:
    (timeout,) = punish(msg, "TIMEOUT", 600, mute_role_id=999).actions
    assert isinstance(timeout, Timeout)
    assert timeout.until == msg.at(600)


def test_timeout_is_clamped_to_28_days(msg: Msg) -> None:
    # A policy refuses a longer TIMEOUT (test_policy_timeouts.py); a duration reaching the
    # punishment another way (a plugin's violation takes its rule's duration) is clamped.
    (timeout,) = punishment_actions(
        Punishment.TIMEOUT,
        policy=GuildPolicy(),
        message=msg("https://spam.example", t=0),
        now=msg.at(0),
        duration=90 * DAY,
        reason="",
        values={},
        dms=False,
    ).actions
    assert isinstance(timeout, Timeout)
    assert timeout.until == msg.at(28 * DAY)


def test_kick(msg: Msg) -> None:
    plan = punish(msg, "KICK")
    assert plan.actions == (
        Kick(guild_id=msg.GUILD, user_id=msg.USER, reason="spamguard: max_links (1/1 in 10s)"),
    )
    assert plan.scheduled == ()


def test_ban_deletes_the_configured_history(msg: Msg) -> None:
    plan = punish(msg, "BAN", ban_delete_message_seconds=3600)
    (ban,) = plan.actions
    assert isinstance(ban, Ban)
    assert ban.delete_message_seconds == 3600
    assert plan.scheduled == ()


def test_tempban_bans_and_schedules_the_unban(msg: Msg) -> None:
    plan = punish(msg, "TEMPBAN", 2 * DAY)
    (ban,) = plan.actions
    assert isinstance(ban, Ban)
    assert ban.delete_message_seconds == 0
    ((run_at, unban, *_),) = plan.scheduled
    assert run_at == msg.at(2 * DAY)
    assert unban == Unban(
        guild_id=msg.GUILD, user_id=msg.USER, reason="spamguard: temporary ban ended"
    )


def test_softban_bans_purging_a_day_and_unbans_as_soon_as_the_ban_succeeded(msg: Msg) -> None:
    plan = punish(msg, "SOFTBAN")
    (ban,) = plan.actions
    assert ban == Ban(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        reason="spamguard: max_links (1/1 in 10s)",
        delete_message_seconds=DAY,
    )
    ((_run_at, unban, undoes, duration),) = plan.scheduled
    assert (undoes, duration) == (ban, 0.0)
    assert unban == Unban(
        guild_id=msg.GUILD,
        user_id=msg.USER,
        reason="spamguard: softban (messages purged, ban lifted)",
    )
    # Kept only once the ban succeeded, due the moment it completed; a failed ban keeps
    # nothing (the undo is tied to it).
    done = msg.at(3)
    assert plan.undos_of(ban, done) == (ScheduledAction(done, unban),)
    assert plan.unconditional() == ()


def test_softban_purges_the_policys_softban_history(msg: Msg) -> None:
    plan = punish(
        msg, "SOFTBAN", softban_delete_message_seconds=3600, ban_delete_message_seconds=60
    )
    (ban,) = plan.actions
    assert isinstance(ban, Ban)
    assert ban.delete_message_seconds == 3600


@pytest.mark.parametrize("seconds", [-1, 604_801, "a day"])
def test_softban_history_is_validated(seconds: object) -> None:
    with pytest.raises(PolicyError, match=r"^softban_delete_message_seconds: must be "):
        Policy.from_dict({"softban_delete_message_seconds": seconds})


def test_softban_sits_between_kick_and_tempban() -> None:
    from spamguard.core.policy import SEVERITY

    assert SEVERITY[Punishment.KICK] < SEVERITY[Punishment.SOFTBAN]
    assert SEVERITY[Punishment.SOFTBAN] < SEVERITY[Punishment.TEMPBAN] < SEVERITY[Punishment.BAN]


@pytest.mark.parametrize(
    "punishment", ["MUTE", "TEMPMUTE", "TIMEOUT", "KICK", "BAN", "TEMPBAN", "SOFTBAN"]
)
def test_the_failure_notice_is_not_posted_in_the_channel_by_default(
    msg: Msg, punishment: str
) -> None:
    # The spammer reads the channel; the runtime logs the failure instead.
    assert punish(msg, punishment).on_failure == ()


@pytest.mark.parametrize(
    "punishment", ["MUTE", "TEMPMUTE", "TIMEOUT", "KICK", "BAN", "TEMPBAN", "SOFTBAN"]
)
def test_a_policy_can_post_the_failure_notice_in_the_channel(msg: Msg, punishment: str) -> None:
    plan = punish(msg, punishment, notices={"failed_in_channel": True})
    (failed,) = plan.on_failure
    assert isinstance(failed, SendMessage)
    assert failed.content == f"I could not punish Spammer ({msg.USER}): max_links."
    assert failed.mention_user_ids == (msg.USER,)


def test_failed_in_channel_must_be_true_or_false(msg: Msg) -> None:
    with pytest.raises(PolicyError, match=r"notices\.failed_in_channel: must be true or false"):
        Policy.from_dict({"notices": {"failed_in_channel": "yes"}})


@pytest.mark.parametrize(("punishment", "kind"), [("TEMPBAN", "ban"), ("TEMPMUTE", "add_role")])
def test_an_undo_is_due_its_whole_duration_after_its_punishment_completed(
    msg: Msg, punishment: str, kind: str
) -> None:
    plan = punish(msg, punishment, 300, mute_role_id=999)
    (punished,) = [a for a in plan.actions if a.kind == kind]
    # The guard proposes: the undo names its punishment and lasts the whole duration ...
    ((_run_at, undo, undoes, duration),) = plan.scheduled
    assert (undoes, duration) == (punished, 300)
    # ... and is kept only for that punishment, counted from when it completed (a slow,
    # rate-limited request does not shorten it).
    done = msg.at(42)
    assert plan.undos_of(punished, done) == (ScheduledAction(msg.at(42 + 300), undo),)
    assert [plan.undos_of(a, done) for a in plan.actions if a is not punished] == [
        () for a in plan.actions if a is not punished
    ]
    assert plan.undos_after(done) == (ScheduledAction(msg.at(42 + 300), undo),)


def test_punishment_dms_come_before_the_punishment(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "notices": {"punishment": "$MEMBERNAME was muted ($COUNT/$LIMIT)."},
            "spam": {
                "levels": {
                    0: {
                        "punishment": "KICK",
                        "punishment_dms": True,
                        "max_links": {"count": 1, "interval": 10},
                    }
                }
            },
        }
    )
    plan = Guard(policy).process(
        msg("https://x.example", author_name="Sam", guild_name="Cozy Place")
    )
    assert [type(a) for a in plan.actions] == [DirectMessage, SendMessage, Kick]
    dm, notice, _kick = plan.actions
    assert isinstance(dm, DirectMessage)
    assert dm.user_id == msg.USER
    assert dm.content == "You received a kick in Cozy Place for spam (max_links: 1/1)."
    assert isinstance(notice, SendMessage)
    assert notice.content == "Sam was muted (1/1)."


def test_embed_notices_are_rendered(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "notices": {
                "warn": {"title": "Stop, $MEMBERNAME", "fields": [{"value": "$VIOLATION"}]}
            },
            "spam": {
                "levels": {0: {"punishment": "WARN", "max_links": {"count": 1, "interval": 10}}}
            },
        }
    )
    (warning,) = Guard(policy).process(msg("https://x.example", author_name="Sam")).actions
    assert isinstance(warning, SendMessage)
    assert warning.content == ""
    assert warning.embed == {"title": "Stop, Sam", "fields": [{"value": "max_links"}]}


def test_a_null_notice_sends_nothing(msg: Msg) -> None:
    plan = punish(msg, "WARN", notices={"warn": None})
    assert plan.actions == ()
    assert plan.punishment == "WARN"


def test_the_most_severe_punishment_asked_for_wins(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "punishment": "WARN",
                        "max_links": {"count": 1, "interval": 10, "punishment": "KICK"},
                        "max_messages": {"count": 1, "interval": 10},
                    }
                }
            }
        }
    )
    plan = Guard(policy).process(msg("https://x.example"))
    assert len(plan.violations) == 2
    assert plan.punishment == "KICK"
    assert [a.kind for a in plan.actions] == ["kick"]


def test_dry_run_plans_are_marked_and_state_evolves(msg: Msg) -> None:
    document = {
        "spam": {
            "levels": {
                0: {
                    "punishment": "TEMPBAN",
                    "clean": True,
                    "max_messages": {"count": 2, "interval": 10},
                }
            }
        }
    }
    live, dry = (
        Guard(Policy.from_dict(document)),
        Guard(Policy.from_dict({**document, "dry_run": True})),
    )
    stream = [msg(t=i) for i in range(5)]
    live_plans = [live.process(m) for m in stream]
    dry_plans = [dry.process(m) for m in stream]
    assert all(p.dry_run for p in dry_plans)
    assert not any(p.dry_run for p in live_plans)
    for live_plan, dry_plan in zip(live_plans, dry_plans, strict=True):
        assert live_plan.actions == dry_plan.actions
        assert live_plan.violations == dry_plan.violations
    assert live.member_counters(msg.GUILD, msg.USER) == dry.member_counters(msg.GUILD, msg.USER)
    assert live.stats() == dry.stats()
    # The guard only proposes undos (the runtime keeps them once the ban succeeded; it
    # carries nothing out in dry run): neither guard queued one.
    assert live.pending() == dry.pending() == ()


def test_plan_ids_and_to_dict(msg: Msg) -> None:
    plan = punish(msg, "TEMPBAN", 60)
    data = plan.to_dict()
    assert (data["message_id"], data["guild_id"], data["user_id"], data["channel_id"]) == (
        1,
        msg.GUILD,
        msg.USER,
        msg.CHANNEL,
    )
    assert data["actions"][0]["kind"] == "ban"
    assert data["scheduled"][0]["run_at"] == (msg.T0 + datetime.timedelta(seconds=60)).isoformat()
    assert data["violations"][0]["message_ids"] == [1]
    assert data["skipped_reason"] is None


@pytest.mark.parametrize("duration", [float("nan"), float("inf"), -1, "60", True, None])
def test_a_scheduled_undo_with_no_usable_duration_is_refused_where_it_is_read(
    duration: object,
) -> None:
    from spamguard.core import ScheduledAction, ScheduleError, Unban

    run_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    unban = Unban(guild_id=1, user_id=2, reason="spamguard: temporary ban over")
    data = {
        **ScheduledAction(run_at, unban).to_dict(),
        "undoes": {"kind": "ban", "guild_id": 1, "user_id": 2},
        "duration": duration,
    }
    with pytest.raises(ScheduleError, match="duration must be a finite number of seconds"):
        ScheduledAction.from_dict(data)
