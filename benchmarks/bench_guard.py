"""Throughput, latency and memory of ``Guard.process`` against discord-anti-spam 1.9.1.

Run from the repository root, in the bench environment (see ``benchmarks/README.md``)::

    python benchmarks/bench_guard.py                  # the full 50,000-message run
    python benchmarks/bench_guard.py --messages 5000  # a quick run

Both libraries get the same deterministic stream (``workload.py``) in the same process:
spamguard as :class:`spamguard.core.Message` values through ``Guard.process``, the peer as
real discord.py messages through ``AntiSpamHandler.propagate`` with ``no_punish=True``
(``peer.py`` says how it is driven offline). Every input is built before its timer starts.

Each side gets separate passes, each on a fresh instance, so the instruments do not
distort one another:

- throughput: the whole loop is timed, ``--repeat`` times; the fastest pass is reported
  (as :mod:`timeit` does: on a shared machine, noise only ever slows a pass down), with
  the process CPU time of that loop as a cross-check that other load cannot inflate;
- latency: ``time.perf_counter_ns()`` around every call (its own ~50 ns included), over
  ``--repeat`` passes, each message's fastest pass kept: other load on a shared machine
  only ever adds time, while a side's own pauses (its garbage collections, spamguard's
  periodic sweep) fall on the same messages in every pass, as each pass starts from a
  fresh instance with the same collected and frozen heap, and are kept;
- memory: :mod:`tracemalloc` peak while processing, and what is still held afterwards,
  per member that sent a message; checkpoints show whether it levels off.

Figures are printed, never asserted: the ``target met`` / ``target missed`` lines compare
with the issue's goals, and the exit status is non-zero only when something crashes.
"""

from __future__ import annotations

__all__ = ("main",)

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import importlib.metadata
import os
import platform
import statistics
import sys
import time
import tracemalloc
import typing

import workload as workload_mod

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Sequence

    import discord
    from workload import Workload

    from spamguard.core import Message, Policy

TARGET_RATIO = 20.0
"""spamguard must process at least this many times the peer's messages per second."""
TARGET_P99_US = 50.0
"""spamguard's 99th-percentile per-message latency must stay below this, microseconds."""
TARGET_MEMORY_GROWTH = 0.10
"""Once a side's history is full, held memory may grow at most this much more (bounded)."""
WINDOW_SECONDS = 30.0
"""The peer's duplicate window (its whole history), and the comparable policy's."""

COMPARABLE_POLICY: dict[str, typing.Any] = {
    "spam": {
        "levels": {
            0: {
                "max_duplicates": {"count": 5, "interval": 30, "accuracy": 90},
            },
        },
    },
    "escalation": {
        "counting": "violation_count",
        "warn_threshold": 3,
        "kick_threshold": 2,
        "ban_threshold": 2,
    },
}
"""discord-anti-spam's defaults in spamguard's terms: 5 duplicates (similarity >= 90) in 30 s,
warn, then kick, then ban. Bots are ignored by default on both sides."""

_CHECKPOINTS = 10


# --- results --------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True, kw_only=True)
class Throughput:
    """Messages per second over ``--repeat`` timed passes."""

    rates: list[float]
    """Per pass: messages / wall-clock seconds of the loop."""
    cpu_rates: list[float]
    """Per pass: messages / process CPU seconds of the loop (time spent descheduled excluded)."""

    @property
    def best(self) -> float:
        return max(self.rates)

    @property
    def best_cpu(self) -> float:
        return max(self.cpu_rates)

    @property
    def spread(self) -> float:
        """(fastest - slowest) / median, wall clock: how noisy the machine was."""
        median = statistics.median(self.rates)
        return (max(self.rates) - min(self.rates)) / median if median else 0.0


class PassTimer:
    """Wall-clock and process CPU time of one timed loop."""

    __slots__ = ("cpu_ns", "wall_ns")

    def __init__(self) -> None:
        self.wall_ns = self.cpu_ns = 0

    def __enter__(self) -> PassTimer:
        self.cpu_ns = time.process_time_ns()
        self.wall_ns = time.perf_counter_ns()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall_ns = time.perf_counter_ns() - self.wall_ns
        self.cpu_ns = time.process_time_ns() - self.cpu_ns


