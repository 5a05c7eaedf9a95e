"""``spamguard_declare_needs``: plugin checks worked out per guild policy (called at all,
only in some channels, each member's texts kept for them), and ``CheckContext.texts``."""

from __future__ import annotations

import json
import logging
import typing

import pytest

from spamguard.core import (
    EVERY_MESSAGE,
    NO_MESSAGES,
    CheckNeeds,
    Guard,
    Violation,
    hookimpl,
)
from spamguard.core.windows import DuplicateWindow

HONEYPOT = 2999
THREAD = 4000


class Recorder:
    """A check that notes each message it is given, with the texts it can read."""

    def __init__(self, name: str, needs: typing.Any = None) -> None:
        self.name = name
        self.needs = needs
        self.seen: list[int] = []
        self.texts: list[list[str] | None] = []
        self.asked = 0

    @hookimpl
    def spamguard_declare_needs(self, policy: typing.Any) -> typing.Any:
        self.asked += 1
        return self.needs(policy) if callable(self.needs) else self.needs

    @hookimpl
    def spamguard_check_message(self, message: typing.Any, context: typing.Any) -> None:
        self.seen.append(message.id)
        texts = context.texts
        self.texts.append(None if texts is None else list(texts.entry_texts))


def test_a_check_limited_to_channels_sees_only_their_messages_and_threads(msg, policy) -> None:
    gated = Recorder("gated", CheckNeeds(channels=frozenset({HONEYPOT})))
    everywhere = Recorder("everywhere")
    guard = Guard(policy(), plugins=[gated, everywhere])
    chat = msg("hello", t=0)
    trap = msg("hello", t=1, channel_id=HONEYPOT)
    in_thread = msg("hello", t=2, channel_id=THREAD, parent_id=HONEYPOT)
    thread_id_itself = msg("hello", t=3, channel_id=HONEYPOT + 1, parent_id=msg.CHANNEL)
    for message in (chat, trap, in_thread, thread_id_itself):
        guard.process(message)
    assert gated.seen == [trap.id, in_thread.id]
    assert everywhere.seen == [chat.id, trap.id, in_thread.id, thread_id_itself.id]


def test_a_check_answering_no_messages_is_never_called_and_others_still_are(msg, policy) -> None:
    other = msg.OTHER_GUILD
    configured = Recorder(
        "configured", lambda p: EVERY_MESSAGE if "configured" in p.extensions else NO_MESSAGES
    )
    guard = Guard(policy(guilds={other: {"extensions": {"configured": {}}}}), plugins=[configured])
    first = msg("hello", t=0)
    second = msg("hello", t=1, guild_id=other)
    guard.process(first)
    guard.process(second)
    assert configured.seen == [second.id]


def test_needs_are_asked_once_per_guild_policy_and_again_after_plugins_change(msg, policy) -> None:
    plugin = Recorder("counted")
    guard = Guard(policy(), plugins=[plugin])
    for t in range(5):
        guard.process(msg("hello", t=t))
    assert plugin.asked == 1

    class Another:
        @hookimpl
        def spamguard_check_message(self) -> None:
            return None

    guard.register_plugin(Another())
    guard.process(msg("hello", t=6))
    assert plugin.asked == 2


@pytest.mark.parametrize(
    ("answer", "logged"),
    [("not needs", "not a CheckNeeds"), (RuntimeError("needs bug"), "needs bug")],
)
def test_a_wrong_or_failing_answer_is_logged_and_the_check_reads_every_message(
    msg, policy, caplog, answer, logged
) -> None:
    def needs(_policy: typing.Any) -> typing.Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    plugin = Recorder("odd", needs)
    with caplog.at_level(logging.ERROR, logger="spamguard.plugins"):
        guard = Guard(policy(), plugins=[plugin])
        message = msg("hello", t=0, channel_id=HONEYPOT)
        guard.process(message)
    assert plugin.seen == [message.id]
    assert logged in caplog.text


def test_a_disabled_extension_is_neither_asked_nor_called(msg, policy) -> None:
    plugin = Recorder("off")
    guard = Guard(policy(disabled_extensions=["off"]), plugins=[plugin])
    guard.process(msg("hello"))
    assert (plugin.asked, plugin.seen) == (0, [])


