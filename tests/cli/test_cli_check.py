"""``spamguard check``: every problem with its path, exit status 1 on any error."""

from __future__ import annotations

import json
import pathlib

import pytest

from spamguard.cli.main import main

BROKEN = """\
spam:
  levels:
    0:
      punishment: TEMPMUTTE
      max_messages: {count: -1, interval: 5}
      max_mesages: {count: 3, interval: 5}
"""

GOOD = """\
spam:
  levels:
    0:
      punishment: TEMPMUTE
      punishment_duration: 120
      clean: true
      max_messages: {count: 8, interval: 5}
      max_mentions: {count: 5, interval: 30, scope: channel}
escalation: {counting: violation_count, warn_threshold: 2}
guilds:
  "1234": {dry_run: true}
"""


@pytest.fixture
def files(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    (tmp_path / "good.yaml").write_text(GOOD)
    return tmp_path


def test_a_valid_policy_is_summarised_and_exits_0(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "good.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "good.yaml: valid",
        "  level:0: TEMPMUTE 2m, clean; max_messages 8/5s, max_mentions 5/30s (channel)",
        "  escalation: warn from count 2, kick after 2 warnings, ban after 2 kicks",
        "  1 guild override(s): 1234",
    ]


def test_the_default_ladder_is_summarised_as_one_step_per_incident(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ladder.yaml").write_text("escalation: {kick_threshold: 1}\n")
    assert main(["check", str(tmp_path / "ladder.yaml")]) == 0
    assert (
        "  escalation: one step per incident: warn, kick after 1 warnings, ban after 2 kicks"
        in capsys.readouterr().out.splitlines()
    )


def test_every_problem_is_printed_with_its_path_and_exits_1(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "broken.yaml", "good.yaml"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert (
        "broken.yaml: spam.levels.0.max_messages.count: must be a positive integer, got -1" in lines
    )
    assert any(
        line.startswith(
            "broken.yaml: spam.levels.0.max_mesages: unknown key (did you mean 'max_messages'?)"
        )
        for line in lines
    )
    assert any(
        line.startswith("broken.yaml: spam.levels.0.punishment: must be one of NONE")
        for line in lines
    )
    assert "good.yaml: valid" in lines
    assert captured.err == "3 problem(s) in 1 of 2 policy file(s)\n"


def test_json_output_lists_issues_per_file(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--json", "good.yaml", "broken.yaml"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [(entry["file"], entry["valid"]) for entry in document] == [
        ("good.yaml", True),
        ("broken.yaml", False),
    ]
    paths = {issue["path"] for issue in document[1]["issues"]}
    assert paths == {
        "spam.levels.0.punishment",
        "spam.levels.0.max_messages.count",
        "spam.levels.0.max_mesages",
    }


def test_a_missing_or_unparsable_file_is_one_clear_line(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "syntax.yaml").write_text("spam: [unclosed\n")
    assert main(["check", "missing.yaml", "syntax.yaml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "missing.yaml: cannot read the file: No such file or directory"
    assert out[1].startswith("syntax.yaml: cannot parse YAML:")


def test_check_without_a_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "the following arguments are required: POLICY" in capsys.readouterr().err


def test_check_runs_the_extensions_validation_like_the_guard(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The installed raid extension refuses members: 1 when the guard is built; so does check.
    (files / "raid.yaml").write_text(GOOD + "extensions:\n  raid: {members: 1}\n")
    assert main(["check", "raid.yaml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("raid.yaml: extensions.raid.members: ")


def test_check_names_a_join_raid_lockdown_beyond_discords_24_hours(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "joins.yaml").write_text(
        GOOD + "extensions:\n  join_raid: {lockdown: {duration: 172800}, raid_joiners: MUTE}\n"
    )
    assert main(["check", "joins.yaml"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "joins.yaml: extensions.join_raid.lockdown.duration: must be at most 86400 seconds "
        "(24 hours: Discord's limit for incident actions), got 172800",
        "joins.yaml: extensions.join_raid.raid_joiners: must be one of NONE, TIMEOUT, KICK, "
        "BAN, got 'MUTE'",
    ]


def test_check_names_a_misspelled_extension_with_the_closest_installed_one(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "raod.yaml").write_text(GOOD + "extensions:\n  raod: {}\n")
    assert main(["check", "--json", "raod.yaml"]) == 1
    (entry,) = json.loads(capsys.readouterr().out)
    (issue,) = entry["issues"]
    assert issue["path"] == "extensions.raod"
    assert issue["message"].startswith("no such extension (did you mean 'raid'?); installed: ")
    assert (
        "compromised, honeypot, join_raid, link_filter, mass_mention, message_length, raid, stats"
        in issue["message"]
    )


def test_check_without_extensions_still_knows_the_installed_names(
    files: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not loaded, the raid extension validates nothing; its name is still a known one.
    (files / "raid.yaml").write_text(GOOD + "extensions:\n  raid: {members: 1}\n")
    assert main(["check", "--no-extensions", "raid.yaml"]) == 0
    capsys.readouterr()
    (files / "raod.yaml").write_text(GOOD + "extensions:\n  raod: {}\n")
    assert main(["check", "--no-extensions", "raod.yaml"]) == 1
    assert "extensions.raod: no such extension" in capsys.readouterr().out
