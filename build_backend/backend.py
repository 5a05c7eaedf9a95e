"""setuptools' build backend, plus mypy in the build requirements when the core is to be
compiled (``SPAMGUARD_COMPILE=1``, see setup.py): a pure build never downloads mypy."""

from __future__ import annotations

import os
import typing

from c_compiler import check_c_compiler
from setuptools import build_meta as _setuptools
from setuptools.build_meta import (
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

if typing.TYPE_CHECKING:
    from collections.abc import Callable

__all__ = (
    "COMPILE_ENV",
    "REQUIREMENTS_ONLY_ENV",
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
)

COMPILE_ENV = "SPAMGUARD_COMPILE"
"""Set to ``1`` to compile the core's per-message modules (setup.py reads it too)."""

COMPILE_REQUIRES = ["mypy>=1.15", "pluggy>=1.5", "rapidfuzz>=3.6"]
"""What mypyc needs (the compiler, and the libraries whose types the compiled modules
use); a C compiler (gcc, clang, MSVC) must already be installed."""


REQUIREMENTS_ONLY_ENV = "SPAMGUARD_BUILD_REQUIREMENTS_ONLY"
"""Set while setuptools runs setup.py only to read its requirements: mypy is not
installed yet then, so setup.py must not compile (it checks this)."""


def _requires(
    setuptools_requires: Callable[[dict[str, object] | None], list[str]],
    config_settings: dict[str, object] | None,
) -> list[str]:
    compiling = os.environ.get(COMPILE_ENV, "") == "1"
    if compiling:
        check_c_compiler()  # before mypy is fetched: fail now, and say what is missing
    os.environ[REQUIREMENTS_ONLY_ENV] = "1"
    try:
        requires = setuptools_requires(config_settings)
    finally:
        del os.environ[REQUIREMENTS_ONLY_ENV]
    return [*requires, *COMPILE_REQUIRES] if compiling else requires


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    return _requires(_setuptools.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_editable(config_settings: dict[str, object] | None = None) -> list[str]:
    return _requires(_setuptools.get_requires_for_build_editable, config_settings)
