"""One bot process of the two-process tests: its own Guard and ConsistentRedisStore, driven over stdin.

Run as ``python store_worker.py``. The first stdin line is the set-up
(``{"url", "prefix", "policy"}``, optionally ``"claim_lease"``, and ``"store":
"guild-owned"`` with ``"write_interval"`` for the guild-owned store instead of the
consistent one), answered ``{"ready": true}`` once the store is open; each
further line is one command, answered by one JSON
line on stdout:

- ``{"op": "process", "messages": [...], "start_at": posix | null}``: process the
  messages concurrently (as the runtime does: a per-member asyncio lock, then
  ``store.schedule(plan.undos_after(...))``), starting no earlier than ``start_at`` on the wall
  clock so two workers start together; answers ``{"plans": [...], ...}`` in input order;
- ``{"op": "claim", "now": iso}``: answers ``{"claimed": [...]}``;
- ``{"op": "done", "items": [...]}``: acknowledges claimed items, answers ``{"done": true}``;
- ``{"op": "flush"}``: writes the guild-owned store's changed guilds, answers
  ``{"flushed": bool}``;
- ``{"op": "close"}``: closes the store and exits.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import json
import sys
import time
import typing

from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.core import Guard, Message, Policy, ScheduledAction


def _message(data: dict[str, typing.Any]) -> Message:
    fields = dict(data)
    fields["created_at"] = datetime.datetime.fromisoformat(fields["created_at"])
    fields["author_role_ids"] = frozenset(fields["author_role_ids"])
    for name in ("mention_ids", "role_mention_ids"):
        fields[name] = tuple(fields[name])
    return Message(**fields)


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    setup = json.loads(await reader.readline())
    guard = Guard(Policy.from_dict(setup["policy"]))
    options = {"claim_lease": setup["claim_lease"]} if "claim_lease" in setup else {}
    store: RedisStore | ConsistentRedisStore
    if setup.get("store") == "guild-owned":
        store = RedisStore(
            setup["url"],
            prefix=setup["prefix"],
            write_interval=setup["write_interval"],
            **options,
        )
    else:
        store = ConsistentRedisStore(setup["url"], prefix=setup["prefix"], **options)
    await store.open(guard)
    member_locks: collections.defaultdict[tuple[int | None, int], asyncio.Lock] = (
        collections.defaultdict(asyncio.Lock)
    )

    async def handle(message: Message) -> dict[str, typing.Any]:
        async with member_locks[(message.guild_id, message.author_id)]:
            plan = await store.process(guard, message)
            await store.schedule(plan.undos_after(message.created_at))
        return plan.to_dict()

    def answer(data: dict[str, typing.Any]) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    answer({"ready": True, "failures": store.failures})

    while line := await reader.readline():
        command = json.loads(line)
        op = command["op"]
        if op == "process":
            messages = [_message(m) for m in command["messages"]]
            start_at = command.get("start_at")
            if start_at is not None:
                await asyncio.sleep(max(0.0, start_at - time.time()))
            plans = await asyncio.gather(*(handle(m) for m in messages))
            answer(
                {
                    "plans": plans,
                    "failures": store.failures,
                    "round_trips": store.round_trips,
                    "lock_waits": getattr(store, "lock_waits", 0),
                }
            )
        elif op == "claim":
            claimed = await store.claim_due(datetime.datetime.fromisoformat(command["now"]))
            answer({"claimed": [item.to_dict() for item in claimed]})
        elif op == "done":
            await store.done([ScheduledAction.from_dict(item) for item in command["items"]])
            answer({"done": True, "failures": store.failures})
        elif op == "flush":
            assert isinstance(store, RedisStore)
            answer({"flushed": await store.flush()})
        elif op == "close":
            await store.close()
            answer({"closed": True})
            return


if __name__ == "__main__":
    asyncio.run(main())
