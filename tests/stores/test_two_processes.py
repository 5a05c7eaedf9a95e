"""Two real bot processes sharing one Redis decide a guild's messages as one process would."""

from __future__ import annotations

import datetime
import json
import random
import time
import typing

import pytest
from support.store_workers import StoreWorker as Worker

from spamguard.core import Guard, Policy

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from spamguard.core import Message


@pytest.fixture
def workers(
    redis_url: str, policy_doc: dict[str, typing.Any]
) -> Iterator[Callable[[], tuple[Worker, Worker]]]:
    started: list[Worker] = []

    def start() -> tuple[Worker, Worker]:
        pair = (Worker(redis_url, policy_doc), Worker(redis_url, policy_doc))
        started.extend(pair)
        return pair

    yield start
    for worker in started:
        worker.close()


def test_interleaved_stream_gets_the_plans_of_one_process(
    workers: Callable[[], tuple[Worker, Worker]],
    policy: Policy,
    stream: Callable[..., list[Message]],
    encode_message: Callable[[Message], dict[str, typing.Any]],
) -> None:
    messages = stream()
    reference = Guard(policy)
    expected = [reference.process(m).to_dict() for m in messages]
    pair = workers()
    rng = random.Random(3)
    got = []
    for message in messages:
        worker = rng.choice(pair)  # the same member's messages land on both processes
        worker.send({"op": "process", "messages": [encode_message(message)]})
        reply = worker.receive()
        got.extend(reply["plans"])
        assert reply["failures"] == 0
    assert got == expected
    assert {p["punishment"] for p in got} >= {"TEMPBAN", "KICK", "TIMEOUT", "WARN"}

    # Both poll for due actions: every unban goes to exactly one of them.
    due = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC).isoformat()
    claims = []
    for worker in pair:
        worker.send({"op": "claim", "now": due})
        claims.extend(worker.receive()["claimed"])
    # Each unban as kept once its ban succeeded (the worker's bans complete at once).
    scheduled = [
        {"run_at": s["run_at"], "action": s["action"]} for p in expected for s in p["scheduled"]
    ]
    assert sorted(map(json.dumps, claims)) == sorted(map(json.dumps, scheduled))


def test_a_flood_split_over_two_processes_at_once_is_punished_once(
    workers: Callable[[], tuple[Worker, Worker]],
    make_message: Callable[..., Message],
    encode_message: Callable[[Message], dict[str, typing.Any]],
) -> None:
    """Both processes handle the same member's messages at the same moment: the member lock
    makes them take turns, so the incident opens once and no message is deleted twice."""
    flood = [make_message(700 + i, 61, f"flood number {i}", 0.05 * i) for i in range(40)]
    first, second = workers()
    start_at = time.time() + 0.2  # both begin together
    first.send(
        {
            "op": "process",
            "messages": [encode_message(m) for m in flood[0::2]],
            "start_at": start_at,
        }
    )
    second.send(
        {
            "op": "process",
            "messages": [encode_message(m) for m in flood[1::2]],
            "start_at": start_at,
        }
    )
    replies = [first.receive(), second.receive()]
    plans = [plan for reply in replies for plan in reply["plans"]]
    assert all(reply["failures"] == 0 for reply in replies)
    assert [p["punishment"] for p in plans].count("TEMPBAN") == 1
    deleted = sorted(
        mid
        for p in plans
        for a in p["actions"]
        if a["kind"] == "delete"
        for mid in a["message_ids"]
    )
    assert deleted == [m.id for m in flood]
    # Each plan is the flood's, and every message was counted once.
    assert max(v["count"] for p in plans for v in p["violations"]) == len(flood)