@dataclasses.dataclass(slots=True, kw_only=True)
class Latency:
    """Per-message latency percentiles, nanoseconds."""

    p50: int
    p99: int
    p999: int
    max: int

    @classmethod
    def of(cls, passes: Sequence[list[int]]) -> Latency:
        """Percentiles of each message's fastest time over ``passes`` (one list each, in
        stream order; see the module docstring for why the fastest)."""
        ordered = sorted(map(min, zip(*passes, strict=True)))
        last = len(ordered) - 1

        def pick(q: float) -> int:
            return ordered[round(q * last)]

        return cls(p50=pick(0.50), p99=pick(0.99), p999=pick(0.999), max=ordered[-1])


@dataclasses.dataclass(slots=True, kw_only=True)
class Memory:
    """tracemalloc figures for one pass, bytes."""

    peak: int
    """Most bytes the pass had allocated at once (state plus transient garbage)."""
    held: int
    """Bytes still alive after the last message: the side's state."""
    members: int
    """Members who sent at least one message."""
    checkpoints: list[tuple[float, int]]
    """(simulated seconds since the first message, bytes held then)."""
    history: float
    """Seconds of history the side keeps (its longest look-back): held memory can only
    level off once the stream is longer than that, so growth is judged after it."""

    @property
    def peak_per_member(self) -> float:
        return self.peak / self.members if self.members else 0.0

    @property
    def held_per_member(self) -> float:
        return self.held / self.members if self.members else 0.0

    def growth_after_history(self) -> float | None:
        """Growth of held memory after the history filled, or ``None`` if the run is too short."""
        filled = [held for seconds, held in self.checkpoints if seconds >= self.history]
        if len(filled) < 2 or not filled[0]:
            return None
        return filled[-1] / filled[0] - 1.0


@dataclasses.dataclass(slots=True, kw_only=True)
class Detection:
    """What a side decided over the stream: the sanity check that both catch the spammers."""

    flagged: int
    """Messages with a decision (spamguard: a plan with actions; peer: ``should be punished``)."""
    with_violations: int | None
    """spamguard only: plans that report a violation."""
    skipped: int
    """Messages the side refused to look at (the peer returns a status dict for those)."""
    spammers_flagged: int
    others_flagged: int


@dataclasses.dataclass(slots=True, kw_only=True)
class SideResult:
    """Everything measured for one side."""

    name: str
    throughput: Throughput
    latency: Latency | None
    memory: Memory | None
    detection: Detection


# --- spamguard ------------------------------------------------------------------------------


@contextlib.contextmanager
def frozen_gc() -> Iterator[None]:
    """Collect, then freeze what exists, so GC pauses only see what the pass allocates."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _percent_positions(events: Sequence[workload_mod.Event]) -> list[tuple[int, float]]:
    """Message indices at which memory is sampled, with their simulated time."""
    if not events:
        return []
    start = events[0].created_at
    n = len(events)
    positions = sorted({max(0, n * k // _CHECKPOINTS - 1) for k in range(1, _CHECKPOINTS + 1)})
    return [(i, (events[i].created_at - start).total_seconds()) for i in positions]


# What each message came to, one byte per message, recorded outside the timer: a pass keeps
# no outputs, as a bot acts on each plan and drops it (holding 50,000 of them would make the
# collector walk them over and over, a cost of the benchmark's list, not of the library).
_ACTED, _VIOLATED, _SKIPPED = 1, 2, 4


def _spamguard_outcome(plan: typing.Any) -> int:
    return (
        (_ACTED if plan.actions else 0)
        | (_VIOLATED if plan.violations else 0)
        | (_SKIPPED if plan.skipped_reason is not None else 0)
    )


def _detection(wl: Workload, outcomes: bytes, *, violations: bool) -> Detection:
    spammers = wl.spammer_ids
    flagged_authors: set[int] = set()
    flagged = with_violations = skipped = 0
    for event, outcome in zip(wl.events, outcomes, strict=True):
        if outcome & _ACTED:
            flagged += 1
        if outcome & _VIOLATED:
            with_violations += 1
        if outcome & _SKIPPED:
            skipped += 1
        if outcome & (_ACTED | _VIOLATED):
            flagged_authors.add(event.author_id)
    return Detection(
        flagged=flagged,
        with_violations=with_violations if violations else None,
        skipped=skipped,
        spammers_flagged=len(flagged_authors & spammers),
        others_flagged=len(flagged_authors - spammers),
    )


Passes: typing.TypeAlias = "Generator[None, None, SideResult]"
"""One side's measurement, paused after each timed pass (see :func:`interleaved`)."""


