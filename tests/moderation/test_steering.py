"""``status``, ``dryrun`` and ``reload``: what moderators see and steer, through a real
runtime, its store and its policy file."""

from __future__ import annotations

import asyncio
import pathlib
import typing

from support.moderated import POLICY

from spamguard.adapters.runtime import Protection, Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Guard, Policy
from spamguard.moderation import Moderation

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.executors import RecordingExecutor
    from support.moderated import ModeratedFactory

INVALID = """\
version: 1
spam:
  levels:
    0:
      punishment: NOPE
      max_messages: {count: -1, interval: 10}
      max_links: {count: 2}
"""


async def test_status_says_what_runs_here_and_what_it_counted(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        for i in range(3):
            await m.send(f"spam {i}", t=i)
        answer = await m.moderation.status(m.messages.GUILD)
        assert answer.ok
        assert "Dry run: off (as the policy says)" in answer.text
        assert "level:0: max_messages 3/10s, max_duplicates 5/30s -> TIMEOUT" in answer.text
        assert "Counted: 3 messages, 1 incident" in answer.text
        assert "Raid mode: not watched" in answer.text
        assert answer.data["counters"]["action:timeout"] == 1
        assert answer.data["rules"] == ["level:0"]
        assert answer.data["raid_mode"] is None
        assert answer.data["started"] is True


async def test_dry_run_on_reports_instead_of_punishing_and_off_punishes_again(
    moderated: ModeratedFactory, kinds: Callable[[list[object]], list[str]]
) -> None:
    async with moderated() as m:
        guild = m.messages.GUILD
        on = await m.moderation.set_dry_run(guild, True, moderator_id=42)
        assert on.ok and on.data["dry_run"] is True and on.data["changed"] is True
        assert "The policy says off" in on.text
        plans = [await m.send(f"spam {i}", t=i) for i in range(3)]
        assert plans[-1].punishment == "TIMEOUT" and plans[-1].dry_run
        await m.runtime.deletions.flush()
        assert m.executor.sent == []  # reported, never sent
        assert "Dry run: on (set by a moderator; the policy says off)" in (
            (await m.moderation.status(guild)).text
        )
        again = await m.moderation.set_dry_run(guild, True, moderator_id=42)
        assert "Nothing changed" in again.text
        off = await m.moderation.set_dry_run(guild, None, moderator_id=42)
        assert off.data == {
            "guild_id": guild,
            "dry_run": False,
            "override": None,
            "policy_dry_run": False,
            "changed": True,
        }
        plans = [await m.send(f"more {i}", t=60 + i) for i in range(3)]
        assert not plans[-1].dry_run
        await m.runtime.deletions.flush()
        assert "timeout" in kinds(m.executor.sent)


async def test_a_moderators_dry_run_survives_a_restart(
    tmp_path: pathlib.Path, executor: RecordingExecutor
) -> None:
    path = tmp_path / "state.json"

    async def started() -> Runtime:
        runtime = Runtime(
            Guard(Policy.from_dict({"version": 1})), executor, store=MemoryStore(path)
        )
        await runtime.start()
        return runtime

    runtime = await started()
    await Moderation(Protection(runtime, _no_detach)).set_dry_run(1, True, moderator_id=2)
    await runtime.stop()
    runtime = await started()
    assert runtime.guard.policy_for(1).dry_run is True
    assert "set by a moderator" in (
        (await Moderation(Protection(runtime, _no_detach)).status(1)).text
    )
    await runtime.stop()


async def _no_detach() -> None:
    return None


async def test_reload_reads_the_policy_file_again(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        m.policy_path.write_text(POLICY.replace("count: 3", "count: 5"), encoding="utf-8")
        answer = await m.moderation.reload()
        assert answer.ok, answer.text
        assert str(m.policy_path) in answer.text
        plans = [await m.send(f"spam {i}", t=i) for i in range(4)]
        assert [p.punishment for p in plans] == ["NONE"] * 4  # 5 messages now


async def test_an_invalid_policy_is_answered_with_every_problem_and_the_old_one_stays(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        before = m.runtime.guard.policy
        m.policy_path.write_text(INVALID, encoding="utf-8")
        answer = await m.moderation.reload()
        assert not answer.ok
        assert "NOT reloaded (3 problems" in answer.text
        assert "the one in use stays" in answer.text
        for path in (
            "spam.levels.0.punishment",
            "spam.levels.0.max_messages.count",
            "spam.levels.0.max_links.interval",
        ):
            assert f"- {path}: " in answer.text
        assert {issue["path"] for issue in answer.data["issues"]} >= {
            "spam.levels.0.punishment",
            "spam.levels.0.max_messages.count",
        }
        assert m.runtime.guard.policy is before
        plans = [await m.send(f"spam {i}", t=i) for i in range(3)]
        assert plans[-1].punishment == "TIMEOUT"
        # A file that is no longer there: said so, the policy stays.
        m.policy_path.unlink()
        gone = await m.moderation.reload()
        assert not gone.ok and str(m.policy_path) in gone.text
        assert m.runtime.guard.policy is before


async def test_a_policy_given_as_a_value_has_nothing_to_read_again(
    executor: RecordingExecutor,
) -> None:
    runtime = Runtime(Guard(Policy.from_dict({"version": 1})), executor)
    answer = await Moderation(Protection(runtime, _no_detach)).reload()
    assert not answer.ok
    assert "nothing to read again" in answer.text


async def test_a_reload_while_messages_are_decided_loses_none_of_them(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        messages = [m.message(f"text {i}", t=i * 0.01, author_id=3000 + i % 7) for i in range(300)]
        variants = [POLICY, POLICY.replace("count: 3", "count: 4"), INVALID]

        async def reloads() -> list[bool]:
            done = []
            for index in range(30):
                m.policy_path.write_text(variants[index % 3], encoding="utf-8")
                done.append((await m.moderation.reload()).ok)
                await asyncio.sleep(0)
            return done

        plans, done = await asyncio.gather(
            asyncio.gather(*(m.runtime.handle(message) for message in messages)), reloads()
        )
        assert all(plan is not None for plan in plans)
        assert m.runtime.stats.errors == 0
        assert m.runtime.stats.messages == len(messages)
        assert done.count(False) == 10  # the invalid file, every third time
        assert m.runtime.guard.stats(m.messages.GUILD)["messages"] == len(messages)
