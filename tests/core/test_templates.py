"""Notice templates: every variable, unknown ones kept, member text never a mention."""

from __future__ import annotations

import datetime
import typing

import pytest

from spamguard.core import Guard, Message, Policy, SendMessage
from spamguard.core.templates import defuse, render, variables

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

ALL = (
    "$MENTIONMEMBER|$MEMBERNAME|$MEMBERID|$GUILDNAME|$GUILDID|$CHANNELNAME|$CHANNELID|"
    "$WARNCOUNT|$KICKCOUNT|$VIOLATION|$COUNT|$LIMIT|$PUNISHMENT"
)


NOW = datetime.datetime(2024, 5, 1, 15, 4, 5, tzinfo=datetime.UTC)
DECISION = (
    "now",
    "bot_id",
    "warn_count",
    "kick_count",
    "violation",
    "count",
    "limit",
    "punishment",
)


def values(**overrides: typing.Any) -> dict[str, str]:
    """The variables of a decision about a message; ``overrides`` are Message fields or
    :func:`variables` arguments."""
    fields: dict[str, typing.Any] = {
        "author_id": 42,
        "author_name": "Sam",
        "guild_id": 7,
        "guild_name": "Cozy",
        "channel_id": 9,
        "channel_name": "general",
        "warn_count": 1,
        "kick_count": 0,
        "violation": "max_links",
        "count": 11,
        "limit": 10,
        "punishment": "TEMPMUTE",
        "now": NOW,
    }
    fields.update(overrides)
    decision = {name: fields.pop(name) for name in DECISION if name in fields}
    message = Message(id=1, content="", created_at=NOW, **fields)
    return variables(message, **decision)


def test_every_variable_is_substituted() -> None:
    assert render(ALL, values()) == "<@42>|Sam|42|Cozy|7|general|9|1|0|max_links|11|10|tempmute"


ANTISPAM = (
    "$MENTIONMEMBER|$MEMBERNAME|$MEMBERID|$MEMBERAVATAR|$MENTIONBOT|$BOTNAME|$BOTID|"
    "$BOTAVATAR|$GUILDNAME|$GUILDID|$GUILDICON|$TIMESTAMPNOW|$TIMESTAMPTODAY|$WARNCOUNT|"
    "$KICKCOUNT"
)
"""Every variable discord-anti-spam 1.9 documents (its ``substitute_args``)."""


def test_every_discord_anti_spam_variable_is_substituted() -> None:
    rendered = render(
        ANTISPAM,
        values(
            author_avatar_url="https://cdn.example/avatars/42/a.png",
            bot_id=5,
            bot_name="Guardian",
            bot_avatar_url="https://cdn.example/avatars/5/b.png",
            guild_icon_url="https://cdn.example/icons/7/c.png",
        ),
    )
    assert rendered.split("|") == [
        "<@42>",
        "Sam",
        "42",
        "https://cdn.example/avatars/42/a.png",
        "<@5>",
        "Guardian",
        "5",
        "https://cdn.example/avatars/5/b.png",
        "Cozy",
        "7",
        "https://cdn.example/icons/7/c.png",
        "03:04:05 PM, 01/05/2024",
        "01/05/2024",
        "1",
        "0",
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime.datetime(2024, 12, 31, 0, 0, 9, tzinfo=datetime.UTC), "12:00:09 AM, 31/12/2024"),
        (datetime.datetime(2024, 1, 2, 12, 30, tzinfo=datetime.UTC), "12:30:00 PM, 02/01/2024"),
        (datetime.datetime(2024, 1, 2, 9, 5, 1, tzinfo=datetime.UTC), "09:05:01 AM, 02/01/2024"),
        # The decision's time, in UTC whatever the offset it came with.
        (
            datetime.datetime(
                2024, 1, 2, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            "11:00:00 PM, 01/01/2024",
        ),
    ],
)
def test_timestamps_are_the_decision_time_formatted_as_discord_anti_spam_does(
    now: datetime.datetime, expected: str
) -> None:
    rendered = render("$TIMESTAMPNOW|$TIMESTAMPTODAY", values(now=now))
    assert rendered == f"{expected}|{expected.split(', ')[1]}"


def test_the_bots_values_come_from_the_message_else_from_the_given_id() -> None:
    at = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    decision: dict[str, typing.Any] = {
        "now": at,
        "warn_count": 0,
        "kick_count": 0,
        "violation": "max_links",
        "count": 2,
        "limit": 1,
        "punishment": "WARN",
    }
    named = Message(
        id=1,
        guild_id=7,
        channel_id=9,
        author_id=42,
        content="",
        created_at=at,
        bot_id=5,
        bot_name="@Guardian",
        bot_avatar_url="https://cdn.example/b.png",
        author_avatar_url="https://cdn.example/a.png",
        guild_icon_url="https://cdn.example/c.png",
    )
    got = variables(named, bot_id=6, **decision)
    assert (got["BOTID"], got["MENTIONBOT"], got["BOTNAME"]) == ("5", "<@5>", "@\u200bGuardian")
    assert (got["BOTAVATAR"], got["MEMBERAVATAR"], got["GUILDICON"]) == (
        "https://cdn.example/b.png",
        "https://cdn.example/a.png",
        "https://cdn.example/c.png",
    )
    bare = Message(id=2, guild_id=7, channel_id=9, author_id=42, content="", created_at=at)
    got = variables(bare, bot_id=6, **decision)
    assert (got["BOTID"], got["MENTIONBOT"], got["BOTNAME"], got["BOTAVATAR"]) == (
        "6",
        "<@6>",
        "6",
        "",
    )
    got = variables(bare, bot_id=None, **decision)
    assert (got["BOTID"], got["MENTIONBOT"], got["BOTNAME"]) == ("", "", "")