def interleaved(sides: Sequence[Passes]) -> list[SideResult]:
    """Run the sides' timed passes in turn (A B C, A B C, ...) and return their results.

    On a shared machine the speed drifts over minutes (other tenants, clock boost). Run
    one side's passes after the other's and the ratio carries that drift; in turn, every
    side's best pass is taken from the same stretch of time.
    """
    results: dict[int, SideResult] = {}
    pending = list(enumerate(sides))
    while pending:
        still = []
        for index, side in pending:
            try:
                next(side)
            except StopIteration as done:
                results[index] = done.value
            else:
                still.append((index, side))
        pending = still
    return [results[index] for index in range(len(sides))]


def spamguard_passes(
    name: str,
    policy: Policy,
    wl: Workload,
    messages: list[Message],
    *,
    repeat: int,
    memory: bool,
) -> Passes:
    """Time ``Guard.process`` over the stream; every pass uses a fresh guard. Pauses
    after each timed pass; returns the result."""
    from spamguard.core import Guard

    # Warm-up on a throwaway guard: imports, regex compilation, first-call paths.
    warm = Guard(policy)
    for message in messages[:2000]:
        warm.process(message)
    del warm

    rates, cpu_rates = [], []
    for _ in range(repeat):
        guard = Guard(policy)
        process = guard.process
        with frozen_gc(), PassTimer() as timer:
            for message in messages:
                process(message)
        rates.append(len(messages) / (timer.wall_ns / 1e9))
        cpu_rates.append(len(messages) / (max(timer.cpu_ns, 1) / 1e9))
        del guard
        yield

    clock = time.perf_counter_ns
    passes = []
    outcomes = bytearray(len(messages))
    for _ in range(repeat):
        guard = Guard(policy)
        process = guard.process
        samples = [0] * len(messages)
        with frozen_gc():
            for i, message in enumerate(messages):
                t0 = clock()
                plan = process(message)
                samples[i] = clock() - t0
                outcomes[i] = _spamguard_outcome(plan)
        passes.append(samples)
        del guard, process, samples
        yield
    latency = Latency.of(passes)
    detection = _detection(wl, outcomes, violations=True)
    del passes

    mem = None
    if memory:
        guard = Guard(policy)
        process = guard.process

        def drive(checkpoint: Callable[[int], None]) -> None:
            for i, message in enumerate(messages):
                process(message)
                checkpoint(i)

        history = max(
            policy.for_guild(guild_id).history_seconds for guild_id in (None, *policy.guilds)
        )
        mem = _measure_memory(wl, drive, history)
        del guard, process

    return SideResult(
        name=name,
        throughput=Throughput(rates=rates, cpu_rates=cpu_rates),
        latency=latency,
        memory=mem,
        detection=detection,
    )


def _measure_memory(
    wl: Workload, drive: Callable[[Callable[[int], None]], None], history: float
) -> Memory:
    """Trace allocations while ``drive`` processes the stream, calling back after each
    message; ``history`` is how far back the side looks (see :attr:`Memory.history`)."""
    checkpoints = dict(_percent_positions(wl.events))
    samples: list[tuple[float, int]] = []
    base = 0

    def checkpoint(i: int) -> None:
        # Called while the side's state is alive (the last message is always a checkpoint).
        if i in checkpoints:
            gc.collect()
            current, _ = tracemalloc.get_traced_memory()
            samples.append((checkpoints[i], current - base))

    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        drive(checkpoint)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Memory(
        peak=peak - base,
        held=samples[-1][1] if samples else 0,
        members=len({e.author_id for e in wl.events}),
        checkpoints=samples,
        history=history,
    )


