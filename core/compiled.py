"""Which core modules run compiled: a build with ``SPAMGUARD_COMPILE=1`` (see setup.py)
compiles the per-message path with mypyc; benchmarks and bug reports name what ran."""

from __future__ import annotations

__all__ = ("compiled_modules",)

import importlib.machinery
import sys

_PACKAGE = __name__.rpartition(".")[0]


def compiled_modules() -> tuple[str, ...]:
    """Names of the ``spamguard.core`` modules imported from C extensions (not ``.py``
    files), sorted; empty for a pure-Python install."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    prefix = _PACKAGE + "."
    return tuple(
        sorted(
            name.removeprefix(prefix)
            for name, module in list(sys.modules.items())
            if name.startswith(prefix) and str(getattr(module, "__file__", "")).endswith(suffixes)
        )
    )
