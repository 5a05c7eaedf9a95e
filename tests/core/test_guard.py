"""The guard as a whole: messages in, deterministic plans out, bounded state."""

from __future__ import annotations

import dataclasses
import datetime
import typing

import pytest

from spamguard.core import (
    Guard,
    Message,
    MessageError,
    Plan,
    Policy,
    ScheduledAction,
    Unban,
    snowflake_time,
)
from spamguard.core.policy.fields import MAX_DURATION

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

RULE = {
    "punishment": "TEMPBAN",
    "punishment_duration": 60,
    "clean": True,
    "max_messages": {"count": 3, "interval": 5},
    "max_duplicates": {"count": 3, "interval": 30},
}


def test_message_is_a_frozen_value(msg: Msg) -> None:
    message = msg("hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "changed"
    assert message == dataclasses.replace(message)
    assert hash(message) == hash(dataclasses.replace(message))


def test_message_time_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="must be timezone-aware"):
        Message(
            id=1,
            guild_id=1,
            channel_id=1,
            author_id=1,
            content="",
            created_at=datetime.datetime(2024, 1, 1),  # naive: the mistake under test
        )


@pytest.mark.parametrize(
    "created_at",
    [
        datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(1969, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
        datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    ],
)
def test_a_message_dated_outside_1970_to_9000_is_refused_naming_created_at(
    created_at: datetime.datetime,
) -> None:
    # Found by fuzzing: such a date overflowed inside Guard.process (a punishment's end,
    # the 14-day limit of bulk deletes) instead of being refused where it came in.
    with pytest.raises(MessageError, match=r"^created_at: must be between 1970-01-01") as caught:
        Message(id=1, guild_id=1, channel_id=1, author_id=1, content="", created_at=created_at)
    assert caught.value.field == "created_at"


@pytest.mark.parametrize(
    "start",
    [
        datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(8999, 12, 31, 23, 59, 50, tzinfo=datetime.UTC),
    ],
)
def test_a_flood_at_either_end_of_the_allowed_dates_is_punished_and_cleaned(
    start: datetime.datetime,
) -> None:
    # The bounds leave room for the longest arithmetic on a date: the longest punishment
    # a policy may ask for (its undo is scheduled that far ahead) and the 14-day limit
    # of bulk deletes.
    rule = {**RULE, "punishment_duration": MAX_DURATION}
    policy = Policy.from_dict({"spam": {"levels": {0: rule}}})
    guard = Guard(policy)
    plans = [
        guard.process(
            Message(
                id=1 + i,
                guild_id=1,
                channel_id=2,
                author_id=3,
                content="spam",
                created_at=start + datetime.timedelta(seconds=i),
            )
        )
        for i in range(8)
    ]
    punished = [plan for plan in plans if plan.punishment == "TEMPBAN"]
    assert punished and punished[-1].scheduled
    assert any(action.kind == "delete" for plan in plans for action in plan.actions)


def test_a_decision_time_must_be_timezone_aware_and_in_range(msg: Msg) -> None:
    guard = Guard(Policy.default())
    message = msg("hi")
    with pytest.raises(MessageError, match=r"^now: must be timezone-aware"):
        guard.process(message, now=datetime.datetime(2024, 1, 1))  # naive: the mistake
    with pytest.raises(MessageError, match=r"^now: must be between 1970-01-01"):
        guard.process(message, now=datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC))


def test_snowflake_time() -> None:
    # Discord's documented example id: 175928847299117063 is 2016-04-30 11:18:25.796 UTC.
    assert snowflake_time(175928847299117063) == datetime.datetime(
        2016, 4, 30, 11, 18, 25, 796000, tzinfo=datetime.UTC
    )


def test_same_messages_give_the_same_plans(msg: Msg) -> None:
    policy = Policy.from_dict({"spam": {"levels": {0: RULE}}})
    messages = [
        msg(text, t=i * 0.7, author_id=1 + i % 2)
        for i, text in enumerate(["a", "spam", "spam", "b", "spam", "c", "d", "e", "spam"] * 3)
    ]
    first, second = Guard(policy), Guard(policy)
    plans = [first.process(m) for m in messages]
    assert plans == [second.process(m) for m in messages]
    assert any(plans)
    assert first.snapshot() == second.snapshot()