def test_texts_are_the_members_normalised_texts_recorded_once_for_every_reader(msg, policy) -> None:
    reader = Recorder("reader", CheckNeeds(texts=60))
    second_reader = Recorder("second", CheckNeeds(texts=10))
    guard = Guard(policy(), plugins=[reader, second_reader])
    guard.process(
        msg("\uff26\uff52\uff45\uff45 \uff2e\uff49\uff54\uff52\uff4f", t=0)
    )  # "Free Nitro" in full-width letters
    guard.process(msg("", t=1))  # no text: nothing recorded, the window still read
    guard.process(msg("hello there", t=2, channel_id=msg.OTHER_CHANNEL))
    guard.process(msg("someone else", t=3, author_id=msg.OTHER_USER))
    assert reader.texts == [
        ["free nitro"],
        ["free nitro"],
        ["free nitro", "hello there"],
        ["someone else"],
    ]
    assert second_reader.texts == reader.texts
    # One window per member, kept as long as the longest answer, every channel in it.
    windows = [
        (key, window)
        for key, window in guard.state.windows.items()
        if isinstance(window, DuplicateWindow)
    ]
    assert len(windows) == 2
    assert {window.horizon for _key, window in windows} == {60}


def test_texts_are_the_window_of_the_policys_own_max_duplicates_kept_long_enough(
    msg, policy
) -> None:
    reader = Recorder("reader", CheckNeeds(texts=90))
    rule = {"max_duplicates": {"count": 3, "interval": 30}, "punishment": "NONE"}
    guard = Guard(policy(rule=rule), plugins=[reader])
    for t in (0, 40, 80):
        guard.process(msg("same old text", t=t))
    # max_duplicates counts 30 s (one copy each time); the reader sees 90 s of them.
    assert reader.texts[-1] == ["same old text"] * 3
    assert [key[0] for key in guard.state.windows] == ["max_duplicates"]
    plan = guard.process(msg("same old text", t=81))
    assert [v.check for v in plan.violations] == []
    plan = guard.process(msg("same old text", t=82))
    assert [v.check for v in plan.violations] == ["max_duplicates"]


def test_without_any_check_reading_texts_none_are_kept(msg, policy) -> None:
    plugin = Recorder("plain")
    guard = Guard(policy(), plugins=[plugin])
    guard.process(msg("hello"))
    assert plugin.texts == [None]
    assert guard.state.windows == {}


def test_a_check_not_declaring_texts_gets_none_beside_the_policys_max_duplicates(
    msg, policy
) -> None:
    plugin = Recorder("plain")
    rule = {"max_duplicates": {"count": 3, "interval": 30}, "punishment": "NONE"}
    guard = Guard(policy(rule=rule), plugins=[plugin])
    guard.process(msg("hello there"))
    assert plugin.texts == [None]
    assert [key[0] for key in guard.state.windows] == ["max_duplicates"]


def test_kept_texts_survive_a_snapshot_round_trip(msg, policy) -> None:
    reader = Recorder("reader", CheckNeeds(texts=60))
    guard = Guard(policy(), plugins=[reader])
    guard.process(msg("free nitro here", t=0))
    restored_reader = Recorder("reader", CheckNeeds(texts=60))
    snapshot = json.loads(json.dumps(guard.snapshot()))
    restored = Guard.restore(policy(), snapshot, plugins=[restored_reader])
    restored.process(msg("free nitro here", t=5, channel_id=msg.OTHER_CHANNEL))
    assert restored_reader.texts == [["free nitro here", "free nitro here"]]


def test_a_check_violation_in_a_limited_channel_punishes_like_any_other(msg, policy) -> None:
    class Trap:
        name = "trap"

        @hookimpl
        def spamguard_declare_needs(self) -> CheckNeeds:
            return CheckNeeds(channels=frozenset({HONEYPOT}))

        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> list[Violation]:
            return [
                Violation(
                    check="trap",
                    count=1,
                    limit=1,
                    interval=0.0,
                    message_ids=(message.id,),
                    punishment="KICK",
                )
            ]

    guard = Guard(policy(), plugins=[Trap()])
    assert guard.process(msg("hi", t=0)).punishment == "NONE"
    assert guard.process(msg("hi", t=1, channel_id=HONEYPOT)).punishment == "KICK"
