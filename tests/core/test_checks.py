"""Each built-in check: what one message adds, when the window reaches the limit, scopes."""

from __future__ import annotations

import datetime
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spamguard.core import Guard, Message, Plan, Policy
from spamguard.core.text import COMPARED_LENGTH

T0 = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

# check name -> (message fields, what one such message adds to the check)
ONE_MESSAGE: dict[str, tuple[dict[str, typing.Any], int]] = {
    "max_messages": ({"content": "hi"}, 1),
    "max_mentions": ({"content": "hey", "mention_ids": (11, 12), "role_mention_ids": (13,)}, 3),
    "max_links": ({"content": "see https://a.example/x and http://b.example"}, 2),
    "max_upper_case": ({"content": "HELLO there"}, 5),
    "max_emojis": ({"content": "😀 <:pepe:123456789012345678> 👍🏽 👨‍👩‍👧 🇫🇷"}, 5),
    "max_newlines": ({"content": "a\nb\nc"}, 2),
    "max_attachments": ({"content": "", "attachment_count": 2}, 2),
    "max_duplicates": ({"content": "buy cheap nitro"}, 1),
    "max_characters": ({"content": "x" * 50}, 50),
    "max_stickers": ({"content": "", "sticker_count": 1}, 1),
    "max_invites": ({"content": "discord.gg/abc and https://discord.com/invite/x-y"}, 2),
}


def guard_for(name: str, count: int, interval: float = 10, **check: typing.Any) -> Guard:
    return Guard(
        Policy.from_dict(
            {"spam": {"levels": {0: {name: {"count": count, "interval": interval, **check}}}}}
        )
    )


def test_every_check_is_covered() -> None:
    from spamguard.core.policy import CHECK_NAMES

    assert set(ONE_MESSAGE) == set(CHECK_NAMES)


@pytest.mark.parametrize("name", list(ONE_MESSAGE))
def test_check_fires_when_the_window_total_reaches_count(name: str, msg: Msg) -> None:
    fields, amount = ONE_MESSAGE[name]
    limit = 2 * amount + 1  # reached by the third message, not the second
    guard = guard_for(name, limit)
    plans = [guard.process(msg(t=i, **fields)) for i in range(3)]
    assert [p.violations for p in plans[:2]] == [(), ()]
    (violation,) = plans[2].violations
    assert violation.check == name
    assert violation.count == 3 * amount
    assert violation.limit == limit
    assert violation.interval == 10.0
    assert violation.message_ids == (1, 2, 3)
    assert violation.scope == "user"
    assert plans[2].skipped_reason is None


@pytest.mark.parametrize("name", [n for n in ONE_MESSAGE if n != "max_messages"])
def test_message_adding_nothing_does_not_fire_a_full_window(name: str, msg: Msg) -> None:
    fields, amount = ONE_MESSAGE[name]
    guard = guard_for(name, 2 * amount)
    assert guard.process(msg(t=0, **fields)).violations == ()
    assert guard.process(msg(t=1, **fields)).violations != ()
    # The window is still at the limit, but an empty message adds nothing to this check.
    plain = guard.process(msg("", t=2))
    assert plain.violations == ()


def test_messages_older_than_the_interval_leave_the_window(msg: Msg) -> None:
    guard = guard_for("max_messages", 3, interval=10)
    assert not guard.process(msg(t=0)).violations
    assert not guard.process(msg(t=5)).violations
    # At t=10 the first message is exactly `interval` old: out of the window.
    assert not guard.process(msg(t=10)).violations
    (violation,) = guard.process(msg(t=14.999)).violations
    assert violation.message_ids == (2, 3, 4)


def test_window_boundary_is_exclusive_of_the_oldest_instant(
    msg: Msg,
) -> None:
    guard = guard_for("max_messages", 3, interval=10)
    guard.process(msg(t=0))
    guard.process(msg(t=5))
    (violation,) = guard.process(msg(t=9.999)).violations
    assert violation.count == 3


def test_now_overrides_the_message_time_for_the_window(msg: Msg) -> None:
    guard = guard_for("max_messages", 2, interval=10)
    guard.process(msg(t=0))
    late = msg(t=1)
    # Decided 20 s after T0: both messages are outside a 10 s window ending then.
    assert guard.process(late, now=msg.at(20)).violations == ()


