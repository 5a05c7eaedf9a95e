"""The ``spamguard`` command: check, replay and explain policies without Discord.

::

    spamguard check policy.yaml                 # validate; every problem with its path
    spamguard replay --sample                   # the bundled raid through the default policy
    spamguard replay log.jsonl --policy policy.yaml [--json]
    spamguard explain log.jsonl --message 1236376800460804097 --policy policy.yaml
    spamguard schema > policy.schema.json       # the policy's JSON Schema, for editors

Exit status: 0 success, 1 an invalid policy, an unreadable log or a bad line under
``--on-error stop``, 2 a usage error. A user error is one line on stderr, never a traceback.
"""

from __future__ import annotations

__all__ = ("build_parser", "main")

import argparse
import contextlib
import io
import logging
import os
import sys
import typing

from spamguard.cli.check import run_check
from spamguard.cli.explain import run_explain
from spamguard.cli.loading import policy_error_lines
from spamguard.cli.output import CliError
from spamguard.cli.replay import LOG_FORMAT_HELP, run_replay
from spamguard.cli.schema import run_schema
from spamguard.core import PolicyError, __version__

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

PROG = "spamguard"


def _log_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("log", nargs="?", metavar="LOG.jsonl", help="a JSON-lines message log")
    parser.add_argument(
        "--sample",
        action="store_true",
        help="use the bundled sample log: a mixed raid on a small guild",
    )
    parser.add_argument(
        "--policy",
        metavar="POLICY",
        help="policy file (.yaml, .toml or .json); the bundled default policy when omitted",
    )
    parser.add_argument(
        "--on-error",
        choices=("skip", "stop"),
        default="skip",
        help="a malformed log line is reported with its line number, then skipped "
        "(default) or stops the run (exit status 1)",
    )
    _plugin_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")


def _plugin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE[:OBJECT]",
        help="register a plugin (a module, an object, or a class made without arguments); "
        "repeatable",
    )
    parser.add_argument(
        "--no-extensions",
        dest="extensions",
        action="store_false",
        help="do not load installed spamguard extensions (entry-point group 'spamguard')",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``spamguard`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check, replay and explain spamguard policies without Discord.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log spamguard's debug output")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="validate policy files",
        description="Validate policy files: every problem is printed with its path; "
        "exit status 1 when any file is invalid. The extensions' own settings are "
        "validated by the extensions, as the bot's guard does.",
    )
    check.add_argument("policies", nargs="+", metavar="POLICY", help="policy files to validate")
    _plugin_arguments(check)
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    check.set_defaults(run=run_check)

    replay = commands.add_parser(
        "replay",
        help="run a message log through a policy: every plan and a summary",
        description="Run a JSON-lines message log through a policy and print the plans\n"
        "(messages that fired a check or led to an action) and a summary per check and\n"
        "per action.",
        epilog=LOG_FORMAT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _log_arguments(replay)
    replay.add_argument(
        "--all", action="store_true", help="also show messages that passed or were skipped"
    )
    replay.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    replay.add_argument(
        "--timeline",
        metavar="PATH",
        help="also draw the replay as a timeline picture, PNG, SVG or PDF as PATH's extension "
        "(.png, .svg, .pdf) says (needs: pip install 'spamguard[plot]')",
    )
    replay.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    replay.set_defaults(run=run_replay)

    explain = commands.add_parser(
        "explain",
        help="why one message of a log was (or was not) punished",
        description="Replay a log up to one message and show every check that ran for it,\n"
        "its count against its limit, and why the message was or was not punished.\n"
        "Without --message or --line, the first message a check fired on is explained.",
        epilog=LOG_FORMAT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _log_arguments(explain)
    target = explain.add_mutually_exclusive_group()
    target.add_argument("--message", type=int, metavar="ID", help="the message's id")
    target.add_argument(
        "--line", type=int, metavar="N", help="the message's line number in the log"
    )
    explain.add_argument(
        "--context",
        type=int,
        default=5,
        metavar="N",
        help="show the author's N previous messages (default 5)",
    )
    explain.set_defaults(run=run_explain)

    schema = commands.add_parser(
        "schema",
        help="print the policy's JSON Schema (for editors)",
        description="Print the JSON Schema of a policy document, for editors that complete "
        "and check YAML and JSON (yaml-language-server: put\n"
        "`# yaml-language-server: $schema=policy.schema.json` at the top of the policy).",
    )
    schema.add_argument(
        "--reference",
        action="store_true",
        help="print the policy reference (Markdown) instead: every key, type, default, limit",
    )
    schema.set_defaults(run=run_schema)
    return parser


@contextlib.contextmanager
def _escaping_unencodable() -> Iterator[None]:
    """Print what the output's encoding cannot hold as backslash escapes (``\\ud83d``).

    A log's text may hold anything JSON can spell, a lone surrogate among it, which no
    encoding holds (and a legacy console cannot print an emoji): such a character must not
    end the run. The streams' own error handlers are put back afterwards.
    """
    streams = [s for s in (sys.stdout, sys.stderr) if isinstance(s, io.TextIOWrapper)]
    handlers = [stream.errors for stream in streams]
    for stream in streams:
        stream.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        for stream, errors in zip(streams, handlers, strict=True):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
                stream.reconfigure(errors=errors)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse's 2 for a usage error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse already reported
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        with _escaping_unencodable():
            return int(args.run(args))
    except PolicyError as error:
        for line in policy_error_lines(error):
            sys.stderr.write(f"{PROG}: {line}\n")
        return 1
    except CliError as error:
        sys.stderr.write(f"{PROG}: {error}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`spamguard replay log | head`): not an error. Point stdout
        # at /dev/null so the interpreter's final flush does not complain either.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
