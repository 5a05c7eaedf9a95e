"""Messages per second through the guard with MemoryStore and the Redis stores on loopback.

Feeds the deterministic workload of ``workload.py`` (the same stream as ``bench_guard.py``)
through ``store.process`` as the adapters' runtime does (per-member asyncio lock, then
``store.schedule(plan.undos_after(...))``), and prints for each store: messages per second, the
per-message latency, and for Redis the round trips per message, counted twice: by the
store (commands it sent) and by the server (``INFO commandstats``: EVALSHA calls from
clients; commands run inside the scripts are listed apart). The guild-owned store
(``RedisStore``) decides from memory and writes behind every second; its timed run
ends with a last write of every changed guild (``flush``), so the writes are paid for.

Redis is a real ``redis-server`` started on a free loopback port (see
``tests/support/redis_server.py``), or the one at ``--url``. Run from the repository root
with spamguard installed with its ``redis`` extra::

    python benchmarks/bench_store.py                                 # 5,000 messages, 3 passes
    python benchmarks/bench_store.py --messages 1000 --repeat 1      # quick

Figures are printed, never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import pathlib
import statistics
import sys
import tempfile
import time
import typing

import redis
import redis.asyncio as aioredis

from spamguard.adapters.store_memory import MemoryStore
from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.core import Guard, Message, Plan, Policy

# The benchmark's workload, and the tests' throwaway redis-server (not part of the package).
sys.path.insert(0, str(pathlib.Path(__file__).parent))
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "tests"))
import workload
from support.redis_server import RedisServer

if typing.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from spamguard.adapters.stores.base import Store


class Result(typing.NamedTuple):
    name: str
    seconds: float
    latencies: list[float]
    punished: int
    round_trips: int | None
    server_evalsha: int | None
    server_commands: int | None


async def _ping_rtt(url: str, count: int = 500) -> float:
    """Median seconds of one redis-py PING on a warm connection: the loopback baseline."""
    client = aioredis.Redis.from_url(url)
    await client.ping()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await client.ping()
        samples.append(time.perf_counter() - started)
    await client.aclose()
    return statistics.median(samples)


def _server_usec_per_evalsha(url: str) -> float:
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return float(stats.get("cmdstat_evalsha", {}).get("usec_per_call", 0.0))


def _server_counts(url: str) -> tuple[int, int]:
    """(EVALSHA calls, every command including those run inside scripts) so far."""
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    evalsha = int(stats.get("cmdstat_evalsha", {}).get("calls", 0))
    total = sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")
    return evalsha, total


async def _run(
    name: str,
    store: Store,
    policy: Policy,
    messages: Sequence[Message],
    concurrency: int,
    url: str | None,
) -> Result:
    guard = Guard(policy)
    await store.open(guard)
    locks: collections.defaultdict[tuple[int | None, int], asyncio.Lock] = collections.defaultdict(
        asyncio.Lock
    )
    latencies: list[float] = []
    punished = 0

    async def handle(message: Message) -> Plan:
        async with locks[(message.guild_id, message.author_id)]:
            started = time.perf_counter()
            plan = await store.process(guard, message)
            await store.schedule(plan.undos_after(message.created_at))
            latencies.append(time.perf_counter() - started)
        return plan

    before = _server_counts(url) if url else (0, 0)
    sent_before = getattr(store, "round_trips", 0)
    gc.collect()
    started = time.perf_counter()
    if concurrency == 1:
        for message in messages:
            punished += (await handle(message)).punishment != "NONE"
    else:
        gate = asyncio.Semaphore(concurrency)

        async def gated(message: Message) -> Plan:
            async with gate:
                return await handle(message)

        plans = await asyncio.gather(*(gated(m) for m in messages))
        punished = sum(p.punishment != "NONE" for p in plans)
    if isinstance(store, RedisStore):
        await store.flush()  # the writes behind are part of the cost
    seconds = time.perf_counter() - started
    after = _server_counts(url) if url else (0, 0)
    failures = store.failures
    await store.close()
    if failures:
        print(f"  warning: {name}: {failures} operations failed open")
    return Result(
        name=name,
        seconds=seconds,
        latencies=latencies,
        punished=punished,
        round_trips=getattr(store, "round_trips", sent_before) - sent_before if url else None,
        server_evalsha=after[0] - before[0] if url else None,
        server_commands=after[1] - before[1] if url else None,
    )


def _report(result: Result, count: int, baseline: Result | None) -> None:
    rate = count / result.seconds
    lat = sorted(result.latencies)
    p50 = statistics.median(lat) * 1e6
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e6
    line = f"{result.name:<34} {rate:>10,.0f} msg/s   p50 {p50:>8,.0f} us   p99 {p99:>8,.0f} us"
    if baseline is not None:
        line += f"   {baseline.seconds / result.seconds:>6.3f}x MemoryStore"
    print(line)
    same = "" if baseline is None or baseline.punished == result.punished else "  DIFFERS"
    print(f"  {'':<32} punished {result.punished}{same}")
    if result.round_trips is not None:
        print(
            f"  {'':<32} round trips/message: {result.round_trips / count:.3f} (store), "
            f"{(result.server_evalsha or 0) / count:.3f} (server EVALSHA); "
            f"Redis commands run per message incl. inside scripts: "
            f"{(result.server_commands or 0) / count:.1f}"
        )


@contextlib.contextmanager
def redis_at(url: str | None) -> Iterator[str]:
    """``url``, else the URL of a redis-server started for the benchmark."""
    if url:
        yield url
        return
    with RedisServer() as server:
        yield server.url


async def _median_of(
    repeat: int,
    name: str,
    factory: typing.Callable[[], Store],
    policy: Policy,
    messages: Sequence[Message],
    concurrency: int,
    url: str | None,
) -> Result:
    """The median pass of ``repeat``, each on a fresh guard, store and (for Redis) empty
    database."""
    results = []
    for _ in range(repeat):
        if url:
            with redis.Redis.from_url(url) as client:
                client.flushall()
        results.append(await _run(name, factory(), policy, messages, concurrency, url))
    results.sort(key=lambda r: r.seconds)
    return results[len(results) // 2]


async def _main(args: argparse.Namespace) -> None:
    stream = workload.spamguard_messages(workload.generate(messages=args.messages, seed=args.seed))
    policy = Policy.default()
    print(
        f"{len(stream):,} messages ({args.messages:,} generated, seed {args.seed}), "
        f"Policy.default(), Python {sys.version.split()[0]}"
    )
    with redis_at(args.url) as url, tempfile.TemporaryDirectory() as tmp:
        print(f"Redis at {url}")
        # Warm-up: imports, caches, connection pool, script cache.
        await _run("warm-up", ConsistentRedisStore(url), policy, stream[:500], 1, url)
        rtt = await _ping_rtt(url)
        print(f"redis-py PING round trip on loopback: p50 {rtt * 1e6:,.0f} us")
        print(f"median of {args.repeat} passes each:")
        memory = await _median_of(args.repeat, "MemoryStore", MemoryStore, policy, stream, 1, None)
        _report(memory, len(stream), None)
        snapshot = pathlib.Path(tmp, "state.json")

        def fresh_file_store() -> MemoryStore:
            snapshot.unlink(missing_ok=True)  # each pass starts empty, as the others do
            return MemoryStore(snapshot)

        with_file = await _median_of(
            args.repeat,
            "MemoryStore + snapshot file",
            fresh_file_store,
            policy,
            stream,
            1,
            None,
        )
        _report(with_file, len(stream), memory)
        owned = await _median_of(
            args.repeat,
            "RedisStore (guild-owned)",
            lambda: RedisStore(url),
            policy,
            stream,
            1,
            url,
        )
        _report(owned, len(stream), memory)
        for concurrency in (1, *args.concurrency):
            result = await _median_of(
                args.repeat,
                "ConsistentRedisStore, one at a time"
                if concurrency == 1
                else f"ConsistentRedisStore, {concurrency} in flight",
                lambda: ConsistentRedisStore(url),
                policy,
                stream,
                concurrency,
                url,
            )
            _report(result, len(stream), memory)
        print(f"server time per EVALSHA (all passes): {_server_usec_per_evalsha(url):,.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5_000, help="stream length")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per store")
    parser.add_argument("--seed", type=int, default=20_240_101)
    parser.add_argument("--url", help="use this Redis instead of starting a redis-server")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="*",
        default=[32],
        help="messages in flight for the concurrent Redis runs (per-member order kept)",
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