def test_a_plan_is_true_when_there_is_something_to_do(msg: Msg) -> None:
    assert not Plan()
    assert Plan(actions=(Unban(guild_id=1, user_id=2),))
    assert Plan(scheduled=(ScheduledAction(msg.at(0), Unban(guild_id=1, user_id=2)),))


def test_scheduled_actions_are_handed_out_when_due(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"levels": {0: RULE}}}))
    plans = [guard.process(msg(f"text {t}", t=t)) for t in (0, 1, 2)]
    plans += [guard.process(msg(f"text {t}", t=t, author_id=77)) for t in (100, 101, 102)]
    # The guard proposes the unbans and queues none itself ...
    assert guard.pending() == ()
    # ... until told that each ban succeeded (here at its decision time).
    for plan in plans:
        for action in plan.actions:
            for undo in plan.undos_of(action, msg.at(2 if plan.user_id == msg.USER else 102)):
                guard.schedule(undo)
    assert guard.next_due() == msg.at(62)
    assert guard.pop_due(msg.at(61)) == ()
    (first,) = guard.pop_due(msg.at(62))
    assert first.action == Unban(
        guild_id=msg.GUILD, user_id=msg.USER, reason="spamguard: temporary ban ended"
    )
    (second,) = guard.pop_due(msg.at(500))
    assert second.action.user_id == 77  # type: ignore[union-attr]
    assert guard.next_due() is None


def test_stats_count_messages_checks_actions_and_skips(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"levels": {0: RULE}}}))
    for t in (0, 1, 2):
        guard.process(msg(f"text {t}", t=t))
    guard.process(msg(guild_id=None))
    expected = {
        "messages": 3,
        "check:max_messages": 1,
        "incidents": 1,
        "action:delete": 1,
        "action:ban": 1,
        "skipped:dm": 1,
    }
    assert expected.items() <= guard.stats().items()
    assert guard.stats(msg.GUILD)["messages"] == 3


def test_prune_forgets_idle_state_but_not_escalation(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"levels": {0: RULE}}}))
    for t in (0, 1, 2):
        guard.process(msg(f"text {t}", t=t))
    guard.process(msg("quiet member", t=3, author_id=55))
    guard.prune(msg.at(10_000))
    snapshot = guard.snapshot()
    assert snapshot["windows"] == []
    assert snapshot["cleaned"] == []
    # The punished member keeps their counters; the quiet one is forgotten.
    assert [(g, u) for g, u, _ in snapshot["members"]] == [(msg.GUILD, msg.USER)]
    assert guard.member_counters(msg.GUILD, msg.USER)["ban_count"] == 1


def test_prune_keeps_what_the_policy_can_still_look_at(msg: Msg) -> None:
    guard = Guard(Policy.from_dict({"spam": {"levels": {0: RULE}}}))
    first = msg("spam", t=0)
    guard.process(first)
    guard.process(msg("spam", t=20))
    guard.prune(msg.at(25))
    # Within 30 s of the first message: still a duplicate window and a known id.
    assert guard.process(first).skipped_reason == "redelivered"
    (violation,) = guard.process(msg("spam", t=26)).violations
    assert violation.message_ids == (1, 2, 3)


def test_a_custom_message_object_works(msg: Msg) -> None:
    @dataclasses.dataclass(frozen=True)
    class LibraryMessage:
        """Only the attributes of MessageLike, as an adapter's own object would have."""

        id: int
        guild_id: int | None
        channel_id: int
        author_id: int
        content: str
        created_at: datetime.datetime
        author_is_bot: bool = False
        author_role_ids: frozenset[int] = frozenset()
        mention_ids: tuple[int, ...] = ()
        role_mention_ids: tuple[int, ...] = ()
        mentions_everyone: bool = False
        attachment_count: int = 0
        sticker_count: int = 0
        embed_count: int = 0
        category_id: int | None = None
        parent_id: int | None = None
        author_is_admin: bool = False
        author_can_manage_messages: bool = False
        author_is_owner: bool = False

    guard = Guard(Policy.from_dict({"spam": {"levels": {0: RULE}}}))
    plans = [
        guard.process(LibraryMessage(i, msg.GUILD, msg.CHANNEL, 5, f"m{i}", msg.at(i)))
        for i in range(1, 4)
    ]
    assert plans[2].punishment == "TEMPBAN"
