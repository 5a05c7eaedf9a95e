"""Takeover: a bot process on the guild-owned store is killed with SIGKILL, and another
process decides its guilds from what the first wrote behind to Redis. What a crash can lose
is at most the write-behind interval of counters and windows, never a scheduled undo."""

from __future__ import annotations

import datetime
import json
import time
import typing

import pytest
from support.store_workers import StoreWorker

from spamguard.core import Guard, Policy

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from spamguard.core import Message

WRITE_INTERVAL = 0.1
"""The write-behind interval of the processes (short, so the tests are quick)."""

TAKEOVER_LIMIT = 5.0
"""The issue's bound: seconds from the kill to another process deciding the guilds."""

DUE = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC).isoformat()
"""A day after the streams: every undo is due."""


@pytest.fixture
def owned_worker(
    redis_url: str, policy_doc: dict[str, typing.Any]
) -> Iterator[Callable[..., StoreWorker]]:
    """``owned_worker(write_interval=...)``: a process on the guild-owned store."""
    started: list[StoreWorker] = []

    def start(write_interval: float = WRITE_INTERVAL) -> StoreWorker:
        worker = StoreWorker(
            redis_url, policy_doc, store="guild-owned", write_interval=write_interval
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


def _process(
    worker: StoreWorker, messages: list[Message], encode: Callable[[Message], dict[str, typing.Any]]
) -> list[dict[str, typing.Any]]:
    """The plans of ``messages``, decided one after the other by ``worker``."""
    plans = []
    for message in messages:
        worker.send({"op": "process", "messages": [encode(message)]})
        reply = worker.receive()
        assert reply["failures"] == 0
        plans.extend(reply["plans"])
    return plans


def _undos(plans: list[dict[str, typing.Any]]) -> list[str]:
    """The scheduled undos of ``plans``, as the workers claim them."""
    return sorted(
        json.dumps({"run_at": s["run_at"], "action": s["action"]})
        for p in plans
        for s in p["scheduled"]
    )


def _claim_together(*workers: StoreWorker) -> list[str]:
    """Every worker claims what is due at once, then acknowledges what it got as carried
    out; all they got, sorted."""
    for worker in workers:
        worker.send({"op": "claim", "now": DUE})
    claims = [worker.receive()["claimed"] for worker in workers]
    for worker, claimed in zip(workers, claims, strict=True):
        assert worker.ask({"op": "done", "items": claimed})["failures"] == 0
    return sorted(json.dumps(c) for claimed in claims for c in claimed)


def test_a_killed_process_guilds_go_on_elsewhere_with_windows_ladders_and_undos_intact(
    owned_worker: Callable[..., StoreWorker],
    policy: Policy,
    stream: Callable[..., list[Message]],
    encode_message: Callable[[Message], dict[str, typing.Any]],
) -> None:
    messages = stream()
    expected = [p.to_dict() for p in map(Guard(policy).process, messages)]
    first, second, third = owned_worker(), owned_worker(), owned_worker()
    cut = len(messages) * 2 // 3
    before = _process(first, messages[:cut], encode_message)
    # Past a write-behind: everything the first process decided is in Redis.
    time.sleep(WRITE_INTERVAL * 5)

    first.kill()
    killed_at = time.monotonic()
    head = _process(second, messages[cut : cut + 1], encode_message)
    taken_over = time.monotonic() - killed_at
    after = head + _process(second, messages[cut + 1 :], encode_message)

    assert taken_over < TAKEOVER_LIMIT
    # Windows (member, channel, guild scopes, duplicates) and escalation ladders went on
    # exactly as in one process that never died.
    assert before + after == expected
    assert {p["punishment"] for p in after} >= {"TEMPBAN"}
    # The killed process's undos are not lost; two processes claiming at once get each once.
    assert _claim_together(second, third) == _undos(expected)
    assert _claim_together(second, third) == []


def test_a_kill_within_the_write_behind_interval_loses_counters_never_an_undo(
    owned_worker: Callable[..., StoreWorker],
    policy: Policy,
    flood: Callable[..., list[Message]],
    make_message: Callable[..., Message],
    encode_message: Callable[[Message], dict[str, typing.Any]],
) -> None:
    banning = flood(31)
    chat = [make_message(50 + i, 32, f"hi {i}", 2 + i * 0.5) for i in range(6)]
    # One process that never died punishes the sixth message (max_messages: 6 in 5 s).
    reference = Guard(policy)
    assert [reference.process(m).punishment for m in [*banning, *chat]][-1] != "NONE"
    # A write-behind far longer than the test: nothing the first process decided reaches
    # Redis but the undo of its TEMPBAN, which the store keeps at once.
    first, second = owned_worker(write_interval=3600.0), owned_worker()
    banned = _process(first, banning, encode_message)
    chatty = _process(first, chat[:5], encode_message)
    assert banned[-1]["punishment"] == "TEMPBAN"
    assert all(p["punishment"] == "NONE" for p in chatty)

    first.kill()
    (sixth,) = _process(second, chat[5:], encode_message)

    # The five messages before were lost with the process (within its interval)...
    assert sixth["punishment"] == "NONE"
    # ...but not the unban: it runs once, on the other process.
    assert _claim_together(second) == _undos(banned)
