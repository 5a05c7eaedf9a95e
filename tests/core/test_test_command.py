"""The README's test command: what CI runs, and what it says on a machine that lacks a Python."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN_TESTS = ROOT / "tools" / "run-tests"
# What the script runs besides Python: bash (through env) and a few core utilities.
TOOLS = ("env", "bash", "grep", "sed", "sort", "dirname")


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("The whole test suite")[2]
    match = re.search(r"```sh\n(.+?)\n```", section, re.DOTALL)
    assert match is not None
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = _readme_test_command()
    assert command == "tools/run-tests"
    lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[-1] == command
    assert os.access(RUN_TESTS, os.X_OK)


def _bare_machine(tmp_path: pathlib.Path, *pythons: str) -> dict[str, str]:
    """An environment whose PATH holds only the script's tools and the given pythonX.Y."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    for name in pythons:
        (bin_dir / name).symlink_to(sys.executable)
    return {"HOME": str(tmp_path), "PATH": str(bin_dir), "PYENV_ROOT": str(tmp_path / "pyenv")}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RUN_TESTS), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_a_missing_python_version_is_named_with_how_to_get_it(tmp_path: pathlib.Path) -> None:
    result = _run(_bare_machine(tmp_path, "python3.11"))
    assert result.returncode == 1
    assert "put Python 3.12 on PATH (or install it with pyenv: pyenv install 3.12)" in (
        result.stderr
    )
    assert "put Python 3.13 on PATH" in result.stderr
    assert "Python 3.11 on PATH" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_pythons_in_pyenv_s_versions_folder_are_found_off_path(tmp_path: pathlib.Path) -> None:
    env = _bare_machine(tmp_path, "python3.11")
    for version in ("3.12.1", "3.13.0"):
        folder = tmp_path / "pyenv" / "versions" / version / "bin"
        folder.mkdir(parents=True)
        (folder / f"python{version[:4]}").symlink_to(sys.executable)
    result = _run(env, "--version")
    # Past the interpreters, to the next thing this bare machine lacks.
    assert "no Python" not in result.stderr
    assert "no python3 on PATH" in result.stderr
    assert result.returncode == 1
