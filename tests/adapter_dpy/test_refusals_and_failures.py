"""Protected members are never acted on, and Discord's errors are caught per action:
classified, reported, followed by the next action and the "failed to punish" notice."""

from __future__ import annotations

import asyncio
import logging

import pytest
from adapter_dpy.dpy_world import hierarchy_world, make_policy, protected_bot
from support import payloads

from spamguard.core import FailureKind, RemoveRole

FAILED_NOTICE = "I could not punish {name} ({id}): max_messages."


def _kick_policy(**top: object) -> object:
    # exempt_admins off: the guard decides to punish anyone; only the adapter protects.
    return make_policy("KICK", exempt_admins=False, **top)


@pytest.mark.parametrize("who", ["owner", "admin", "senior", "peer"])
async def test_the_owner_admins_and_members_not_below_the_bot_are_never_punished(who: str) -> None:
    world, sam, pat, _senior = hierarchy_world()
    target = {"owner": world.owner, "admin": world.admin, "senior": sam, "peer": pat}[who]
    policy = _kick_policy(notices={"failed_in_channel": True})
    async with protected_bot(policy, world=world) as p:
        await p.spam(3, author=target)
        g, c = world.guild_id, world.general.id
        # The spam is cleaned, the kick never requested, the (opted-in) failure announced.
        assert p.actions() == [
            ("POST", f"/channels/{c}/messages/bulk-delete"),
            ("POST", f"/channels/{c}/messages"),
        ]
        assert not p.api.find("DELETE", f"/guilds/{g}/members/{target.id}")
        (kick,) = p.recorder.by_kind("kick")
        assert not kick.ok
        assert kick.failure is FailureKind.HIERARCHY
        notice = p.api.requests[-1]
        assert notice.json["content"] == FAILED_NOTICE.format(
            name=target.user.global_name, id=target.id
        )
        assert notice.json["allowed_mentions"] == {"parse": [], "users": [target.id]}


async def test_a_mute_role_not_below_the_bots_top_role_is_never_given() -> None:
    world, _sam, _pat, senior = hierarchy_world()
    policy = make_policy("MUTE", clean=False, mute_role_id=senior.id)
    async with protected_bot(policy, world=world) as p:
        await p.spam(3)
        assert not p.api.find("PUT")
        (add_role,) = p.recorder.by_kind("add_role")
        assert add_role.failure is FailureKind.HIERARCHY
        assert "Senior" in add_role.detail
        assert p.actions() == []


async def test_a_member_missing_from_the_cache_is_looked_up_before_the_punishment() -> None:
    world = payloads.build_world()
    # dave posts but GUILD_CREATE did not list him (a large guild without a member chunk).
    dave = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(world.alice.joined_at, increment=77), username="dave"
        ),
        joined_at=world.alice.joined_at,
    )
    async with protected_bot(make_policy("KICK", clean=False), world=world) as p:
        for i in range(3):
            await p.h.dispatch(
                "MESSAGE_CREATE",
                payloads.message_create(
                    channel_id=world.general.id,
                    author=dave,
                    guild_id=world.guild_id,
                    content=f"hi {i}",
                ),
            )
        g = world.guild_id
        assert p.actions() == [
            ("GET", f"/guilds/{g}/members/{dave.id}"),
            ("DELETE", f"/guilds/{g}/members/{dave.id}"),
        ]


@pytest.mark.parametrize(
    ("status", "kind"),
    [(403, FailureKind.FORBIDDEN), (404, FailureKind.NOT_FOUND), (503, FailureKind.SERVER_ERROR)],
)
async def test_a_failed_clean_is_classified_and_the_punishment_still_runs(
    status: int, kind: FailureKind
) -> None:
    async with protected_bot(make_policy("KICK")) as p:
        p.api.fail("POST", "/channels/{c}/messages/bulk-delete", status=status)
        await p.spam(3)
        (delete,) = p.recorder.by_kind("delete")
        assert delete.failure is kind
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions()[-1] == ("DELETE", f"/guilds/{g}/members/{alice}")
        (kick,) = p.recorder.by_kind("kick")
        assert kick.ok
        # A failed clean is no failed punishment: no notice.
        assert not p.api.find("POST", "/channels/{c}/messages")
        assert p.protection.stats["runtime"]["actions_failed"] == {str(kind): 1}


