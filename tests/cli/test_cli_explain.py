"""``spamguard explain``: the checks that ran for one message, their counts and the reason."""

from __future__ import annotations

import json
import pathlib

import pytest

from spamguard.cli.main import main


def _rows(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_explaining_a_punished_message_names_every_check_and_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--sample", "--line", "26"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert (
        "Message 1236377016467460097 (line 26 of sample_raid.jsonl) by zed (402118377051226117) in #general at 2024-05-04T18:00:51.500000+00:00:"
        in out
    )
    assert "Context: the author's 5 previous message(s):" in out
    assert "rule check scope window count/limit adds result" in rows
    assert "level:0 max_messages user 5s 8/8 1 FIRED" in rows
    assert "level:0 max_duplicates user 30s 1/5 1 under limit" in rows
    assert "level:0 max_links user 1m 0/10 0 not counted" in rows
    assert "Decision: TEMPMUTE. max_messages fired and the policy asks for TEMPMUTE." in out
    assert "- delete 8 messages in #general" in rows


def test_explaining_a_message_under_the_limits_says_why_it_was_not_punished(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # jules: 7 messages in 4 seconds, one short of max_messages.
    assert main(["explain", "--sample", "--message", "1236376987526762497"]) == 0
    out = capsys.readouterr().out
    assert "by jules (402118377051226116) in #memes" in out
    assert "level:0 max_messages user 5s 7/8 1 under limit" in _rows(out)
    assert (
        "Decision: NONE. Not punished: no check reached its limit; the closest was max_messages at 7/8 in 5s."
        in out
    )


def test_explaining_a_skipped_message_gives_the_exemption(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--sample", "--line", "50"]) == 0
    out = capsys.readouterr().out
    assert "by mod_sam" in out
    assert "Not checked: the author can manage messages and exempt_admins is on." in out


def test_a_merged_violation_is_explained_by_the_open_incident(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--sample", "--line", "27", "--context", "0"]) == 0
    out = capsys.readouterr().out
    assert "Context:" not in out.split("Rules that apply")[0].replace("Context: no earlier", "")
    assert "level:0 max_messages user 5s 9/8 1 FIRED" in _rows(out)
    assert "the incident opened by an earlier violation is still open" in out
    assert "already punished with TEMPMUTE" in out


def test_without_a_selector_the_first_violation_is_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--sample"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[1]
        == "(no --message or --line given: explaining the first message a check fired on)"
    )
    assert "(line 26 of sample_raid.jsonl)" in out


def test_json_explanation_is_parseable_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--sample", "--line", "42", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    explanation = document["explanation"]
    assert document["line"] == 42 and explanation["rules"] == ["level:0"]
    invites = next(c for c in explanation["checks"] if c["check"] == "max_invites")
    assert (invites["count"], invites["limit"], invites["status"]) == (3, 3, "fired")
    assert explanation["plan"]["punishment"] == "TEMPMUTE"
    assert len(document["context"]) == 2 and document["context"][0]["content"].startswith(
        "Free Nitro"
    )


def test_an_unknown_message_or_line_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--sample", "--message", "5"]) == 1
    assert (
        capsys.readouterr().err
        == "spamguard: no message with id 5 in sample_raid.jsonl (66 lines)\n"
    )
    assert main(["explain", "--sample", "--line", "999"]) == 1
    assert (
        capsys.readouterr().err
        == "spamguard: sample_raid.jsonl has no message on line 999 (66 lines)\n"
    )
    assert main(["explain", "--sample", "--line", "1", "--message", "2"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_context_names_members_and_channels_instead_of_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--sample", "--line", "27"]) == 0
    out = capsys.readouterr().out
    assert (
        "max_messages 8/8 in 5s -> TEMPMUTE: delete 8 messages in #general; timeout zed for 5m"
        in out
    )
    assert "channel 811204624401027092" not in out
    assert "user 402118377051226117" not in out


def test_names_from_earlier_lines_name_the_ids_of_the_explained_plan(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the first line carries the names (as a log cut from a longer one may).
    lines = [
        {"guild_id": 1, "channel_id": 2, "author_id": 3, "created_at": i / 2, "content": f"m{i}"}
        for i in range(10)
    ]
    lines[0] |= {"author_name": "alice", "channel_name": "general"}
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["explain", str(log)]) == 0
    out = capsys.readouterr().out
    assert "- timeout alice for" in out
    assert "in #general" in out
    assert "channel 2" not in out
    assert "user 3 " not in out
