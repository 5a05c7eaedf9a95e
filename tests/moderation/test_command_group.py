"""The library-neutral ``/spamguard`` group: its table as Discord accepts it, the refusal
rule over the permission bits Discord sends, answers without a protection."""

from __future__ import annotations

import re

import pytest

from spamguard.moderation import command_group as group

# Discord's limits for a chat input command's (and option's) name and description.
_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
_MANAGE_MESSAGES = 1 << 13


def test_every_name_and_description_is_one_discord_accepts() -> None:
    options = [s.option for s in group.SUBCOMMANDS if s.option is not None]
    for thing in (*group.SUBCOMMANDS, *options):
        assert _NAME.match(thing.name), thing.name
        assert 1 <= len(thing.description) <= 100, thing.name
    assert _NAME.match(group.COMMAND)
    assert len(group.COMMAND_DESCRIPTION) <= 100
    assert len(group.SUBCOMMANDS) <= 25  # options of one command


def test_the_subcommands_are_the_issues() -> None:
    assert [(s.name, s.option and (s.option.name, s.option.kind)) for s in group.SUBCOMMANDS] == [
        ("status", None),
        ("explain", ("message", group.OptionKind.STRING)),
        ("cases", ("member", group.OptionKind.USER)),
        ("case", ("number", group.OptionKind.INTEGER)),
        ("pardon", ("member", group.OptionKind.USER)),
        ("dryrun", ("on", group.OptionKind.STRING)),
        ("reload", None),
    ]


@pytest.mark.parametrize(
    ("guild_id", "permissions", "expected"),
    [
        (None, None, group.Refusal.NOT_IN_GUILD),
        (1, None, group.Refusal.NOT_IN_GUILD),
        (1, 0, group.Refusal.NOT_ALLOWED),
        (1, _MANAGE_MESSAGES, group.Refusal.NOT_ALLOWED),
        (1, group.MANAGE_GUILD, None),
        (1, group.ADMINISTRATOR, None),
        (1, group.MANAGE_GUILD | _MANAGE_MESSAGES, None),
    ],
)
def test_refusal_needs_a_server_and_manage_server_or_administrator(
    guild_id: int | None, permissions: int | None, expected: group.Refusal | None
) -> None:
    assert group.refusal(guild_id, permissions) is expected


async def test_a_refusal_comes_before_anything_else() -> None:
    invocation = group.Invocation(
        subcommand="pardon", guild_id=1, moderator_id=2, permissions=0, value=3
    )
    answer = await group.answer(None, invocation)
    assert (answer.ok, answer.text) == (False, group.Refusal.NOT_ALLOWED.value)


async def test_without_a_protection_a_moderator_is_told_it_is_not_running() -> None:
    invocation = group.Invocation(
        subcommand="status", guild_id=1, moderator_id=2, permissions=group.MANAGE_GUILD
    )
    answer = await group.answer(None, invocation)
    assert (answer.ok, answer.text) == (False, group.Refusal.NOT_RUNNING.value)


async def test_a_library_may_say_its_own_way_what_is_not_running() -> None:
    invocation = group.Invocation(
        subcommand="status", guild_id=1, moderator_id=2, permissions=group.MANAGE_GUILD
    )
    answer = await group.answer(None, invocation, not_running="load spamguard first")
    assert (answer.ok, answer.text) == (False, "load spamguard first")
