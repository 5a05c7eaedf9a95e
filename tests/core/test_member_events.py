"""Members joining and leaving: what the guard records, the join hook, bad input."""

from __future__ import annotations

import dataclasses
import datetime
import typing

import pytest

from spamguard.core import (
    Guard,
    JoinContext,
    MemberJoin,
    MemberLeave,
    MessageError,
    Policy,
    SetIncidentActions,
    SkipReason,
    Timeout,
    action_from_dict,
    action_to_dict,
    hookimpl,
    snowflake_time,
)
from spamguard.core.actions import MAX_INCIDENT_ACTIONS, incident_actions_for
from spamguard.core.engine.joins import JOIN_MEMORY, join_window_key
from spamguard.core.windows import MAX_ENTRIES, Entry
from spamguard.reporting.describe import describe_action

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.core import Action

T0 = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
GUILD = 100


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def join(user_id: int, seconds: float = 0.0, **fields: typing.Any) -> MemberJoin:
    return MemberJoin(guild_id=GUILD, user_id=user_id, joined_at=at(seconds), **fields)


def leave(user_id: int, seconds: float) -> MemberLeave:
    return MemberLeave(guild_id=GUILD, user_id=user_id, at=at(seconds))


class JoinCounter:
    """Counts joins in a guild window of 10 s; pauses invites from the third."""

    name = "join_counter"

    def __init__(self) -> None:
        self.seen: list[int] = []

    @hookimpl
    def spamguard_check_member_join(
        self, join: MemberJoin, context: JoinContext
    ) -> Iterable[Action]:
        self.seen.append(join.user_id)
        window = context.window("joins", interval=10)
        ts = context.now.timestamp()
        window.expire(ts - 10)
        window.add(Entry(ts, join.user_id, 0, join.user_id))
        if len(window) >= 3:
            return [
                incident_actions_for(
                    guild_id=join.guild_id, now=context.now, invites_seconds=3600, reason="raid"
                )
            ]
        return []


def test_a_join_records_when_the_member_joined_and_a_leave_forgets_it() -> None:
    guard = Guard(Policy.default())
    plan = guard.handle(join(7, 5))
    assert (plan.guild_id, plan.user_id, plan.actions, plan.skipped_reason) == (GUILD, 7, (), None)
    member = guard.state.member(GUILD, 7)
    assert member is not None
    assert member.joined_at == at(5).timestamp()

    assert not guard.handle(leave(7, 9))
    assert member.joined_at is None
    assert guard.stats(GUILD) == {"member_joins": 1, "member_leaves": 1}


def test_the_account_creation_time_is_the_user_ids_snowflake_time() -> None:
    user_id = 175928847299117063
    assert join(user_id).account_created_at == snowflake_time(user_id)


def test_a_replayed_join_is_decided_once() -> None:
    counter = JoinCounter()
    guard = Guard(Policy.default(), plugins=[counter])
    guard.handle(join(1, 0))
    guard.handle(join(2, 1))
    first = guard.handle(join(3, 2))
    assert [a.kind for a in first.actions] == ["incident_actions"]
    # The gateway replays the third join after a resume (same time, or received later).
    for replay in (join(3, 2), join(3, 4)):
        again = guard.handle(replay)
        assert again.skipped_reason is SkipReason.REDELIVERED
        assert again.actions == ()
    assert counter.seen == [1, 2, 3]
    assert guard.stats(GUILD)["skipped:redelivered"] == 2


def test_a_join_older_than_the_members_last_leave_is_not_a_new_join() -> None:
    counter = JoinCounter()
    guard = Guard(Policy.default(), plugins=[counter])
    guard.handle(join(1, 0))
    guard.handle(leave(1, 10))
    # A shard whose clock is behind delivers the first join again after the leave.
    late = guard.handle(join(1, 0))
    assert late.skipped_reason is SkipReason.REDELIVERED
    # A leave older than the last one seen does not move it back either.
    guard.handle(leave(1, 5))
    assert guard.handle(join(1, 8)).skipped_reason is SkipReason.REDELIVERED
    # Coming back after the leave is a join.
    assert guard.handle(join(1, 20)).skipped_reason is None
    assert counter.seen == [1, 1]


