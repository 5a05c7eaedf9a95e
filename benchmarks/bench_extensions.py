"""Instructions per message of the comparable policy, without and with issue 15's extensions.

The benchmark stream (``workload.py``: ordinary chat with some emoji, and spam) goes
through ``Guard.process`` under ``bench_guard.py``'s comparable policy, then under the same
policy with these extensions on, each with the settings a server would start from:

- ``link_filter`` with ``lookalikes`` (the built-in protected domains) and nothing else
  (no invite blocking, no lists): the look-alike links the issue adds;
- ``compromised`` (its defaults: 3 channels in 60 s) and ``honeypot`` (one channel no
  message of the stream is sent in), when they are installed: the script enables each
  extension whose entry point exists, and names the ones it found.

Counted like ``bench_instructions.py`` (valgrind's callgrind, the slope between N and 2N
messages, building the messages subtracted). ``--chat`` measures ordinary chat too: the
same stream without its spammers (``workload.generate(spammer_share=0.0)``), where the
issue's target is judged: at most 25% more with the extensions on. ``--each`` also
measures each extension alone::

    python benchmarks/bench_extensions.py
    python benchmarks/bench_extensions.py --messages 1000 --jobs 2 --chat --each
"""

from __future__ import annotations

import copy
import importlib.metadata
import pathlib
import subprocess
import sys
import typing

if typing.TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

HERE = pathlib.Path(__file__).resolve().parent
SCENARIOS = ("build", "comparable", "extensions")
HONEYPOT_CHANNEL = 42  # no channel of the workload: its ids are snowflakes
TARGET = 1.25
"""At most this ratio on ordinary chat (the issue's target)."""
_ONLY = "only:"
"""Scenario prefix: the comparable policy with one extension on (``--each``)."""
STREAMS: dict[str, dict[str, typing.Any]] = {
    "stream": {},
    "chat": {"spammer_share": 0.0},
}
"""The streams measured, as ``workload.generate`` arguments: the benchmark stream, and
ordinary chat (``--chat``: the same members chatting, without spammers)."""
_SEP = "/"
"""Between a child scenario's stream and what it measures: ``chat/only:honeypot``."""

EXTENSION_SETTINGS: dict[str, dict[str, typing.Any]] = {
    "link_filter": {"block_invites": False, "lookalikes": {}},
    "compromised": {},
    "honeypot": {"channels": [HONEYPOT_CHANNEL]},
}
"""Each extension measured, with its settings; those not installed are left out."""


def installed_extensions() -> dict[str, typing.Any]:
    """The plugin object of each measured extension whose entry point is installed."""
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group="spamguard")}
    return {name: found[name].load() for name in EXTENSION_SETTINGS if name in found}


def child(scenario: str, messages: int) -> None:
    """The measured program: build the messages of ``<stream>/<what>`` and, unless only
    building, decide them (``list``: print the names of the measured extensions installed)."""
    if scenario == "list":
        print(" ".join(installed_extensions()))
        return
    sys.path.insert(0, str(HERE))
    import workload
    from bench_guard import COMPARABLE_POLICY

    from spamguard.core import Guard, Policy

    stream, _, scenario = scenario.partition(_SEP)
    shape = STREAMS[stream]
    built = workload.spamguard_messages(workload.generate(messages=messages, **shape))
    if scenario == "build":
        return
    document = copy.deepcopy(COMPARABLE_POLICY)
    plugins: list[typing.Any] = []
    if scenario == "extensions" or scenario.startswith(_ONLY):
        extensions = installed_extensions()
        if scenario.startswith(_ONLY):
            only = scenario.removeprefix(_ONLY)
            extensions = {only: extensions[only]}
        document["extensions"] = {name: EXTENSION_SETTINGS[name] for name in extensions}
        plugins = list(extensions.values())
    guard = Guard(Policy.from_dict(document), plugins=plugins)
    for message in built:
        guard.process(message)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from bench_instructions import measuring_one_install

    parser = measuring_one_install(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--each", action="store_true", help="also measure each installed extension alone"
    )
    parser.add_argument(
        "--chat",
        action="store_true",
        help="also measure ordinary chat (the stream without spammers): the issue's target",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    sys.path.insert(0, str(HERE))
    from bench_instructions import build_of, per_message, ran_as_child

    args = _parse_args(argv)
    if ran_as_child(args, child):
        return

    names = subprocess.run(
        [args.python, __file__, "--child", "list", "0"], check=True, capture_output=True, text=True
    ).stdout.split()
    setups = SCENARIOS + tuple(f"{_ONLY}{name}" for name in names if args.each)
    streams = ("stream", "chat") if args.chat else ("stream",)
    scenarios = tuple(f"{stream}{_SEP}{setup}" for stream in streams for setup in setups)
    measured = per_message(args.python, args.messages, args.jobs, scenarios, __file__)
    result = {
        stream: {setup: measured[f"{stream}{_SEP}{setup}"] for setup in setups[1:]}
        for stream in streams
    }
    print(
        f"instructions per message (callgrind; slope between {args.messages} and "
        f"{2 * args.messages} messages; building the messages excluded)"
    )
    rows = [("", *(f"{stream:>12}" for stream in streams))]
    rows.append(("comparable policy", *(f"{result[s]['comparable']:>12,.0f}" for s in streams)))
    rows.append(
        ("comparable + extensions", *(f"{result[s]['extensions']:>12,.0f}" for s in streams))
    )
    ratios = {s: result[s]["extensions"] / result[s]["comparable"] for s in streams}
    rows.append(("ratio", *(f"{ratios[s]:>12.3f}" for s in streams)))
    for name in names if args.each else ():
        cells = []
        for stream in streams:
            alone = result[stream][f"{_ONLY}{name}"]
            share = alone / result[stream]["comparable"] - 1
            cells.append(f"{alone:>12,.0f} {share:>+5.0%}")
        rows.append((f"comparable + {name} alone", *cells))
    for label, *cells in rows:
        print(f"  {label:<32}" + "  ".join(f"{cell:<18}" for cell in cells).rstrip())
    print(f"  extensions on: {', '.join(names)}")
    missing = [name for name in EXTENSION_SETTINGS if name not in names]
    if missing:
        print(f"  not installed (left out): {', '.join(missing)}")
    print(f"  spamguard {build_of(args.python)} ({args.python})")
    if "chat" not in ratios:
        print(f"  the target (at most {TARGET} on ordinary chat) is judged with --chat")
    elif ratios["chat"] > TARGET:
        print(
            f"target missed: on ordinary chat the extensions add {ratios['chat'] - 1:.0%} "
            "(at most 25% wanted)"
        )
    else:
        print(
            f"  target met: on ordinary chat the extensions add {ratios['chat'] - 1:.0%} "
            "(at most 25% wanted)"
        )


if __name__ == "__main__":
    main()
