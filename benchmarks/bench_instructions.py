"""Instructions per message for spamguard's core, counted by valgrind's callgrind.

Wall time on a shared machine moves by tens of percent from one run to the next; the
number of instructions a message costs does not. This script runs each scenario twice
under ``valgrind --tool=callgrind``, with N and 2N messages, and reports the slope,
``(Ir(2N) - Ir(N)) / N``: start-up, imports and the policy's compilation cancel out,
what is left is the cost of one more message.

Scenarios (each builds the workload's messages first, so ``build`` is subtracted from
the others to give the guard's own cost):

- ``build``: generate the workload and build its :class:`spamguard.core.Message` values;
- ``comparable``: the same, then ``Guard.process`` under the policy ``bench_guard.py``
  compares with discord-anti-spam (reported minus ``build``);
- ``default``: the same under ``Policy.default()`` (reported minus ``build``).

Give ``--python`` several times to compare installs side by side in one run (e.g. the
release you compare against in one virtualenv and the checkout in another; a build with
``SPAMGUARD_COMPILE=1`` measures the mypyc-compiled core). Needs ``valgrind`` on PATH
(``apt-get install valgrind``)::

    python benchmarks/bench_instructions.py
    python benchmarks/bench_instructions.py --python old/bin/python --python new/bin/python
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Sequence

HERE = pathlib.Path(__file__).resolve().parent
SCENARIOS = ("build", "comparable", "default")
_TOTAL = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def child(scenario: str, messages: int) -> None:
    """The measured program: build the messages and, unless only building, decide them."""
    sys.path.insert(0, str(HERE))
    import workload

    from spamguard.core import Guard, Policy

    built = workload.spamguard_messages(workload.generate(messages=messages))
    if scenario == "build":
        return
    if scenario == "comparable":
        from bench_guard import COMPARABLE_POLICY

        policy = Policy.from_dict(COMPARABLE_POLICY)
    else:
        policy = Policy.default()
    guard = Guard(policy)
    for message in built:
        guard.process(message)


def count(python: str, scenario: str, messages: int, script: str = __file__) -> int:
    """Instructions callgrind counts for one run of :func:`child` (of ``script``'s
    ``--child`` mode: ``bench_joins.py`` measures its joins the same way)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "callgrind.out"
        command = [python, script, "--child", scenario, str(messages)]
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
            check=True,
            capture_output=True,
            # The same hash seed in every run: set and dict layouts, and so the
            # instructions they cost, do not change between the N and 2N runs.
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        found = _TOTAL.search(out.read_bytes())
        if found is None:
            raise SystemExit(f"no instruction total in callgrind's output for {scenario}")
        return int(found.group(1))


def build_of(python: str) -> str:
    """Which core the interpreter imports: its version and whether mypyc compiled it."""
    code = (
        "import spamguard.core as c; m = c.compiled_modules(); "
        "print(c.__version__, 'compiled (' + ', '.join(m) + ')' if m else 'pure Python')"
    )
    result = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def per_message(
    python: str,
    messages: int,
    jobs: int,
    scenarios: Sequence[str] = SCENARIOS,
    script: str = __file__,
) -> dict[str, float]:
    """Instructions per message of each of ``scenarios`` (run by ``script``'s ``--child``
    mode), ``build`` subtracted from the others (from ``<stream>/<what>``,
    ``<stream>/build``: each stream's own building)."""
    runs = [(scenario, n) for scenario in scenarios for n in (messages, 2 * messages)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        counted = pool.map(lambda run: count(python, *run, script=script), runs)
        totals = dict(zip(runs, counted, strict=True))
    slope = {s: (totals[s, 2 * messages] - totals[s, messages]) / messages for s in scenarios}
    builds = {s: _build_of_scenario(s) for s in scenarios}
    return {s: v if builds[s] == s else v - slope[builds[s]] for s, v in slope.items()}


def _build_of_scenario(scenario: str) -> str:
    """The scenario that builds ``scenario``'s messages: ``build``, or ``<stream>/build``."""
    stream, separator, _ = scenario.rpartition("/")
    return f"{stream}{separator}build"


def measuring_arguments(description: str) -> argparse.ArgumentParser:
    """A parser with the options every callgrind benchmark of messages takes: ``--messages``
    (N), ``--jobs`` and the hidden ``--child SCENARIO N``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--messages", type=int, default=3000, help="N, the smaller of the two runs (3000)"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="valgrind runs at once (CPUs)"
    )
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "N"), help=argparse.SUPPRESS)
    return parser


def measuring_one_install(description: str) -> argparse.ArgumentParser:
    """:func:`measuring_arguments` and ``--python``, the one interpreter whose install a
    benchmark measures (default: this one)."""
    parser = measuring_arguments(description)
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter whose install to measure"
    )
    return parser


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = measuring_arguments(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python",
        action="append",
        help="interpreter whose spamguard install to measure (repeatable; default: this one)",
    )
    return parser.parse_args(argv)


def _report(
    pythons: Sequence[str],
    builds: Sequence[str],
    results: Sequence[dict[str, float]],
    messages: int,
) -> None:
    print(
        f"instructions per message (callgrind; slope between {messages} and {2 * messages}"
        " messages; comparable and default exclude building the messages)"
    )
    header = ["scenario", *(f"[{i}]" for i in range(1, len(pythons) + 1))]
    if len(pythons) == 2:
        header.append("[2] / [1]")
    rows = [header]
    for scenario in SCENARIOS:
        row = [scenario, *(f"{result[scenario]:,.0f}" for result in results)]
        if len(pythons) == 2:
            row.append(f"{results[1][scenario] / results[0][scenario]:.3f}")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    for i, (python, build) in enumerate(zip(pythons, builds, strict=True), 1):
        print(f"[{i}] {python}: spamguard {build}")


def ran_as_child(args: argparse.Namespace, run: Callable[[str, int], None]) -> bool:
    """Run ``--child SCENARIO N`` with ``run`` if the arguments ask for it (True); else
    check that valgrind is there to count the children (False)."""
    if args.child:
        run(args.child[0], int(args.child[1]))
        return True
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on PATH: apt-get install valgrind")
    return False


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    if ran_as_child(args, child):
        return
    pythons = args.python or [sys.executable]
    builds = [build_of(python) for python in pythons]
    results = [per_message(python, args.messages, args.jobs) for python in pythons]
    _report(pythons, builds, results, args.messages)


if __name__ == "__main__":
    main()