def test_an_embed_url_left_empty_is_dropped() -> None:
    # A guild without an icon: Discord refuses ``"icon_url": ""``.
    embed = {
        "author": {"name": "$MEMBERNAME", "icon_url": "$GUILDICON"},
        "footer": {"text": "$GUILDICON", "icon_url": "$MEMBERAVATAR"},
        "url": "",
    }
    assert render(embed, values(author_avatar_url="https://cdn.example/a.png")) == {
        "author": {"name": "Sam"},
        "footer": {"text": "", "icon_url": "https://cdn.example/a.png"},
        "url": "",
    }


def test_unknown_variables_are_left_as_written() -> None:
    assert render("$MEMBERNAME owes $5 to $NOBODY and $membername", values()) == (
        "Sam owes $5 to $NOBODY and $membername"
    )


def test_a_name_ends_where_the_identifier_ends_as_in_string_template() -> None:
    # ``$MEMBERID123`` names the unknown variable MEMBERID123 (the old scanner read
    # ``$MEMBERID`` then ``123``); braces delimit a name inside a word.
    assert render("$MEMBERID123 ${MEMBERID}123 ${MEMBERNAME}s $MEMBERNAME_", values()) == (
        "$MEMBERID123 42123 Sams $MEMBERNAME_"
    )


def test_a_doubled_dollar_is_one_literal_dollar() -> None:
    assert render("$$ $$MEMBERNAME $$$MEMBERNAME costs $$5", values()) == (
        "$ $MEMBERNAME $Sam costs $5"
    )


def test_malformed_placeholders_are_left_as_written() -> None:
    assert render("${MEMBERNAME ${} $ $-1 end$", values()) == "${MEMBERNAME ${} $ $-1 end$"


def test_lower_case_names_are_not_variables() -> None:
    # Like discord-anti-spam (string.Template, upper-case keys): ``$membername`` and
    # ``${MemberName}`` are unknown names, left as written.
    assert render("$membername ${MemberName} $Membername", values()) == (
        "$membername ${MemberName} $Membername"
    )


def test_a_substituted_value_is_not_substituted_again() -> None:
    assert render("$MEMBERNAME", values(author_name="$GUILDNAME $$")) == "$GUILDNAME $$"


def test_embeds_are_rendered_recursively() -> None:
    embed = {
        "title": "$MEMBERNAME",
        "fields": [{"name": "n", "value": "$COUNT/$LIMIT"}],
        "color": 5,
    }
    assert render(embed, values()) == {
        "title": "Sam",
        "fields": [{"name": "n", "value": "11/10"}],
        "color": 5,
    }


def test_member_supplied_text_cannot_mention_anyone() -> None:
    rendered = render(
        "$MEMBERNAME in $GUILDNAME #$CHANNELNAME",
        values(author_name="@everyone <@&123>", guild_name="@here", channel_name="<@99>"),
    )
    assert "@everyone" not in rendered
    assert "@here" not in rendered
    assert "<@&123>" not in rendered
    assert "<@99>" not in rendered
    assert rendered == "@\u200beveryone <@\u200b&123> in @\u200bhere #<@\u200b99>"


def test_defuse_breaks_every_at_sign() -> None:
    assert defuse("a@b @@") == "a@\u200bb @\u200b@\u200b"


def test_missing_names_fall_back_to_ids() -> None:
    assert (
        render(
            "$MEMBERNAME $GUILDNAME $CHANNELNAME",
            values(author_name="", guild_name="", channel_name=""),
        )
        == "42 7 9"
    )


def test_a_warning_pings_only_the_member(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "notices": {"warn": "@everyone look: $MEMBERNAME ($MENTIONMEMBER) hit $VIOLATION"},
            "spam": {
                "levels": {0: {"punishment": "WARN", "max_links": {"count": 1, "interval": 10}}}
            },
        }
    )
    plan = Guard(policy).process(msg("https://x.example", author_name="@everyone"))
    (warning,) = plan.actions
    assert isinstance(warning, SendMessage)
    # The policy author's own text is kept; the member's name is defused; only the member
    # may be pinged, whatever the text says.
    assert warning.content == (f"@everyone look: @\u200beveryone (<@{msg.USER}>) hit max_links")
    assert warning.mention_user_ids == (msg.USER,)


def test_a_guards_notice_names_its_bot_and_the_messages_time(msg: Msg) -> None:
    policy = Policy.from_dict(
        {
            "notices": {"warn": "$BOTNAME ($BOTID) warned $MEMBERNAME at $TIMESTAMPNOW"},
            "spam": {
                "levels": {0: {"punishment": "WARN", "max_links": {"count": 1, "interval": 10}}}
            },
        }
    )
    guard = Guard(policy, self_id=77)
    plan = guard.process(msg("https://x.example", t=3, author_name="Sam"))
    (warning,) = plan.actions
    assert isinstance(warning, SendMessage)
    assert warning.content == "77 (77) warned Sam at 12:00:03 PM, 01/05/2024"
    plan = guard.process(
        msg("https://y.example", t=30, author_name="Sam", bot_id=78, bot_name="Guardian")
    )
    (warning,) = plan.actions
    assert isinstance(warning, SendMessage)
    assert warning.content == "Guardian (78) warned Sam at 12:00:30 PM, 01/05/2024"
