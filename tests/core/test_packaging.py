"""The shape of the distribution: a light sans-IO core, the package list, py.typed, hooks."""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.metadata
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

import spamguard.core
from spamguard.core import compiled_modules, hookspecs

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRARY_FOLDERS = ("core", "contrib", "testing", "cli", "adapters", "moderation", "reporting")
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
    assert "spamguard.core.engine.guard" in report["new"]
    # The time is measured, not asserted (speed belongs to benchmarks/); it is reported
    # with -rP for a look, e.g. when someone adds a heavy import.
    sys.stdout.write(f"import spamguard.core: {report['seconds'] * 1000:.0f} ms\n")


# Loaded only when used: policy files (validation, its tables and value reader, YAML,
# Rowboat, AutoMod's section and regex check), the generators, and importlib.metadata (tens
# of ms with email and zipfile: only reading installed extensions needs it).
LOADED_ON_USE = (
    "importlib.metadata",
    "yaml",
    "spamguard.core.policy.parse",
    "spamguard.core.policy.files",
    "spamguard.core.policy.shape",
    "spamguard.core.policy.keys",
    "spamguard.core.policy.rule_keys",
    "spamguard.core.policy.reader",
    "spamguard.core.policy.json_schema",
    "spamguard.core.policy.json_schema_automod",
    "spamguard.core.policy.json_schema_values",
    "spamguard.core.policy.reference",
    "spamguard.core.policy.rowboat",
    "spamguard.core.policy.rust_regex",
    "spamguard.core.policy.automod",
    "spamguard.core.policy.automod_parse",
)


def test_importing_the_core_leaves_policy_tooling_and_metadata_unloaded() -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    new = set(json.loads(result.stdout)["new"])
    assert sorted(new.intersection(LOADED_ON_USE)) == []


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
    core = ROOT / "core"
    names = {".".join(path.relative_to(core).with_suffix("").parts) for path in core.rglob("*.py")}
    assert set(_pyproject()["tool"]["spamguard"]["compile"]) <= names  # type: ignore[index]


def test_package_list_matches_the_folders_with_an_init() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    folders = sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if not path.parent.name.startswith(".")
    )
    assert folders  # the scan does find the packages
    # spamguard/ is the top package itself; every other folder is one of its subpackages.
    names = {
        folder: folder if folder == "spamguard" else f"spamguard.{folder}" for folder in folders
    }
    # And every folder with an __init__ inside them (spamguard.adapters.runtime...).
    packages = set(names.values())
    for folder, name in names.items():
        for init in (ROOT / folder).rglob("*/__init__.py"):
            packages.add(".".join((name, *init.parent.relative_to(ROOT / folder).parts)))
    assert sorted(setuptools["packages"]) == sorted(packages)
    assert setuptools["package-dir"] == {name: folder for folder, name in names.items()}
    # Nothing at the repository root to ship by accident.
    assert not (ROOT / "__init__.py").exists()


# py.typed at the top of each folder covers the subpackages inside it (PEP 561).
@pytest.mark.parametrize("package", sorted(_pyproject()["tool"]["setuptools"]["package-dir"]))  # type: ignore[index]
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


def test_the_wheel_ships_the_redis_stores_lua_scripts() -> None:
    # ConsistentRedisStore reads its scripts from package data: a wheel without them imports fine
    # and fails at the first message. redis_scripts itself needs no redis-py.
    from spamguard.adapters.stores import redis_scripts

    sources = sorted(path.name for path in (ROOT / "adapters" / "stores").glob("*.lua"))
    assert sources == sorted(f"redis_{script.name}.lua" for script in redis_scripts.SCRIPTS)
    shipped = sorted(
        file.name
        for file in importlib.metadata.files("spamguard") or []
        if file.parent.as_posix() == "spamguard/adapters/stores" and file.suffix == ".lua"
    )
    assert shipped == sources
    for script in redis_scripts.SCRIPTS:
        source = ROOT / "adapters" / "stores" / f"redis_{script.name}.lua"
        assert script.source == source.read_text(encoding="utf-8")


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