# --- the peer -------------------------------------------------------------------------------


def _peer_outcome(result: typing.Any) -> int:
    if isinstance(result, dict):  # the peer's answer for a message it ignored
        return _SKIPPED
    return _ACTED if result.member_should_be_punished_this_message else 0


def run_peer(wl: Workload, *, repeat: int, memory: bool, simulated_clock: bool) -> SideResult:
    """Time ``AntiSpamHandler.propagate`` over the stream, alone (see :func:`peer_passes`)."""
    return interleaved(
        [peer_passes(wl, repeat=repeat, memory=memory, simulated_clock=simulated_clock)]
    )


def peer_passes(wl: Workload, *, repeat: int, memory: bool, simulated_clock: bool) -> Passes:
    """Time ``AntiSpamHandler.propagate`` over the stream, one event loop per pass. Pauses
    after each timed pass; returns the result."""
    import peer

    world = peer.build_world(wl, workload_mod.guild_create_payloads(wl))
    payloads = workload_mod.message_create_payloads(wl)
    times = [e.created_at for e in wl.events]
    clock = peer.SimulatedClock(workload_mod.EPOCH)

    def clock_installed() -> contextlib.AbstractContextManager[None]:
        return clock.installed() if simulated_clock else contextlib.nullcontext()

    async def throughput_pass(messages: list[discord.Message]) -> PassTimer:
        handler = peer.make_handler(world.client)
        await handler.init()  # outside the timer: the first propagate would do it
        propagate = handler.propagate
        with PassTimer() as timer:
            for message, now in zip(messages, times, strict=False):
                clock.current = now
                await propagate(message)
        return timer

    outcomes = bytearray(len(payloads))

    async def latency_pass(messages: list[discord.Message]) -> list[int]:
        handler = peer.make_handler(world.client)
        await handler.init()
        propagate = handler.propagate
        samples = [0] * len(messages)
        ns = time.perf_counter_ns
        for i, (message, now) in enumerate(zip(messages, times, strict=False)):
            clock.current = now
            t0 = ns()
            result = await propagate(message)
            samples[i] = ns() - t0
            outcomes[i] = _peer_outcome(result)
        return samples

    # Warm-up on a throwaway handler, with its own messages.
    with clock_installed():
        asyncio.run(throughput_pass(world.build_messages(payloads[:2000])))

    rates, cpu_rates = [], []
    for _ in range(repeat):
        messages = world.build_messages(payloads)
        with clock_installed(), frozen_gc():
            timer = asyncio.run(throughput_pass(messages))
        rates.append(len(messages) / (timer.wall_ns / 1e9))
        cpu_rates.append(len(messages) / (max(timer.cpu_ns, 1) / 1e9))
        del messages
        yield

    passes = []
    for _ in range(repeat):
        messages = world.build_messages(payloads)
        with clock_installed(), frozen_gc():
            passes.append(asyncio.run(latency_pass(messages)))
        del messages
        yield
    latency = Latency.of(passes)
    detection = _detection(wl, outcomes, violations=False)
    del passes

    mem = None
    if memory:
        messages = world.build_messages(payloads)
        for message in messages:
            # discord.py caches this on the message; touch it first so the peer is not
            # charged for strings that belong to the message objects.
            _ = message.clean_content

        async def memory_pass(checkpoint: Callable[[int], None]) -> None:
            handler = peer.make_handler(world.client)
            await handler.init()
            for i, (message, now) in enumerate(zip(messages, times, strict=False)):
                clock.current = now
                await handler.propagate(message)
                checkpoint(i)

        with clock_installed():
            # The peer keeps a member's messages for its 30 s message_interval.
            mem = _measure_memory(
                wl, lambda checkpoint: asyncio.run(memory_pass(checkpoint)), WINDOW_SECONDS
            )
        del messages

    return SideResult(
        name="discord-anti-spam 1.9.1",
        throughput=Throughput(rates=rates, cpu_rates=cpu_rates),
        latency=latency,
        memory=mem,
        detection=detection,
    )


