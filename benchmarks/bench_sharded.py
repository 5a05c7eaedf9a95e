"""Sharded bots: the guild-owned Redis store against the in-memory one, in one run.

Every figure comes from real bot processes (``shard_worker.py``, each with its own Guard and
store) deciding the benchmark's workload (``workload.py``) against a real ``redis-server``
on loopback (started here, see ``tests/support/redis_server.py``, or ``--url``):

1. **One process**: the whole stream decided by one process with the in-memory store, the
   guild-owned Redis store (``RedisStore``, write-behind every ``--write-interval``
   seconds) and the consistent one (``ConsistentRedisStore``: every message through
   Redis): messages per second and CPU time per message.
2. **Processes**: the stream split by guild over 1 and over ``--processes`` processes (guild
   ``n`` to process ``n % N``, as shards split guilds), all starting together on one
   redis-server: the messages per second of all of them together, and the CPU time per
   message (the processes' and redis-server's). On a machine with fewer cores than
   processes the wall-clock rate cannot grow with the processes; the CPU time per message
   says whether the work per message grew (it would, with contention on Redis).
3. **Takeover**: a process decides the first part of the stream, is killed with SIGKILL
   (after the write-behind interval, then again without waiting for it), and another
   process goes on with the rest of those guilds: the seconds from the kill to its first
   decision, how many of its decisions differ from one process deciding everything (none
   when the kill came after a write-behind), and the scheduled undos: every one claimed
   once by two processes claiming together (none lost, none twice).

Run from the repository root with spamguard installed with its ``redis`` extra::

    python benchmarks/bench_sharded.py                       # 20,000 messages, 16 guilds
    python benchmarks/bench_sharded.py --messages 5000       # quick

Figures are printed, never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.resources
import json
import os
import pathlib
import sys
import time
import typing

import yaml

from spamguard.core import Guard, Policy

# The benchmark's worker and workload, and the tests' redis-server and worker processes.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "tests"))
from bench_store import redis_at
from shard_worker import share
from support.redis_cluster import RedisClusterNodes, info_of_each, sync_client
from support.store_workers import StoreWorker

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

WORKER = pathlib.Path(__file__).with_name("shard_worker.py")
KINDS = {
    "memory": "MemoryStore",
    "guild-owned": "guild-owned Redis",
    "consistent": "consistent Redis",
}


class Worker(StoreWorker):
    """One ``shard_worker.py`` process."""

    def __init__(
        self,
        args: argparse.Namespace,
        kind: str,
        url: str,
        workers: int,
        index: int,
        policy: dict[str, typing.Any] | None = None,
    ) -> None:
        super().__init__(
            url,
            policy,
            script=WORKER,
            prefix="bench",
            store=kind,
            write_interval=args.write_interval,
            messages=args.messages,
            guilds=args.guilds,
            seed=args.seed,
            workers=workers,
            index=index,
        )

    def run(self, start: int, stop: int | None, start_at: float) -> None:
        self.send({"op": "run", "start": start, "stop": stop, "start_at": start_at})


def _redis_cpu(url: str | None) -> float:
    """The CPU seconds (user + system) of redis-server so far: of every primary of a cluster."""
    if url is None:
        return 0.0
    with sync_client(url) as client:
        return sum(
            float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
            for info in info_of_each(client, "cpu")
        )


def _flush(url: str) -> None:
    """Empty the server (every primary of a cluster)."""
    with sync_client(url) as client:
        client.flushall()


class Run(typing.NamedTuple):
    messages: int
    wall: float
    cpu: float
    redis_cpu: float

    @property
    def rate(self) -> float:
        return self.messages / self.wall

    def cpu_us(self) -> float:
        return (self.cpu + self.redis_cpu) / self.messages * 1e6


def processes(args: argparse.Namespace, kind: str, url: str, count: int) -> Run:
    """The median (by wall time) of ``--repeat`` passes of :func:`one_pass` (one pass of
    the consistent store: 30-80x slower, a reference only)."""
    passes = 1 if kind == "consistent" else args.repeat
    runs = sorted((one_pass(args, kind, url, count) for _ in range(passes)), key=lambda r: r.wall)
    return runs[len(runs) // 2]


def one_pass(args: argparse.Namespace, kind: str, url: str, count: int) -> Run:
    """The stream split over ``count`` processes of store ``kind``, started together."""
    _flush(url)
    workers = [Worker(args, kind, url, count, i) for i in range(count)]
    redis_before = _redis_cpu(url if kind != "memory" else None)
    start_at = time.time() + 0.5
    for worker in workers:
        worker.run(0, None, start_at)
    answers = [worker.receive() for worker in workers]
    for worker in workers:
        worker.close()
    redis_cpu = _redis_cpu(url if kind != "memory" else None) - redis_before
    if any(a["failures"] for a in answers):
        print(f"  warning: {kind}: {sum(a['failures'] for a in answers)} store failures")
    return Run(
        messages=sum(a["messages"] for a in answers),
        wall=max(a["wall"] for a in answers),
        cpu=sum(a["cpu"] for a in answers),
        redis_cpu=redis_cpu,
    )


def _tempban_policy() -> dict[str, typing.Any]:
    doc = yaml.safe_load(
        importlib.resources.files("spamguard.core.policy")
        .joinpath("default_policy.yaml")
        .read_text(encoding="utf-8")
    )
    for level in doc["spam"]["levels"].values():
        level.update(punishment="TEMPBAN", punishment_duration=600)
    return typing.cast("dict[str, typing.Any]", doc)


TEMPBAN_POLICY: typing.Final = _tempban_policy()
"""The takeover's policy: the default policy, punished by a TEMPBAN of 10 minutes, so that
there are unbans to schedule."""


def reference(args: argparse.Namespace) -> list[str]:
    """One in-memory guard's decisions on the whole stream (the takeover's policy)."""
    guard = Guard(Policy.from_dict(TEMPBAN_POLICY))
    setup = {"messages": args.messages, "guilds": args.guilds, "seed": args.seed}
    return [str(guard.process(m).punishment) for m in share({**setup, "workers": 1, "index": 0})]


class Takeover(typing.NamedTuple):
    seconds: float
    """From the SIGKILL to the other process's first decision."""
    differ: int
    """Decisions of the other process unlike one process's deciding everything."""
    decided: int
    scheduled: int
    claimed: int
    distinct: int

    def describe(self) -> str:
        return (
            f"first decision by the other process {self.seconds * 1e3:,.0f} ms after SIGKILL; "
            f"{self.differ} of {self.decided} decisions differ from one process; undos "
            f"scheduled {self.scheduled}, claimed {self.claimed} ({self.distinct} distinct)"
        )


