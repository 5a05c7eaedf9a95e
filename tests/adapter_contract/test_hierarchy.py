"""The owner, administrators and members not below the bot are never acted on; a role is
given or taken only when it is below the bot's top role."""

from __future__ import annotations

import logging
import re
import typing

import pytest
from adapter_contract.wire import mentions
from adapter_contract.worlds import hierarchy_world
from support import payloads

from spamguard.core import FailureKind, RemoveRole

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory

    from spamguard.core import Policy

FAILED_NOTICE = "I could not punish {name} ({id}): max_messages."
ABOVE = re.compile(r"\(position 6\) is not below the bot's top role .*\(position 5\)")
LEVEL = re.compile(r"\(position 5\) is not below the bot's top role .*\(position 5\)")


@pytest.mark.parametrize(
    ("who", "because"),
    [
        ("owner", "owns guild"),
        ("admin", "is an administrator"),
        ("senior", ABOVE),
        ("peer", LEVEL),
    ],
)
@pytest.mark.parametrize("punishment", ["TIMEOUT", "KICK", "BAN"])
async def test_the_owner_admins_and_members_not_below_the_bot_are_refused_with_the_opt_in_notice(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    who: str,
    because: str | re.Pattern[str],
    punishment: str,
) -> None:
    h = hierarchy_world()
    target = {"owner": h.world.owner, "admin": h.world.admin, "senior": h.sam, "peer": h.pat}[who]
    # exempt_admins off: the guard decides to punish anyone; only the adapter protects.
    policy = policy_factory(
        punishment, clean=True, exempt_admins=False, notices={"failed_in_channel": True}
    )
    async with guard(policy, world=h.world) as g:
        await g.spam(3, author=target)
        channel = h.world.general.id

        # The spam is cleaned, the punishment never requested, the failure announced.
        assert g.calls() == [
            ("POST", f"/channels/{channel}/messages/bulk-delete"),
            ("POST", f"/channels/{channel}/messages"),
        ]
        notice = g.requests[-1]
        assert notice.json["content"] == FAILED_NOTICE.format(
            name=target.user.global_name, id=target.id
        )
        assert mentions(notice.json) == {"parse": [], "users": [target.id]}
        (refused,) = g.recorder.failed()
        assert refused.action.kind == punishment.lower()
        assert refused.failure is FailureKind.HIERARCHY
        if isinstance(because, str):
            assert because in refused.detail
        else:
            assert because.search(refused.detail), refused.detail


async def test_a_refusal_without_the_opt_in_notice_is_only_logged(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    h = hierarchy_world()
    async with guard(policy_factory("TIMEOUT"), world=h.world) as g:
        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            await g.spam(3, author=h.sam)

        # No request at all: by default the failure is not announced where the spammer
        # reads it, but logged.
        assert g.requests == ()
        (logged,) = [r for r in caplog.records if "could not punish" in r.getMessage()]
        assert logged.levelno == logging.WARNING
        assert f"member {h.sam.id} of guild {h.world.guild_id}" in logged.getMessage()
        (refused,) = g.recorder.failed()
        assert refused.failure is FailureKind.HIERARCHY
        assert ABOVE.search(refused.detail), refused.detail


@pytest.mark.parametrize("role", ["above", "level"])
async def test_a_mute_role_not_below_the_bots_top_role_is_never_given(
    guard: GuardFactory, policy_factory: Callable[..., Policy], role: str
) -> None:
    # Above: "Senior" (6) over the bot's "Staff" (5); level: the bot's own managed role,
    # its top role in the standard world (4).
    h = hierarchy_world()
    world = h.world if role == "above" else payloads.build_world()
    mute_role = h.senior if role == "above" else world.bot_role
    policy = policy_factory("MUTE", mute_role_id=mute_role.id)
    async with guard(policy, world=world) as g:
        await g.spam(3)

        assert g.requests == ()
        (refused,) = g.recorder.failed()
        assert (refused.action.kind, refused.failure) == ("add_role", FailureKind.HIERARCHY)
        # The refusal names the role (by id or by name) and its position.
        assert str(mute_role.id) in refused.detail or repr(mute_role.name) in refused.detail
        assert f"(position {mute_role.position}) is not below" in refused.detail


async def test_a_member_below_the_bot_is_punished(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    # The moderator's role (position 2) is below the bot's (4); manage-messages would
    # exempt him, so exemptions are off here.
    async with guard(policy_factory("KICK", exempt_admins=False)) as g:
        await g.spam(3, author=world.moderator)

        assert g.calls() == [("DELETE", f"/guilds/{world.guild_id}/members/{world.moderator.id}")]
        assert g.recorder.failed() == []


async def test_the_failure_notice_itself_expires(
    guard: GuardFactory, policy_factory: Callable[..., Policy], world: payloads.GuildWorld
) -> None:
    policy = policy_factory("KICK", exempt_admins=False, notices={"failed_in_channel": True})
    async with guard(policy) as g:
        await g.spam(3, author=world.owner)
        ((_, notice_id),) = g.api.messages

        g.clock.advance(30)
        assert await g.run_due() == 1

        assert g.calls()[-1] == ("DELETE", f"/channels/{world.general.id}/messages/{notice_id}")


async def test_a_refused_tempmute_never_removes_the_mute_role(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    h = hierarchy_world()
    policy = policy_factory("TEMPMUTE", duration=60, mute_role_id=h.world.muted_role.id)
    async with guard(policy, world=h.world) as g:
        await g.spam(3, author=h.sam)
        (refused,) = g.recorder.failed()
        assert (refused.action.kind, refused.failure) == ("add_role", FailureKind.HIERARCHY)

        g.clock.advance(3600)
        assert await g.run_due() == 0
        # The role was never given: nothing to take back, ever.
        assert g.requests == ()
        assert g.recorder.by_kind("remove_role") == []


@pytest.mark.parametrize(("who", "position"), [("senior", ABOVE), ("peer", LEVEL)])
async def test_a_role_removal_is_refused_for_a_member_not_below_the_bot(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    who: str,
    position: re.Pattern[str],
) -> None:
    h = hierarchy_world()
    target = {"senior": h.sam, "peer": h.pat}[who]
    async with guard(policy_factory(), world=h.world) as g:
        removal = RemoveRole(
            guild_id=h.world.guild_id, user_id=target.id, role_id=h.world.muted_role.id
        )
        outcome = await g.protection.runtime.run_action(removal, guild_id=h.world.guild_id)

        assert (outcome.ok, outcome.failure) == (False, FailureKind.HIERARCHY)
        assert position.search(outcome.detail), outcome.detail
        assert g.requests == ()
