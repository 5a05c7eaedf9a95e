"""How far a pure-Python guard can go: ``Guard.process`` against a floor and the peer.

The throughput goal (20x discord-anti-spam) is judged on the comparable policy: five
duplicates (rapidfuzz ratio >= 90) within 30 s per member. This script measures, in one
run on the same streams as ``bench_guard.py``:

- ``Guard.process`` with that policy;
- the *floor*: :class:`FloorGuard`, that one check written as one flat function with
  only the work every message needs: the member's record (redelivery needs the id and a
  checksum of the content), the timestamp, normalised text, a 30 s window of texts with
  the length index that keeps rapidfuzz away from most messages, one rapidfuzz call when
  a match is possible, and a plan to return. It leaves out everything else the guard does
  (violations and their message ids, escalation, incidents, cleaning, counters, plugins);
- optionally the peer (``--peer``), as ``bench_guard.py`` drives it.

Two streams: the benchmark's own, and the same members without the spammers. The floor
has no flood index (the guard's pivot index, which decides most of a flood's texts
without rapidfuzz), so on spam it compares every near-duplicate again and can be slower
than the guard; on ordinary traffic (the second stream) its rate over the guard's is what
a leaner pure-Python hot path could still win. Figures are printed, never asserted. Run
from the repository root in the bench environment (see ``benchmarks/README.md``)::

    python benchmarks/bench_floor.py --peer
"""

from __future__ import annotations

__all__ = ("FloorGuard", "main")

import argparse
import bisect
import collections
import sys
import typing
import zlib

import workload as workload_mod
from bench_guard import COMPARABLE_POLICY, PassTimer, core_build, frozen_gc, run_peer
from rapidfuzz import fuzz, process

from spamguard.core import Guard, Plan, Policy
from spamguard.core.engine import MAX_RECENT
from spamguard.core.plan import build_plan
from spamguard.core.text import normalise

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from spamguard.core import Message

# The comparable policy's one check, read from it.
_CHECK = COMPARABLE_POLICY["spam"]["levels"][0]["max_duplicates"]
_INTERVAL = float(_CHECK["interval"])
_LIMIT = int(_CHECK["count"])
_ACCURACY = int(_CHECK["accuracy"])
_SHARE = 1.0 - _ACCURACY / 100.0


class _Member:
    __slots__ = ("choices", "counts", "ids", "lengths", "recent", "texts", "times")

    def __init__(self) -> None:
        self.recent: dict[int, tuple[float, int, int]] = {}
        self.times: collections.deque[float] = collections.deque()
        self.ids: list[int] = []
        self.texts: list[str] = []
        self.counts: dict[str, int] = {}
        self.lengths: list[int] = []
        self.choices: list[str] = []


class FloorGuard:
    """The comparable policy's duplicate check and nothing else (see the module docstring)."""

    def __init__(self) -> None:
        self.members: dict[tuple[int, int], _Member] = {}
        self.fired = 0
        """Messages whose duplicates reached the limit (a sanity check against the guard)."""

    def process(self, message: Message) -> Plan:
        """Record ``message`` and count its duplicates; the plan carries no decision."""
        guild_id, author_id = message.guild_id, message.author_id
        key = (guild_id, author_id)
        member = self.members.get(key)
        if member is None:
            member = self.members[key] = _Member()  # type: ignore[index]
        ts = message.created_at.timestamp()
        content = message.content
        recent = member.recent
        recent[message.id] = (
            ts,
            message.channel_id,
            zlib.crc32(content.encode("utf-8", "surrogatepass")),
        )
        if len(recent) > MAX_RECENT:
            del recent[next(iter(recent))]
        text = normalise(content)
        times, texts, counts = member.times, member.texts, member.counts
        lengths, choices = member.lengths, member.choices
        cutoff = ts - _INTERVAL
        while times and times[0] <= cutoff:
            times.popleft()
            del member.ids[0]
            old = texts.pop(0)
            left = counts[old] - 1
            if left:
                counts[old] = left
            else:
                del counts[old]
                index = choices.index(old, bisect.bisect_left(lengths, len(old)))
                del lengths[index]
                del choices[index]
        times.append(ts)
        member.ids.append(message.id)
        texts.append(text)
        seen = counts.get(text)
        length = len(text)
        if seen is None:
            counts[text] = 1
            index = bisect.bisect_right(lengths, length)
            lengths.insert(index, length)
            choices.insert(index, text)
        else:
            counts[text] = seen + 1
        low = bisect.bisect_left(lengths, int(length * (1 - _SHARE) / (1 + _SHARE)) - 1)
        high = bisect.bisect_right(lengths, int(length * (1 + _SHARE) / (1 - _SHARE)) + 2)
        if high - low >= _LIMIT or len(counts) != len(times):
            found = process.extract(
                text, choices[low:high], scorer=fuzz.ratio, score_cutoff=_ACCURACY, limit=None
            )
            if sum(counts[match[0]] for match in found) >= _LIMIT:
                self.fired += 1
        return build_plan(message.id, guild_id, author_id, message.channel_id, False)


