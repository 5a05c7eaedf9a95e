"""``spamguard replay``: plans, a summary per check and action, JSON, bad lines by number."""

from __future__ import annotations

import json
import pathlib
import runpy
import sys

import pytest

from spamguard.cli.loading import SAMPLE_LOG
from spamguard.cli.main import main

HERE = pathlib.Path(__file__).parent


def _line(**fields: object) -> str:
    base: dict[str, object] = {
        "guild_id": 1,
        "channel_id": 2,
        "author_id": 3,
        "author_name": "alice",
        "channel_name": "general",
        "created_at": 0,
    }
    base.update(fields)
    return json.dumps(base)


@pytest.fixture
def flood_log(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "flood.jsonl"
    lines = [_line(id=100 + i, content=f"msg {i} " + "x" * i, created_at=i * 0.5) for i in range(9)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_shipped_sample_is_what_its_generator_makes() -> None:
    generator = runpy.run_path(str(HERE / "make_sample_log.py"))
    assert SAMPLE_LOG.read_text(encoding="utf-8") == generator["render"]()


def test_the_sample_replay_prints_each_punishment_and_the_summary_tables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", "--sample"]) == 0
    out = capsys.readouterr().out
    assert '[+51.5s] line 26  zed (402118377051226117) in #general: "I\'ll wait"' in out
    assert (
        "    max_messages 8/8 in 5s -> TEMPMUTE\n    - delete 8 messages in #general\n    - timeout zed for 5m"
        in out
    )
    assert "    max_invites 3/3 in 5m -> TEMPMUTE" in out
    assert "Summary of sample_raid.jsonl with the default policy:" in out
    assert (
        "66 message(s) over 101s: 53 checked, 13 skipped (bot 2, dm 1, manage_messages 9, redelivered 1)"
        in out
    )
    assert "8 member(s) punished, 31 message(s) deleted, 0 bad line(s)" in out
    rows = [" ".join(line.split()) for line in out.splitlines()]
    for row in (
        "check fired members",
        "max_invites 4 4",
        "max_messages 2 1",
        "max_mentions 1 1",
        "max_attachments 1 1",
        "max_duplicates 1 1",
        "action count",
        "delete 13",
        "timeout 8",
        "punishment count",
        "TEMPMUTE 8",
    ):
        assert row in rows
    # Members under the limits are not in the plans.
    assert "jules" not in out and "mia" not in out


def test_json_output_is_one_parseable_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--sample", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["log"] == "sample_raid.jsonl" and document["complete"] is True
    assert document["summary"]["checks"]["max_invites"] == {"fired": 4, "members": 4}
    assert document["summary"]["actions"] == {"delete": 13, "timeout": 8}
    first = document["plans"][0]
    assert first["line"] == 26 and first["offset"] == 51.5
    assert first["plan"]["violations"][0]["check"] == "max_messages"
    assert [a["kind"] for a in first["plan"]["actions"]] == ["delete", "timeout"]
    assert document["errors"] == []


def test_all_includes_quiet_and_skipped_messages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--sample", "--json", "--all"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["plans"]) == 66
    assert {p["plan"]["skipped_reason"] for p in document["plans"]} >= {"bot", "dm", "redelivered"}


def test_a_policy_file_changes_the_outcome(
    tmp_path: pathlib.Path, flood_log: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "strict.yaml"
    policy.write_text(
        "spam: {levels: {0: {punishment: BAN, max_messages: {count: 3, interval: 5}}}}\n"
    )
    assert main(["replay", str(flood_log), "--policy", str(policy), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Summary of {flood_log} with {policy}:")
    assert "BAN" in out and "ban" in out
    assert main(["replay", str(flood_log), "--quiet"]) == 0
    assert "with the default policy" in capsys.readouterr().out


def test_a_malformed_line_is_reported_with_its_number_and_skipped(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                _line(content="a"),
                "{not json",
                _line(created_at="soon"),
                "",
                _line(content="b", created_at=1),
            ]
        )
        + "\n"
    )
    assert main(["replay", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}:2: not valid JSON: Expecting property name enclosed in double quotes (column 2); skipped",
        f'{path}:3: created_at: must be an ISO 8601 date-time like "2024-05-01T12:00:00Z" or POSIX seconds, got "soon"; skipped',
    ]
    document = json.loads(captured.out)
    assert [(e["line"], e["field"]) for e in document["errors"]] == [(2, ""), (3, "created_at")]
    assert document["summary"]["messages"] == 2 and document["summary"]["errors"] == 2


def test_a_line_dated_past_the_year_9000_is_a_bad_line_and_the_replay_goes_on(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by fuzzing: a flood dated 9999-12-31 ended the replay with an OverflowError
    # (its timeout's end is past the last date Python can hold).
    path = tmp_path / "far.jsonl"
    far = [_line(id=10 + i, content="x", created_at=f"9999-12-31T23:59:5{i}Z") for i in range(9)]
    path.write_text("\n".join([*far, _line(id=100, content="after")]) + "\n")
    assert main(["replay", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == (
        f"{path}:1: created_at: must be between 1970-01-01 and 9000-01-01 (UTC), "
        "got 9999-12-31T23:59:50+00:00; skipped"
    )
    document = json.loads(captured.out)
    assert [(e["line"], e["field"]) for e in document["errors"]] == [
        (line, "created_at") for line in range(1, 10)
    ]
    assert document["summary"]["messages"] == 1 and document["summary"]["errors"] == 9


def test_on_error_stop_ends_the_run_at_the_bad_line_with_status_1(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        _line(content="a") + "\n" + _line(author_id=-5) + "\n" + _line(content="c") + "\n"
    )
    assert main(["replay", str(path), "--on-error", "stop"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}:2: author_id: must be an id (a positive integer or a string of digits), got -5; stopping (--on-error stop)",
        "replay stopped at line 2: the report covers the lines before it",
    ]
    assert "1 message(s) over 0s" in captured.out


def test_user_errors_are_one_line_without_a_traceback(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_policy = tmp_path / "bad.yaml"
    bad_policy.write_text("spam: {levels: {0: {max_messages: {count: 0, interval: 5}}}}\n")
    cases = {
        (
            "replay",
        ): "spamguard: give a log file (JSON lines, see `spamguard replay --help`) or --sample\n",
        (
            "replay",
            "nope.jsonl",
        ): "spamguard: cannot read the log nope.jsonl: No such file or directory\n",
        (
            "replay",
            "x.jsonl",
            "--sample",
        ): "spamguard: give either a log file or --sample, not both\n",
        ("replay", "--sample", "--policy", str(bad_policy)): (
            f"spamguard: {bad_policy}: spam.levels.0.max_messages.count: must be a positive integer, got 0\n"
        ),
        ("replay", "--sample", "--plugin", "no_such_module_xyz"): (
            "spamguard: --plugin no_such_module_xyz: cannot import 'no_such_module_xyz': "
            "No module named 'no_such_module_xyz'\n"
        ),
        ("replay", "--sample", "--plugin", "json:nothing"): (
            "spamguard: --plugin json:nothing: json has no attribute 'nothing'\n"
        ),
    }
    for argv, expected in cases.items():
        assert main(list(argv)) == 1, argv
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", expected)


def test_a_plugin_given_on_the_command_line_takes_part(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shout_plugin.py").write_text(
        "from spamguard.core import Violation, hookimpl\n\n"
        "class Shout:\n"
        "    @hookimpl\n"
        "    def spamguard_check_message(self, message, context):\n"
        "        if message.content.isupper():\n"
        "            return [Violation(check='shouting', count=1, limit=1, interval=0.0,\n"
        "                              message_ids=(message.id,), punishment='WARN')]\n"
        "        return []\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["replay", "--sample", "--quiet", "--plugin", "shout_plugin:Shout"]) == 0
    rows = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert "shouting 3 2" in rows  # WAIT, CLIP IT, HELLO: jules twice, zed once


def test_the_progress_bar_goes_to_stderr_only_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", "--sample", "--quiet", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "\r[##############################] 100%  66 messages" in captured.err
    assert "[#" not in captured.out
    assert main(["replay", "--sample", "--quiet"]) == 0  # not a terminal: no bar
    assert capsys.readouterr().err == ""


def test_discord_shaped_lines_replay_like_spamguard_ones(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gateway.jsonl"
    lines = [
        json.dumps(
            {
                "id": str(1000 + i),
                "channel_id": "20",
                "guild_id": "10",
                "content": "join discord.gg/abc",
                "timestamp": f"2024-05-04T18:00:0{i}.000000+00:00",
                "author": {"id": "40", "username": "raider"},
                "mentions": [],
                "attachments": [],
                "embeds": [],
            }
        )
        for i in range(3)
    ]
    path.write_text("\n".join(lines) + "\n")
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert '[+2.0s] line 3  raider (40) in channel 20: "join discord.gg/abc"' in out
    assert "max_invites 3/3 in 5m -> TEMPMUTE" in out


def test_a_timeline_without_matplotlib_says_what_to_install_before_replaying(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    assert main(["replay", "--sample", "--timeline", "x.png"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "spamguard: --timeline needs matplotlib: pip install 'spamguard[plot]'\n"


@pytest.mark.parametrize(
    ("name", "shown"), [("out.jpg", "'.jpg'"), ("out", "no extension"), ("out.PNG.gz", "'.gz'")]
)
def test_a_timeline_file_named_for_no_format_it_writes_is_refused_before_replaying(
    name: str, shown: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    assert main(["replay", "--sample", "--timeline", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"spamguard: --timeline {path}: {shown} is not a picture format it writes; "
        "name the file .png, .svg or .pdf\n"
    )
    assert not path.exists()


def test_a_violation_inside_a_punished_incident_says_it_only_cleans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", "--sample"]) == 0
    out = capsys.readouterr().out
    assert (
        '[+52.0s] line 27  zed (402118377051226117) in #general: "bye"\n'
        "    max_messages 9/8 in 5s -> already punished in this incident: clean only\n"
        "    - delete 1 message in #general\n"
    ) in out
    assert "-> NONE" not in out


def test_a_check_whose_punishment_is_none_still_says_none(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "spam:\n  levels:\n    0:\n      punishment: NONE\n      clean: true\n"
        "      max_messages: {count: 3, interval: 5}\n"
    )
    log = tmp_path / "log.jsonl"
    log.write_text(
        "".join(
            json.dumps({"guild_id": 1, "channel_id": 2, "author_id": 3, "created_at": i}) + "\n"
            for i in range(4)
        )
    )
    assert main(["replay", str(log), "--policy", str(policy)]) == 0
    out = capsys.readouterr().out
    assert "    max_messages 3/3 in 5s -> NONE\n" in out
    assert "    max_messages 4/3 in 5s -> NONE\n" in out
    assert "already punished" not in out
