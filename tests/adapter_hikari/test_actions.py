"""Each punishment becomes exactly the REST calls Discord expects, with audit-log reasons."""

from __future__ import annotations

import asyncio
import datetime
import logging
import typing

import pytest
from support import payloads

from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import DeleteMessages

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import Callable

    from spamguard.core import Policy

    from .conftest import Guarded, GuardedFactory

REASON = "spamguard: max_messages (3/3 in 10s)"


def _requests(g: Guarded) -> list[tuple[str, str, typing.Any, str | None]]:
    return [(r.method, r.path, r.json, r.reason) for r in g.api.requests]


async def _spam(g: Guarded, count: int = 3, **kwargs: typing.Any) -> list[dict[str, typing.Any]]:
    return [await g.send(content=f"spam {i}", **kwargs) for i in range(count)]


def _until(created: dict[str, typing.Any], seconds: float) -> str:
    sent = datetime.datetime.fromisoformat(created["timestamp"])
    return (sent + datetime.timedelta(seconds=seconds)).isoformat()


async def test_clean_bulk_deletes_the_spam_in_one_request(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(clean=True)) as g:
        sent = await _spam(g)

        channel = g.world.general.id
        ids = sorted(m["id"] for m in sent)
        assert _requests(g) == [
            (
                "POST",
                f"/channels/{channel}/messages/bulk-delete",
                {"messages": ids},
                "spamguard: spam cleaned",
            )
        ]


async def test_clean_of_one_message_is_a_single_delete(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(clean=True, checks={"max_characters": {"count": 50, "interval": 10}})
    async with guarded(policy) as g:
        long = await g.send(content="x" * 60)

        assert _requests(g) == [
            (
                "DELETE",
                f"/channels/{g.world.general.id}/messages/{long['id']}",
                None,
                "spamguard: spam cleaned",
            )
        ]


async def test_clean_of_more_than_100_messages_is_chunked_by_100(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(
        clean=True,
        checks={"max_messages": {"count": 150, "interval": 60}, "clean_count": 200},
    )
    async with guarded(policy) as g:
        sent = await _spam(g, 150)

        ids = sorted(int(m["id"]) for m in sent)
        bulk = g.api.find("POST", "/channels/{c}/messages/bulk-delete")
        assert [len(r.json["messages"]) for r in bulk] == [100, 50]
        assert [int(i) for r in bulk for i in r.json["messages"]] == ids
        assert len(g.api.requests) == 2


async def test_warning_pings_only_the_member_and_is_deleted_after_delete_after(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="WARN")) as g:
        await _spam(g)
        alice, channel = g.world.alice.id, g.world.general.id

        (post,) = g.api.requests
        assert (post.method, post.path, post.json) == (
            "POST",
            f"/channels/{channel}/messages",
            {
                "content": f"Hey <@{alice}>, please stop spamming.",
                "allowed_mentions": {"parse": [], "users": [str(alice)]},
            },
        )
        ((_, notice_id),) = g.api.messages

        g.clock.advance(29)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1

        assert _requests(g)[1:] == [
            (
                "DELETE",
                f"/channels/{channel}/messages/{notice_id}",
                None,
                "spamguard: notice expired",
            )
        ]


async def test_no_template_can_ping_everyone_or_a_role(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    notices = {
        "warn": "@everyone @here <@&$GUILDID> $MENTIONMEMBER stop",
        "warn_delete_after": None,
    }
    async with guarded(policy_factory(punishment="WARN", notices=notices)) as g:
        await _spam(g)

        (post,) = g.api.requests
        assert post.json["content"].startswith("@everyone @here <@&")
        assert post.json["allowed_mentions"] == {"parse": [], "users": [str(g.world.alice.id)]}


async def test_dm_opens_a_dm_channel_then_sends_before_the_kick(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", dms=True)) as g:
        await _spam(g)
        alice, guild = g.world.alice.id, g.world.guild_id

        (dm_channel,) = g.api.dm_channels.values()
        assert _requests(g) == [
            ("POST", "/users/@me/channels", {"recipient_id": str(alice)}, None),
            (
                "POST",
                f"/channels/{dm_channel['id']}/messages",
                {
                    "content": "You received a kick in Spamguard Test Guild for spam "
                    "(max_messages: 3/3).",
                    "allowed_mentions": {"parse": []},
                },
                None,
            ),
            ("DELETE", f"/guilds/{guild}/members/{alice}", None, REASON),
        ]


async def test_timeout_patches_communication_disabled_until(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="TIMEOUT", duration=60)) as g:
        sent = await _spam(g)

        assert _requests(g) == [
            (
                "PATCH",
                f"/guilds/{g.world.guild_id}/members/{g.world.alice.id}",
                {"communication_disabled_until": _until(sent[-1], 60)},
                REASON,
            )
        ]


async def test_mute_without_mute_role_is_a_28_day_timeout(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="MUTE")) as g:
        sent = await _spam(g)

        (patch,) = g.api.requests
        assert patch.json == {"communication_disabled_until": _until(sent[-1], 28 * 86400)}


async def test_tempmute_with_mute_role_adds_it_then_removes_it_when_due(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: typing.Any
) -> None:
    policy = policy_factory(punishment="TEMPMUTE", duration=60, mute_role_id=world.muted_role.id)
    async with guarded(policy) as g:
        await _spam(g)
        role_path = f"/guilds/{world.guild_id}/members/{world.alice.id}/roles/{world.muted_role.id}"

        assert _requests(g) == [("PUT", role_path, None, REASON)]
        g.clock.advance(59)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1
        assert _requests(g)[1:] == [("DELETE", role_path, None, "spamguard: temporary mute ended")]
        assert (
            str(world.muted_role.id) not in g.api.members[(world.guild_id, world.alice.id)]["roles"]
        )


async def test_a_slow_role_add_is_undone_its_whole_duration_after_it_completed_and_once(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], world: typing.Any
) -> None:
    policy = policy_factory(punishment="TEMPMUTE", duration=60, mute_role_id=world.muted_role.id)
    role_path = f"/guilds/{world.guild_id}/members/{world.alice.id}/roles/{world.muted_role.id}"
    # The scheduler polls on its own, as in production.
    async with guarded(policy, poll_interval=0.01) as g:
        # Discord rate-limits the role add: hikari waits a second, then sends it again.
        g.api.fail("PUT", "/guilds/{g}/members/{u}/roles/{r}", status=429, retry_after=1.0)
        spamming = asyncio.create_task(_spam(g))
        await g.api.wait_for("PUT", role_path)
        # The mute's whole duration passes (on the runtime's clock) during the wait.
        g.clock.advance(120)
        await spamming
        await asyncio.sleep(0.1)
        assert [(r.method, r.status) for r in g.api.requests] == [("PUT", 429), ("PUT", 204)]

        # Due 60 s after the add completed, not after the decision.
        g.clock.advance(59)
        await asyncio.sleep(0.1)
        assert not g.api.find("DELETE", role_path)
        g.clock.advance(1)
        await g.api.wait_for("DELETE", role_path)
        await asyncio.sleep(0.1)
        assert [(r.method, r.status) for r in g.api.requests] == [
            ("PUT", 429),
            ("PUT", 204),
            ("DELETE", 204),
        ]


