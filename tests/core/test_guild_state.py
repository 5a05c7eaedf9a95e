"""One guild's part of the state: guild_part, load_guild, drop_guild, held_guilds."""

from __future__ import annotations

import copy
import json
import typing

import pytest

from spamguard.core import Guard, Policy, ScheduledAction, SnapshotError, Unban
from spamguard.core.engine.guild_state import GUILD_PART_VERSION, guild_parts

Msg = typing.Any

POLICY = {
    "spam": {
        "levels": {
            0: {
                "punishment": "TIMEOUT",
                "clean": True,
                "max_messages": {"count": 3, "interval": 10},
                "max_mentions": {"count": 5, "interval": 10, "scope": "channel"},
            }
        }
    },
    "escalation": {},
}


def flood(guard: Guard, msg: Msg, guild_id: int) -> None:
    for i in range(6):
        guard.process(msg("spam", t=i, guild_id=guild_id, author_id=msg.USER + i % 2))


def two_guilds(msg: Msg) -> Guard:
    guard = Guard(Policy.from_dict(POLICY))
    flood(guard, msg, msg.GUILD)
    flood(guard, msg, msg.OTHER_GUILD)
    return guard


def test_a_guild_part_holds_only_that_guilds_members_windows_marks_and_counters(
    msg: Msg,
) -> None:
    guard = two_guilds(msg)
    part = guard.guild_part(msg.GUILD)
    assert part["version"] == GUILD_PART_VERSION and part["guild_id"] == msg.GUILD
    assert part["members"] and all(row[0] == msg.GUILD for row in part["members"])
    assert part["windows"] and all(row[0][2] == msg.GUILD for row in part["windows"])
    assert part["counters"]["messages"] == 6
    other_ids = {row[0] for row in guard.guild_part(msg.OTHER_GUILD)["cleaned"]}
    assert part["cleaned"] and not other_ids & {row[0] for row in part["cleaned"]}
    json.dumps(part)  # plain JSON data


def test_a_guild_loaded_into_another_guard_decides_as_the_first_would_have(msg: Msg) -> None:
    first = two_guilds(msg)
    second = Guard(Policy.from_dict(POLICY))
    second.load_guild(msg.GUILD, json.loads(json.dumps(first.guild_part(msg.GUILD))))
    assert second.held_guilds() == {msg.GUILD}
    assert second.guild_part(msg.GUILD) == first.guild_part(msg.GUILD)
    following = msg("spam", t=7, author_id=msg.USER)
    assert second.process(following) == first.process(following)


def test_load_guild_replaces_what_was_held_of_that_guild_only(msg: Msg) -> None:
    guard = two_guilds(msg)
    other_before = guard.guild_part(msg.OTHER_GUILD)
    empty = Guard(Policy.from_dict(POLICY)).guild_part(msg.GUILD)
    guard.load_guild(msg.GUILD, empty)
    assert guard.held_guilds() == {msg.OTHER_GUILD}
    assert guard.guild_part(msg.GUILD) == empty
    assert guard.guild_part(msg.OTHER_GUILD) == other_before


def test_drop_guild_forgets_the_guild_and_its_clean_marks_but_keeps_the_schedule(
    msg: Msg,
) -> None:
    guard = two_guilds(msg)
    guard.schedule(ScheduledAction(msg.at(300), Unban(guild_id=msg.GUILD, user_id=msg.USER)))
    pending = guard.pending()
    assert pending
    marks = {row[0] for row in guard.guild_part(msg.GUILD)["cleaned"]}
    guard.drop_guild(msg.GUILD)
    assert guard.held_guilds() == {msg.OTHER_GUILD}
    assert not marks & set(guard.state.cleaned)
    assert guard.stats(msg.GUILD) == {}
    assert guard.pending() == pending


def test_guild_parts_in_one_pass_equal_each_guild_part(msg: Msg) -> None:
    guard = two_guilds(msg)
    parts = guild_parts(guard.state, (msg.GUILD, msg.OTHER_GUILD, 5))
    assert parts[msg.GUILD] == guard.guild_part(msg.GUILD)
    assert parts[msg.OTHER_GUILD] == guard.guild_part(msg.OTHER_GUILD)
    assert parts[5]["members"] == [] and parts[5]["counters"] == {}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda p: p.update(version=99), "version"),
        (lambda p: p.update(guild_id=5), "guild_id"),
        (lambda p: p["members"][0].__setitem__(0, 5), r"members\[0\].guild_id"),
        (lambda p: p["windows"][0][0].__setitem__(2, 5), r"windows\[0\].key"),
        (lambda p: p["members"][0][2].update(warn_count=-1), r"members\[0\].state.warn_count"),
        (lambda p: p["counters"].update(messages="many"), "counters.messages"),
        (lambda p: p.pop("windows"), "windows"),
    ],
)
def test_load_guild_refuses_malformed_data_naming_the_field_and_changes_nothing(
    msg: Msg, change: typing.Callable[[dict[str, typing.Any]], None], named: str
) -> None:
    guard = two_guilds(msg)
    bad = copy.deepcopy(guard.guild_part(msg.GUILD))
    change(bad)
    before = guard.snapshot()
    with pytest.raises(SnapshotError, match=named):
        guard.load_guild(msg.GUILD, bad)
    assert guard.snapshot() == before


def test_load_guild_refuses_what_is_not_an_object(msg: Msg) -> None:
    with pytest.raises(SnapshotError, match="JSON object"):
        Guard(Policy.from_dict(POLICY)).load_guild(msg.GUILD, [])  # type: ignore[arg-type]
