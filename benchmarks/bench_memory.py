"""Held memory per member while every member floods, under ``Policy.default()``.

``bench_guard.py`` measures memory on a mixed stream (a few spammers among chatty
members); this one measures the worst case the README's per-member figure must cover:
every member sends ``--rate`` messages a second for longer than the policy's history (600 s
for ``Policy.default()``, whose rule cleans that far back), so every window, recent-message
list and clean mark is as full as it gets. Run from the repository root::

    python benchmarks/bench_memory.py                          # 20 members, 10 msg/s, 700 s
    python benchmarks/bench_memory.py --rate 100 --seconds 120 # a faster flood

Figures are printed, never asserted: :mod:`tracemalloc`'s count of what the guard still
holds, per member, at checkpoints (it levels off once the history is full), and the clean
marks held (bounded by ``spamguard.core.engine.members.MAX_CLEAN_MARKS`` per member).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
import time
import tracemalloc
import typing

from spamguard.core import Guard, Message, Policy, compiled_modules

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900
TEXTS = ("buy cheap nitro now", "BUY CHEAP NITRO NOW!!", "free nitro https://scam.example")
"""What the flooders send in turn (duplicates, shouting, a link), each time made distinct."""


def flood(members: int, rate: int, seconds: int) -> Iterator[Message]:
    """Every member sends ``rate`` messages a second, in turn, for ``seconds``."""
    step = 1.0 / (rate * members)
    mid = 1_000_000
    for tick in range(seconds * rate * members):
        member = tick % members
        mid += 1
        yield Message(
            id=mid,
            guild_id=GUILD,
            channel_id=50 + member % 5,
            author_id=10 + member,
            content=f"{TEXTS[tick % len(TEXTS)]} {tick}",
            created_at=T0 + datetime.timedelta(seconds=tick * step),
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the flood and print held memory per member; 0 unless something crashed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20, help="flooding members (20)")
    parser.add_argument("--rate", type=int, default=10, help="messages per second each (10)")
    parser.add_argument("--seconds", type=int, default=700, help="simulated seconds (700)")
    args = parser.parse_args(argv)
    policy = Policy.default()
    build = ", ".join(compiled_modules()) or "pure Python"
    total = args.members * args.rate * args.seconds
    print("spamguard held memory under a sustained flood (Policy.default())")
    print(f"  Python {sys.version.split()[0]}; core: {build}")
    print(
        f"  {args.members} members x {args.rate} msg/s for {args.seconds} s "
        f"= {total:,} messages; history {policy.base.history_seconds:g} s"
    )
    checkpoint = max(1, args.seconds // 7) * args.rate * args.members
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    guard = Guard(policy)
    started = time.perf_counter()
    print(f"  {'time':>6}  {'held KiB/member':>16}  {'clean marks/member':>19}")
    for index, message in enumerate(flood(args.members, args.rate, args.seconds), 1):
        guard.process(message)
        if index % checkpoint == 0 or index == total:
            held, _ = tracemalloc.get_traced_memory()
            marks = len(guard.snapshot()["cleaned"]) if index == total else None
            seconds = index / (args.rate * args.members)
            print(
                f"  {seconds:>5.0f}s  {(held - base) / 1024 / args.members:>16.1f}  "
                f"{'' if marks is None else f'{marks / args.members:.0f}':>19}"
            )
    tracemalloc.stop()
    print(f"  ({time.perf_counter() - started:.1f} s with tracemalloc on)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
