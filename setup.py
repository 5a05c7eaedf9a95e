"""Optional compiled build of the core's hot modules, with mypyc.

``pip install .`` builds the pure-Python package. With ``SPAMGUARD_COMPILE=1`` in the
environment, the modules listed under ``[tool.spamguard] compile`` in pyproject.toml are
also compiled to C extensions by mypyc (the compiler mypy, black and charset-normalizer
ship their wheels with); the in-tree backend (``build_backend/backend.py``) then adds mypy
to the build requirements. Everything else comes from pyproject.toml.

The compiled modules decide the same (the core, contrib and testing-kit suites run against
them in the ``compiled`` tox env) and process messages 1.5-1.8x faster on the benchmark
(benchmarks/README.md); their ``.py`` sources still ship, and an install without a C
compiler keeps working by leaving the variable unset.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import tomllib

# The in-tree backend (pyproject's backend-path puts it on sys.path for every build) owns
# the names of the variables both sides read.
from backend import COMPILE_ENV, REQUIREMENTS_ONLY_ENV
from c_compiler import check_c_compiler
from setuptools import setup


def compiled_extensions() -> list[object]:
    """mypyc's extensions for the listed core modules, or none without ``SPAMGUARD_COMPILE=1``."""
    if os.environ.get(COMPILE_ENV, "") != "1":
        return []
    if os.environ.get(REQUIREMENTS_ONLY_ENV, "") == "1":
        return []  # the backend is only asking what to install (mypy, see build_backend/)
    check_c_compiler()  # also where the backend's requirements hook was not asked first
    from mypyc.build import mypycify

    config = tomllib.loads(pathlib.Path("pyproject.toml").read_text(encoding="utf-8"))
    modules = config["tool"]["spamguard"]["compile"]
    # mypyc names a module after its path, and the core lives in core/ but installs as
    # spamguard.core: it reads a copy laid out as installed (the whole core, so that the
    # compiled modules' imports type-check; only the listed ones are compiled).
    # Paths are relative: builds run in the project root, and setuptools wants them so.
    stage = pathlib.Path("build", "compiled", "mypyc-src")
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(
        "core",
        stage / "spamguard" / "core",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"),
    )
    (stage / "spamguard" / "__init__.py").write_text("", encoding="utf-8")
    # Its own mypy settings, not the project's (strict, for the type check): the build
    # must not depend on which stubs the build environment happens to hold.
    settings = stage / "mypy.ini"
    settings.write_text("[mypy]\nignore_missing_imports = True\n", encoding="utf-8")
    # A name is the module's under spamguard.core: "engine.guard" is engine/guard.py.
    paths = [
        (stage / "spamguard" / "core" / f"{name.replace('.', '/')}.py").as_posix()
        for name in modules
    ]
    return list(
        mypycify(
            [*paths, "--config-file", str(settings)],
            opt_level="3",
            group_name="spamguard_core",
            target_dir="build/compiled/mypyc-c",
        )
    )


extensions = compiled_extensions()
setup(
    ext_modules=extensions,
    # A compiled build keeps its intermediate files apart from a pure build's (tox builds
    # both wheels from one checkout): neither can pick up the other's files.
    options={"build": {"build_base": "build/compiled"}} if extensions else {},
)
