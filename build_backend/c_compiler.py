"""Is there a C compiler for a compiled build (``SPAMGUARD_COMPILE=1``)? Asked before mypy is
fetched, so that a machine without one fails at once and says what to do.

Plain standard library (no setuptools), so the tests can load it too.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sysconfig
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("MISSING_COMPILER", "CompilerNotFoundError", "check_c_compiler", "find_c_compiler")

MISSING_COMPILER = (
    "SPAMGUARD_COMPILE=1 compiles spamguard's core with mypyc, which needs a C compiler, and "
    "there is none: {compiler!r} (from {origin}) is not installed. Install one "
    "(Debian/Ubuntu: apt-get install gcc, or build-essential; Fedora: dnf install gcc; "
    "macOS: xcode-select --install), or unset SPAMGUARD_COMPILE for the pure-Python install "
    "(same decisions, slower)."
)
"""The message of :class:`CompilerNotFoundError`."""


class CompilerNotFoundError(RuntimeError):
    """``SPAMGUARD_COMPILE=1`` on a machine without a C compiler."""


def find_c_compiler(environ: Mapping[str, str] | None = None) -> tuple[str, str, str | None]:
    """The compiler setuptools would call: ``(command, where it came from, its path or None)``.

    As setuptools does on Unix: ``$CC``, else the compiler Python was built with. On Windows
    setuptools looks for MSVC itself; the answer there is always "found".
    """
    environ = os.environ if environ is None else environ
    if os.name == "nt":
        return "msvc", "setuptools", "msvc"
    if environ.get("CC"):
        command, origin = environ["CC"], "$CC"
    else:
        command = sysconfig.get_config_var("CC") or "cc"
        origin = "Python's build configuration, sysconfig CC"
    program = shlex.split(command)[0] if command.strip() else "cc"
    return program, origin, shutil.which(program, path=environ.get("PATH", os.defpath))


def check_c_compiler(environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`CompilerNotFoundError` if :func:`find_c_compiler` finds none."""
    program, origin, path = find_c_compiler(environ)
    if path is None:
        raise CompilerNotFoundError(MISSING_COMPILER.format(compiler=program, origin=origin))
