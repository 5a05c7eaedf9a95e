"""Attachments, stickers and forwarded messages (``message_snapshots``) from real gateway
payloads become the core message's ``attachments``, ``sticker_ids``, ``forwarded`` and
``content``, on every library; bad input is left out, counted, and never crashes."""

from __future__ import annotations

import typing

import pytest
from support import payloads

from spamguard.core import Attachment, Message
from spamguard.core.messages import MAX_ATTACHMENTS

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import Guarded

    from spamguard.core import Policy


@pytest.fixture
def watch(policy_factory: Callable[..., Policy]) -> Policy:
    """A policy that never acts and exempts nobody: every message reaches the plugins."""
    return policy_factory(exempt_admins=False)


def _only_message(g: Guarded) -> Message:
    (message,) = g.recorder.messages
    assert isinstance(message, Message)
    return message


def _malformed(g: Guarded) -> int:
    return g.protection.stats["runtime"]["malformed"]


GIFT = payloads.attachment("gift.png", size=48_213, content_type="image/png", width=512, height=512)


async def test_attachments_keep_name_size_type_and_dimensions(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        await g.send(
            content="",
            attachments=(
                GIFT,
                payloads.attachment(
                    "notes.txt", size=9, content_type="text/plain", width=None, height=None
                ),
                payloads.attachment("blob", size=1, content_type=None, width=None, height=None),
            ),
        )

        message = _only_message(g)
        assert message.content == ""
        assert message.attachments == (
            Attachment(
                filename="gift.png", size=48_213, content_type="image/png", width=512, height=512
            ),
            Attachment(filename="notes.txt", size=9, content_type="text/plain"),
            Attachment(filename="blob", size=1),
        )
        assert message.attachment_count == 3
        assert message.forwarded is False
        assert _malformed(g) == 0


async def test_sticker_ids_come_in_order(guard: GuardFactory, watch: Policy) -> None:
    async with guard(watch) as g:
        await g.send(
            content="hi",
            sticker_items=(
                payloads.sticker_item("wave", sticker_id=749054660769218631),
                payloads.sticker_item("gift", sticker_id=816087792291282944, format_type=3),
            ),
        )

        message = _only_message(g)
        assert message.sticker_ids == (749054660769218631, 816087792291282944)
        assert message.sticker_count == 2


async def test_ten_attachments_are_all_kept(guard: GuardFactory, watch: Policy) -> None:
    async with guard(watch) as g:
        files = [payloads.attachment(f"{i}.png", size=1000 + i) for i in range(10)]
        await g.send(content="", attachments=files)

        message = _only_message(g)
        assert [a.filename for a in message.attachments] == [f"{i}.png" for i in range(10)]
        assert message.attachment_count == 10


async def test_a_forward_checks_the_snapshots_text_files_and_stickers(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        snapshot = payloads.message_snapshot(
            "free nitro https://dlscord-gift.com",
            attachments=(GIFT,),
            sticker_items=(payloads.sticker_item(sticker_id=816087792291282944),),
        )
        await g.send(content="", message_snapshots=(snapshot,))

        message = _only_message(g)
        assert message.forwarded is True
        assert message.content == "free nitro https://dlscord-gift.com"
        assert message.attachments == (
            Attachment(
                filename="gift.png", size=48_213, content_type="image/png", width=512, height=512
            ),
        )
        assert (message.attachment_count, message.sticker_ids) == (1, (816087792291282944,))
        assert _malformed(g) == 0


async def test_a_forward_with_a_comment_puts_the_comment_first(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        own = payloads.attachment("own.jpg", content_type="image/jpeg")
        snapshot = payloads.message_snapshot("the scam", attachments=(GIFT,))
        await g.send(content="look at this", attachments=(own,), message_snapshots=(snapshot,))

        message = _only_message(g)
        assert message.content == "look at this\nthe scam"
        assert [a.filename for a in message.attachments] == ["own.jpg", "gift.png"]
        assert message.forwarded is True


async def test_ten_own_and_ten_forwarded_attachments_are_all_kept(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        own = [payloads.attachment(f"own{i}.png") for i in range(10)]
        theirs = [payloads.attachment(f"fwd{i}.png") for i in range(10)]
        snapshot = payloads.message_snapshot(attachments=theirs)
        await g.send(content="", attachments=own, message_snapshots=(snapshot,))

        message = _only_message(g)
        assert len(message.attachments) == MAX_ATTACHMENTS == message.attachment_count
        assert message.attachments[9].filename == "own9.png"
        assert message.attachments[10].filename == "fwd0.png"


async def test_an_empty_snapshot_forwards_nothing_and_is_not_malformed(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        await g.send(content="", message_snapshots=({"message": {}},))
        await g.send(content="after", message_snapshots=(payloads.message_snapshot(),))

        empty, blank = g.recorder.messages
        assert (empty.content, blank.content) == ("", "after")
        assert isinstance(empty, Message)
        assert (empty.attachments, empty.sticker_ids, empty.forwarded) == ((), (), True)
        assert _malformed(g) == 0


@pytest.mark.parametrize(
    "snapshot",
    [
        pytest.param("not an object", id="not-an-object"),
        pytest.param({}, id="no-message"),
        pytest.param({"message": ["a list"]}, id="message-not-an-object"),
        pytest.param({"message": {"content": 42}}, id="content-not-text"),
        pytest.param(
            {"message": {"content": "x", "attachments": [{"filename": "a.png"}]}},
            id="attachment-without-size",
        ),
        pytest.param(
            {"message": {"content": "x", "attachments": [{"filename": "a.png", "size": 3}]}},
            id="attachment-without-url",
        ),
        pytest.param(
            {"message": {"content": "x", "sticker_items": [{"id": "12"}]}},
            id="sticker-without-name",
        ),
        pytest.param({"message": {"content": "x", "mentions": [{"id": "1"}]}}, id="bad-mention"),
    ],
)
async def test_a_malformed_snapshot_is_left_out_and_counted(
    guard: GuardFactory, watch: Policy, snapshot: object
) -> None:
    async with guard(watch) as g:
        good = payloads.message_snapshot("the scam", attachments=(GIFT,))
        await g.send(content="own text", message_snapshots=(snapshot, good))
        await g.send(content="next")

        forwarded, after = g.recorder.messages
        assert isinstance(forwarded, Message)
        assert forwarded.content == "own text\nthe scam"
        assert [a.filename for a in forwarded.attachments] == ["gift.png"]
        assert after.content == "next"
        assert _malformed(g) == 1


async def test_a_forward_whose_only_snapshot_is_malformed_is_checked_as_its_own_text(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        await g.send(content="", message_snapshots=({"message": None},))

        message = _only_message(g)
        assert (message.content, message.attachments, message.forwarded) == ("", (), False)
        assert _malformed(g) == 1


async def test_an_edit_keeps_the_messages_attachments_and_stickers(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        sticker = payloads.sticker_item(sticker_id=816087792291282944)
        created = await g.send(content="first", attachments=(GIFT,), sticker_items=(sticker,))
        await g.edit(created, content="second", attachments=(GIFT,), sticker_items=(sticker,))

        _, edited = g.recorder.messages
        assert isinstance(edited, Message)
        assert edited.content == "second"
        assert [a.filename for a in edited.attachments] == ["gift.png"]
        assert edited.sticker_ids == (816087792291282944,)
