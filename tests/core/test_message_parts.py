"""core/message_parts.py: a forward folded into its message by one rule, and Discord's
attachment, sticker and snapshot JSON read into the core's values."""

from __future__ import annotations

import pytest

from spamguard.core import MessageError
from spamguard.core.message_parts import (
    MessageParts,
    attachment_from_payload,
    forward,
    message_fields,
    parts_from_payload,
    parts_from_snapshot,
    sticker_ids_from_payload,
)
from spamguard.core.messages import MAX_ATTACHMENTS, Attachment

PNG = Attachment(filename="gift.png", size=500, content_type="image/png", width=64, height=64)
JPG = Attachment(filename="own.jpg", size=80, content_type="image/jpeg")


def test_a_forward_puts_the_own_text_first_and_each_snapshots_on_its_own_line() -> None:
    own = MessageParts(content="look", attachments=(JPG,), sticker_ids=(1,))
    snapshots = [
        MessageParts(content="free nitro", attachments=(PNG,), sticker_ids=(2,)),
        MessageParts(),
        MessageParts(content="claim now"),
    ]

    assert forward(own, snapshots) == MessageParts(
        content="look\nfree nitro\nclaim now", attachments=(JPG, PNG), sticker_ids=(1, 2)
    )


def test_a_forward_without_own_text_is_the_snapshots_text() -> None:
    assert forward(MessageParts(), [MessageParts(content="scam")]).content == "scam"


def test_message_fields_without_snapshots_is_the_message_itself() -> None:
    assert message_fields("hi", (PNG,), (3,)) == ("hi", (PNG,), 1, (3,), False)


def test_message_fields_of_an_empty_snapshot_is_a_forward_of_nothing() -> None:
    fields = message_fields("", (), (), [MessageParts()])
    assert fields == ("", (), 0, (), True)


def test_message_fields_keep_the_first_attachments_and_count_them_all() -> None:
    own = tuple(Attachment(filename=f"{i}.png", size=i) for i in range(10))
    theirs = tuple(Attachment(filename=f"f{i}.png", size=i) for i in range(15))
    _, kept, count, _, _ = message_fields("", own, (), [MessageParts(attachments=theirs)])
    assert (len(kept), kept[-1].filename, count) == (MAX_ATTACHMENTS, "f9.png", 25)


def test_message_fields_keep_the_first_of_a_messages_own_attachments_too() -> None:
    own = tuple(Attachment(filename=f"{i}.png", size=i) for i in range(25))
    _, kept, count, _, _ = message_fields("", own, ())
    assert (kept, count) == (own[:MAX_ATTACHMENTS], 25)


def test_an_attachment_object_becomes_its_signature() -> None:
    data = {
        "id": "1",
        "filename": "gift.png",
        "size": 500,
        "url": "https://cdn.discordapp.com/attachments/1/1/gift.png",
        "content_type": "image/png",
        "width": 64,
        "height": 64,
    }
    assert attachment_from_payload(data) == PNG


def test_an_attachment_without_type_or_dimensions_has_neutral_values() -> None:
    data = {"filename": "a.bin", "size": 3, "content_type": None, "width": None}
    assert attachment_from_payload(data) == Attachment(filename="a.bin", size=3)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("x", "attachment"),
        ({"size": 1}, "attachment.filename"),
        ({"filename": "a", "size": "1"}, "attachment.size"),
        ({"filename": "a", "size": -1}, "attachment.size"),
        ({"filename": "a", "size": True}, "attachment.size"),
        ({"filename": "a", "size": 1, "content_type": 3}, "attachment.content_type"),
        ({"filename": "a", "size": 1, "width": "64"}, "attachment.width"),
    ],
)
def test_a_malformed_attachment_names_its_field(data: object, field: str) -> None:
    with pytest.raises(MessageError) as raised:
        attachment_from_payload(data)
    assert raised.value.field == field


def test_sticker_ids_read_strings_and_numbers() -> None:
    assert sticker_ids_from_payload([{"id": "12"}, {"id": 13}]) == (12, 13)
    assert sticker_ids_from_payload(None) == ()


@pytest.mark.parametrize(
    "items", [{"id": "1"}, [{"name": "x"}], [{"id": "0"}], [{"id": "1" * 30}], ["1"]]
)
def test_malformed_sticker_items_are_refused(items: object) -> None:
    with pytest.raises(MessageError):
        sticker_ids_from_payload(items)


def test_a_snapshot_gives_its_text_files_and_stickers() -> None:
    snapshot = {
        "message": {
            "content": "scam",
            "attachments": [{"filename": "gift.png", "size": 500, "content_type": "image/png"}],
            "sticker_items": [{"id": "9", "name": "x", "format_type": 1}],
        }
    }
    assert parts_from_snapshot(snapshot) == MessageParts(
        content="scam",
        attachments=(Attachment(filename="gift.png", size=500, content_type="image/png"),),
        sticker_ids=(9,),
    )


@pytest.mark.parametrize("snapshot", [{"message": {}}, {"message": {"content": None}}])
def test_an_empty_snapshot_has_no_parts(snapshot: object) -> None:
    assert parts_from_snapshot(snapshot) == MessageParts()


@pytest.mark.parametrize(
    ("snapshot", "field"),
    [
        (None, "message_snapshots.0"),
        ({}, "message_snapshots.0.message"),
        ({"message": {"content": 1}}, "message_snapshots.0.message.content"),
        ({"message": {"attachments": {}}}, "message_snapshots.0.message.attachments"),
        (
            {"message": {"attachments": [{"size": 1}]}},
            "message_snapshots.0.message.attachments.0.filename",
        ),
    ],
)
def test_a_malformed_snapshot_names_its_field(snapshot: object, field: str) -> None:
    with pytest.raises(MessageError) as raised:
        parts_from_snapshot(snapshot)
    assert raised.value.field == field


def test_a_discord_message_object_folds_its_snapshots_in() -> None:
    data = {
        "content": "",
        "attachments": [],
        "sticker_items": [{"id": "4"}],
        "message_snapshots": [{"message": {"content": "scam", "attachments": []}}],
    }
    assert parts_from_payload(data) == ("scam", (), 0, (4,), True)


def test_a_discord_message_object_without_snapshots_is_not_a_forward() -> None:
    data = {"content": "hi", "stickers": [{"id": "4"}]}
    assert parts_from_payload(data) == ("hi", (), 0, (4,), False)
