"""``spamguard replay`` and ``explain`` of logs with members joining and leaving."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from spamguard.cli.main import main
from spamguard.core import MemberJoin, MemberLeave
from spamguard.reporting import LogError, MemberRecord, parse_line
from spamguard.reporting.member_logs import member_line

POLICY = """\
new_members: {joined_within: 600}
spam:
  levels:
    -1: {punishment: KICK, max_links: {count: 1, interval: 60}}
    0: {max_messages: {count: 8, interval: 5}}
"""


def _message(**fields: object) -> dict[str, object]:
    return {"type": "message", "guild_id": 1, "channel_id": 2, "author_name": "zed", **fields}


@pytest.fixture
def raid_log(tmp_path: pathlib.Path) -> pathlib.Path:
    lines: list[dict[str, object]] = [
        _message(id=10, author_id=3, content="https://old.example", created_at=0),
        {"type": "member_join", "guild_id": 1, "user_id": 4, "joined_at": 1, "username": "zed"},
        {"type": "member_join", "guild_id": 1, "user_id": 4, "joined_at": 1},
        _message(id=11, author_id=4, content="https://raid.example", created_at=2),
        {"type": "member_leave", "guild_id": 1, "user_id": 4, "at": 3},
        _message(id=12, author_id=4, content="https://raid.example", created_at=70),
    ]
    path = tmp_path / "raid.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture
def policy_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return path


def test_a_replay_decides_joins_and_leaves_between_the_messages(
    raid_log: pathlib.Path, policy_file: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(raid_log), "--policy", str(policy_file), "--all"]) == 0
    out = capsys.readouterr().out
    # The member who joined a second before is new: its link is kicked; after leaving (and
    # 70 seconds on, without a member object) it is not new any more.
    assert "[+1.0s] line 2  zed joined guild 1\n    ok\n" in out
    assert "[+1.0s] line 3  zed joined guild 1\n    skipped: redelivered\n" in out
    assert "max_links 1/1 in 1m -> KICK" in out
    assert "[+3.0s] line 5  zed left guild 1\n    ok\n" in out
    assert "3 message(s) over 70s: 3 checked, 0 skipped" in out
    assert "1 member(s) punished" in out
    assert "2 member join(s), 1 leave(s)" in out


def test_a_json_replay_counts_joins_and_leaves(
    raid_log: pathlib.Path, policy_file: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(raid_log), "--policy", str(policy_file), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["summary"]["joins"], document["summary"]["leaves"]) == (2, 1)
    assert [plan["line"] for plan in document["plans"]] == [4]


def test_explain_reads_the_joins_before_the_message(
    raid_log: pathlib.Path, policy_file: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", str(raid_log), "--policy", str(policy_file), "--line", "4"]) == 0
    out = capsys.readouterr().out
    assert "KICK" in out
    assert "level:-1" in out


def test_member_lines_round_trip_and_bad_ones_name_the_field() -> None:
    join = MemberJoin(
        guild_id=1,
        user_id=4,
        joined_at=_at(),
        username="zed",
        global_name="Zed",
        has_avatar=True,
        role_ids=frozenset({9}),
    )
    leave = MemberLeave(guild_id=1, user_id=4, at=_at())
    for event in (join, leave):
        record = parse_line(json.dumps(member_line(event)), 7)
        assert isinstance(record, MemberRecord)
        assert (record.line, record.event) == (7, event)
    bad = [
        ({"type": "member_join", "guild_id": 1, "user_id": 4}, "joined_at: is required"),
        ({"type": "member_join", "guild_id": 1, "user_id": 4, "joined_at": "soon"}, "joined_at: must be an ISO 8601"),
        ({"type": "member_leave", "guild_id": 1, "user_id": 0, "at": 1}, "user_id: must be an id"),
        ({"type": "member_leave", "guild_id": 1, "user_id": 4, "at": 1, "joined_at": 1}, "joined_at: unknown field of a member_leave line"),
        ({"type": "member_join", "guild_id": 1, "user_id": 4, "joined_at": 1, "bot": "yes"}, "bot: must be true or false"),
        ({"type": "guild_update"}, "type: must be one of message, member_join, member_leave"),
    ]  # fmt: skip
    for line, expected in bad:
        with pytest.raises(LogError, match=expected):
            parse_line(json.dumps(line), 3)


def _at() -> datetime.datetime:
    return datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