# --- report ---------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def core_build() -> str:
    """Which build of spamguard's core runs: the figures of a pure-Python install and of
    a compiled one (``SPAMGUARD_COMPILE=1``, see README) differ by 1.5-1.8x."""
    try:
        from spamguard.core import compiled_modules
    except ImportError:
        return "not installed"
    compiled = compiled_modules()
    if compiled:
        return f"compiled by mypyc ({', '.join(compiled)}; the rest pure Python)"
    return "pure Python (SPAMGUARD_COMPILE=1 at install compiles its hot modules)"


def _load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _us(ns: int) -> str:
    return f"{ns / 1000:.1f}"


def _kib(n: float) -> str:
    return f"{n / 1024:.1f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    )
    return "\n".join(lines)


def report(
    wl: Workload, results: list[SideResult], peer_result: SideResult | None, repeat: int
) -> None:
    """Print the tables and the target lines."""
    everyone = [*results, *([peer_result] if peer_result else [])]
    peer_rate = peer_result.throughput.best if peer_result else None
    peer_cpu_rate = peer_result.throughput.best_cpu if peer_result else None
    rows = []
    for r in everyone:
        t = r.throughput
        is_peer = r is peer_result or not peer_rate or not peer_cpu_rate
        lat = r.latency
        rows.append(
            [
                r.name,
                f"{t.best:,.0f}",
                "-" if is_peer else f"{t.best / peer_rate:.1f}x",  # type: ignore[operator]
                f"{t.spread:.0%}",
                f"{t.best_cpu:,.0f}",
                "-" if is_peer else f"{t.best_cpu / peer_cpu_rate:.1f}x",  # type: ignore[operator]
                _us(lat.p50) if lat else "-",
                _us(lat.p99) if lat else "-",
                _us(lat.p999) if lat else "-",
                _us(lat.max) if lat else "-",
            ]
        )
    print(
        f"\nthroughput (fastest of {repeat} passes; spread = how much the passes differed) "
        f"and per-message latency (separate passes, each message's fastest of {repeat})"
    )
    headers = ["side", "msg/s", "vs peer", "spread", "msg/s CPU", "vs peer CPU"]
    headers += ["p50 us", "p99 us", "p99.9 us", "max us"]
    print(_table(headers, rows))
    print(
        "  msg/s: wall clock of the whole loop; msg/s CPU: the same loop over process CPU time, "
        "which time spent\n  waiting for a CPU (other load on the machine) does not count"
    )

    _memory_report(everyone)
    _detection_report(wl, everyone)
    _targets_report(results, peer_result)


def _memory_report(everyone: Sequence[SideResult]) -> None:
    if not any(r.memory for r in everyone):
        print("\nmemory: not measured (--no-memory)")
        return
    rows = []
    for r in everyone:
        m = r.memory
        growth = m.growth_after_history() if m else None
        rows.append(
            [
                r.name,
                _kib(m.peak) if m else "-",
                _kib(m.peak_per_member) if m else "-",
                _kib(m.held_per_member) if m else "-",
                f"{m.history:.0f}s" if m else "-",
                "-" if growth is None else f"{growth:+.0%}",
            ]
        )
    print("\nmemory (tracemalloc, separate pass; KiB)")
    print(
        _table(
            [
                "side",
                "peak",
                "peak/member",
                "held/member",
                "history",
                "held growth after history",
            ],
            rows,
        )
    )
    for r in everyone:
        if r.memory and r.memory.checkpoints:
            curve = ", ".join(
                f"{s:.0f}s {_kib(b / r.memory.members)}" for s, b in r.memory.checkpoints
            )
            print(f"  {r.name}: held/member over time: {curve}")


