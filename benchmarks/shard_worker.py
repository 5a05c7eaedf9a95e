"""One bot process of ``bench_sharded.py``: its own Guard and store, the guilds of its shards.

Run as ``python benchmarks/shard_worker.py``; driven over stdin, one JSON line per command,
one JSON line answered on stdout:

- set-up (the first line): ``{"store": "memory" | "guild-owned" | "consistent", "url",
  "policy", "prefix", "write_interval", "messages", "guilds", "seed", "workers", "index"}``:
  generates the benchmark's workload (``workload.py``, the same in every process), keeps
  the messages of the guilds this process owns (guild ``n`` of the workload belongs to
  process ``n % workers``: what ``(guild_id >> 22) % shard_count`` does with real
  snowflakes), opens the store (the ``policy`` document, or ``Policy.default()`` for None)
  and answers ``{"ready": true, "failures": 0}`` (as ``tests/stores/store_worker.py``
  does);
- ``{"op": "run", "start": i, "stop": j | null, "start_at": posix}``: from ``start_at`` on
  the wall clock, decides messages ``[i:j)`` of its share one at a time as the runtime does
  (``store.process``, then ``store.schedule`` of the plan's undos); answers how many, the
  wall and CPU seconds, the decisions (punishment per message), the undos scheduled, and
  the monotonic time the first decision was made at (``first_at``, for takeover timing);
- ``{"op": "claim", "now": iso}``: claims due scheduled actions, acknowledges them
  (``store.done``) and answers them;
- ``{"op": "close"}``: closes the store (the last write-behind) and answers the seconds it
  took and the CPU seconds of the whole process.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import pathlib
import sys
import time
import typing

from spamguard.core import Guard, Policy

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import workload

if typing.TYPE_CHECKING:
    from spamguard.adapters.stores.base import Store
    from spamguard.core import Message


def make_store(kind: str, url: str, prefix: str, write_interval: float) -> Store:
    """The store ``kind`` names: the in-memory store, the guild-owned Redis store (its
    write-behind every ``write_interval`` seconds) or the consistent one."""
    if kind == "memory":
        from spamguard.adapters.store_memory import MemoryStore

        return MemoryStore()
    from spamguard.adapters import store_redis

    if kind == "guild-owned":
        return store_redis.RedisStore(url, prefix=prefix, write_interval=write_interval)
    return store_redis.ConsistentRedisStore(url, prefix=prefix)


def share(setup: dict[str, typing.Any]) -> list[Message]:
    """The workload's messages of the guilds process ``index`` of ``workers`` owns."""
    load = workload.generate(
        messages=setup["messages"],
        guilds=setup["guilds"],
        members=max(1_000, 40 * setup["guilds"]),
        seed=setup["seed"],
    )
    owned = {g.id for n, g in enumerate(load.guilds) if n % setup["workers"] == setup["index"]}
    return [m for m in workload.spamguard_messages(load) if m.guild_id in owned]


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    setup = json.loads(await reader.readline())
    messages = share(setup)
    guard = Guard(Policy.from_dict(setup["policy"]) if setup["policy"] else Policy.default())
    store = make_store(setup["store"], setup["url"], setup["prefix"], setup["write_interval"])
    await store.open(guard)

    def answer(data: dict[str, typing.Any]) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    answer({"ready": True, "failures": store.failures})
    while line := await reader.readline():
        command = json.loads(line)
        if command["op"] == "run":
            await asyncio.sleep(max(0.0, command["start_at"] - time.time()))
            wall, cpu = time.perf_counter(), time.process_time()
            decisions: list[str] = []
            batch = messages[command["start"] : command["stop"]]
            undos = 0
            first_at = None
            for message in batch:
                plan = await store.process(guard, message)
                first_at = time.monotonic() if first_at is None else first_at
                items = plan.undos_after(message.created_at)
                undos += len(items)
                await store.schedule(items)
                decisions.append(str(plan.punishment))
            answer(
                {
                    "messages": len(batch),
                    "wall": time.perf_counter() - wall,
                    "cpu": time.process_time() - cpu,
                    "decisions": decisions,
                    "undos": undos,
                    "first_at": first_at,
                    "failures": store.failures,
                }
            )
        elif command["op"] == "claim":
            claimed = await store.claim_due(datetime.datetime.fromisoformat(command["now"]))
            await store.done(claimed)
            answer({"claimed": [item.to_dict() for item in claimed]})
        elif command["op"] == "close":
            started = time.perf_counter()
            await store.close()
            answer({"close": time.perf_counter() - started, "cpu_total": time.process_time()})
            return


if __name__ == "__main__":
    asyncio.run(main())
