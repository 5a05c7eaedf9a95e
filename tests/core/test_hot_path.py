"""The guard's shortcuts give exactly what the plain computations give.

The core keeps algorithmic shortcuts: windows that record and match a message in one call,
a pivot index that decides most pairs of a flood by the triangle inequality, running totals,
rules worked out once per role set. Each is compared here with the plain computation it
replaces (or with the same decision reached another way).
"""

from __future__ import annotations

import collections
import dataclasses
import random
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from spamguard.core import Guard, Message, Plan, Policy, SkipReason, Violation
from spamguard.core import plan as plan_module
from spamguard.core.engine import AMOUNT, MAX_RECENT, MemberState
from spamguard.core.policy import CHECK_NAMES
from spamguard.core.text import (
    count_emojis,
    count_invites,
    count_links,
    count_upper_case,
    is_symbolic,
    pings_everyone,
)
from spamguard.core.windows import DuplicateWindow, Entry
from spamguard.core.windows import duplicates as duplicates_module
from spamguard.core.windows import similarity as similarity_module

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""


# -- amounts, plans ------------------------------------------------------------------------------

CONTENTS = [
    "",
    "hello",
    "HELLO there https://a.example and http://b.example",
    "join discord.gg/abc or https://discord.com/invite/xyz",
    "line\nline\n\nline",
    "😀👍🏽 <:pepe:123456789012345678> <a:dance:123456789012345678>",
    "Straße ÄÖÜ",
]


@pytest.mark.parametrize("content", CONTENTS)
def test_the_one_amount_table_counts_every_summed_check(msg: Msg, content: str) -> None:
    message = msg(
        content,
        mention_ids=(1, 2),
        role_mention_ids=(3,),
        attachment_count=2,
        sticker_count=1,
    )
    expected = {
        "max_messages": 1,
        "max_mentions": 3 + (1 if pings_everyone(content) else 0),
        "max_links": count_links(content),
        "max_upper_case": count_upper_case(content),
        "max_emojis": count_emojis(content),
        "max_newlines": content.count("\n"),
        "max_attachments": 2,
        "max_characters": len(content),
        "max_stickers": 1,
        "max_invites": count_invites(content),
    }
    # Every built-in check but max_duplicates (which counts texts) sums an amount.
    assert set(AMOUNT) == set(CHECK_NAMES) - {"max_duplicates"}
    assert {name: amount(message) for name, amount in AMOUNT.items()} == expected


def test_plans_built_by_the_guard_are_ordinary_plans() -> None:
    fast = plan_module.build_plan(1, 2, 3, 4, True, SkipReason.DM)
    slow = Plan(message_id=1, guild_id=2, user_id=3, channel_id=4, dry_run=True)
    slow = dataclasses.replace(slow, skipped_reason=SkipReason.DM)
    assert type(fast) is Plan
    assert fast == slow
    assert hash(fast) == hash(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.message_id = 5  # type: ignore[misc]
    violation = plan_module.build_violation("max_links", 3, 2, 10.0, (1, 2), "user", "WARN")
    assert type(violation) is Violation
    assert violation == Violation(
        check="max_links",
        count=3,
        limit=2,
        interval=10.0,
        message_ids=(1, 2),
        scope="user",
        punishment="WARN",
    )


# -- duplicate windows -----------------------------------------------------------------------------


def similar_by_brute_force(texts: typing.Iterable[str], text: str, accuracy: int) -> set[str]:
    """similar_texts() as its docstring defines it, one rapidfuzz call per pair."""
    texts = set(texts)
    if not text:
        return set()
    matches = {text} if text in texts else set()
    if accuracy >= 100 or (is_symbolic(text) and text not in texts):
        return matches
    if is_symbolic(text):
        return matches
    return matches | {
        t
        for t in texts
        if t and not is_symbolic(t) and fuzz.ratio(text, t, score_cutoff=accuracy) >= accuracy
    }


def spam_like(rng: random.Random) -> list[str]:
    """A base text and variations a few edits (and maybe a suffix) away from it."""
    base = "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(3, 90)))
    out = []
    for _ in range(rng.randint(1, 30)):
        chars = list(base)
        for _ in range(rng.randint(0, 5)):
            where = rng.randrange(len(chars) + 1)
            match rng.randrange(3):
                case 0 if where < len(chars):
                    chars[where] = rng.choice("xyz")
                case 1:
                    chars.insert(where, rng.choice("xyz"))
                case _ if where < len(chars):
                    del chars[where]
        out.append("".join(chars) + rng.choice(["", "", " !!", " pls", "!?"]))
    return [*out, "", "!!!"]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), flood=st.sampled_from([1, 3, 8]))
