"""``spamguard replay`` of a join log with the installed ``join_raid`` extension: the raid's
start and end, its lockdown and its raid joiners show in the replay."""

from __future__ import annotations

import json
import typing

from spamguard.cli.main import main

if typing.TYPE_CHECKING:
    import pathlib

    import pytest

POLICY = """\
spam: {levels: {0: {}}}
extensions:
  join_raid: {joins: 5, interval: 10, quiet: 60, lockdown: {duration: 600}, raid_joiners: KICK}
"""


def test_a_replayed_join_log_shows_the_raid_its_lockdown_and_its_end(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"type": "member_join", "guild_id": 1, "user_id": 100 + i, "joined_at": i * 0.5}
        for i in range(6)
    ]
    lines.append({"type": "member_join", "guild_id": 1, "user_id": 300, "joined_at": 500})
    log = tmp_path / "joins.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)

    assert main(["replay", str(log), "--policy", str(policy), "--all"]) == 0
    out = capsys.readouterr().out
    assert (
        "    - pause invites until 10m from now\n"
        "    - join raid started (5 joins within 10s)\n"
        "    - kick user 100\n" in out
    )
    assert "[+2.5s] line 6  user 105 joined guild 1\n    - kick user 105\n" in out
    assert "    - join raid over (no join for 60s)\n" in out
    assert "  join_raid          1        1\n  join_raid_end      1        1\n" in out
    assert "  kick                  6\n" in out
    # The lift of the pause, at the join that saw the end (a replay runs no timers).
    assert (
        "    - join raid over (no join for 60s)\n"
        "    - lift the pause of invites and DMs, unless a moderator changed it\n" in out
    )
    assert "  incident_actions      2\n" in out