def test_joins_arriving_out_of_order_count_in_the_window_once_each() -> None:
    counter = JoinCounter()
    guard = Guard(Policy.default(), plugins=[counter])
    guard.handle(join(1, 5))
    guard.handle(join(2, 3))  # received after the first, joined before it
    plan = guard.handle(join(3, 6))
    assert [a.kind for a in plan.actions] == ["incident_actions"]
    window = guard.state.window(join_window_key("join_counter", "joins", GUILD))
    assert window is not None
    assert [e.message_id for e in window.entries] == [2, 1, 3]


def test_a_join_in_a_guild_the_policy_does_not_name_is_decided_by_the_base_settings() -> None:
    policy = Policy.from_dict({"guilds": {"1": {"dry_run": True}}})
    guard = Guard(policy, plugins=[JoinCounter()])
    for user_id in range(3):
        plan = guard.handle(join(user_id, user_id))
    assert plan.dry_run is False
    assert [a.kind for a in plan.actions] == ["incident_actions"]
    dry = guard.handle(MemberJoin(guild_id=1, user_id=5, joined_at=T0))
    assert dry.dry_run is True


@pytest.mark.parametrize(
    ("policy", "fields", "reason"),
    [
        ({}, {"bot": True}, SkipReason.BOT),
        ({"ignore": {"users": [7]}}, {}, SkipReason.IGNORED_USER),
        ({"ignore": {"roles": [55]}}, {"role_ids": frozenset({55})}, SkipReason.IGNORED_ROLE),
        ({"ignore": {"guilds": [GUILD]}}, {}, SkipReason.IGNORED_GUILD),
    ],
)
def test_bots_and_ignored_members_joining_are_skipped(
    policy: dict[str, typing.Any], fields: dict[str, typing.Any], reason: SkipReason
) -> None:
    counter = JoinCounter()
    guard = Guard(Policy.from_dict(policy), plugins=[counter])
    plan = guard.handle(join(7, **fields))
    assert plan.skipped_reason is reason
    assert counter.seen == []
    assert guard.state.member(GUILD, 7) is None


def test_a_bot_joining_is_decided_while_ignore_bots_is_off() -> None:
    counter = JoinCounter()
    guard = Guard(Policy.from_dict({"ignore_bots": False}), plugins=[counter])
    assert guard.handle(join(7, bot=True)).skipped_reason is None
    assert counter.seen == [7]


def test_the_bot_itself_joining_is_skipped() -> None:
    guard = Guard(Policy.default(), plugins=[JoinCounter()], self_id=7)
    assert guard.handle(join(7)).skipped_reason is SkipReason.SELF


def test_a_naive_join_time_is_refused_naming_the_field() -> None:
    guard = Guard(Policy.default())
    naive = MemberJoin(guild_id=GUILD, user_id=1, joined_at=datetime.datetime(2025, 1, 1))
    with pytest.raises(MessageError, match="joined_at"):
        guard.handle(naive)
    with pytest.raises(MessageError, match="at"):
        guard.handle(MemberLeave(guild_id=GUILD, user_id=1, at=datetime.datetime(2025, 1, 1)))
    assert guard.state.member(GUILD, 1) is None


def test_each_plugin_owns_its_join_windows_and_sees_when_members_joined() -> None:
    seen: dict[str, list[typing.Any]] = {"a": [], "b": []}

    class Plugin:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl
        def spamguard_check_member_join(self, join: MemberJoin, context: JoinContext) -> None:
            window = context.window("joins", interval=60)
            window.add(Entry(context.now.timestamp(), join.user_id, 0, join.user_id))
            seen[self.name].append((len(window), context.member_joined_at(1)))

    guard = Guard(Policy.default(), plugins=[Plugin("a")])
    guard.register_plugin(Plugin("b"))
    guard.handle(join(1, 0))
    guard.handle(join(2, 1))
    assert seen["a"] == seen["b"] == [(1, T0), (2, T0)]
    guard.handle(leave(1, 2))
    guard.handle(join(3, 3))
    assert seen["a"][-1] == (3, None)


def test_join_hook_actions_go_in_the_plan_once_each_and_lockdowns_end_within_24_hours() -> None:
    timeout = Timeout(guild_id=GUILD, user_id=7, until=at(60))
    week = SetIncidentActions(
        guild_id=GUILD,
        invites_disabled_until=at(7 * 86400),
        dms_disabled_until=at(3600),
    )

    class Twice:
        name = "twice"

        @hookimpl
        def spamguard_check_member_join(self) -> list[typing.Any]:
            return [timeout, week, timeout, "not an action"]

    class Again:
        name = "again"

        @hookimpl
        def spamguard_check_member_join(self) -> list[typing.Any]:
            return [timeout]

    guard = Guard(Policy.default(), plugins=[Twice(), Again()])
    plan = guard.handle(join(7))
    lockdown = dataclasses.replace(week, invites_disabled_until=T0 + MAX_INCIDENT_ACTIONS)
    assert plan.actions == (timeout, lockdown)


