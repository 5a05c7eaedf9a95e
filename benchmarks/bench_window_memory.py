"""Bytes per stored window entry: what the sliding windows hold for each message they count.

Run from the repository root, in any environment with spamguard installed (a compiled
install measures the compiled windows)::

    python benchmarks/bench_window_memory.py                  # 20,000 messages, both policies
    python benchmarks/bench_window_memory.py --messages 50000

Two figures per policy, both from :mod:`tracemalloc` (held memory after the stream, after a
``gc.collect()``), both divided by the window entries held at the end:

- **windows**: the windows alone. The benchmark's stream (``workload.py``) is replayed into
  a dict of windows exactly as ``Guard`` fills them: per message, the windows the guard's
  policy counts it in (``Guard.windows_of``), expired to their horizon, then the message
  recorded (``record`` with amount 1 in a sum window, ``record_text`` with the normalised
  text in a duplicate window). Each message's id, channel, author and time are made fresh
  (as a converter makes them from a gateway payload) and dropped after: whatever the
  windows keep alive is counted, as if nothing else held it; the dict and its keys are
  counted too. This is the figure the target (<= 250 B) applies to.
- **guard**: everything a ``Guard`` fed the same stream holds (members, recent messages,
  clean marks, counters and the windows), over the same entries: the windows' share and
  the rest of the state together. Context, not the target.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
import typing

import workload as workload_mod
from bench_guard import COMPARABLE_POLICY

from spamguard.core import Guard, Message, Policy, compiled_modules
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow, SumWindow

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

TARGET = 250
"""Bytes per entry the windows should hold at most (issue 21)."""


def _messages(wl: workload_mod.Workload) -> Iterator[Message]:
    """The stream's messages, built one at a time (so what is kept of them is traced),
    with fresh id, channel and author objects, as a converter makes them."""
    for e in wl.events:
        yield Message(
            id=int(str(e.id)),
            guild_id=e.guild_id,
            channel_id=int(str(e.channel_id)),
            author_id=int(str(e.author_id)),
            content=e.content,
            created_at=e.created_at,
        )


def _held(run: typing.Callable[[], int]) -> tuple[int, int]:
    """``(bytes still held after run(), entries run() reports)``."""
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    entries = run()
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held - base, entries


def windows_alone(policy: Policy, wl: workload_mod.Workload) -> tuple[int, int]:
    """Held bytes and entries of windows filled the way the guard fills them."""
    planner = Guard(policy)  # only asked which windows a message counts in
    windows: dict[tuple[typing.Any, ...], SumWindow] = {}

    def run() -> int:
        for message in _messages(wl):
            ts = message.created_at.timestamp()
            text = None
            for key, _scope, horizon, is_text in planner.windows_of(message):
                window = windows.get(key)
                if window is None:
                    window = windows[key] = DuplicateWindow(horizon) if is_text else SumWindow(horizon)
                window.expire(ts - horizon)
                if isinstance(window, DuplicateWindow):
                    if text is None:
                        text = normalise(message.content)
                    if text:
                        window.record_text(
                            ts, message.id, message.channel_id, message.author_id, text
                        )
                else:
                    window.record(ts, message.id, message.channel_id, message.author_id, 1)
        return sum(len(window) for window in windows.values())

    held = _held(run)
    windows.clear()
    return held


def whole_guard(policy: Policy, wl: workload_mod.Workload) -> tuple[int, int]:
    """Held bytes of a guard fed the stream, and the window entries it holds."""
    guards: list[Guard] = []

    def run() -> int:
        guard = Guard(policy)
        guards.append(guard)
        for message in _messages(wl):
            guard.process(message)
        return sum(len(window[3]) for window in guard.snapshot()["windows"])

    held = _held(run)
    guards.clear()
    return held


def main(argv: Sequence[str] | None = None) -> int:
    """Print bytes per window entry for the comparable and the default policy."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="stream length (20,000)")
    args = parser.parse_args(argv)
    wl = workload_mod.generate(messages=args.messages)
    build = ", ".join(compiled_modules()) or "pure Python"
    print("spamguard bytes per stored window entry (tracemalloc, held after the stream)")
    print(f"  Python {sys.version.split()[0]}; core: {build}; {args.messages:,} messages")
    print(f"  target: windows <= {TARGET} B per entry")
    print(f"  {'policy':<12} {'entries':>8} {'windows B/entry':>16} {'guard B/entry':>14}")
    for name, policy in (
        ("comparable", Policy.from_dict(COMPARABLE_POLICY)),
        ("default", Policy.default()),
    ):
        held, entries = windows_alone(policy, wl)
        guard_held, guard_entries = whole_guard(policy, wl)
        print(
            f"  {name:<12} {entries:>8,} {held / max(entries, 1):>16.0f} "
            f"{guard_held / max(guard_entries, 1):>14.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
