"""Members joining and leaving in the simulation kit: ``member(...).joins()`` and
``.leaves()``, logs with member lines, lockdowns the kit can assert."""

from __future__ import annotations

import json
import pathlib
import typing

from spamguard.core import JoinContext, MemberJoin, SkipReason, hookimpl
from spamguard.core.actions import incident_actions_for
from spamguard.core.windows import Entry
from spamguard.testing import (
    MemberRecord,
    Simulation,
    assert_not_punished,
    assert_punished,
    read_log,
)

if typing.TYPE_CHECKING:
    from spamguard.core import Action

POLICY = {
    "new_members": {"joined_within": 600},
    "spam": {
        "levels": {
            -1: {"punishment": "KICK", "max_links": {"count": 1, "interval": 60}},
            0: {"max_messages": {"count": 8, "interval": 5}},
        }
    },
}


class Lockdown:
    """Pauses invites for an hour from the third join within ten seconds."""

    name = "lockdown"

    @hookimpl
    def spamguard_check_member_join(self, join: MemberJoin, context: JoinContext) -> list[Action]:
        window = context.window("joins", interval=10)
        window.add(Entry(context.now.timestamp(), join.user_id, 0, join.user_id))
        if len(window) != 3:
            return []
        return [incident_actions_for(guild_id=join.guild_id, now=context.now, invites_seconds=3600)]


def test_a_member_who_joins_is_new_until_joined_within_has_passed() -> None:
    sim = Simulation(POLICY)
    zed, old = sim.member(name="zed"), sim.member(name="old")
    zed.joins(at=0)
    zed.says("https://raid.example", at=5)
    old.says("https://old.example", at=6)
    result = sim.run()
    assert_punished(result, zed, "KICK")
    assert_not_punished(result, old)
    assert [step.join for step in result.member_steps] == [True]

    zed.says("https://raid.example", at=700)
    assert_not_punished(sim.run(), zed)


def test_a_member_who_left_is_not_new_and_a_replayed_join_is_skipped() -> None:
    sim = Simulation(POLICY)
    zed = sim.member(name="zed")
    zed.joins(at=0)
    zed.joins(at=0)
    zed.leaves(at=1)
    zed.says("https://raid.example", at=2)
    result = sim.run()
    assert [step.plan.skipped_reason for step in result.member_steps] == [
        None,
        SkipReason.REDELIVERED,
        None,
    ]
    assert_not_punished(result, zed)
    assert result.summary().to_dict()["joins"] == 2


def test_a_lockdown_is_an_action_the_kit_asserts_and_dry_run_shows() -> None:
    sim = Simulation({**POLICY, "dry_run": True}, plugins=[Lockdown()])
    raiders = [sim.member(name=f"raider{i}") for i in range(4)]
    for index, raider in enumerate(raiders):
        raider.joins(at=index)
    result = sim.run()
    lockdowns = result.actions("incident_actions")
    assert lockdowns == [
        incident_actions_for(guild_id=raiders[0].guild.id, now=sim.time_of(2), invites_seconds=3600)
    ]
    assert all(step.plan.dry_run for step in result.member_steps)
    assert sim.results().member_steps == result.member_steps


def test_a_log_with_member_lines_feeds_the_simulation(tmp_path: pathlib.Path) -> None:
    sim = Simulation(POLICY)
    lines = [
        {"type": "member_join", "guild_id": 1, "user_id": 4, "joined_at": sim.time_of(1).isoformat()},
        {"guild_id": 1, "channel_id": 2, "author_id": 4, "content": "https://x.example", "created_at": sim.time_of(2).isoformat()},
    ]  # fmt: skip
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    records = list(read_log(path))
    assert isinstance(records[0], MemberRecord)
    assert sim.feed(records) == 2
    result = sim.run()
    assert result[0].punishment == "KICK"