def test_a_failing_join_hook_is_skipped_and_the_others_still_decide(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        name = "broken"

        @hookimpl
        def spamguard_check_member_join(self) -> None:
            raise RuntimeError("boom")

    counter = JoinCounter()
    guard = Guard(Policy.default(), plugins=[Broken(), counter])
    for user_id in range(3):
        plan = guard.handle(join(user_id, user_id))
    assert [a.kind for a in plan.actions] == ["incident_actions"]
    assert "spamguard_check_member_join" in caplog.text


def test_a_guild_that_disables_the_extension_skips_its_join_hook() -> None:
    counter = JoinCounter()
    policy = Policy.from_dict({"disabled_extensions": ["join_counter"]})
    guard = Guard(policy, plugins=[counter])
    guard.handle(join(1))
    assert counter.seen == []


def test_incident_actions_serialise_and_clamp_to_24_hours() -> None:
    action = incident_actions_for(
        guild_id=GUILD, now=T0, invites_seconds=10**12, dms_seconds=None, reason="raid"
    )
    assert action.invites_disabled_until == T0 + datetime.timedelta(hours=24)
    assert action.dms_disabled_until is None
    data = action_to_dict(action)
    assert data == {
        "kind": "incident_actions",
        "guild_id": GUILD,
        "invites_disabled_until": "2025-03-02T12:00:00+00:00",
        "dms_disabled_until": None,
        "reason": "raid",
        "only_if_unchanged": False,
        "expected_invites_disabled_until": None,
        "expected_dms_disabled_until": None,
    }
    assert action_from_dict(data) == action
    both = incident_actions_for(guild_id=GUILD, now=T0, invites_seconds=600, dms_seconds=60)
    assert describe_action(both, T0) == "pause invites until 10m from now and DMs until 1m from now"
    lift = SetIncidentActions(guild_id=GUILD, invites_disabled_until=None, dms_disabled_until=None)
    assert describe_action(lift) == "lift the pause of invites and DMs"
    assert lift.clamped(T0) is lift


def test_joins_and_join_windows_survive_a_snapshot_and_old_snapshots_still_load() -> None:
    guard = Guard(Policy.default(), plugins=[JoinCounter()])
    guard.handle(join(1, 0))
    guard.handle(join(2, 1))
    guard.handle(leave(2, 2))
    snapshot = guard.snapshot()

    restored = Guard.restore(Policy.default(), snapshot, plugins=[JoinCounter()])
    assert restored.snapshot() == snapshot
    assert restored.handle(join(1, 3)).skipped_reason is SkipReason.REDELIVERED
    assert restored.handle(join(2, 1)).skipped_reason is SkipReason.REDELIVERED
    third = restored.handle(join(3, 4))
    assert [a.kind for a in third.actions] == ["incident_actions"]

    # A snapshot written before joins were tracked has neither field.
    old = guard.snapshot()
    for _g, _u, member in old["members"]:
        member.pop("joined_at", None)
        member.pop("left_at", None)
    assert Guard.restore(Policy.default(), old).state.member(GUILD, 1).joined_at is None  # type: ignore[union-attr]


def test_join_tracking_is_bounded_under_a_join_flood() -> None:
    counter = JoinCounter()
    guard = Guard(Policy.default(), plugins=[counter])
    # 10,000 joins a minute for a minute: the plugin's window holds its interval's joins,
    # at most MAX_ENTRIES.
    for index in range(10_000):
        guard.handle(join(10_000 + index, index * 0.006))
    window = guard.state.window(join_window_key("join_counter", "joins", GUILD))
    assert window is not None
    assert len(window) == MAX_ENTRIES


def test_members_are_forgotten_some_time_after_they_joined() -> None:
    guard = Guard(Policy.default())
    # 600 joins a minute for almost three hours: a sweep keeps the last JOIN_MEMORY
    # seconds' joiners, and the sweeps come every four times the state's size.
    total, spacing = 100_000, 0.1
    for index in range(total):
        guard.handle(join(10_000 + index, index * spacing))
    assert len(guard.state.members) <= 5 * JOIN_MEMORY / spacing < total / 6
