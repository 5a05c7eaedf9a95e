"""A moderator's "link or id" of a message."""

from __future__ import annotations

import pytest

from spamguard.moderation import MessageRefError, parse_message_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://discord.com/channels/1/2/3", (1, 2, 3)),
        ("  <https://ptb.discord.com/channels/10/20/30>  ", (10, 20, 30)),
        ("https://canary.discordapp.com/channels/10/20/30/", (10, 20, 30)),
        ("https://discord.com/channels/@me/20/30", (None, 20, 30)),
        ("1180000000000000000", (None, None, 1180000000000000000)),
        ("20-30", (None, 20, 30)),
    ],
)
def test_a_link_or_an_id_names_the_message(
    text: str, expected: tuple[int | None, int | None, int]
) -> None:
    assert parse_message_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "https://example.com/channels/1/2/3",
        "https://discord.com/channels/1/2",
        "0",
        "99999999999999999999",
        "-5",
    ],
)
def test_anything_else_is_refused_with_what_is_accepted(text: str) -> None:
    with pytest.raises(MessageRefError, match=r"link|id"):
        parse_message_ref(text)