def takeover(
    args: argparse.Namespace, url: str, expected: Sequence[str], *, wait: bool
) -> Takeover:
    """A process killed part way; another goes on. ``wait``: the kill comes after a
    write-behind interval without messages, else right after the last decision."""
    _flush(url)
    first, second, claimer = (
        Worker(args, "guild-owned", url, 1, 0, TEMPBAN_POLICY) for _ in range(3)
    )
    cut = len(expected) * 3 // 5
    first.run(0, cut, time.time())
    before = first.receive()
    # The other process is up and running, as a process taking shards over is: its
    # scheduler has polled the store (which connects it to every node of a cluster).
    second.ask({"op": "claim", "now": "2000-01-01T00:00:00+00:00"})
    if wait:
        time.sleep(args.write_interval * 1.5)
    first.kill()
    killed_at = time.monotonic()
    second.run(cut, None, 0.0)
    after = second.receive()
    # The two processes left claim every undo at once, when all are due (and acknowledge).
    now = (datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=30)).isoformat()
    for worker in (second, claimer):
        worker.send({"op": "claim", "now": now})
    claimed = [item for w in (second, claimer) for item in w.receive()["claimed"]]
    second.close()
    claimer.close()
    return Takeover(
        seconds=after["first_at"] - killed_at,
        differ=sum(a != b for a, b in zip(after["decisions"], expected[cut:], strict=True)),
        decided=len(after["decisions"]),
        scheduled=before["undos"] + after["undos"],
        claimed=len(claimed),
        distinct=len({json.dumps(item, sort_keys=True) for item in claimed}),
    )


