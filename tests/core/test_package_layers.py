"""The layers you can draw: core at the bottom; adapters, contrib and reporting on the core
alone (never on each other: contrib reaches an adapter only through the core's hooks); the
testing kit on the core and reporting; moderation on the core, the adapters and reporting;
the CLI on top.

Read from the source (every import, also those only for the type checker or inside a
function: a module that names another depends on it), so no Discord library is needed.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

FOLDERS = {
    "core": "spamguard.core",
    "adapters": "spamguard.adapters",
    "contrib": "spamguard.contrib",
    "reporting": "spamguard.reporting",
    "testing": "spamguard.testing",
    "moderation": "spamguard.moderation",
    "cli": "spamguard.cli",
}
"""Source folder -> the package it installs as."""

MAY_IMPORT = {
    "spamguard.core": {"spamguard.core"},
    "spamguard.adapters": {"spamguard.core", "spamguard.adapters"},
    "spamguard.contrib": {"spamguard.core", "spamguard.contrib"},
    "spamguard.reporting": {"spamguard.core", "spamguard.reporting"},
    "spamguard.testing": {"spamguard.core", "spamguard.reporting", "spamguard.testing"},
    "spamguard.moderation": {
        "spamguard.core",
        "spamguard.adapters",
        "spamguard.reporting",
        "spamguard.moderation",
    },
    "spamguard.cli": set(FOLDERS.values()),
}
"""Each package -> the packages it may import (itself included)."""


def spamguard_imports(path: pathlib.Path) -> set[str]:
    """The ``spamguard.<package>`` names a module imports anywhere in its source."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue  # relative imports stay inside their package
        found |= {".".join(name.split(".")[:2]) for name in names if name.startswith("spamguard.")}
    # `from spamguard import core` names the package through its attribute.
    return {name for name in found if name in FOLDERS.values()}


def crossings(folder: str) -> set[tuple[str, str]]:
    """``(module file, package)`` for every import of a package ``folder`` may not use."""
    package = FOLDERS[folder]
    return {
        (str(path.relative_to(ROOT)), imported)
        for path in sorted((ROOT / folder).rglob("*.py"))
        for imported in spamguard_imports(path)
        if imported not in MAY_IMPORT[package]
    }


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_a_package_imports_only_the_layers_below_it(folder: str) -> None:
    assert crossings(folder) == set()


def test_the_scan_sees_an_import_across_layers(tmp_path: pathlib.Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from spamguard.adapters import runtime\n"
        "def f():\n    import spamguard.testing.simulation\n"
        "from spamguard import core\nfrom spamguard.contribution import x\n",
        encoding="utf-8",
    )
    assert spamguard_imports(module) == {
        "spamguard.adapters",
        "spamguard.testing",
        "spamguard.core",
    }
