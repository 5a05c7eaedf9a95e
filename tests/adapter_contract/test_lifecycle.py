"""Protection's life: the policy it starts with, letting go, and a store that never
opens."""

from __future__ import annotations

import asyncio
import logging
import typing

import pytest

from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Policy

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import LibraryHarness

POLICY_ENV = "SPAMGUARD_POLICY"

BAN_AT_TWO = """\
version: 1
spam:
  levels:
    0:
      punishment: BAN
      max_messages: {count: 2, interval: 10}
"""


async def test_detach_lets_go(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
) -> None:
    # For lightbulb the extension's listeners stay loaded after detach(): the detached
    # protection must still answer nothing and never restart.
    async with guard(policy_factory("KICK")) as g:
        await g.protection.detach()

        await g.spam(5)

        assert g.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0
        assert not g.protection.runtime.started


async def test_without_a_policy_the_file_named_by_the_environment_is_enforced(
    guard: GuardFactory, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BAN_AT_TWO, encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(path))
    async with guard(None) as g:
        assert g.protection.guard.policy == Policy.from_file(path)

        await g.spam(2)

        assert g.calls() == [("PUT", f"/guilds/{g.world.guild_id}/bans/{g.world.alice.id}")]
        assert g.protection.stats["runtime"]["actions_ok"] == {"ban": 1}


async def test_without_a_policy_or_the_environment_the_default_policy_is_enforced(
    guard: GuardFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    async with guard(None) as g:
        assert g.protection.guard.policy == Policy.default()


async def test_a_store_that_never_opens_logs_one_traceback_not_one_per_message(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    tmp_path: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The snapshot path is a folder: every start fails the same way, and every event
    # retries it. Nothing is done, each failure is counted, one traceback is logged.
    store = MemoryStore(tmp_path, save_interval=None)
    caplog.set_level(logging.DEBUG, logger="spamguard")
    async with guard(policy_factory("KICK", clean=True), store=store) as g:
        await g.spam(4)

        assert g.requests == ()
        assert not g.protection.runtime.started
        # The start with the bot, then each message.
        assert g.protection.runtime.stats.errors >= 5
    failures = [r for r in caplog.records if "could not start" in r.getMessage()]
    assert len(failures) >= 5
    assert [r.levelno for r in failures if r.levelno > logging.DEBUG] == [logging.ERROR]


async def test_detach_sends_the_deletions_still_gathering(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # A window far longer than the test: only detach() can send the clean.
    async with guard(policy_factory("TIMEOUT", clean=True), delete_window=3600) as g:
        sent = [
            g.world.message(content=f"spam {i}", created_at=g.clock.advance(0.001))
            for i in range(3)
        ]
        for payload in sent:
            g.harness.consume("MESSAGE_CREATE", payload)
        await g.api.wait_for("PATCH", "/guilds/{g}/members/{u}")
        runtime = g.protection.runtime
        while runtime.deletions.pending < 3:
            await asyncio.sleep(0.01)
        assert not g.api.find("POST", "/channels/{c}/messages/bulk-delete")

        await asyncio.wait_for(g.protection.detach(), timeout=10)

        (bulk,) = g.api.find("POST", "/channels/{c}/messages/bulk-delete")
        assert sorted(map(int, bulk.json["messages"])) == sorted(int(m["id"]) for m in sent)
        assert g.recorder.outcome("delete").ok
