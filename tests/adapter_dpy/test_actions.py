"""Each punishment and clean becomes exactly the requests Discord expects, through the
library's real HTTP client, with an audit-log reason on each."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from adapter_dpy.dpy_world import LIBRARY, make_policy, protected_bot
from support import payloads
from support.discord_api import DiscordAPI

from spamguard.adapters.store_memory import MemoryStore

REASON = "spamguard: max_messages (3/3 in 10s)"


def _ids(sent: list[dict[str, object]]) -> list[int]:
    return sorted(int(str(m["id"])) for m in sent)


async def test_spam_is_cleaned_by_one_bulk_delete_and_the_member_timed_out() -> None:
    async with protected_bot(make_policy("TIMEOUT", duration=60)) as p:
        sent = await p.spam(3)
        g, c, alice = p.world.guild_id, p.world.general.id, p.world.alice.id
        assert p.actions() == [
            ("POST", f"/channels/{c}/messages/bulk-delete"),
            ("PATCH", f"/guilds/{g}/members/{alice}"),
        ]
        bulk, timeout = (
            p.api.find("POST", "/channels/{c}/messages/bulk-delete")[0],
            p.api.find("PATCH")[0],
        )
        assert bulk.json == {"messages": _ids(sent)}
        assert bulk.reason == "spamguard: spam cleaned"
        # The guard's clock is the triggering message's own time.
        until = payloads.snowflake_time(sent[-1]["id"]) + datetime.timedelta(seconds=60)
        assert timeout.json == {"communication_disabled_until": until.isoformat()}
        assert timeout.reason == REASON


async def test_a_single_message_is_deleted_alone_with_its_reason() -> None:
    async with protected_bot(make_policy("NONE", count=1)) as p:
        (sent,) = await p.spam(1)
        c = p.world.general.id
        assert p.actions() == [("DELETE", f"/channels/{c}/messages/{sent['id']}")]
        assert p.api.requests[-1].reason == "spamguard: spam cleaned"


async def test_more_than_100_messages_are_deleted_in_chunks_of_at_most_100() -> None:
    policy = make_policy("NONE", count=101, rule={"clean_count": 500})
    async with protected_bot(policy) as p:
        sent = await p.spam(101)
        c = p.world.general.id
        ids = _ids(sent)
        assert p.actions() == [
            ("POST", f"/channels/{c}/messages/bulk-delete"),
            ("DELETE", f"/channels/{c}/messages/{ids[100]}"),
        ]
        bulk = p.api.find("POST", "/channels/{c}/messages/bulk-delete")[0]
        assert bulk.json == {"messages": ids[:100]}


async def test_a_warning_pings_only_the_member_and_is_deleted_after_delete_after() -> None:
    policy = make_policy(
        "WARN",
        clean=False,
        notices={"warn": "$MENTIONMEMBER stop, @everyone <@&1> see", "warn_delete_after": 5},
    )
    async with protected_bot(policy) as p:
        await p.spam(3)
        c, alice = p.world.general.id, p.world.alice.id
        (warning,) = p.api.find("POST", "/channels/{c}/messages")
        assert warning.path == f"/channels/{c}/messages"
        assert warning.json["content"] == f"<@{alice}> stop, @everyone <@&1> see"
        assert warning.json["allowed_mentions"] == {"parse": [], "users": [alice]}
        notice_id = max(mid for (ch, mid) in p.api.messages if ch == c)

        p.clock.advance(4)
        await asyncio.sleep(0.1)
        assert not p.api.find("DELETE", "/channels/{c}/messages/{m}")
        p.clock.advance(1)
        (removal,) = await p.api.wait_for("DELETE", f"/channels/{c}/messages/{notice_id}")
        assert removal.reason == "spamguard: notice expired"


async def test_an_embed_notice_is_sent_as_discords_embed_json() -> None:
    embed = {"title": "Slow down, $MEMBERNAME", "description": "$COUNT messages", "color": 15158332}
    policy = make_policy("WARN", clean=False, notices={"warn": embed, "warn_delete_after": None})
    async with protected_bot(policy) as p:
        await p.spam(3)
        (warning,) = p.api.find("POST", "/channels/{c}/messages")
        assert warning.json["embeds"] == [
            {"title": "Slow down, Alice", "description": "3 messages", "color": 15158332}
        ]
        assert "content" not in warning.json
        assert warning.json["allowed_mentions"] == {"parse": [], "users": [p.world.alice.id]}


async def test_the_dm_comes_before_the_kick_and_pings_nobody() -> None:
    policy = make_policy("KICK", clean=False, rule={"punishment_dms": True})
    async with protected_bot(policy) as p:
        await p.spam(3)
        g, alice = p.world.guild_id, p.world.alice.id
        dm_channel = int(p.api.dm_channels[alice]["id"])
        assert p.actions() == [
            ("POST", "/users/@me/channels"),
            ("POST", f"/channels/{dm_channel}/messages"),
            ("DELETE", f"/guilds/{g}/members/{alice}"),
        ]
        create_dm, dm, kick = p.api.requests[-3:]
        assert create_dm.json == {"recipient_id": alice}
        assert dm.json["content"] == (
            f"You received a kick in {p.world.guild.name} for spam (max_messages: 3/3)."
        )
        assert dm.json["allowed_mentions"] == {"parse": []}
        assert kick.reason == REASON


async def test_a_tempmute_adds_the_mute_role_and_removes_it_when_due() -> None:
    world = payloads.build_world()
    policy = make_policy("TEMPMUTE", clean=False, duration=30, mute_role_id=world.muted_role.id)
    async with protected_bot(policy, world=world) as p:
        await p.spam(3)
        g, alice, muted = world.guild_id, world.alice.id, world.muted_role.id
        role_path = f"/guilds/{g}/members/{alice}/roles/{muted}"
        assert p.actions() == [("PUT", role_path)]
        assert p.api.requests[-1].reason == REASON

        # Due 30 s after the role was given (the runtime's clock did not move since).
        done = p.clock.now
        p.clock.now = done + datetime.timedelta(seconds=29.9)
        await asyncio.sleep(0.1)
        assert not p.api.find("DELETE", role_path)
        p.clock.advance(0.1)
        (removal,) = await p.api.wait_for("DELETE", role_path)
        assert removal.reason == "spamguard: temporary mute ended"


@pytest.mark.parametrize("window", [0, 3600])
async def test_a_ban_always_sends_its_delete_window(window: int) -> None:
    policy = make_policy("BAN", clean=False, ban_delete_message_seconds=window)
    async with protected_bot(policy) as p:
        await p.spam(3)
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions() == [("PUT", f"/guilds/{g}/bans/{alice}")]
        ban = p.api.requests[-1]
        assert ban.reason == REASON
        # Both libraries delete a day of messages when the window is omitted.
        if LIBRARY == "nextcord":
            assert ban.query == {"delete_message_seconds": str(window)}
        else:
            assert ban.json == {"delete_message_seconds": window}


async def test_a_tempban_is_lifted_by_an_unban_when_it_ends() -> None:
    async with protected_bot(make_policy("TEMPBAN", clean=False, duration=30)) as p:
        await p.spam(3)
        g, alice = p.world.guild_id, p.world.alice.id
        assert p.actions() == [("PUT", f"/guilds/{g}/bans/{alice}")]

        # Due 30 s after the ban was carried out (the runtime's clock did not move since).
        done = p.clock.now
        p.clock.now = done + datetime.timedelta(seconds=29.9)
        await asyncio.sleep(0.1)
        assert not p.api.find("DELETE", "/guilds/{g}/bans/{u}")
        p.clock.advance(0.1)
        (unban,) = await p.api.wait_for("DELETE", f"/guilds/{g}/bans/{alice}")
        assert unban.status == 204
        assert unban.reason == "spamguard: temporary ban ended"
        assert (g, alice) not in p.api.bans


async def test_a_pending_unban_survives_a_restart_through_the_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = payloads.build_world()
    snapshot = tmp_path / "spamguard.json"
    policy = make_policy("TEMPBAN", clean=False, duration=30)
    async with DiscordAPI.for_world(world) as api:
        async with protected_bot(policy, world=world, api=api, store=MemoryStore(snapshot)) as p:
            await p.spam(3)
            clock = p.clock
            done = clock.now
        assert (world.guild_id, world.alice.id) in api.bans
        assert not api.find("DELETE", "/guilds/{g}/bans/{u}")

        # A new process: a new bot and a new store reading the same file.
        clock.now = done + datetime.timedelta(seconds=30)
        async with protected_bot(
            policy, world=world, api=api, store=MemoryStore(snapshot), clock=clock
        ):
            (unban,) = await api.wait_for(
                "DELETE", f"/guilds/{world.guild_id}/bans/{world.alice.id}"
            )
            assert unban.reason == "spamguard: temporary ban ended"


async def test_concurrent_messages_of_one_member_punish_once() -> None:
    async with protected_bot(make_policy("KICK", clean=False)) as p:
        for i in range(12):
            p.h.consume("MESSAGE_CREATE", p.world.message(content=f"burst {i}"))
        await p.h.settle()
        assert p.api.find("DELETE", "/guilds/{g}/members/{u}") == p.api.find("DELETE")
        assert len(p.api.find("DELETE", "/guilds/{g}/members/{u}")) == 1


async def test_a_dry_run_policy_sends_nothing() -> None:
    async with protected_bot(make_policy("BAN", dry_run=True)) as p:
        await p.spam(5)
        assert p.actions() == []
        assert {o.action.kind for o in p.recorder.outcomes} == {"delete", "ban"}
        assert all(o.dry_run and o.ok for o in p.recorder.outcomes)
