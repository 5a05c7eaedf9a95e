"""What the commands share: the policy, the guard with its plugins, and the log to read."""

from __future__ import annotations

__all__ = (
    "SAMPLE_LOG",
    "LogLines",
    "build_guard",
    "load_plugin",
    "load_policy",
    "open_log",
    "policy_error_lines",
)

import importlib
import pathlib
import typing

import pluggy

from spamguard.cli.output import CliError
from spamguard.core import Guard, Policy, PolicyError
from spamguard.reporting.logs import LogError, LogRecord, parse_line
from spamguard.reporting.member_logs import MemberRecord

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SAMPLE_LOG = pathlib.Path(__file__).with_name("sample_raid.jsonl")
"""The bundled mixed-raid log (``--sample``)."""


def load_policy(path: str | None) -> tuple[Policy, str]:
    """The policy at ``path`` (the bundled default for ``None``) and a name to show for it.

    Raises:
        PolicyError: the file is missing or invalid.
    """
    if path is None:
        return Policy.default(), "the default policy"
    return Policy.from_file(pathlib.Path(path)), path


def load_plugin(spec: str) -> object:
    """Import ``module`` or ``module:attribute``; a class is instantiated without arguments.

    Raises:
        CliError: the module or attribute cannot be found, or the class needs arguments.
    """
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        msg = f"--plugin {spec}: cannot import {module_name!r}: {exc}"
        raise CliError(msg) from None
    if not attribute:
        return module
    target: object = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            msg = f"--plugin {spec}: {module_name} has no attribute {attribute!r}"
            raise CliError(msg) from None
    if isinstance(target, type):
        try:
            return target()
        except TypeError as exc:
            msg = f"--plugin {spec}: cannot make a {target.__name__} without arguments: {exc}"
            raise CliError(msg) from None
    return target


def build_guard(policy: Policy, *, plugins: Sequence[str], extensions: bool) -> Guard:
    """A guard for ``policy`` with the ``--plugin`` objects and, if asked, installed extensions.

    Raises:
        CliError: a plugin cannot be loaded or implements a hook that does not exist.
    """
    objects = [load_plugin(spec) for spec in plugins]
    try:
        return Guard(policy, plugins=objects, load_entrypoints=extensions)
    except pluggy.PluginValidationError as exc:
        msg = f"a plugin is invalid: {exc}"
        raise CliError(msg) from None
    except (ImportError, AttributeError) as exc:
        msg = (
            f"an installed spamguard extension failed to load ({exc}); "
            "run with --no-extensions, or set SPAMGUARD_DISABLED_PLUGINS=name"
        )
        raise CliError(msg) from None


class LogLines:
    """A log file read line by line, knowing how far it got (for the progress bar)."""

    def __init__(self, path: pathlib.Path, label: str) -> None:
        self.path = path
        self.label = label
        """How to name the log in messages (its path, or ``sample_raid.jsonl``)."""
        try:
            self.size = path.stat().st_size
        except OSError as exc:
            msg = f"cannot read the log {label}: {exc.strerror or exc}"
            raise CliError(msg) from None
        self.position = 0
        """Bytes read so far."""
        self.lines = 0
        """Lines read so far."""

    def __iter__(self) -> Iterator[LogRecord | MemberRecord | LogError]:
        """Each line's record, or its error; blank lines are left out."""
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            msg = f"cannot read the log {self.label}: {exc.strerror or exc}"
            raise CliError(msg) from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                self.position += len(raw)
                self.lines = number
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield LogError(number, "", f"not UTF-8 text ({exc.reason})", source=self.label)
                    continue
                try:
                    record = parse_line(text, number, source=self.label)
                except LogError as error:
                    yield error
                    continue
                if record is not None:
                    yield record


def open_log(path: str | None, *, sample: bool) -> LogLines:
    """The log named on the command line, or the bundled sample with ``--sample``.

    Raises:
        CliError: neither or both were given.
    """
    if sample and path is not None:
        msg = "give either a log file or --sample, not both"
        raise CliError(msg)
    if sample:
        return LogLines(SAMPLE_LOG, SAMPLE_LOG.name)
    if path is None:
        msg = "give a log file (JSON lines, see `spamguard replay --help`) or --sample"
        raise CliError(msg)
    return LogLines(pathlib.Path(path), path)


def policy_error_lines(error: PolicyError) -> list[str]:
    """Every problem of an invalid policy, one per line, prefixed with the file."""
    prefix = f"{error.source}: " if error.source else ""
    return [f"{prefix}{issue if issue.path else issue.message}" for issue in error.issues]
