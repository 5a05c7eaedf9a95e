"""Attachments, stickers and forwards in message logs: the spamguard shape's
``attachments``, ``sticker_ids`` and ``forwarded``, and Discord's ``attachments``,
``sticker_items`` and ``message_snapshots`` read as the adapters read them."""

from __future__ import annotations

import json

import pytest

from spamguard.core import Attachment, Message
from spamguard.core.messages import MAX_ATTACHMENTS
from spamguard.testing import LogError, LogRecord, parse_line

GIFT = {"filename": "gift.png", "size": 500, "content_type": "image/png", "width": 64, "height": 64}
GIFT_VALUE = Attachment(
    filename="gift.png", size=500, content_type="image/png", width=64, height=64
)


def _message(data: dict[str, object]) -> Message:
    record = parse_line(json.dumps(data))
    assert isinstance(record, LogRecord)
    return record.message


def _line(**fields: object) -> dict[str, object]:
    return {"guild_id": 1, "channel_id": 2, "author_id": 3, "created_at": 0, **fields}


def _discord(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "1236376800460804097",
        "channel_id": "20",
        "guild_id": "10",
        "content": "",
        "timestamp": "2024-05-04T18:00:00.000000+00:00",
        "author": {"id": "40", "username": "alice_u"},
        "attachments": [],
    }
    return base | fields


def test_the_spamguard_shape_takes_attachments_sticker_ids_and_forwarded() -> None:
    message = _message(
        _line(
            attachments=[GIFT, {"filename": "a.txt", "size": 2}],
            sticker_ids=["7", 8],
            forwarded=True,
        )
    )
    assert message.attachments == (GIFT_VALUE, Attachment(filename="a.txt", size=2))
    assert (message.attachment_count, message.sticker_ids, message.sticker_count) == (2, (7, 8), 2)
    assert message.forwarded is True


def test_the_spamguard_shape_keeps_the_first_attachments_and_counts_them_all() -> None:
    files = [{"filename": f"{i}.png", "size": i} for i in range(25)]
    message = _message(_line(attachments=files))
    assert len(message.attachments) == MAX_ATTACHMENTS
    assert message.attachment_count == 25


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"attachments": {"filename": "a"}}, "attachments"),
        ({"attachments": [{"filename": "a"}]}, "attachments.0.size"),
        ({"attachments": [{"filename": "a", "size": 1, "height": -3}]}, "attachments.0.height"),
        ({"sticker_ids": ["x"]}, "sticker_ids.0"),
        ({"forwarded": "yes"}, "forwarded"),
    ],
)
def test_malformed_parts_in_the_spamguard_shape_name_their_field(
    fields: dict[str, object], field: str
) -> None:
    with pytest.raises(LogError) as raised:
        parse_line(json.dumps(_line(**fields)))
    assert raised.value.field == field


def test_a_discord_forward_is_read_as_the_adapters_read_it() -> None:
    snapshot = {
        "message": {
            "content": "free nitro",
            "attachments": [GIFT | {"id": "5", "url": "https://cdn.discordapp.com/x"}],
            "sticker_items": [{"id": "9", "name": "gift", "format_type": 1}],
        }
    }
    message = _message(
        _discord(content="look", sticker_items=[{"id": "8"}], message_snapshots=[snapshot])
    )
    assert message.content == "look\nfree nitro"
    assert message.attachments == (GIFT_VALUE,)
    assert (message.sticker_ids, message.forwarded) == ((8, 9), True)


def test_a_discord_forward_of_an_empty_snapshot_forwards_nothing() -> None:
    message = _message(_discord(content="hi", message_snapshots=[{"message": {}}]))
    assert (message.content, message.attachments, message.forwarded) == ("hi", (), True)


def test_discord_attachments_without_a_name_or_size_are_counted_without_metadata() -> None:
    message = _message(_discord(attachments=[{"id": "1"}, GIFT]))
    assert (message.attachments, message.attachment_count) == ((GIFT_VALUE,), 2)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"message_snapshots": {}}, "message_snapshots"),
        ({"message_snapshots": [{"message": "x"}]}, "message_snapshots.0.message"),
        (
            {"message_snapshots": [{"message": {"attachments": [{"filename": 3, "size": 1}]}}]},
            "message_snapshots.0.message.attachments.0.filename",
        ),
        ({"attachments": [{"filename": "a", "size": "big"}]}, "attachments.0.size"),
        ({"content": 5}, "content"),
    ],
)
def test_malformed_discord_parts_name_their_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(LogError) as raised:
        parse_line(json.dumps(_discord(**fields)))
    assert raised.value.field == field