async def test_ban_sends_delete_message_seconds(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(punishment="BAN", ban_delete_message_seconds=3600)
    async with guarded(policy) as g:
        await _spam(g)

        assert _requests(g) == [
            (
                "PUT",
                f"/guilds/{g.world.guild_id}/bans/{g.world.alice.id}",
                {"delete_message_seconds": 3600},
                REASON,
            )
        ]


async def test_ban_sends_zero_delete_message_seconds_explicitly(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="BAN")) as g:
        await _spam(g)

        (ban,) = g.api.requests
        assert ban.json == {"delete_message_seconds": 0}


async def test_tempban_is_lifted_by_an_unban_when_due(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="TEMPBAN", duration=60)) as g:
        await _spam(g)
        ban_path = f"/guilds/{g.world.guild_id}/bans/{g.world.alice.id}"
        assert (g.world.guild_id, g.world.alice.id) in g.api.bans

        g.clock.advance(59)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1

        assert _requests(g) == [
            ("PUT", ban_path, {"delete_message_seconds": 0}, REASON),
            ("DELETE", ban_path, None, "spamguard: temporary ban ended"),
        ]
        assert (g.world.guild_id, g.world.alice.id) not in g.api.bans


async def test_tempban_unban_survives_a_restart_through_the_store(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], tmp_path: pathlib.Path
) -> None:
    snapshot = tmp_path / "spamguard.json"
    policy = policy_factory(punishment="TEMPBAN", duration=60)
    async with guarded(policy, store=MemoryStore(snapshot, save_interval=None)) as g:
        await _spam(g)
        assert [r.method for r in g.api.requests] == ["PUT"]
    # The bot closed (StoppingEvent): the pending unban is on disk.
    assert snapshot.exists()

    async with guarded(policy, store=MemoryStore(snapshot, save_interval=None)) as g:
        assert g.api.requests == ()
        g.clock.advance(60)
        assert await g.run_due() == 1

        (unban,) = g.api.requests
        assert (unban.method, unban.path, unban.reason) == (
            "DELETE",
            f"/guilds/{g.world.guild_id}/bans/{g.world.alice.id}",
            "spamguard: temporary ban ended",
        )


