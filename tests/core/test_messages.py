"""Message.from_adapter: the adapters' constructor, with fields worked out when read."""

from __future__ import annotations

import dataclasses
import datetime
import pickle
import typing

import pytest

from spamguard.core import Guard, Policy, SkipReason
from spamguard.core.messages import DEFERRED_FIELDS, Attachment, Message

AT = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

DETAILS: dict[str, typing.Any] = {
    "author_name": "Sam",
    "guild_name": "Guild",
    "channel_name": "general",
    "author_avatar_url": "https://cdn.example/a.png",
    "guild_icon_url": "https://cdn.example/g.png",
    "bot_id": 5,
    "bot_name": "Guardian",
    "bot_avatar_url": "https://cdn.example/b.png",
}

EAGER: dict[str, typing.Any] = {
    "id": 10,
    "guild_id": 1,
    "channel_id": 2,
    "author_id": 3,
    "content": "hi",
    "created_at": AT,
    "author_is_bot": False,
    "author_role_ids": frozenset({7}),
    "mention_ids": (4,),
    "role_mention_ids": (),
    "mentions_everyone": False,
    "attachment_count": 1,
    "sticker_count": 1,
    "embed_count": 0,
    "category_id": 8,
    "parent_id": None,
    "author_is_admin": True,
    "author_can_manage_messages": True,
    "author_is_owner": False,
    "author_joined_at": AT,
    "attachments": (Attachment("scam.png", 1024, "image/png", 640, 480),),
    "sticker_ids": (9,),
    "forwarded": True,
}


class CountingDetails:
    """Answers every deferred field from DETAILS and counts what was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> typing.Any:
        self.asked.append(name)
        return DETAILS[name]


def test_deferred_fields_are_the_fields_with_defaults_an_adapter_works_out() -> None:
    names = {field.name for field in dataclasses.fields(Message)}
    assert DEFERRED_FIELDS.isdisjoint(EAGER)
    assert DEFERRED_FIELDS | EAGER.keys() == names
    assert DETAILS.keys() == DEFERRED_FIELDS


def test_a_deferred_field_is_read_from_the_details_once_and_only_when_read() -> None:
    details = CountingDetails()
    message = Message.from_adapter(details, **EAGER)

    assert message.content == "hi"
    assert message.author_is_admin is True
    assert details.asked == []
    assert message.author_name == "Sam"
    assert message.author_name == "Sam"
    assert details.asked == ["author_name"]


def test_an_adapter_message_equals_the_same_message_built_by_hand() -> None:
    adapted = Message.from_adapter(CountingDetails(), **EAGER)
    by_hand = Message(**EAGER, **DETAILS)

    assert adapted == by_hand
    assert hash(adapted) == hash(by_hand)
    assert repr(adapted) == repr(by_hand)
    assert dataclasses.replace(adapted, content="edited") == dataclasses.replace(
        by_hand, content="edited"
    )
    assert pickle.loads(pickle.dumps(adapted)) == by_hand


def test_an_adapter_message_is_frozen_and_has_no_other_attributes() -> None:
    message = Message.from_adapter(CountingDetails(), **EAGER)

    with pytest.raises(dataclasses.FrozenInstanceError):
        message.author_is_admin = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.author_name = "Sam"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="no attribute 'author_is_moderator'"):
        getattr(message, "author_is_moderator")  # noqa: B009 - a name Message lacks


def test_the_guard_reads_no_template_value_for_a_message_without_a_notice() -> None:
    details = CountingDetails()
    plan = Guard(Policy.default()).process(Message.from_adapter(details, **EAGER))
    assert plan.skipped_reason is SkipReason.ADMIN

    details = CountingDetails()
    no_exemptions = Policy.from_dict({"exempt_admins": False})
    plan = Guard(no_exemptions).process(Message.from_adapter(details, **EAGER))
    assert plan.actions == ()
    assert details.asked == []


def test_a_message_has_no_getattr_hook_so_attribute_reads_stay_fast() -> None:
    # A __getattr__ on Message made every read of every field slower (CPython stops
    # specialising them): ~6.7k instructions a message in the guard.
    assert not hasattr(Message, "__getattr__")
    assert Message.__getattribute__ is object.__getattribute__


def test_attachments_and_stickers_given_as_values_count_themselves() -> None:
    files = (Attachment("a.png", 10, "image/png", 1, 2), Attachment("b.txt", 3))
    message = Message(
        id=1,
        guild_id=2,
        channel_id=3,
        author_id=4,
        content="",
        created_at=AT,
        attachments=files,
        sticker_ids=(5, 6, 7),
    )
    assert (message.attachment_count, message.sticker_count) == (2, 3)
    # A count larger than the values kept (an adapter keeps the first MAX_ATTACHMENTS) stays.
    more = Message(
        id=1,
        guild_id=2,
        channel_id=3,
        author_id=4,
        content="",
        created_at=AT,
        attachments=files,
        attachment_count=30,
    )
    assert more.attachment_count == 30
    assert files[1].content_type == "" and files[1].width is None
