"""``spamguard schema``: the policy's JSON Schema (and the reference) on stdout."""

from __future__ import annotations

import json

import pytest

from spamguard.cli.main import main
from spamguard.core.policy.json_schema import SCHEMA_PATH


def test_schema_prints_the_json_schema_the_package_ships(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert out == SCHEMA_PATH.read_text(encoding="utf-8")
    schema = json.loads(out)
    assert schema["title"] == "spamguard policy"
    assert "escalation" in schema["properties"]


def test_schema_reference_prints_the_policy_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "--reference"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Policy reference\n")
    assert "| `failed_in_channel` |" in out
