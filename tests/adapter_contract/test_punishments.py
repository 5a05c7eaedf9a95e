"""A flood becomes exactly the requests Discord expects, through the library's real REST
client: the spam cleaned (bulk where it can be), the punishment with its audit-log
reason, the DM before a kick."""

from __future__ import annotations

import datetime
import typing

import pytest
from adapter_contract.wire import REASON, delete_window, ids, mentions, timeout_until
from support import payloads

from spamguard.core import DeleteMessages

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory

    from spamguard.core import Policy

BULK = "/channels/{c}/messages/bulk-delete"


async def test_spam_is_cleaned_by_one_bulk_delete_and_the_member_timed_out(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TIMEOUT", duration=60, clean=True)) as g:
        sent = await g.spam(3)
        guild, channel, alice = g.world.guild_id, g.world.general.id, g.world.alice.id

        # The punishment first: deletions gather for a moment, to leave in bulk.
        assert g.calls() == [
            ("PATCH", f"/guilds/{guild}/members/{alice}"),
            ("POST", f"/channels/{channel}/messages/bulk-delete"),
        ]
        timeout, bulk = g.requests
        assert ids(bulk.json["messages"]) == ids(m["id"] for m in sent)
        assert list(bulk.json) == ["messages"]
        assert bulk.reason == "spamguard: spam cleaned"
        # The guard's clock is the triggering message's own time.
        assert timeout.json == {"communication_disabled_until": timeout_until(sent[-1], 60)}
        assert timeout.reason == REASON


@pytest.mark.parametrize(
    ("checks", "content"),
    [
        pytest.param({"max_characters": {"count": 50, "interval": 10}}, "x" * 60, id="chars"),
        pytest.param({"max_messages": {"count": 1, "interval": 10}}, "hello", id="messages"),
    ],
)
async def test_a_single_message_is_deleted_alone_with_its_reason(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    checks: dict[str, typing.Any],
    content: str,
) -> None:
    async with guard(policy_factory(clean=True, checks=checks)) as g:
        sent = await g.send(content=content)

        (delete,) = g.requests
        assert (delete.method, delete.path, delete.json, delete.reason) == (
            "DELETE",
            f"/channels/{g.world.general.id}/messages/{sent['id']}",
            None,
            "spamguard: spam cleaned",
        )


@pytest.mark.parametrize("count", [101, 150])
async def test_more_than_100_messages_are_deleted_in_chunks_of_at_most_100(
    guard: GuardFactory, policy_factory: Callable[..., Policy], count: int
) -> None:
    policy = policy_factory(
        clean=True,
        checks={"max_messages": {"count": count, "interval": 60}, "clean_count": 500},
    )
    async with guard(policy) as g:
        sent = await g.spam(count)
        channel = g.world.general.id
        every = ids(m["id"] for m in sent)

        bulk = g.api.find("POST", BULK)
        assert [len(r.json["messages"]) for r in bulk] == ([100] if count == 101 else [100, 50])
        assert ids(i for r in bulk for i in r.json["messages"]) == every[: 100 * len(bulk)]
        # A chunk of one cannot be bulk-deleted: it is deleted alone.
        alone = [(r.method, r.path) for r in g.requests if r.method == "DELETE"]
        assert alone == [("DELETE", f"/channels/{channel}/messages/{m}") for m in every[200:]] + (
            [("DELETE", f"/channels/{channel}/messages/{every[100]}")] if count == 101 else []
        )
        assert len(g.requests) == len(bulk) + len(alone)


async def test_messages_past_the_bulk_delete_age_are_deleted_one_by_one(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        channel = g.world.general.id
        old = [payloads.snowflake(g.clock.now - datetime.timedelta(days=15)) for _ in range(2)]
        new = [payloads.snowflake(g.clock.now - datetime.timedelta(minutes=1)) for _ in range(2)]
        action = DeleteMessages(channel_id=channel, message_ids=(*old, *new), reason="cleanup")

        outcome = await g.protection.runtime.run_action(action, guild_id=g.world.guild_id)

        assert outcome.ok
        assert [(r.method, r.path, r.reason) for r in g.requests] == [
            ("POST", f"/channels/{channel}/messages/bulk-delete", "cleanup"),
            ("DELETE", f"/channels/{channel}/messages/{old[0]}", "cleanup"),
            ("DELETE", f"/channels/{channel}/messages/{old[1]}", "cleanup"),
        ]
        assert ids(g.requests[0].json["messages"]) == ids(new)


async def test_the_dm_comes_before_the_kick_and_pings_nobody(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK", dms=True)) as g:
        await g.spam(3)
        guild, alice = g.world.guild_id, g.world.alice.id

        dm_channel = int(g.api.dm_channels[alice]["id"])
        assert g.calls() == [
            ("POST", "/users/@me/channels"),
            ("POST", f"/channels/{dm_channel}/messages"),
            ("DELETE", f"/guilds/{guild}/members/{alice}"),
        ]
        create_dm, dm, kick = g.requests
        assert {k: int(v) for k, v in create_dm.json.items()} == {"recipient_id": alice}
        assert (create_dm.reason, dm.reason) == (None, None)
        assert dm.json["content"] == (
            f"You received a kick in {g.world.guild.name} for spam (max_messages: 3/3)."
        )
        assert dm.json["allowed_mentions"] == {"parse": []}
        assert mentions(dm.json) == {"parse": []}
        assert (kick.json, kick.reason) == (None, REASON)


@pytest.mark.parametrize("window", [0, 3600])
async def test_a_ban_always_sends_its_delete_window(
    guard: GuardFactory, policy_factory: Callable[..., Policy], window: int
) -> None:
    # The libraries delete a day of messages when the window is omitted.
    async with guard(policy_factory("BAN", ban_delete_message_seconds=window)) as g:
        await g.spam(3)

        (ban,) = g.requests
        assert (ban.method, ban.path, ban.reason) == (
            "PUT",
            f"/guilds/{g.world.guild_id}/bans/{g.world.alice.id}",
            REASON,
        )
        assert delete_window(ban) == window


async def test_mute_without_mute_role_is_a_28_day_timeout(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("MUTE")) as g:
        sent = await g.spam(3)

        (patch,) = g.requests
        assert patch.path == f"/guilds/{g.world.guild_id}/members/{g.world.alice.id}"
        assert patch.json == {"communication_disabled_until": timeout_until(sent[-1], 28 * 86400)}


async def test_concurrent_messages_of_one_member_are_timed_out_once_and_each_cleaned_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("TIMEOUT", clean=True)) as g:
        # Ten messages handed to the bot at once: ten listener tasks run concurrently.
        for i in range(10):
            g.harness.consume(
                "MESSAGE_CREATE",
                g.world.message(content=f"spam {i}", created_at=g.clock.advance(0.001)),
            )
        await g.harness.settle()

        # What reached the routes: nextcord 3 retries a delete the rate limits refused.
        find = g.api.find
        assert len(find("PATCH", "/guilds/{g}/members/{u}", rate_limited=False)) == 1
        deleted = [
            int(i) for r in find("POST", BULK, rate_limited=False) for i in r.json["messages"]
        ] + [
            int(r.path.rsplit("/", 1)[1])
            for r in find("DELETE", "/channels/{c}/messages/{m}", rate_limited=False)
        ]
        assert len(deleted) == len(set(deleted)) == 10


async def test_concurrent_messages_of_one_member_kick_once(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK")) as g:
        for i in range(12):
            g.harness.consume(
                "MESSAGE_CREATE",
                g.world.message(content=f"burst {i}", created_at=g.clock.advance(0.001)),
            )
        await g.harness.settle()

        assert g.api.find("DELETE", "/guilds/{g}/members/{u}") == g.api.find("DELETE")
        assert len(g.api.find("DELETE", "/guilds/{g}/members/{u}")) == 1


async def test_a_dry_run_policy_reports_and_sends_nothing(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("BAN", clean=True, dry_run=True)) as g:
        await g.spam(5)

        assert g.requests == ()
        assert [(o.action.kind, o.dry_run) for o in g.recorder.outcomes][:2] == [
            ("delete", True),
            ("ban", True),
        ]
        assert {o.action.kind for o in g.recorder.outcomes} == {"delete", "ban"}
        assert all(o.dry_run and o.ok for o in g.recorder.outcomes)