@pytest.mark.parametrize("one_rule", [True, False], ids=["one rule", "two rules"])
def test_a_late_delivery_counts_its_interval_past_messages_that_add_nothing(
    msg: Msg, one_rule: bool
) -> None:
    rules: dict[str, typing.Any] = {"levels": {0: {"max_links": {"count": 2, "interval": 5}}}}
    if not one_rule:  # a role rule nobody holds: the general path
        rules["roles"] = {"424242": {"max_messages": {"count": 100, "interval": 5}}}
    guard = Guard(Policy.from_dict({"spam": rules}))
    link = {"content": "https://a.example"}
    assert guard.process(msg(t=0, **link)).violations == ()
    # Sent 10 s later, without a link: it leaves the link window as it is.
    assert guard.process(msg("just chat", t=10)).violations == ()
    # Sent at t=3, delivered after it: two links within 5 s.
    (violation,) = guard.process(msg(t=3, **link)).violations
    assert violation.message_ids == (1, 3)


def test_user_scope_counts_across_channels(msg: Msg) -> None:
    guard = guard_for("max_messages", 3)
    guard.process(msg(t=0, channel_id=1))
    guard.process(msg(t=1, channel_id=2))
    (violation,) = guard.process(msg(t=2, channel_id=3)).violations
    assert violation.message_ids == (1, 2, 3)


def test_user_scope_keeps_members_apart(msg: Msg) -> None:
    guard = guard_for("max_messages", 3)
    for i in range(4):
        plan = guard.process(msg(t=i, author_id=100 + i))
        assert plan.violations == ()


def test_user_scope_keeps_guilds_apart(msg: Msg) -> None:
    guard = guard_for("max_messages", 2)
    guard.process(msg(t=0, guild_id=1))
    assert guard.process(msg(t=1, guild_id=2)).violations == ()
    assert guard.process(msg(t=2, guild_id=1)).violations != ()


def test_user_channel_scope_counts_each_channel_apart(msg: Msg) -> None:
    guard = guard_for("max_messages", 2, scope="user_channel")
    guard.process(msg(t=0, channel_id=1))
    assert guard.process(msg(t=1, channel_id=2)).violations == ()
    (violation,) = guard.process(msg(t=2, channel_id=1)).violations
    assert violation.message_ids == (1, 3)
    assert violation.scope == "user_channel"


def test_channel_scope_counts_everyone_in_the_channel(msg: Msg) -> None:
    guard = guard_for("max_messages", 3, scope="channel")
    guard.process(msg(t=0, author_id=1))
    guard.process(msg(t=1, author_id=2))
    assert guard.process(msg(t=1.5, author_id=3, channel_id=99)).violations == ()
    plan = guard.process(msg(t=2, author_id=3))
    (violation,) = plan.violations
    assert violation.message_ids == (1, 2, 4)
    assert plan.user_id == 3


def test_guild_scope_counts_everyone_everywhere(msg: Msg) -> None:
    guard = guard_for("max_links", 2, scope="guild")
    guard.process(msg("https://a.example", t=0, author_id=1, channel_id=1))
    (violation,) = guard.process(
        msg("https://b.example", t=1, author_id=2, channel_id=2)
    ).violations
    assert violation.message_ids == (1, 2)
    assert violation.scope == "guild"


def test_two_intervals_of_one_check_share_a_window_but_count_apart(
    msg: Msg,
) -> None:
    policy = Policy.from_dict(
        {
            "role_levels": {5: 10},
            "spam": {
                "levels": {
                    0: {"max_messages": {"count": 3, "interval": 5}},
                    10: {"max_messages": {"count": 4, "interval": 60}},
                }
            },
        }
    )
    guard = Guard(policy)
    plans = [guard.process(msg(t=t)) for t in (0, 10, 20, 30)]
    # Level 0 (5 s) never sees 3 messages; level 10 (60 s) sees the 4th.
    assert [len(p.violations) for p in plans] == [0, 0, 0, 1]
    assert plans[3].violations[0].interval == 60.0


def test_check_punishment_and_duration_override_the_rule(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "punishment": "WARN",
                        "max_links": {
                            "count": 1,
                            "interval": 5,
                            "punishment": "TEMPBAN",
                            "punishment_duration": 60,
                        },
                    }
                }
            }
        }
    )
    plan = Guard(policy).process(msg("https://x.example", t=0))
    assert plan.punishment == "TEMPBAN"
    assert plan.violations[0].punishment == "TEMPBAN"
    ((run_at, unban, *_),) = plan.scheduled
    assert run_at == msg.at(60)
    assert unban.kind == "unban"


# -- duplicates ---------------------------------------------------------------------------------


def dup_guard(count: int = 3, **check: typing.Any) -> Guard:
    return guard_for("max_duplicates", count, interval=30, **check)


