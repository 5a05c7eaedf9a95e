"""Notice templates: every variable, unknown ones kept, member text never a mention."""

from __future__ import annotations

import typing

from spamguard.core import Guard, Policy, SendMessage
from spamguard.core.templates import defuse, render, variables

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

ALL = (
    "$MENTIONMEMBER|$MEMBERNAME|$MEMBERID|$GUILDNAME|$GUILDID|$CHANNELNAME|$CHANNELID|"
    "$WARNCOUNT|$KICKCOUNT|$VIOLATION|$COUNT|$LIMIT|$PUNISHMENT"
)


def values(**overrides: typing.Any) -> dict[str, str]:
    fields: dict[str, typing.Any] = {
        "member_id": 42,
        "member_name": "Sam",
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
    }
    fields.update(overrides)
    return variables(**fields)


def test_every_variable_is_substituted() -> None:
    assert render(ALL, values()) == "<@42>|Sam|42|Cozy|7|general|9|1|0|max_links|11|10|tempmute"


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
    assert render("$MEMBERNAME", values(member_name="$GUILDNAME $$")) == "$GUILDNAME $$"


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
        values(member_name="@everyone <@&123>", guild_name="@here", channel_name="<@99>"),
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
            values(member_name="", guild_name="", channel_name=""),
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
