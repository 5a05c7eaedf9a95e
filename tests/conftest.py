"""Suite-wide settings: under CI a skipped test is a failure, never a green skip."""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    skipped = len(reporter.stats.get("skipped", []))
    if skipped:
        reporter.write_line(
            f"CI: {skipped} test(s) skipped; a suite that should run must run", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