def test_the_version_is_written_once_and_is_the_installed_one() -> None:
    project = _pyproject()["project"]  # type: ignore[index]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert spamguard.core.__version__ == importlib.metadata.version("spamguard")


@pytest.mark.parametrize(
    "command",
    [["spamguard"], [sys.executable, "-m", "spamguard"]],
    ids=["script", "python -m spamguard"],
)
def test_the_command_reports_its_version(command: list[str]) -> None:
    if command == ["spamguard"]:
        # The console script of the environment under test, not whatever is on PATH.
        command = [str(pathlib.Path(sys.executable).with_name("spamguard"))]
    result = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"spamguard {spamguard.core.__version__}\n")


def test_the_top_package_holds_no_library_code() -> None:
    # The library lives in the subpackages; spamguard/ only makes `python -m spamguard` work.
    files = sorted(
        path.name for path in (ROOT / "spamguard").iterdir() if path.name != "__pycache__"
    )
    assert files == ["__init__.py", "__main__.py", "py.typed"]


def test_the_metadata_names_the_mit_license_and_ships_its_text() -> None:
    metadata = importlib.metadata.metadata("spamguard")
    assert metadata["License-Expression"] == "MIT"
    files = importlib.metadata.files("spamguard") or []
    licenses = [file for file in files if file.name == "LICENSE"]
    assert len(licenses) == 1
    text = licenses[0].read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_classifiers_say_what_users_filter_on() -> None:
    classifiers = importlib.metadata.metadata("spamguard").get_all("Classifier") or []
    for expected in (
        "Framework :: Pytest",
        "Framework :: AsyncIO",
        "Topic :: Communications :: Chat",
    ):
        assert expected in classifiers
    assert any(classifier.startswith("Development Status ::") for classifier in classifiers)
    # The package index page is not a project URL: none points back at it.
    urls = importlib.metadata.metadata("spamguard").get_all("Project-URL") or []
    assert not [url for url in urls if "pypi.org" in url]


def _c_compiler_module() -> types.ModuleType:
    path = ROOT / "build_backend" / "c_compiler.py"
    spec = importlib.util.spec_from_file_location("c_compiler", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(os.name == "nt", reason="setuptools finds MSVC itself on Windows")
def test_a_compiled_build_without_a_c_compiler_says_what_is_missing_and_the_way_out(
    tmp_path: pathlib.Path,
) -> None:
    c_compiler = _c_compiler_module()
    empty_path = {"PATH": str(tmp_path)}
    with pytest.raises(c_compiler.CompilerNotFoundError) as raised:
        c_compiler.check_c_compiler({**empty_path, "CC": "gcc -pthread"})
    message = str(raised.value)
    assert "needs a C compiler" in message
    assert "'gcc' (from $CC) is not installed" in message
    assert "apt-get install gcc" in message
    assert "unset SPAMGUARD_COMPILE for the pure-Python install" in message
    # Without $CC, the compiler Python was built with, looked up on PATH.
    with pytest.raises(c_compiler.CompilerNotFoundError, match="sysconfig CC"):
        c_compiler.check_c_compiler(empty_path)


@pytest.mark.skipif(os.name == "nt", reason="setuptools finds MSVC itself on Windows")
def test_a_c_compiler_on_path_lets_the_compiled_build_go_on(tmp_path: pathlib.Path) -> None:
    c_compiler = _c_compiler_module()
    compiler = tmp_path / "my-cc"
    compiler.write_text("#!/bin/sh\n")
    compiler.chmod(0o755)
    environ = {"PATH": str(tmp_path), "CC": "my-cc -O2"}
    assert c_compiler.find_c_compiler(environ) == ("my-cc", "$CC", str(compiler))
    c_compiler.check_c_compiler(environ)


def test_both_build_entry_points_check_for_the_compiler_before_compiling() -> None:
    # The backend's requirements hook (before mypy is fetched) and setup.py (for builds
    # that skip that hook) both ask, each before anything else of a compiled build.
    backend = (ROOT / "build_backend" / "backend.py").read_text(encoding="utf-8")
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert backend.index("check_c_compiler()") < backend.index("setuptools_requires(config")
    assert setup.index("check_c_compiler()") < setup.index("from mypyc.build import")
