"""An Answer is always safe to send: at most 2000 characters, no mention that can ping."""

from __future__ import annotations

import dataclasses

import pytest

from spamguard.moderation import MAX_TEXT, Answer


def test_an_answer_defuses_every_mention() -> None:
    answer = Answer(ok=True, text="@everyone @here <@123> <@&456>")
    assert "@everyone" not in answer.text
    assert "@here" not in answer.text
    assert "<@123>" not in answer.text
    assert "<@&456>" not in answer.text
    assert answer.text.replace("\u200b", "") == "@everyone @here <@123> <@&456>"


def test_a_long_answer_is_cut_to_one_message_and_says_so() -> None:
    answer = Answer(ok=True, text="line\n" * 1000)
    assert len(answer.text) <= MAX_TEXT
    assert answer.text.endswith("(cut to fit one message)")
    # Defusing can lengthen the text: the limit holds after it.
    assert len(Answer(ok=True, text="@" * MAX_TEXT).text) <= MAX_TEXT


def test_an_answer_is_frozen_and_its_data_read_only() -> None:
    source = {"user_id": 5}
    answer = Answer(ok=False, text="no", data=source)
    source["user_id"] = 6
    assert answer.data["user_id"] == 5
    with pytest.raises(TypeError):
        answer.data["user_id"] = 7  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.ok = True  # type: ignore[misc]


def test_text_defused_before_is_not_defused_twice() -> None:
    once = Answer(ok=True, text="@everyone").text
    assert Answer(ok=True, text=once).text == once == "@\u200beveryone"