def duplicates_fired(guard: Guard, texts: list[str], msg: Msg, **fields: typing.Any) -> list[Plan]:
    return [guard.process(msg(text, t=i, **fields)) for i, text in enumerate(texts)]


def test_exact_duplicates_fire(msg: Msg) -> None:
    plans = duplicates_fired(dup_guard(), ["spam", "spam", "spam"], msg)
    assert [bool(p.violations) for p in plans] == [False, False, True]


def test_duplicates_are_compared_on_normalised_text(msg: Msg) -> None:
    texts = ["Free  Nitro", "free\u200b nitro", "FREE\n\tNITRO"]
    plans = duplicates_fired(dup_guard(accuracy=100), texts, msg)
    (violation,) = plans[2].violations
    assert violation.message_ids == (1, 2, 3)


def test_near_duplicates_count_at_the_default_accuracy(msg: Msg) -> None:
    texts = ["buy cheap nitro now", "buy cheap nitro now!", "buy cheap nitro now!!"]
    plans = duplicates_fired(dup_guard(), texts, msg)
    assert plans[2].violations[0].count == 3


def test_accuracy_100_only_counts_exact_repeats(msg: Msg) -> None:
    texts = ["buy cheap nitro now", "buy cheap nitro now!", "buy cheap nitro now!!"]
    assert not any(p.violations for p in duplicates_fired(dup_guard(accuracy=100), texts, msg))


def test_accuracy_sets_the_similarity_needed(msg: Msg) -> None:
    # ratio("free nitro at example dot com", "... org") is about 93.
    texts = ["free nitro at example dot com", "free nitro at example dot org"]
    assert duplicates_fired(dup_guard(2, accuracy=93), texts, msg)[1].violations
    assert not duplicates_fired(dup_guard(2, accuracy=94), texts, msg)[1].violations


def test_long_messages_are_compared_on_their_first_4000_normalised_characters(
    msg: Msg,
) -> None:
    # Found by fuzzing: near-identical 100,000-character messages were compared whole,
    # and a comparison costs the product of the two lengths (4.3 s for one message).
    # Discord caps content at 4,000 characters: longer text is compared on that much, so
    # texts alike that far are duplicates, whatever follows.
    start = ("Free nitro at example dot com " * 200)[:COMPARED_LENGTH]
    texts = [start + chr(0x4E00 + i) * 96_000 for i in range(5)]  # tails with nothing alike
    guard = dup_guard(5)
    plans = duplicates_fired(guard, texts, msg)
    assert [len(p.violations) for p in plans] == [0, 0, 0, 0, 1]
    assert plans[-1].violations[0].message_ids == (1, 2, 3, 4, 5)
    (window,) = (w for w in guard.snapshot()["windows"] if w[1] == "text")
    assert [entry[5] for entry in window[3]] == [start.lower()] * 5


def test_different_texts_are_not_duplicates(msg: Msg) -> None:
    texts = ["hello there", "goodbye now", "what's up"]
    assert not any(p.violations for p in duplicates_fired(dup_guard(), texts, msg))


def test_different_symbol_only_messages_are_not_duplicates(msg: Msg) -> None:
    # "!!!" and "!!!!" are 86 % similar, but punctuation and emoji carry no text to compare.
    texts = ["!!!", "!!!!", "!!!!!", "😀😀", "😀😀😀"]
    assert not any(p.violations for p in duplicates_fired(dup_guard(2, accuracy=50), texts, msg))


def test_identical_symbol_only_messages_are_duplicates(msg: Msg) -> None:
    plans = duplicates_fired(dup_guard(), ["😀😀😀", "😀😀😀", "😀😀😀"], msg)
    assert plans[2].violations[0].count == 3


def test_symbols_do_not_match_text_fuzzily(msg: Msg) -> None:
    plans = duplicates_fired(dup_guard(2, accuracy=10), ["!!!", "a!!"], msg)
    assert not plans[1].violations


def test_attachment_only_messages_are_not_duplicates(msg: Msg) -> None:
    plans = duplicates_fired(dup_guard(2), ["", "", ""], msg, attachment_count=1)
    assert not any(p.violations for p in plans)


def test_duplicates_count_across_channels_per_member(msg: Msg) -> None:
    guard = dup_guard()
    for channel in (1, 2):
        guard.process(msg("join my server", t=channel, channel_id=channel))
    assert guard.process(msg("join my server", t=3, channel_id=3)).violations


def test_duplicates_of_other_members_do_not_count(msg: Msg) -> None:
    guard = dup_guard()
    for author in (1, 2, 3):
        assert not guard.process(msg("join my server", t=author, author_id=author)).violations


