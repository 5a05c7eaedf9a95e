"""The layers of the package: which module may import which, read from the source.

:func:`import_graph` builds the graph of module-level imports from the AST of every module
under a folder, so a test sees the structure without importing anything. Imports under
``if typing.TYPE_CHECKING:`` and inside functions do not count by default: they never run
at import time, so they cannot make an import circle. With ``every_import=True`` they do
(a module that names another only for the type checker still depends on it).
"""

from __future__ import annotations

import ast
import pathlib
import typing

import pytest

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

ROOT = pathlib.Path(__file__).resolve().parents[2]


def module_names(folder: pathlib.Path, package: str) -> dict[str, pathlib.Path]:
    """Every module under ``folder`` (installed as ``package``) -> its source file; a
    package's ``__init__.py`` is named after the package."""
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_at_import(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of ``body`` that run when the module is imported: into ``if``,
    ``try``, ``with`` and class bodies, not into functions or TYPE_CHECKING blocks."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _run_at_import(node.body)
            yield from _run_at_import(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _run_at_import(block)
            for handler in node.handlers:
                yield from _run_at_import(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _run_at_import(node.body)


def _imported(node: ast.stmt, module: str, is_package: bool) -> Iterator[str]:
    """The names of the modules an import statement imports (not yet filtered)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
            base = ".".join([*anchor, *([base] if base else [])])
        yield base
        # `from package import module` imports the submodule.
        yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(
    folder: pathlib.Path, package: str, *, every_import: bool = False
) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports at module level (from the source
    under ``folder``); with ``every_import``, also under TYPE_CHECKING and in functions.
    ``from a import b`` counts as importing ``a.b`` when that is a module, else as
    importing ``a``."""
    modules = module_names(folder, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree: ast.Module = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        statements = ast.walk(tree) if every_import else _run_at_import(tree.body)
        for node in statements:
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = list(_imported(node, name, is_package))
            submodules = {target for target in targets[1:] if target in modules}
            if isinstance(node, ast.ImportFrom) and submodules:
                edges |= submodules
                if len(submodules) < len(targets) - 1 and targets[0] in modules:
                    edges.add(targets[0])  # names that are not modules come from the base
            else:
                edges |= {target for target in targets if target in modules}
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (``[a, b, a]``), or ``None`` when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found is not None:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found is not None:
                return found
    return None


def test_the_graph_sees_the_cores_imports() -> None:
    graph = import_graph(ROOT / "core", "spamguard.core")
    # A few edges known to exist: the scan reads `from a import b` and plain imports.
    assert "spamguard.core.policy.model" in graph["spamguard.core.policy"]
    assert "spamguard.core.policy.parse" in graph["spamguard.core.policy.files"]
    assert "spamguard.core.policy.automod" in graph["spamguard.core.policy.automod_parse"]
    # Imports under TYPE_CHECKING and inside functions do not count.
    assert "spamguard.core.policy.automod" not in graph["spamguard.core.policy.model"]
    assert "spamguard.core.policy.parse" not in graph["spamguard.core.policy.model"]


def test_find_cycle_names_a_circle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize(
    ("folder", "package"),
    [
        ("core", "spamguard.core"),
        ("adapters", "spamguard.adapters"),
        ("contrib", "spamguard.contrib"),
        ("reporting", "spamguard.reporting"),
        ("testing", "spamguard.testing"),
        ("moderation", "spamguard.moderation"),
        ("cli", "spamguard.cli"),
    ],
)
def test_no_package_has_an_import_circle(folder: str, package: str) -> None:
    assert find_cycle(import_graph(ROOT / folder, package)) is None


def test_the_policy_package_imports_nothing_from_the_core_above_it() -> None:
    # The policy is read by the engine, the adapters and contrib; it reads only the core's
    # values (actions, plan, errors, templates), never the engine.
    allowed = {
        "spamguard.core.actions",
        "spamguard.core.errors",
        "spamguard.core.plan",
        "spamguard.core.templates",
    }
    graph = import_graph(ROOT / "core", "spamguard.core")
    outside = {
        (name, target)
        for name, targets in graph.items()
        if name.startswith("spamguard.core.policy")
        for target in targets
        if not target.startswith("spamguard.core.policy") and target not in allowed
    }
    assert outside == set()


def test_the_policy_package_has_no_circle_even_for_the_type_checker() -> None:
    # Counting every import: the policy's modules form a tree, except that Policy's
    # constructors (from_dict, from_file, default) call the parser, which builds a Policy
    # (imported inside those methods, so `import spamguard.core` stays free of YAML).
    graph = import_graph(ROOT / "core", "spamguard.core", every_import=True)
    policy = {
        name: {target for target in targets if target.startswith("spamguard.core.policy")}
        for name, targets in graph.items()
        if name.startswith("spamguard.core.policy")
    }
    lazy = {"spamguard.core.policy.parse", "spamguard.core.policy.files"}
    assert policy["spamguard.core.policy.model"] >= lazy
    policy["spamguard.core.policy.model"] -= lazy
    assert find_cycle(policy) is None