@pytest.mark.parametrize(
    ("status", "kind"),
    [(403, FailureKind.FORBIDDEN), (404, FailureKind.NOT_FOUND), (503, FailureKind.SERVER_ERROR)],
)
async def test_a_failed_punishment_is_classified_and_announced_when_the_policy_opts_in(
    status: int, kind: FailureKind
) -> None:
    policy = make_policy("TIMEOUT", clean=False, notices={"failed_in_channel": True})
    async with protected_bot(policy) as p:
        p.api.fail("PATCH", "/guilds/{g}/members/{u}", status=status)
        await p.spam(3)
        (timeout,) = p.recorder.by_kind("timeout")
        assert timeout.failure is kind
        alice, c = p.world.alice, p.world.general.id
        assert p.actions()[-1] == ("POST", f"/channels/{c}/messages")
        assert p.api.requests[-1].json["content"] == FAILED_NOTICE.format(
            name=alice.user.global_name, id=alice.id
        )


async def test_a_forbidden_dm_does_not_stop_the_ban() -> None:
    policy = make_policy("BAN", clean=False, rule={"punishment_dms": True})
    async with protected_bot(policy) as p:
        p.api.fail("POST", "/channels/{c}/messages", status=403, code=50007)
        await p.spam(3)
        (dm,) = p.recorder.by_kind("dm")
        assert dm.failure is FailureKind.FORBIDDEN
        assert "50007" in dm.detail
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions()[-1] == ("PUT", f"/guilds/{g}/bans/{alice}")
        assert p.recorder.by_kind("ban")[0].ok


async def test_a_long_rate_limit_ends_at_the_action_deadline_and_the_next_action_runs() -> None:
    # The libraries sleep on any retry_after; the per-action deadline bounds the wait.
    async with protected_bot(make_policy("KICK"), action_timeout=0.3) as p:
        p.api.fail("POST", "/channels/{c}/messages/bulk-delete", status=429, retry_after=60.0)
        await p.spam(3)
        (delete,) = p.recorder.by_kind("delete")
        assert delete.failure is FailureKind.TIMEOUT
        assert len(p.api.find("POST", "/channels/{c}/messages/bulk-delete")) == 1
        assert p.recorder.by_kind("kick")[0].ok


async def test_a_rate_limited_punishment_times_out_and_is_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with protected_bot(make_policy("KICK", clean=False), action_timeout=0.3) as p:
        p.api.fail("DELETE", "/guilds/{g}/members/{u}", status=429, retry_after=60.0)
        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            await p.spam(3)
        (kick,) = p.recorder.by_kind("kick")
        assert kick.failure is FailureKind.TIMEOUT
        # Not announced where the spammer reads it (notices.failed_in_channel is off).
        assert not p.api.find("POST", "/channels/{c}/messages")
        (logged,) = [r for r in caplog.records if "could not punish" in r.getMessage()]
        assert f"member {p.world.alice.id} of guild {p.world.guild_id}" in logged.getMessage()


async def test_a_short_rate_limit_is_waited_out_by_the_library() -> None:
    async with protected_bot(make_policy("KICK", clean=False)) as p:
        p.api.fail("DELETE", "/guilds/{g}/members/{u}", status=429, retry_after=0.05)
        await p.spam(3)
        assert [r.status for r in p.api.find("DELETE", "/guilds/{g}/members/{u}")] == [429, 204]
        assert p.recorder.by_kind("kick")[0].ok