def _detection_report(wl: Workload, everyone: Sequence[SideResult]) -> None:
    posting_spammers = {e.author_id for e in wl.events if e.is_spam}
    spammers = len(posting_spammers)
    others = len({e.author_id for e in wl.events} - posting_spammers)
    spam_messages = sum(e.is_spam for e in wl.events)
    rows = []
    for r in everyone:
        d = r.detection
        rows.append(
            [
                r.name,
                f"{d.flagged:,}",
                "-" if d.with_violations is None else f"{d.with_violations:,}",
                f"{d.skipped:,}",
                f"{d.spammers_flagged}/{spammers}",
                f"{d.others_flagged}/{others}",
            ]
        )
    print(f"\ndetection (sanity check; {spam_messages:,} of {len(wl.events):,} messages are spam)")
    print(
        _table(
            [
                "side",
                "flagged msgs",
                "w/ violations",
                "skipped",
                "spammers flagged",
                "others flagged",
            ],
            rows,
        )
    )
    print(
        "  flagged msgs: spamguard plans with actions; peer results with "
        "member_should_be_punished_this_message,\n"
        "  which the peer sets on every message over its limit (compare with spamguard's "
        "'w/ violations')"
    )


def _targets_report(results: Sequence[SideResult], peer_result: SideResult | None) -> None:
    peer_rate = peer_result.throughput.best if peer_result else None
    peer_cpu_rate = peer_result.throughput.best_cpu if peer_result else None
    print("\ntargets")
    comparable = next((r for r in results if "comparable" in r.name), None)
    if comparable and peer_rate:
        ratio = comparable.throughput.best / peer_rate
        cpu_ratio = comparable.throughput.best_cpu / peer_cpu_rate  # type: ignore[operator]
        verdict = "target met" if ratio >= TARGET_RATIO else "target missed"
        goal = f"throughput >= {TARGET_RATIO:.0f}x the peer"
        print(f"  {goal} ({comparable.name}): {ratio:.1f}x (CPU time: {cpu_ratio:.1f}x)  {verdict}")
    else:
        print(f"  throughput >= {TARGET_RATIO:.0f}x the peer: not judged (needs both sides)")
    for r in results:
        if r.latency:
            verdict = "target met" if r.latency.p99 / 1000 < TARGET_P99_US else "target missed"
            print(f"  p99 < {TARGET_P99_US:.0f} us ({r.name}): {_us(r.latency.p99)} us  {verdict}")
    for r in results:
        prefix = f"  bounded memory per member ({r.name}):"
        if r.memory is None:
            print(f"{prefix} not judged (--no-memory)")
            continue
        growth = r.memory.growth_after_history()
        if growth is None:
            print(
                f"{prefix} not judged: the stream must outlast the {r.memory.history:.0f}s of "
                "history the policy keeps (more --messages, or a lower --rate)"
            )
        else:
            verdict = "target met" if growth <= TARGET_MEMORY_GROWTH else "target missed"
            print(
                f"{prefix} held grew {growth:+.0%} after its {r.memory.history:.0f}s history "
                f"filled (<= {TARGET_MEMORY_GROWTH:+.0%}), "
                f"{_kib(r.memory.held_per_member)} KiB/member held  {verdict}"
            )


