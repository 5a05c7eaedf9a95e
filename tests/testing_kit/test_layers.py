"""The reporting package sits on the core alone; the testing kit on the core and reporting.

Each import runs in a fresh interpreter, so what one package pulls in is seen alone.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(m for m in {forbidden!r} if m in sys.modules)))
"""

LAYERS = {
    "spamguard.reporting": (
        "spamguard.testing",
        "spamguard.cli",
        "spamguard.adapters",
        "spamguard.contrib",
        "asyncio",
    ),
    "spamguard.testing": ("spamguard.cli", "spamguard.adapters", "spamguard.contrib"),
}


def imported(module: str, forbidden: tuple[str, ...]) -> list[str]:
    code = PROBE.format(module=module, forbidden=forbidden)
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return list(json.loads(output))


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_a_package_imports_nothing_above_or_beside_it(module: str) -> None:
    assert imported(module, LAYERS[module]) == []


def test_the_probe_sees_a_package_that_is_imported() -> None:
    assert imported("spamguard.testing", ("spamguard.reporting",)) == ["spamguard.reporting"]
