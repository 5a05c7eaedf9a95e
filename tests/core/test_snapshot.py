"""Snapshots: the whole state as JSON data; a restored guard decides like the original."""

from __future__ import annotations

import json
import random
import typing

import pytest

from spamguard.core import Guard, Message, Plan, Policy, SnapshotError

Msg = typing.Any
"""The ``msg`` fixture's type (conftest's ``Messages``, which test modules cannot import)."""

POLICY = {
    "mute_role_id": 999,
    "escalation": {"kick_threshold": 1, "timeout_threshold": 1},
    "spam": {
        "levels": {
            0: {
                "punishment": "TEMPMUTE",
                "punishment_duration": 30,
                "clean": True,
                "channel_whitelist": [2009],
                "max_messages": {"count": 4, "interval": 5},
                "max_links": {"count": 3, "interval": 20, "punishment": "TEMPBAN"},
                "max_duplicates": {"count": 3, "interval": 15, "accuracy": 85},
                "max_mentions": {"count": 6, "interval": 10, "scope": "channel"},
            }
        }
    },
}

WORDS = ["hi", "free nitro", "https://spam.example", "lol", "FREE NITRO!", "ok then"]


def stream(msg: Msg, seed: int, n: int = 120) -> list[Message]:
    """A deterministic mix of members, channels, links, duplicates, mentions and edits."""
    rng = random.Random(seed)
    t = 0.0
    out: list[Message] = []
    for _ in range(n):
        t += rng.choice([0.2, 0.5, 1.0, 3.0, 12.0])
        if out and rng.random() < 0.1:
            # An edit (same id and time, new text) or a redelivery of an earlier message.
            old = rng.choice(out[-10:])
            content = old.content if rng.random() < 0.5 else rng.choice(WORDS)
            out.append(
                Message(
                    id=old.id,
                    guild_id=old.guild_id,
                    channel_id=old.channel_id,
                    author_id=old.author_id,
                    content=content,
                    created_at=old.created_at,
                )
            )
            continue
        out.append(
            msg(
                rng.choice(WORDS),
                t=t,
                author_id=rng.choice([1, 2, 3]),
                channel_id=rng.choice([2000, 2001, 2009]),
                mention_ids=tuple(range(rng.choice([0, 0, 3]))),
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_restored_guard_decides_like_the_original(msg: Msg, seed: int) -> None:
    policy = Policy.from_dict(POLICY)
    messages = stream(msg, seed)
    straight = Guard(policy)
    expected = [straight.process(m) for m in messages]
    # The stream does exercise the state: punishments, cleans, redeliveries.
    assert any(p.punishment != "NONE" for p in expected)
    assert any(a.kind == "delete" for p in expected for a in p.actions)
    assert any(p.skipped_reason == "redelivered" for p in expected)

    for split in (1, 30, 60, 90):
        first = Guard(policy)
        plans = [first.process(m) for m in messages[:split]]
        data = json.loads(json.dumps(first.snapshot()))
        second = Guard.restore(policy, data)
        plans += [second.process(m) for m in messages[split:]]
        assert plans == expected, f"split at {split}"
        assert second.snapshot() == straight.snapshot()
        assert second.pending() == straight.pending()
        assert second.stats() == straight.stats()


def carried_out(guard: Guard, plan: Plan, msg: Msg, t: float) -> None:
    """Keep the plan's undos as a runtime does when every punishment succeeded at ``t``."""
    for action in plan.actions:
        for undo in plan.undos_of(action, msg.at(t)):
            guard.schedule(undo)


def test_snapshot_holds_members_windows_counters_and_pending_actions(msg: Msg) -> None:
    guard = Guard(Policy.from_dict(POLICY))
    for t in range(4):
        carried_out(guard, guard.process(msg("https://spam.example", t=t)), msg, t)
    snapshot = guard.snapshot()
    text = json.dumps(snapshot)
    assert json.loads(text) == snapshot
    assert {"version", "members", "windows", "counters", "scheduled"} <= set(snapshot)
    ((guild, user, member),) = snapshot["members"]
    assert (guild, user) == (msg.GUILD, msg.USER)
    assert member["incident_until"] is not None
    assert member["timeout_count"] + member["warn_count"] + member["kick_count"] >= 1
    ((scheduled),) = snapshot["scheduled"]
    assert scheduled["action"]["kind"] == "unban"
    assert snapshot["windows"]


def test_restore_keeps_the_pending_actions_due_times(msg: Msg) -> None:
    policy = Policy.from_dict(POLICY)
    guard = Guard(policy)
    for t in range(3):
        carried_out(guard, guard.process(msg("https://spam.example", t=t)), msg, t)
    restored = Guard.restore(policy, json.loads(json.dumps(guard.snapshot())))
    assert restored.pending() == guard.pending()
    assert restored.next_due() == msg.at(2 + 30)
    assert restored.pop_due(msg.at(31)) == ()
    (due,) = restored.pop_due(msg.at(32))
    assert due.action.kind == "unban"
    assert restored.pending() == ()


def test_restore_passes_constructor_arguments(msg: Msg) -> None:
    policy = Policy.from_dict({**POLICY, "ignore_bots": False})
    restored = Guard.restore(policy, Guard(policy).snapshot(), self_id=msg.USER)
    assert restored.process(msg()).skipped_reason == "self"


def test_restore_refuses_another_version() -> None:
    policy = Policy.from_dict(POLICY)
    snapshot = {**Guard(policy).snapshot(), "version": 99}
    with pytest.raises(SnapshotError, match="snapshot version 99 is not 1"):
        Guard.restore(policy, snapshot)


@pytest.mark.parametrize(
    "damage",
    [
        {"members": [[1, 2, {"warn_count": 1}]]},
        {"windows": [[["max_messages", "u", 1, 2], "sum", 5.0, [[1.0, 2]]]]},
        {"scheduled": [{"run_at": "yesterday", "action": {"kind": "unban"}}]},
        {"scheduled": [{"run_at": "2024-01-01T00:00:00+00:00", "action": {"kind": "explode"}}]},
        {"counters": {"not-a-guild": {}}},
    ],
)
def test_restore_refuses_malformed_data(damage: dict[str, typing.Any]) -> None:
    policy = Policy.from_dict(POLICY)
    with pytest.raises(SnapshotError, match="snapshot field"):
        Guard.restore(policy, {**Guard(policy).snapshot(), **damage})


@pytest.mark.parametrize("snapshot", [[], None, "state", 1], ids=["list", "null", "str", "int"])
def test_restore_refuses_a_snapshot_that_is_not_an_object(snapshot: typing.Any) -> None:
    with pytest.raises(SnapshotError, match="must be a JSON object"):
        Guard.restore(Policy.from_dict(POLICY), snapshot)


def _full_snapshot(msg: Msg) -> dict[str, typing.Any]:
    """A snapshot with a member, windows, clean marks, a pending unban and counters."""
    guard = Guard(Policy.from_dict(POLICY))
    for t in range(4):
        plan = guard.process(msg("https://spam.example", t=t))
        for undo in plan.scheduled:
            guard.schedule(undo.after(msg.at(t)))
    snapshot = json.loads(json.dumps(guard.snapshot()))
    assert snapshot["members"] and snapshot["cleaned"] and snapshot["scheduled"]
    return snapshot


# (where to damage, the bad value, the field the error must name)
DAMAGE: list[tuple[tuple[typing.Any, ...], typing.Any, str]] = [
    (("counters",), [], "counters: must be an object"),
    (("counters", "GUILD"), [], "counters.GUILD: must be an object"),
    (("counters", "GUILD", "messages"), -1, "counters.GUILD.messages: must be a whole number"),
    (("members",), {}, "members: must be a list"),
    (("members", 0), [1, 2], "members[0]: must be a list of 3"),
    (("members", 0, 0), "900", "members[0].guild_id: must be an integer id"),
    (("members", 0, 2), None, "members[0].state: must be an object"),
    (
        ("members", 0, 2, "last_violation"),
        "yesterday",
        "members[0].state.last_violation: must be POSIX seconds or null, got 'yesterday'",
    ),
    (("members", 0, 2, "incident_until"), True, "members[0].state.incident_until"),
    (("members", 0, 2, "warn_count"), 1.5, "members[0].state.warn_count: must be a whole"),
    (("members", 0, 2, "ban_count"), "1", "members[0].state.ban_count"),
    (("members", 0, 2, "incident_severity"), None, "members[0].state.incident_severity"),
    (("members", 0, 2, "cleaned"), {}, "members[0].state.cleaned: must be a list"),
    (("members", 0, 2, "recent", 0, 1), "noon", "members[0].state.recent[0].ts: must be POSIX"),
    (("members", 0, 2, "recent", 0), [1, 2], "members[0].state.recent[0]: must be a list of 4"),
    (("windows", 0, 0), "max_messages", "windows[0].key: must be a list"),
    (("windows", 0, 1), "list", 'windows[0].kind: must be "text" or "sum"'),
    (("windows", 0, 2), -5, "windows[0].horizon: must be seconds"),
    (("windows", 0, 3, 0, 5), 7, "windows[0].entries[0].text: must be a string"),
    (("windows", 0, 3, 0, 0), float("inf"), "windows[0].entries[0].ts: must be POSIX"),
    (("cleaned", 0), 5, "cleaned[0]: must be a list of 2"),
    (("cleaned", 0, 1), "now", "cleaned[0].ts: must be POSIX"),
    (("scheduled", 0), "unban later", "scheduled[0]: must be an object"),
    (("scheduled", 0, "run_at"), "2024-01-01T00:00:00", "scheduled[0]: not a scheduled action"),
    (("processed",), -1, "processed: must be a whole number"),
    (("next_prune",), "soon", "next_prune: must be a whole number"),
]


@pytest.mark.parametrize(
    ("where", "value", "named"), DAMAGE, ids=[".".join(map(str, d[0])) for d in DAMAGE]
)
def test_restore_names_the_field_of_malformed_data(
    msg: Msg, where: tuple[typing.Any, ...], value: typing.Any, named: str
) -> None:
    snapshot = _full_snapshot(msg)
    where = tuple(str(msg.GUILD) if part == "GUILD" else part for part in where)
    named = named.replace("GUILD", str(msg.GUILD))
    target = snapshot
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    with pytest.raises(SnapshotError) as info:
        Guard.restore(Policy.from_dict(POLICY), snapshot)
    assert f"snapshot field {named}" in str(info.value)


def test_restore_names_a_counters_key_that_is_no_guild_id(msg: Msg) -> None:
    # Superscript digits pass str.isdigit() but not int().
    snapshot = _full_snapshot(msg)
    snapshot["counters"]["\u00b2"] = {}
    with pytest.raises(SnapshotError) as info:
        Guard.restore(Policy.from_dict(POLICY), snapshot)
    assert "snapshot field counters key: must be a guild id as a string" in str(info.value)


def test_restore_refuses_a_missing_field(msg: Msg) -> None:
    snapshot = _full_snapshot(msg)
    del snapshot["members"][0][2]["violations"]
    with pytest.raises(SnapshotError, match=r"members\[0\]\.state\.violations: must be present"):
        Guard.restore(Policy.from_dict(POLICY), snapshot)


def test_load_snapshot_of_junk_leaves_the_member_punishable(msg: Msg) -> None:
    # "yesterday" used to load, then every message of the member raised in process().
    policy = Policy.from_dict(POLICY)
    snapshot = _full_snapshot(msg)
    snapshot["members"][0][2]["last_violation"] = "yesterday"
    guard = Guard(policy)
    with pytest.raises(SnapshotError, match="last_violation"):
        guard.load_snapshot(snapshot)
    plans = [guard.process(msg("https://spam.example", t=100 + t)) for t in range(4)]
    assert any(plan.punishment != "NONE" for plan in plans)


def test_a_restored_guard_prunes_like_the_original(msg: Msg) -> None:
    # State is swept every PRUNE_EVERY messages; a restored guard must keep what the
    # policy can still look at (here 2000 s of history) even before its first decision.
    from spamguard.core.engine import PRUNE_EVERY

    policy = Policy.from_dict(
        {"spam": {"levels": {0: {"max_messages": {"count": 100_000, "interval": 2000}}}}}
    )
    first = msg("hello", t=0)
    crowd = [msg(t=1000 + i * 0.01, author_id=10 + i % 50) for i in range(PRUNE_EVERY - 2)]
    later = [msg(t=1200), first]
    straight = Guard(policy)
    expected = [straight.process(m) for m in [first, *crowd, *later]]
    assert expected[-1].skipped_reason == "redelivered"

    before = Guard(policy)
    for m in [first, *crowd]:
        before.process(m)
    restored = Guard.restore(policy, json.loads(json.dumps(before.snapshot())))
    assert [restored.process(m) for m in later] == expected[-2:]
