"""A join flood through the guard with ``extensions.join_raid``: cost per join and held memory.

The stream: 10,000 joins a minute into one guild (one every 6 ms of simulated time), four
in five from raid accounts named alike (``freenitro`` and a number, a display name or
none), the others with varied names. Seeded and deterministic.

Scenarios:

- ``build``: generate the stream's :class:`~spamguard.core.events.MemberJoin` values;
- ``core``: ``Guard.handle`` of every join with no extension (the core records each
  join's time);
- ``raid``: the same with ``join_raid`` as the README's ready policy sets it (10 joins in
  10 s, look-alike names, lockdown, TIMEOUT for raid joiners): raid mode starts at the
  tenth join and every later join takes the raid-mode path;
- ``watch``: ``join_raid`` with limits the flood never reaches (``joins`` and
  ``similar_names.members`` at 100,000), so every join pays for the whole detection: the
  count and the fuzzy match of its names against every recent joiner's (at most 1,000).

For each scenario it prints instructions per join (valgrind's callgrind, the slope between
N and 2N joins, ``build`` subtracted; see ``bench_instructions.py``) and the memory the
guard holds after N joins (tracemalloc; the joins themselves are built beforehand)::

    python benchmarks/bench_joins.py              # N = 10,000: one minute of flood
    python benchmarks/bench_joins.py --joins 2000 --no-callgrind
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import pathlib
import random
import shutil
import sys
import tracemalloc
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

    from spamguard.core.events import MemberJoin

HERE = pathlib.Path(__file__).resolve().parent
SCENARIOS = ("build", "core", "raid", "watch")
JOINS_PER_MINUTE = 10_000
T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 1
_SYLLABLES = ("ka", "lo", "mi", "ren", "sa", "tor", "vel", "zu", "an", "e", "is", "ol")

RAID = {
    "joins": 10,
    "interval": 10,
    "similar_names": {"members": 5, "accuracy": 85, "interval": 60},
    "quiet": 300,
    "lockdown": {"invites": True, "duration": 3600},
    "raid_joiners": "TIMEOUT",
    "punishment_duration": 3600,
}
WATCH = {**RAID, "joins": 100_000, "similar_names": {"members": 100_000, "accuracy": 85}}


def joins(count: int, seed: int = 16) -> list[MemberJoin]:
    """The flood: ``count`` joins, one every 6 ms (10,000 a minute)."""
    from spamguard.core.events import MemberJoin

    rng = random.Random(seed)
    step = 60.0 / JOINS_PER_MINUTE
    first_id = 1_200_000_000_000_000_000
    stream = []
    for index in range(count):
        if rng.random() < 0.8:
            username = f"freenitro{rng.randrange(10_000)}"
            global_name = rng.choice((None, "Free Nitro", f"nitro giveaway {rng.randrange(99)}"))
        else:
            username = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
            global_name = username.title() if rng.random() < 0.5 else None
        stream.append(
            MemberJoin(
                guild_id=GUILD,
                user_id=first_id + index * 4096,
                joined_at=T0 + datetime.timedelta(seconds=index * step),
                username=username,
                global_name=global_name,
            )
        )
    return stream


def guard_for(scenario: str) -> typing.Any:
    """The guard a scenario feeds."""
    from spamguard.contrib.join_raid import JoinRaid
    from spamguard.core import Guard, Policy

    extensions = {"core": {}, "raid": {"join_raid": RAID}, "watch": {"join_raid": WATCH}}
    policy = Policy.from_dict({"spam": {"levels": {0: {}}}, "extensions": extensions[scenario]})
    return Guard(policy, plugins=[JoinRaid()])


def child(scenario: str, count: int) -> None:
    """The measured program: build the joins and, unless only building, decide them."""
    stream = joins(count)
    if scenario == "build":
        return
    guard = guard_for(scenario)
    for join in stream:
        guard.handle(join)


def held(scenario: str, count: int) -> int:
    """Bytes the guard holds after deciding ``count`` joins of the flood."""
    stream = joins(count)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    guard = guard_for(scenario)
    for join in stream:
        guard.handle(join)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del guard
    return after - before


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=10_000, help="N (10,000: one minute)")
    parser.add_argument("--no-callgrind", action="store_true", help="memory only")
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "N"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    sys.path.insert(0, str(HERE))
    import bench_instructions

    per_join: dict[str, float] = {}
    if not args.no_callgrind:
        if shutil.which("valgrind") is None:
            raise SystemExit(
                "valgrind is not on PATH: apt-get install valgrind (or --no-callgrind)"
            )
        totals = {
            (scenario, n): bench_instructions.count(sys.executable, scenario, n, __file__)
            for scenario in SCENARIOS
            for n in (args.joins, 2 * args.joins)
        }
        slope = {
            s: (totals[s, 2 * args.joins] - totals[s, args.joins]) / args.joins for s in SCENARIOS
        }
        per_join = {s: v if s == "build" else v - slope["build"] for s, v in slope.items()}
    print(
        f"join flood: {JOINS_PER_MINUTE:,} joins a minute into one guild, N = {args.joins:,}"
        f" ({bench_instructions.build_of(sys.executable)}; PYTHONHASHSEED="
        f"{os.environ.get('PYTHONHASHSEED', 'random')} for memory)"
    )
    for scenario in SCENARIOS[1:]:
        held(scenario, 100)  # imports and first-use caches are not the guard's state
    print(f"{'scenario':>8}  {'instructions/join':>17}  {'held after N joins':>18}")
    for scenario in SCENARIOS:
        cost = f"{per_join[scenario]:,.0f}" if scenario in per_join else "-"
        memory = "-" if scenario == "build" else f"{held(scenario, args.joins) / 1024:,.0f} KiB"
        print(f"{scenario:>8}  {cost:>17}  {memory:>18}")


if __name__ == "__main__":
    main()