def _best_cpu(
    make: Callable[[], Callable[[Message], object]], messages: Sequence[Message], repeat: int
) -> float:
    """Fastest of ``repeat`` passes, in process CPU seconds, each on a fresh instance."""
    best = float("inf")
    for _ in range(repeat):
        handle = make()
        with frozen_gc(), PassTimer() as timer:
            for message in messages:
                handle(message)  # dropped, as bench_guard.py's passes do
        best = min(best, timer.cpu_ns / 1e9)
    return best


def _compare(
    label: str, messages: Sequence[Message], policy: Policy, repeat: int, peer_rate: float | None
) -> None:
    guard, floor = Guard(policy), FloorGuard()
    fired = sum(bool(guard.process(m).violations) for m in messages)
    for m in messages:
        floor.process(m)
    guard_rate = len(messages) / _best_cpu(lambda: Guard(policy).process, messages, repeat)
    floor_rate = len(messages) / _best_cpu(lambda: FloorGuard().process, messages, repeat)
    print(f"{label}: {len(messages):,} messages, best of {repeat} passes, process CPU time")
    print(f"  messages with a duplicate violation: guard {fired:,}, floor {floor.fired:,}")
    for name, rate in (("Guard.process (comparable policy)", guard_rate), ("floor", floor_rate)):
        line = f"  {name:35s} {rate:>9,.0f} msg/s  {1e6 / rate:6.2f} us/msg"
        line += f"  {rate / guard_rate:5.2f}x the guard"
        if peer_rate:
            line += f"  {rate / peer_rate:5.1f}x the peer"
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000, help="messages (50,000)")
    parser.add_argument("--repeat", type=int, default=5, help="passes per side (5)")
    parser.add_argument("--seed", type=int, default=20_240_101, help="workload seed")
    parser.add_argument("--peer", action="store_true", help="also time discord-anti-spam")
    args = parser.parse_args(argv)

    policy = Policy.from_dict(COMPARABLE_POLICY)
    print(f"spamguard's core: {core_build()}; the floor is pure Python either way")
    wl = workload_mod.generate(messages=args.messages, seed=args.seed)
    peer_rate = None
    if args.peer:
        peer = run_peer(wl, repeat=args.repeat, memory=False, simulated_clock=True)
        peer_rate = peer.throughput.best_cpu
        print(f"discord-anti-spam 1.9.1 on the benchmark's stream: {peer_rate:,.0f} msg/s CPU")
    _compare(
        "the benchmark's stream",
        workload_mod.spamguard_messages(wl),
        policy,
        args.repeat,
        peer_rate,
    )
    quiet = workload_mod.generate(messages=args.messages, seed=args.seed, spammer_share=0.0)
    _compare(
        "the same without spammers" + (" (against the peer's rate above)" if peer_rate else ""),
        workload_mod.spamguard_messages(quiet),
        policy,
        args.repeat,
        peer_rate,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
