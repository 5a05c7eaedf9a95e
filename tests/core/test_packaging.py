"""The shape of the distribution: a light sans-IO core, the package list, py.typed, hooks."""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import inspect
import json
import os
import pathlib
import subprocess
import sys
import tomllib
import types

import pytest

from spamguard.core import compiled_modules, hookspecs

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRARY_FOLDERS = ("core", "contrib", "testing", "cli", "adapters")
FORBIDDEN_AT_IMPORT = (
    "asyncio",
    "hikari",
    "nextcord",
    "disnake",
    "lightbulb",
    "discord",
    "aiohttp",
    "redis",
)

_IMPORT_PROBE = """
import json, sys, time
before = set(sys.modules)
start = time.perf_counter()
import spamguard.core
elapsed = time.perf_counter() - start
print(json.dumps({"new": sorted(set(sys.modules) - before), "seconds": elapsed}))
"""


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_importing_the_core_pulls_in_no_io_library() -> None:
    # A fresh, isolated interpreter (-I: no current directory on sys.path), so what
    # the test run itself imported does not hide anything.
    result = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    loaded = [
        name
        for name in report["new"]
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN_AT_IMPORT)
    ]
    assert loaded == []
    assert "spamguard.core.guard" in report["new"]
    # The time is measured, not asserted (speed belongs to benchmarks/); it is reported
    # with -rP for a look, e.g. when someone adds a heavy import.
    sys.stdout.write(f"import spamguard.core: {report['seconds'] * 1000:.0f} ms\n")


def test_the_core_runs_compiled_exactly_where_the_build_compiled_it() -> None:
    # tox's "compiled" env builds its wheel with SPAMGUARD_COMPILE=1 and sets
    # SPAMGUARD_EXPECT_COMPILED=1; every other env installs the pure-Python wheel. So a
    # compiled build that silently fell back to Python fails here, as does a pure env that
    # picked up stray extensions.
    spamguard_tool = _pyproject()["tool"]["spamguard"]  # type: ignore[index]
    listed = tuple(sorted(spamguard_tool["compile"]))
    expected = listed if os.environ.get("SPAMGUARD_EXPECT_COMPILED") == "1" else ()
    assert compiled_modules() == expected


def test_compiled_modules_names_the_core_modules_loaded_from_extensions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    before = compiled_modules()
    for name, file in (
        ("spamguard.core.fake_native", f"/x/fake_native{suffix}"),
        ("spamguard.core.fake_source", "/x/fake_source.py"),
        ("elsewhere.fake_native", f"/x/elsewhere{suffix}"),
    ):
        module = types.ModuleType(name)
        module.__file__ = file
        monkeypatch.setitem(sys.modules, name, module)
    assert compiled_modules() == tuple(sorted((*before, "fake_native")))
    # Every module it names is one of the core's sources, the listed ones among them.
    names = {path.stem for path in (ROOT / "core").glob("*.py")}
    assert set(_pyproject()["tool"]["spamguard"]["compile"]) <= names  # type: ignore[index]


def test_package_list_matches_the_folders_with_an_init() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    folders = sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if not path.parent.name.startswith(".")
    )
    assert folders  # the scan does find the packages
    assert sorted(setuptools["packages"]) == sorted(f"spamguard.{folder}" for folder in folders)
    assert setuptools["package-dir"] == {f"spamguard.{folder}": folder for folder in folders}
    # spamguard itself is a namespace package: nothing at the root to ship by accident.
    assert not (ROOT / "__init__.py").exists()


@pytest.mark.parametrize("package", sorted(_pyproject()["tool"]["setuptools"]["packages"]))  # type: ignore[index]
def test_py_typed_ships_in_each_package(package: str) -> None:
    folder = package.removeprefix("spamguard.")
    assert (ROOT / folder / "py.typed").is_file()
    # And in the installed package (the wheel, under tox), without importing it.
    spec = importlib.util.find_spec(package)
    assert spec is not None
    assert spec.submodule_search_locations is not None
    assert any(
        (pathlib.Path(location) / "py.typed").is_file()
        for location in spec.submodule_search_locations
    )


def _hookspecs() -> list[tuple[str, object]]:
    return [
        (name, function)
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    ]


def test_every_hookspec_has_a_docstring() -> None:
    specs = _hookspecs()
    assert len(specs) >= 5
    undocumented = [
        name for name, function in specs if not (inspect.getdoc(function) or "").strip()
    ]
    assert undocumented == []


def test_every_hook_is_named_spamguard_verb_noun() -> None:
    for name, _function in _hookspecs():
        assert name.startswith("spamguard_")
        assert len(name.split("_")) >= 3, name
    functions = [
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("spamguard_")
    ]
    assert sorted(functions) == sorted(name for name, _ in _hookspecs())


def _library_modules() -> list[pathlib.Path]:
    return sorted(path for folder in LIBRARY_FOLDERS for path in (ROOT / folder).rglob("*.py"))


def _print_calls(path: pathlib.Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]


def test_no_library_module_calls_print() -> None:
    modules = _library_modules()
    assert any(path.parent.name == "core" for path in modules)
    offenders = {
        str(path.relative_to(ROOT)): lines for path in modules if (lines := _print_calls(path))
    }
    assert offenders == {}


def test_the_print_scan_finds_a_print(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import sys\n\ndef f():\n    print('x', file=sys.stderr)\n")
    assert _print_calls(sample) == [4]