def test_duplicates_scoped_to_the_channel_catch_a_raid(msg: Msg) -> None:
    guard = dup_guard(scope="channel")
    guard.process(msg("raid!", t=0, author_id=1))
    guard.process(msg("raid!", t=1, author_id=2))
    (violation,) = guard.process(msg("RAID!", t=2, author_id=3)).violations
    assert violation.message_ids == (1, 2, 3)


def test_duplicates_scoped_per_user_channel(msg: Msg) -> None:
    guard = dup_guard(2, scope="user_channel")
    guard.process(msg("same", t=0, channel_id=1))
    assert not guard.process(msg("same", t=1, channel_id=2)).violations
    assert guard.process(msg("same", t=2, channel_id=2)).violations


def test_duplicates_leave_the_window(msg: Msg) -> None:
    guard = dup_guard(2)
    guard.process(msg("same", t=0))
    assert not guard.process(msg("same", t=30)).violations
    assert guard.process(msg("same", t=31)).violations


def test_duplicate_violation_names_only_the_similar_messages(
    msg: Msg,
) -> None:
    guard = dup_guard(3)
    for i, text in enumerate(["spam", "something else", "spam", "more chat"]):
        guard.process(msg(text, t=i))
    (violation,) = guard.process(msg("spam", t=5)).violations
    assert violation.message_ids == (1, 3, 5)


# -- the guard's windows against brute force -----------------------------------------------------

GAPS = st.floats(min_value=0, max_value=8, allow_nan=False).map(lambda g: round(g, 2))
LINKS = st.integers(min_value=0, max_value=3)


@settings(max_examples=60, deadline=None)
@given(
    history=st.lists(st.tuples(GAPS, LINKS), min_size=1, max_size=25),
    short=st.integers(min_value=1, max_value=6),
    long=st.integers(min_value=1, max_value=12),
)
def test_link_checks_fire_exactly_when_brute_force_says(
    history: list[tuple[float, int]], short: int, long: int
) -> None:
    # Two rules read one window with different intervals (5 s and 20 s) and limits.
    policy = Policy.from_dict(
        {
            "role_levels": {1: 1},
            "spam": {
                "levels": {
                    0: {"max_links": {"count": short, "interval": 5}},
                    1: {"max_links": {"count": long, "interval": 20}},
                }
            },
        }
    )
    guard = Guard(policy)
    # The clock in whole hundredths of a second (the gaps' precision), so that the brute
    # force's window edge is exact: in float seconds 21.06 - 20 is 1.0599999999999987,
    # which would put an entry exactly 20 s old inside its window, while the guard (POSIX
    # seconds from created_at, whole microseconds) rightly leaves it out.
    cents = 0
    seen: list[tuple[int, int, int]] = []
    for message_id, (gap, links) in enumerate(history, start=1):
        cents += round(gap * 100)
        content = " ".join(f"https://{i}.example" for i in range(links))
        seen.append((cents, message_id, links))
        plan = guard.process(
            Message(
                id=message_id,
                guild_id=1,
                channel_id=1,
                author_id=1,
                content=content,
                created_at=T0 + datetime.timedelta(milliseconds=cents * 10),
            )
        )
        expected = []
        for interval, limit in ((5, short), (20, long)):
            inside = [(i, n) for at, i, n in seen if cents - interval * 100 < at and n]
            if links and sum(n for _, n in inside) >= limit:
                expected.append((interval, sum(n for _, n in inside), tuple(i for i, _ in inside)))
        got = [(v.interval, v.count, v.message_ids) for v in plan.violations]
        assert got == expected


@pytest.mark.parametrize(
    ("content", "mentions_everyone", "expected"),
    [
        # Discord let it ping: the gateway's mention_everyone is set.
        ("@everyone free nitro", True, 1),
        # Written by a member who may not ping everyone: the attempt still counts.
        ("@everyone free nitro", False, 1),
        ("@here look", False, 1),
        # However often it is written, it is one mass ping.
        ("@everyone @here @everyone", False, 1),
        ("no ping here", False, 0),
    ],
)
def test_max_mentions_counts_everyone_and_here_as_one_mention(
    content: str, mentions_everyone: bool, expected: int, msg: Msg
) -> None:
    guard = guard_for("max_mentions", 3)
    fields = {"mention_ids": (11,), "mentions_everyone": mentions_everyone}
    guard.process(msg(content, t=0, **fields))
    plan = guard.process(msg(content, t=1, **fields))
    total = 2 * (1 + expected)
    if total >= 3:
        (violation,) = plan.violations
        assert (violation.check, violation.count) == ("max_mentions", total)
    else:
        assert plan.violations == ()