async def test_scheduler_runs_due_actions_by_itself(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="TEMPBAN", duration=60), poll_interval=0.02) as g:
        await _spam(g)
        g.clock.advance(61)

        (unban,) = await g.api.wait_for("DELETE", "/guilds/{g}/bans/{u}", timeout=5)
        assert unban.reason == "spamguard: temporary ban ended"


async def test_punishment_notice_then_punishment_in_plan_order(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(
        punishment="TIMEOUT",
        clean=True,
        notices={"punishment": "$MEMBERNAME got a $PUNISHMENT", "punishment_delete_after": None},
    )
    async with guarded(policy) as g:
        await _spam(g)

        assert [(r.method, r.route) for r in g.api.requests] == [
            ("POST", "/channels/{channel_id}/messages/bulk-delete"),
            ("POST", "/channels/{channel_id}/messages"),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}"),
        ]
        assert g.api.requests[1].json["content"] == "Alice got a timeout"
        assert g.protection.stats["runtime"]["actions_ok"] == {"delete": 1, "send": 1, "timeout": 1}
        assert [o.action.kind for o in g.recorder.outcomes] == ["delete", "send", "timeout"]
        assert all(o.ok for o in g.recorder.outcomes)


async def test_messages_past_the_bulk_delete_age_are_deleted_one_by_one(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory()) as g:
        channel = g.world.general.id
        old = [payloads.snowflake(g.clock.now - datetime.timedelta(days=15)) for _ in range(2)]
        new = [payloads.snowflake(g.clock.now - datetime.timedelta(minutes=1)) for _ in range(2)]
        action = DeleteMessages(channel_id=channel, message_ids=(*old, *new), reason="cleanup")

        outcome = await g.protection.runtime.run_action(action, guild_id=g.world.guild_id)

        assert outcome.ok
        assert _requests(g) == [
            (
                "POST",
                f"/channels/{channel}/messages/bulk-delete",
                {"messages": [str(i) for i in new]},
                "cleanup",
            ),
            ("DELETE", f"/channels/{channel}/messages/{old[0]}", None, "cleanup"),
            ("DELETE", f"/channels/{channel}/messages/{old[1]}", None, "cleanup"),
        ]


async def test_tempban_after_a_start_that_failed_on_a_corrupt_snapshot_is_still_undone(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy], tmp_path: pathlib.Path
) -> None:
    # StartedEvent's start fails (the snapshot is corrupt, and is kept aside); the next
    # message starts the runtime for real, so the TEMPBAN's unban is stored and runs.
    snapshot = tmp_path / "spamguard.json"
    snapshot.write_text("{corrupt")
    policy = policy_factory(punishment="TEMPBAN", duration=60)
    store = MemoryStore(snapshot, save_interval=None)
    async with guarded(policy, store=store) as g:
        assert g.protection.runtime.stats.errors >= 1  # the failed start, logged
        await _spam(g)
        assert [r.method for r in g.api.requests] == ["PUT"]
        assert g.protection.runtime.started
        g.clock.advance(60)
        assert await g.run_due() == 1
        assert [r.method for r in g.api.requests] == ["PUT", "DELETE"]
    assert [p.name.split(".corrupt-")[0] for p in tmp_path.glob("*.corrupt-*")] == [
        "spamguard.json"
    ]


async def test_a_store_that_never_opens_logs_one_traceback_not_one_per_message(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    tmp_path: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The snapshot path is a folder: every start fails the same way, and every event
    # retries it. Nothing is done, each failure is counted, one traceback is logged.
    store = MemoryStore(tmp_path, save_interval=None)
    caplog.set_level(logging.DEBUG, logger="spamguard")
    async with guarded(policy_factory(clean=True), store=store) as g:
        await _spam(g, count=4)
        assert list(g.api.requests) == []
        assert not g.protection.runtime.started
        assert g.protection.runtime.stats.errors >= 5  # the StartedEvent's start, then each message
    failures = [r for r in caplog.records if "could not start" in r.getMessage()]
    assert len(failures) >= 5
    assert [r.levelno for r in failures if r.levelno > logging.DEBUG] == [logging.ERROR]
