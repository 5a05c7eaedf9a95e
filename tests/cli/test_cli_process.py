"""The command as users start it: ``python -m spamguard.cli`` and the ``spamguard`` script."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys


def _run(*argv: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spamguard.cli", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def test_python_m_runs_the_readme_main_job() -> None:
    done = _run("replay", "--sample")
    assert (done.returncode, done.stderr) == (0, "")
    assert "Summary of sample_raid.jsonl with the default policy:" in done.stdout
    assert "8 member(s) punished, 31 message(s) deleted, 0 bad line(s)" in done.stdout


def test_the_console_script_is_installed_and_gives_json() -> None:
    script = shutil.which("spamguard", path=os.path.dirname(sys.executable))
    assert script is not None, "the spamguard console script is not installed next to python"
    done = subprocess.run(
        [script, "replay", "--sample", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["summary"]["members_punished"] == 8


def test_exit_statuses_and_no_traceback_on_user_errors(tmp_path: pathlib.Path) -> None:
    (tmp_path / "bad.yaml").write_text("spam: {levels: {0: {max_links: {count: 2}}}}\n")
    (tmp_path / "log.jsonl").write_text('{"guild_id": 1}\n')
    invalid = _run("check", "bad.yaml", cwd=tmp_path)
    assert invalid.returncode == 1
    assert invalid.stdout == "bad.yaml: spam.levels.0.max_links.interval: is required\n"
    stopped = _run("replay", "log.jsonl", "--on-error", "stop", cwd=tmp_path)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("log.jsonl:1: created_at: is required; stopping")
    usage = _run("replay", "--frobnicate")
    assert usage.returncode == 2 and "unrecognized arguments: --frobnicate" in usage.stderr
    for done in (invalid, stopped, usage):
        assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: pathlib.Path) -> None:
    # Far more output than a pipe buffers, so the reader going away is felt mid-run.
    log = tmp_path / "long.jsonl"
    log.write_text(
        "".join(
            json.dumps(
                {
                    "guild_id": 1,
                    "channel_id": 2,
                    "author_id": 3 + i % 50,
                    "created_at": i,
                    "content": f"message number {i}",
                }
            )
            + "\n"
            for i in range(3000)
        )
    )
    with subprocess.Popen(
        [sys.executable, "-m", "spamguard.cli", "replay", str(log), "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        status = process.wait(timeout=60)
    assert first.startswith("[+0.0s] line 1  user 3 in channel 2:")
    assert (status, stderr) == (0, "")


def test_lines_python_cannot_read_or_print_are_reported_and_the_replay_goes_on(
    tmp_path: pathlib.Path,
) -> None:
    # Found by fuzzing, each once ended the run with a traceback: an integer longer than
    # Python reads (ValueError), nesting deeper than its recursion limit (RecursionError),
    # and a lone surrogate in the content, which no output encoding can hold
    # (UnicodeEncodeError on stdout).
    good = {"guild_id": 1, "channel_id": 2, "author_id": 3, "created_at": 0}
    lines = [
        json.dumps({**good, "content": "first"}),
        json.dumps(good)[:-1] + ', "attachment_count": ' + "9" * 5000 + "}",
        json.dumps(good)[:-1] + ', "content": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({**good, "content": "half \ud83d a pair", "created_at": 1}),
        json.dumps({**good, "content": "last", "created_at": 2}),
    ]
    (tmp_path / "fuzzed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "spamguard.cli", "replay", "fuzzed.jsonl", "--all"],
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # strict, whatever the locale
        check=False,
    )
    stderr = done.stderr.decode("utf-8")
    assert (done.returncode, "Traceback" not in stderr) == (0, True), stderr
    assert stderr.splitlines() == [
        "fuzzed.jsonl:2: not valid JSON: a number of more than 4300 digits; skipped",
        "fuzzed.jsonl:3: not valid JSON: nested too deeply to read; skipped",
    ]
    stdout = done.stdout.decode("utf-8")
    assert 'user 3 in channel 2: "half \\ud83d a pair"\n    ok' in stdout
    assert 'line 5  user 3 in channel 2: "last"' in stdout
    assert "3 message(s) over 2s: 3 checked, 0 skipped" in stdout
    assert "0 member(s) punished, 0 message(s) deleted, 2 bad line(s)" in stdout
