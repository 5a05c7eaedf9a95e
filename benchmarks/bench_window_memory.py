"""Bytes per stored window entry: what the sliding windows hold for each message they count.

Run from the repository root, in any environment with spamguard installed (a compiled
install measures the compiled windows)::

    python benchmarks/bench_window_memory.py                  # 20,000 messages, both policies
    python benchmarks/bench_window_memory.py --messages 50000

Two figures per policy, both from :mod:`tracemalloc` (held memory after the stream, after a
``gc.collect()``), both divided by the window entries held at the end:

- **windows**: the windows alone. A guard is fed the benchmark's stream (``workload.py``,
  untraced); the entries its windows hold at the end (``Guard.snapshot``) are then
  recorded again, message by message in time order, into fresh windows under the trace,
  the way the guard records them (``record``, ``record_text``): each message's time, id,
  channel and author made fresh (as a converter makes them from a gateway payload), one
  normalised string per message shared by its windows. Whatever the windows keep alive
  is counted, as if nothing else held it (in a guard the member's recent messages hold
  the same time and id); the dict of windows and its keys are counted too. This is the
  figure the target (<= 250 B) applies to.
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
    """Held bytes and entries of windows filled as a guard fed ``wl`` filled its own."""
    guard = Guard(policy)
    for message in workload_mod.spamguard_messages(wl):
        guard.process(message)
    # What each message added, and where: (time, id) -> [(key, kind, horizon, entry)].
    added: dict[tuple[float, int], list[tuple[typing.Any, ...]]] = {}
    for key, kind, horizon, entries in guard.snapshot()["windows"]:
        for ts, message_id, channel_id, author_id, amount, text in entries:
            row = (tuple(key), kind, horizon, channel_id, author_id, amount, text)
            added.setdefault((ts, message_id), []).append(row)
    del guard
    windows: dict[tuple[typing.Any, ...], SumWindow] = {}

    def fresh(value: typing.Any) -> typing.Any:
        # A new object of the same value, as a converter makes from a gateway payload.
        return type(value)(str(value)) if value else value

    def run() -> int:
        for (old_ts, old_id), rows in sorted(added.items()):
            ts, message_id = fresh(old_ts), fresh(old_id)
            texts: dict[str, str] = {}  # one normalised string per message, as the guard's
            for key, kind, horizon, channel_id, author_id, amount, old_text in rows:
                window = windows.get(key)
                if window is None:
                    window = windows[key] = (
                        DuplicateWindow(horizon) if kind == "text" else SumWindow(horizon)
                    )
                channel, author = fresh(channel_id), fresh(author_id)
                if isinstance(window, DuplicateWindow):
                    text = texts.setdefault(old_text, "".join(list(old_text)))
                    window.record_text(ts, message_id, channel, author, text)
                else:
                    window.record(ts, message_id, channel, author, amount)
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