def test_duplicate_window_fast_paths_match_a_brute_force_model(seed: int, flood: int) -> None:
    rng = random.Random(seed)
    pool = spam_like(rng)
    window = DuplicateWindow(1000.0)
    with pytest.MonkeyPatch.context() as patch:
        # A low threshold builds (and drops) the pivot index all the time.
        patch.setattr(duplicates_module, "FLOOD_MATCHES", flood)
        for message_id in range(1, rng.randint(2, 70)):
            ts = message_id - (rng.random() * 4 if rng.random() < 0.15 else 0.0)
            text = rng.choice(pool)
            accuracy = rng.choice([0, 50, 80, 90, 100])
            cutoff = ts - rng.choice([3, 20, 2000])
            limit = rng.choice([1, 3, 6])
            match rng.randrange(4):
                case 0:
                    window.add(Entry(ts, message_id, 1, 1, 1, text))
                case 1:
                    window.record_text(ts, message_id, 1, 1, text)
                case _:
                    count, ids, entries = window.record_and_match(
                        ts, message_id, 1, 1, text, accuracy, cutoff, limit, True
                    )
                    similar = similar_by_brute_force(window.texts, text, accuracy)
                    expected = [e for e in window.entries if e.ts > cutoff and e.text in similar]
                    if len(expected) >= limit:
                        assert count == len(expected)
                        assert ids == tuple(e.message_id for e in expected)
                        # Every entry of the window: they are read from the window.
                        whole = len(expected) == len(window)
                        assert entries == ([] if whole else expected)
                    else:  # below the limit only "below the limit" is promised
                        assert count < limit
                        assert (ids, entries) == ((), [])
            if rng.random() < 0.1:
                window.replace_text(rng.randint(1, message_id), rng.choice(pool))
            if rng.random() < 0.15:
                window.expire(ts - rng.choice([2, 10, 40]))
            probe = rng.choice(pool)
            accuracy = rng.choice([0, 50, 80, 90, 100])
            assert window.similar_texts(probe, accuracy) == similar_by_brute_force(
                window.texts, probe, accuracy
            )
            # The bookkeeping behind the fast paths agrees with the entries.
            entries_now = list(window.entries)
            assert window.texts == collections.Counter(e.text for e in entries_now)
            assert list(window.message_ids) == [e.message_id for e in entries_now]
            assert list(window.entry_texts) == [e.text for e in entries_now]
            assert list(window.times) == sorted(window.times)
            assert list(window.index.lengths) == sorted(window.index.lengths)
            assert list(window.index.lengths) == [len(text) for text in window.index.choices]
            assert sorted(window.index.choices) == sorted(window.fuzzy)
            assert window.total == sum(e.amount for e in entries_now)


def test_a_flood_of_distinct_variants_is_indexed_once_per_window_length() -> None:
    # Every text differs (a counter appended, as spam does to dodge exact matching), so
    # each is held once: the pivot is the newest of them, which stays in the window
    # longest, not the oldest, which would leave (and force a new index) at every message.
    window = DuplicateWindow(12.5)
    indexed = 0
    build_index = DuplicateWindow._index

    def counting(self: DuplicateWindow) -> None:
        nonlocal indexed
        indexed += 1
        build_index(self)

    base = "free nitro for everyone who clicks this link right now"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DuplicateWindow, "_index", counting)
        for message_id in range(1, 301):  # 100 messages per window (times exact in binary)
            ts = message_id / 8
            cutoff = ts - 12.5
            window.expire(cutoff)
            count, ids, _entries = window.record_and_match(
                ts, message_id, 1, 1, f"{base} {message_id}", 90, cutoff, 5, False
            )
            if message_id >= 5:
                assert count == min(message_id, 100)
                assert ids == tuple(range(max(1, message_id - 99), message_id + 1))
    assert indexed <= 4


