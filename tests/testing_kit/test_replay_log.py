"""The JSON-lines log format: both shapes, every field, and errors that name line and field."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from spamguard.core import Guard, Policy
from spamguard.testing import LogError, ReplaySummary, iter_log, parse_line, read_log

UTC = datetime.UTC


def _line(**fields: object) -> str:
    base: dict[str, object] = {
        "guild_id": 1,
        "channel_id": 2,
        "author_id": 3,
        "created_at": "2024-05-01T12:00:00Z",
    }
    base.update(fields)
    return json.dumps(base)


def test_the_minimal_line_gives_a_message_with_a_made_up_snowflake() -> None:
    record = parse_line(_line(), 7)
    assert record is not None
    message = record.message
    assert (message.guild_id, message.channel_id, message.author_id, message.content) == (
        1,
        2,
        3,
        "",
    )
    assert message.created_at == datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert record.now == message.created_at and record.line == 7
    assert message.id & 0x3FFFFF == 7  # the line number keeps made-up ids apart


def test_every_optional_field_reaches_the_message() -> None:
    record = parse_line(
        _line(
            id="1236376800460804097",
            content="hi @everyone",
            author_name="alice",
            guild_name="guild",
            channel_name="general",
            author_is_bot=True,
            author_is_admin=True,
            author_can_manage_messages=True,
            author_is_owner=True,
            mentions_everyone=True,
            author_role_ids=["10", 11],
            mention_ids=[4, 5],
            role_mention_ids=[6],
            attachment_count=2,
            sticker_count=1,
            embed_count=3,
            category_id=8,
            parent_id="9",
            edited_at=1714564805.5,
        )
    )
    assert record is not None
    m = record.message
    assert m.id == 1236376800460804097
    assert (m.author_name, m.guild_name, m.channel_name) == ("alice", "guild", "general")
    assert (
        m.author_is_bot,
        m.author_is_admin,
        m.author_can_manage_messages,
        m.author_is_owner,
    ) == (True,) * 4
    assert m.mentions_everyone and m.author_role_ids == frozenset({10, 11})
    assert (m.mention_ids, m.role_mention_ids) == ((4, 5), (6,))
    assert (m.attachment_count, m.sticker_count, m.embed_count) == (2, 1, 3)
    assert (m.category_id, m.parent_id) == (8, 9)
    assert record.now == datetime.datetime(2024, 5, 1, 12, 0, 5, 500000, tzinfo=UTC)


def test_times_take_offsets_posix_seconds_and_naive_utc() -> None:
    def when(value: object) -> datetime.datetime:
        record = parse_line(_line(created_at=value))
        assert record is not None
        return record.message.created_at

    noon = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert when("2024-05-01T14:00:00+02:00") == noon
    assert when("2024-05-01T12:00:00") == noon
    assert when(noon.timestamp()) == noon


def test_discord_message_objects_are_read_by_their_author_object() -> None:
    payload = {
        "id": "1236376800460804097",
        "channel_id": "20",
        "guild_id": "10",
        "content": "hello <@30>",
        "timestamp": "2024-05-04T18:00:00.000000+00:00",
        "edited_timestamp": None,
        "author": {"id": "40", "username": "alice_u", "global_name": "Alice", "bot": False},
        "member": {"roles": ["50", "51"]},
        "mentions": [{"id": "30", "username": "bob"}],
        "mention_roles": ["60"],
        "mention_everyone": False,
        "attachments": [{"id": "1"}, {"id": "2"}],
        "embeds": [],
        "sticker_items": [{"id": "7"}],
        "type": 0,
        "pinned": False,
    }
    record = parse_line(json.dumps(payload))
    assert record is not None
    m = record.message
    assert (m.id, m.guild_id, m.channel_id, m.author_id, m.author_name) == (
        1236376800460804097,
        10,
        20,
        40,
        "Alice",
    )
    assert m.author_role_ids == frozenset({50, 51}) and m.mention_ids == (30,)
    assert (m.role_mention_ids, m.attachment_count, m.sticker_count, m.embed_count) == (
        (60,),
        2,
        1,
        0,
    )


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (
            "{not json",
            "",
            "not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        ),
        ("[1, 2]", "", "must be a JSON object, got a list"),
        (
            _line(author_id="x"),
            "author_id",
            'must be an id (a positive integer or a string of digits), got "x"',
        ),
        (_line(created_at="yesterday"), "created_at", "must be an ISO 8601 date-time"),
        (_line(contnet="hi"), "contnet", "unknown field; did you mean 'content'?"),
        (
            _line(attachment_count=-1),
            "attachment_count",
            "must be a count (an integer >= 0), got -1",
        ),
        (_line(mention_ids=[1, "a"]), "mention_ids.1", "must be an id"),
        (_line(author_is_bot="yes"), "author_is_bot", 'must be true or false, got "yes"'),
        (json.dumps({"channel_id": 2, "author_id": 3, "created_at": 1}), "guild_id", "is required"),
        (
            json.dumps({"author": {}, "id": 1, "guild_id": 1, "channel_id": 2, "timestamp": 1}),
            "author.id",
            "is required",
        ),
        # Found by fuzzing: dates the guard's arithmetic cannot hold, and JSON that
        # Python's own reader refuses with something other than a JSONDecodeError.
        (_line(created_at="9999-12-31T23:59:59Z"), "created_at", "must be between 1970-01-01"),
        (_line(created_at=-86400), "created_at", "must be between 1970-01-01"),
        (_line(edited_at="0001-01-01T00:00:00Z"), "edited_at", "must be between 1970-01-01"),
        (
            json.dumps(
                {"author": {"id": 3}, "id": 1, "guild_id": 1, "channel_id": 2, "timestamp": 2.4e11}
            ),
            "timestamp",
            "must be between 1970-01-01",
        ),
        (_line(author_id=2**64), "author_id", "must be an id"),
        (_line(author_id="9" * 5000), "author_id", "must be an id"),
        (_line()[:-1] + ', "content": ' + "9" * 5000 + "}", "", "a number of more than"),
        (_line()[:-1] + ', "content": ' + "[" * 100_000 + "]" * 100_000 + "}", "", "nested"),
    ],
)
def test_a_bad_line_names_its_line_number_and_field(text: str, field: str, problem: str) -> None:
    with pytest.raises(LogError) as caught:
        parse_line(text, 12, source="raid.jsonl")
    error = caught.value
    assert (error.line, error.field) == (12, field)
    assert problem in error.problem
    assert str(error).startswith(f"raid.jsonl:12: {field + ': ' if field else ''}")


def test_iter_log_yields_errors_in_place_and_skips_blank_lines() -> None:
    items = list(iter_log([_line(content="a"), "\n", "oops", _line(content="b")], source="x"))
    assert [type(i).__name__ for i in items] == ["LogRecord", "LogError", "LogRecord"]
    assert isinstance(items[1], LogError) and items[1].line == 3


def test_read_log_raises_on_a_bad_line_unless_told_to_skip(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(_line(content="a") + "\n{broken\n" + _line(content="b") + "\n")
    with pytest.raises(LogError, match=r"log.jsonl:2: not valid JSON"):
        list(read_log(path))
    assert [r.message.content for r in read_log(path, skip_errors=True)] == ["a", "b"]


def test_the_summary_counts_checks_actions_skips_and_members() -> None:
    policy = Policy.from_dict(
        {
            "spam": {
                "levels": {
                    0: {
                        "punishment": "KICK",
                        "clean": True,
                        "max_messages": {"count": 2, "interval": 5},
                    }
                }
            }
        }
    )
    guard = Guard(policy)
    summary = ReplaySummary()
    lines = [_line(id=i + 1, content=str(i), created_at=i) for i in range(3)]
    lines.append(_line(id=9, author_is_bot=True, created_at=4))
    for item in iter_log(lines):
        assert not isinstance(item, LogError)
        summary.add(guard.process(item.message, now=item.now), item.now)
    data = summary.to_dict()
    assert (data["messages"], data["checked"], data["skipped"]) == (4, 3, {"bot": 1})
    assert data["checks"] == {"max_messages": {"fired": 2, "members": 1}}
    assert data["actions"] == {"delete": 2, "kick": 1}
    assert (data["punishments"], data["members_punished"], data["deleted_messages"]) == (
        {"KICK": 1},
        1,
        3,
    )
    assert data["duration_seconds"] == 4.0