# --- main -----------------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages", type=int, default=50_000, help="messages in the stream (50,000)"
    )
    parser.add_argument("--members", type=int, default=1_000, help="members (1,000)")
    parser.add_argument("--guilds", type=int, default=5, help="guilds (5)")
    parser.add_argument(
        "--channels-per-guild", type=int, default=10, help="channels per guild (10)"
    )
    parser.add_argument(
        "--spammers", type=float, default=0.10, help="share of members who spam (0.10)"
    )
    parser.add_argument(
        "--rate", type=int, default=1_000, help="simulated arrivals per second (1,000)"
    )
    parser.add_argument("--seed", type=int, default=20_240_101, help="workload seed")
    parser.add_argument(
        "--spam-style",
        choices=workload_mod.SPAM_STYLES,
        default="edits",
        help="edits: small random edits of one text (default); counter: the same with a "
        "random number appended, so that every spam message is a different text",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed throughput passes per side (5)"
    )
    parser.add_argument(
        "--only", choices=("both", "spamguard", "peer"), default="both", help="which side to run"
    )
    parser.add_argument(
        "--peer-clock",
        choices=("simulated", "wall"),
        default="simulated",
        help="the peer's clock: the simulated arrival time (default) or its own wall clock",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc passes")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; 0 unless something crashed."""
    args = _parse_args(argv)
    if args.messages < 1 or args.repeat < 1:
        print("--messages and --repeat must be at least 1", file=sys.stderr)
        return 2

    print("spamguard throughput benchmark")
    print(
        f"  {platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"  load average before the run: {_load()}")
    print(
        f"  spamguard {_version('spamguard')}; discord-anti-spam {_version('discord-anti-spam')}, "
        f"discord.py {_version('discord.py')}, rapidfuzz {_version('rapidfuzz')}"
    )
    print(f"  spamguard's core: {core_build()}")
    t0 = time.perf_counter()
    wl = workload_mod.generate(
        messages=args.messages,
        members=args.members,
        guilds=args.guilds,
        channels_per_guild=args.channels_per_guild,
        spammer_share=args.spammers,
        rate=args.rate,
        seed=args.seed,
        spam_style=args.spam_style,
    )
    print(
        f"  workload: {len(wl.events):,} messages from {len(wl.members):,} members "
        f"({len(wl.spammer_ids)} near-duplicate spammers, spam style {args.spam_style!r}), "
        f"{len(wl.guilds)} guilds, "
        f"{sum(len(g.channel_ids) for g in wl.guilds)} channels, {wl.rate:,} msg/s simulated "
        f"({wl.duration.total_seconds():.1f} s), seed {wl.seed}; generated in "
        f"{time.perf_counter() - t0:.1f} s"
    )

    sides: list[Passes] = []
    if args.only in ("both", "spamguard"):
        try:
            from spamguard.core import Policy
        except ImportError as exc:
            print(
                f"\nspamguard is not importable ({exc}); install it into this environment "
                "with `pip install -e .` from the repository root, or pass --only peer",
                file=sys.stderr,
            )
            return 2
        messages = workload_mod.spamguard_messages(wl)
        print(
            "  spamguard messages: spamguard.core.Message values built before the timer starts "
            "(turning a Discord library's message into one, an adapter's job, is not timed)"
        )
        policies: list[tuple[str, Policy]] = []
        try:
            policies.append(("spamguard (comparable policy)", Policy.from_dict(COMPARABLE_POLICY)))
        except ValueError as exc:
            print(f"\nthe comparable policy was rejected, skipping it:\n{exc}", file=sys.stderr)
        policies.append(("spamguard (Policy.default())", Policy.default()))
        for name, policy in policies:
            print(f"  {name}: Guard.process", flush=True)
            sides.append(
                spamguard_passes(
                    name, policy, wl, messages, repeat=args.repeat, memory=not args.no_memory
                )
            )
        del messages

    if args.only in ("both", "peer"):
        clock_note = (
            "simulated: antispam.util's clock reads each message's created_at, as the wall clock "
            "would at the simulated arrival rate"
            if args.peer_clock == "simulated"
            else "wall: the peer's own clock, so its 30 s window holds 30 s of replay at the "
            "peer's own speed, not 30 s of simulated traffic"
        )
        print("  discord-anti-spam: AntiSpamHandler.propagate, no_punish=True", flush=True)
        print(f"    peer clock: {clock_note}")
        print(
            "    peer messages: real discord.py Message objects built from MESSAGE_CREATE "
            "payloads before the timer starts"
        )
        sides.append(
            peer_passes(
                wl,
                repeat=args.repeat,
                memory=not args.no_memory,
                simulated_clock=args.peer_clock == "simulated",
            )
        )

    print(
        "  running: the sides' timed passes in turn (A B C, A B C, ...), so that they share "
        "the machine's slow and fast moments ...",
        flush=True,
    )
    results = interleaved(sides)
    peer_result = results.pop() if args.only in ("both", "peer") else None
    report(wl, results, peer_result, args.repeat)
    print(f"\nload average after the run: {_load()}")
    with contextlib.suppress(OSError):
        if os.getloadavg()[1] > (os.cpu_count() or 1):
            print(
                "  the machine was busier than it has CPUs: expect noisy figures; rerun if in doubt"
            )
    print(
        "\nGC: collected and frozen before every timed pass, "
        "so its pauses cover only what the pass allocates."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