def test_pivot_bounds_never_decide_against_rapidfuzz() -> None:
    # Pairs right at rapidfuzz's threshold, for every length sum and distance around it:
    # what the bounds call sure must be what rapidfuzz says.
    margin = similarity_module._MARGIN
    for accuracy in (0, 1, 50, 66, 75, 85, 90, 95, 99, 100):
        share = (100 - accuracy) / 100
        for total in range(2, 300):
            for distance in range(max(0, int(share * total) - 3), int(share * total) + 4):
                if (total - distance) % 2 or distance > total:
                    continue
                common = (total - distance) // 2
                first = "a" * max(common, 1)
                second = "a" * common + "b" * ((total + distance) // 2 - len(first))
                if not second:
                    continue
                accepted = fuzz.ratio(first, second, score_cutoff=accuracy) >= accuracy
                if distance <= int(share * total - margin):
                    assert accepted, (accuracy, total, distance)
                if distance > share * total + margin:
                    assert not accepted, (accuracy, total, distance)


# -- the guard -------------------------------------------------------------------------------------

RULE = {
    "punishment": "TIMEOUT",
    "clean": True,
    "clean_count": 3,
    "clean_duration": 20,
    "max_messages": {"count": 4, "interval": 5},
    "max_mentions": {"count": 5, "interval": 10, "scope": "channel"},
    "max_links": {"count": 2, "interval": 30, "channel_whitelist": [2001]},
    "max_duplicates": {"count": 3, "interval": 15, "accuracy": 80},
    "max_newlines": {"count": 4, "interval": 10, "scope": "user_channel"},
}
WORDS = ["free nitro", "FREE NITRO!", "free nitro now", "https://x.example", "a\nb\nc", "hi", ""]


@pytest.mark.parametrize("seed", range(4))
def test_a_rule_nobody_holds_changes_no_decision(msg: Msg, seed: int) -> None:
    one_rule = Policy.from_dict({"escalation": {}, "spam": {"levels": {0: RULE}}})
    # A second rule, for a role nobody holds: its check never runs.
    two_rules = Policy.from_dict(
        {
            "escalation": {},
            "spam": {
                "levels": {0: RULE},
                "roles": {"424242": {"max_messages": {"count": 1, "interval": 5}}},
            },
        }
    )
    fast, general = Guard(one_rule), Guard(two_rules)
    rng = random.Random(seed)
    sent: list[Message] = []
    t = 0.0
    for _ in range(300):
        t += rng.choice([0.1, 0.3, 1.0, 4.0])
        if sent and rng.random() < 0.1:  # an edit or a redelivery
            old = rng.choice(sent[-8:])
            message = dataclasses.replace(old, content=rng.choice([old.content, *WORDS]))
        else:
            message = msg(
                rng.choice(WORDS),
                t=t - (rng.random() * 3 if rng.random() < 0.1 else 0.0),
                author_id=rng.choice([msg.USER, msg.OTHER_USER]),
                channel_id=rng.choice([2000, 2001, 2002]),
                mention_ids=tuple(range(rng.choice([0, 0, 3]))),
            )
        sent.append(message)
        assert fast.process(message) == general.process(message)
    assert fast.stats() == general.stats()
    assert fast.snapshot()["members"] == general.snapshot()["members"]


def test_a_member_keeps_only_the_newest_recent_messages(msg: Msg) -> None:
    guard = Guard(
        Policy.from_dict(
            {"spam": {"levels": {0: {"max_messages": {"count": 10**6, "interval": 1}}}}}
        )
    )
    sent = [msg(f"message {i}", t=i / 100) for i in range(MAX_RECENT + 10)]
    for message in sent:
        guard.process(message)
    ((_guild, _user, member),) = guard.snapshot()["members"]
    kept = [mid for mid, *_rest in member["recent"]]
    assert kept == [m.id for m in sent[-MAX_RECENT:]]
    # A recent message delivered again is still recognised.
    assert guard.process(sent[-1]).skipped_reason is SkipReason.REDELIVERED


def test_forgetting_recent_messages_copes_with_late_arrivals() -> None:
    member = MemberState()
    for message_id, ts in [(1, 10.0), (2, 30.0), (3, 5.0), (4, 40.0)]:
        if ts < member.newest:
            member.unordered = True
        else:
            member.newest = ts
        member.recent[message_id] = (ts, 1, 0)
    member.forget_before(20.0)
    assert list(member.recent) == [2, 4]
    assert not member.unordered
    again = MemberState.from_dict(member.to_dict())
    again.forget_before(35.0)
    assert list(again.recent) == [4]