def median_takeover(args: argparse.Namespace, url: str, expected: Sequence[str]) -> Takeover:
    """The median (by time to the first decision) of ``--repeat`` takeovers after a
    write-behind; every time printed."""
    runs = sorted(takeover(args, url, expected, wait=True) for _ in range(args.repeat))
    print(f"  times to the first decision: {', '.join(f'{r.seconds * 1e3:,.0f}' for r in runs)} ms")
    return runs[len(runs) // 2]


def one_process(args: argparse.Namespace, url: str) -> dict[str, Run]:
    """Section 1: each store deciding the whole stream in one process."""
    runs: dict[str, Run] = {}
    for kind, name in KINDS.items():
        run = runs[kind] = processes(args, kind, url, 1)
        memory = runs["memory"]
        print(
            f"  {name:<20} {run.rate:>9,.0f} msg/s  CPU {run.cpu_us():>6,.0f} us/msg"
            f"  {memory.rate / run.rate:>5.2f}x slower than MemoryStore"
            f" (CPU: {run.cpu_us() / memory.cpu_us():.2f}x)"
        )
    return runs


def split(args: argparse.Namespace, url: str) -> dict[str, tuple[Run, Run]]:
    """Section 2: the stream over 1 and ``--processes`` processes."""
    runs: dict[str, tuple[Run, Run]] = {}
    for kind in ("memory", "guild-owned"):
        one = processes(args, kind, url, 1)
        many = processes(args, kind, url, args.processes)
        runs[kind] = (one, many)
        print(
            f"  {KINDS[kind]:<20} 1: {one.rate:>8,.0f} msg/s, CPU {one.cpu_us():>5,.0f} us/msg"
            f" | {args.processes}: {many.rate:>8,.0f} msg/s, CPU {many.cpu_us():>5,.0f} us/msg"
            f" | {many.rate / one.rate:.2f}x the rate, {one.cpu_us() / many.cpu_us():.2f}x"
            " the messages per CPU second"
        )
        print(
            f"  {'':<20} {args.processes} processes on {args.processes} free cores would "
            f"reach ~{args.processes * one.cpu_us() / many.cpu_us():.2f}x one process (a "
            "projection from CPU time per message, not a measurement)"
        )
    cores = os.cpu_count() or 1
    if cores < args.processes:
        print(
            f"  ({cores} cores: {args.processes} single-threaded processes share them, so the"
            f" measured rate can grow at most {cores}x, less with other work running; the CPU"
            " time per message shows whether the work per message grows with the processes)"
        )
    return runs


def cluster(args: argparse.Namespace, single: dict[str, float]) -> None:
    """Section 4: the guild-owned figures against a 3-master Redis Cluster on loopback,
    beside the single server's."""
    with RedisClusterNodes() as nodes:
        run = processes(args, "guild-owned", nodes.url, 1)
        taken = median_takeover(args, nodes.url, reference(args))
    figures = {
        "one process, msg/s": run.rate,
        "one process, CPU us/msg": run.cpu_us(),
        "takeover (median), ms": taken.seconds * 1e3,
    }
    print(f"  cluster takeover: {taken.describe()}")
    for name, value in figures.items():
        print(
            f"  {name:<24} single server {single[name]:>9,.0f}   cluster {value:>9,.0f}"
            f"   ({value / single[name]:.2f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="stream length")
    parser.add_argument("--guilds", type=int, default=16, help="guilds in the stream")
    parser.add_argument("--processes", type=int, default=4, help="processes of the split run")
    parser.add_argument("--write-interval", type=float, default=1.0, help="write-behind seconds")
    parser.add_argument("--repeat", type=int, default=3, help="passes per figure (median)")
    parser.add_argument("--seed", type=int, default=20_240_101)
    parser.add_argument("--url", help="use this Redis instead of starting a redis-server")
    parser.add_argument(
        "--no-cluster", action="store_true", help="skip the Redis Cluster comparison"
    )
    args = parser.parse_args()
    print(
        f"{args.messages:,} messages in {args.guilds} guilds, Policy.default(), Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPU cores, write-behind every "
        f"{args.write_interval:g} s"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load} (other work on this machine slows every figure)")
    with redis_at(args.url) as url:
        print(f"Redis at {url}\n\n1. One process, one message at a time")
        runs = one_process(args, url)
        print(f"\n2. The stream split by guild over 1 and {args.processes} processes")
        split(args, url)
        print("\n3. Takeover after SIGKILL (guild-owned Redis, a TEMPBAN policy)")
        expected = reference(args)
        after_write = median_takeover(args, url, expected)
        print(f"  killed after a write-behind: {after_write.describe()}")
        print(
            f"  killed at once (within the interval): {takeover(args, url, expected, wait=False).describe()}"
        )
    if not args.no_cluster:
        print("\n4. Redis Cluster (3 masters on loopback) against the single server")
        cluster(
            args,
            {
                "one process, msg/s": runs["guild-owned"].rate,
                "one process, CPU us/msg": runs["guild-owned"].cpu_us(),
                "takeover (median), ms": after_write.seconds * 1e3,
            },
        )


if __name__ == "__main__":
    main()