async def test_persistent_server_errors_end_at_the_action_deadline() -> None:
    # 500 is retried by the libraries with growing sleeps (1 s, 3 s...): the deadline wins.
    async with protected_bot(make_policy("KICK"), action_timeout=0.3) as p:
        p.api.fail("POST", "/channels/{c}/messages/bulk-delete", status=500, times=None)
        await p.spam(3)
        assert p.recorder.by_kind("delete")[0].failure is FailureKind.TIMEOUT
        assert p.recorder.by_kind("kick")[0].ok


@pytest.mark.parametrize("status", [403, 404, 503])
async def test_a_tempban_that_failed_is_never_lifted(status: int) -> None:
    # An unban for a ban that never happened could lift a moderator's ban placed since.
    async with protected_bot(make_policy("TEMPBAN", clean=False, duration=30)) as p:
        p.api.fail("PUT", "/guilds/{g}/bans/{u}", status=status)
        await p.spam(3)
        assert not p.recorder.by_kind("ban")[0].ok

        p.clock.advance(3600)
        await asyncio.sleep(0.2)  # the scheduler polls every 0.02 s
        assert not p.api.find("DELETE", "/guilds/{g}/bans/{u}")
        assert await p.protection.runtime.store.next_due() is None


async def test_a_refused_tempmute_never_removes_the_mute_role() -> None:
    world, sam, _pat, _senior = hierarchy_world()
    policy = make_policy("TEMPMUTE", clean=False, duration=30, mute_role_id=world.muted_role.id)
    async with protected_bot(policy, world=world) as p:
        await p.spam(3, author=sam)
        (add_role,) = p.recorder.by_kind("add_role")
        assert add_role.failure is FailureKind.HIERARCHY

        p.clock.advance(3600)
        await asyncio.sleep(0.2)
        assert p.actions() == []
        assert p.recorder.by_kind("remove_role") == []


@pytest.mark.parametrize("who", ["senior", "peer"])
async def test_a_role_removal_is_refused_for_a_member_not_below_the_bot(who: str) -> None:
    world, sam, pat, _senior = hierarchy_world()
    target = {"senior": sam, "peer": pat}[who]
    async with protected_bot(make_policy(), world=world) as p:
        removal = RemoveRole(
            guild_id=world.guild_id, user_id=target.id, role_id=world.muted_role.id
        )
        outcome = await p.protection.runtime.run_action(removal, guild_id=world.guild_id)

        assert (outcome.ok, outcome.failure) == (False, FailureKind.HIERARCHY)
        assert "is not below the bot's top role" in outcome.detail
        assert p.actions() == []


async def test_a_slow_role_add_is_undone_its_whole_duration_after_it_completed_and_once() -> None:
    world = payloads.build_world()
    policy = make_policy("TEMPMUTE", clean=False, duration=30, mute_role_id=world.muted_role.id)
    role_path = f"/guilds/{world.guild_id}/members/{world.alice.id}/roles/{world.muted_role.id}"
    async with protected_bot(policy, world=world) as p:
        # Discord rate-limits the role add: the library waits, then sends it again.
        p.api.fail("PUT", "/guilds/{g}/members/{u}/roles/{r}", status=429, retry_after=0.5)
        spamming = asyncio.create_task(p.spam(3))
        await p.api.wait_for("PUT", role_path)
        # The mute's whole duration passes (on the runtime's clock) during the wait.
        p.clock.advance(60)
        await spamming
        await asyncio.sleep(0.2)
        assert [(r.method, r.status) for r in p.api.find("PUT", role_path)] == [
            ("PUT", 429),
            ("PUT", 204),
        ]
        assert not p.api.find("DELETE", role_path)

        # Due 30 s after the add completed, not after the decision.
        p.clock.advance(29.9)
        await asyncio.sleep(0.2)
        assert not p.api.find("DELETE", role_path)
        p.clock.advance(0.1)
        await p.api.wait_for("DELETE", role_path)
        await asyncio.sleep(0.2)
        assert [(r.method, r.status) for r in p.api.requests if r.path == role_path] == [
            ("PUT", 429),
            ("PUT", 204),
            ("DELETE", 204),
        ]
