"""Compromised accounts and honeypots on a real bot of the library under test: real
MESSAGE_CREATE payloads in, the requests Discord would get out (one punishment, a delete
in every channel the spray reached, a softban's ban then unban, nothing for exempt
members, notices that may ping the member alone)."""

from __future__ import annotations

import asyncio
import time
import typing

from adapter_contract.wire import delete_window, mentions, timeout_until
from support import payloads

from spamguard.contrib.compromised import Compromised
from spamguard.contrib.honeypot import Honeypot
from spamguard.core import Policy

if typing.TYPE_CHECKING:
    from adapter_contract.conftest import GuardFactory
    from support.library_harness import Guarded

SCAM = "Free $50 Steam gift for everyone, claim it: https://steam-gift.example/claim"
NOTICE = "$MENTIONMEMBER was removed: @everyone, this account looked compromised."
SOFTBAN = "spamguard: softban (messages purged, ban lifted)"


def _policy(extensions: dict[str, typing.Any], **top: typing.Any) -> Policy:
    # No rule of its own: the extensions alone decide.
    return Policy.from_dict({"version": 1, "extensions": extensions, **top})


def _plugins() -> list[object]:
    return [Compromised(), Honeypot()]


async def _requests_until(g: Guarded, method: str, pattern: str, *, count: int) -> None:
    await g.api.wait_for(method, pattern, count=count, timeout=5.0)


async def test_a_spray_over_three_channels_is_one_timeout_and_a_delete_in_each(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy({"compromised": {}}, notices={"punishment": NOTICE})
    async with guard(policy, plugins=_plugins()) as g:
        channels = (world.general, world.mod_log, world.thread)
        sent = [await g.send(content=SCAM, channel=channel) for channel in channels]
        await _requests_until(g, "DELETE", "/channels/{c}/messages/{m}", count=3)
        guild, alice = world.guild_id, world.alice.id

        [timeout] = g.api.find("PATCH", "/guilds/{g}/members/{u}")
        assert timeout.path == f"/guilds/{guild}/members/{alice}"
        assert timeout.json == {"communication_disabled_until": timeout_until(sent[-1], 86_400)}
        assert timeout.reason == "spamguard: compromised (3/3 in 60s)"
        deleted = {r.path for r in g.api.find("DELETE", "/channels/{c}/messages/{m}")}
        assert deleted == {
            f"/channels/{channel.id}/messages/{message['id']}"
            for channel, message in zip(channels, sent, strict=True)
        }
        # The punishment notice, in the channel of the message that crossed the line,
        # may ping the member and no one else.
        [notice] = g.api.find("POST", "/channels/{c}/messages")
        assert notice.path == f"/channels/{world.thread.id}/messages"
        assert mentions(notice.json) == {"parse": [], "users": [alice]}
        assert f"<@{alice}>" in notice.json["content"]


async def test_a_message_in_the_honeypot_is_a_ban_purging_a_day_then_an_unban_at_once(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy({"honeypot": {"channels": [world.mod_log.id]}})
    # The scheduler's loop idles an hour: only the wake-up when the undo is kept runs it.
    async with guard(policy, plugins=_plugins(), poll_interval=3600.0) as g:
        started = time.monotonic()
        message = await g.send(content="hello", channel=world.mod_log)
        ban_path = f"/guilds/{world.guild_id}/bans/{world.alice.id}"
        await _requests_until(g, "DELETE", "/guilds/{g}/bans/{u}", count=1)
        assert time.monotonic() - started < 2.0

        [ban] = g.api.find("PUT", "/guilds/{g}/bans/{u}")
        [unban] = g.api.find("DELETE", "/guilds/{g}/bans/{u}")
        assert (ban.path, ban.reason, delete_window(ban)) == (
            ban_path,
            "spamguard: honeypot (1/1 in 0s)",
            86_400,
        )
        assert (unban.path, unban.reason, unban.status) == (ban_path, SOFTBAN, 204)
        assert g.requests.index(ban) < g.requests.index(unban)
        assert (world.guild_id, world.alice.id) not in g.api.bans
        await _requests_until(g, "DELETE", "/channels/{c}/messages/{m}", count=1)
        [delete] = g.api.find("DELETE", "/channels/{c}/messages/{m}")
        assert delete.path == f"/channels/{world.mod_log.id}/messages/{message['id']}"
        # Exactly once: nothing is left to run.
        assert await g.run_due() == 0


async def test_a_softban_whose_ban_fails_is_never_lifted(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy({"honeypot": {"channels": [world.mod_log.id], "delete": False}})
    async with guard(policy, plugins=_plugins(), poll_interval=0.02) as g:
        g.api.fail("PUT", "/guilds/{g}/bans/{u}", status=403)
        await g.send(content="hello", channel=world.mod_log)
        await _requests_until(g, "PUT", "/guilds/{g}/bans/{u}", count=1)
        await asyncio.sleep(0.2)
        assert g.api.find("DELETE", "/guilds/{g}/bans/{u}") == ()
        assert [o.ok for o in g.recorder.by_kind("ban")] == [False]


async def test_exempt_members_are_never_touched(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy({"honeypot": {"channels": [world.mod_log.id]}, "compromised": {}})
    async with guard(policy, plugins=_plugins()) as g:
        for author in (world.moderator, world.admin, world.owner):
            for channel in (world.mod_log, world.general, world.thread):
                await g.send(content=SCAM, channel=channel, author=author)
        await g.harness.settle()
        await asyncio.sleep(0.1)
        assert g.requests == ()


def _gift() -> dict[str, typing.Any]:
    """The same image as uploaded again: a new attachment id, the same metadata."""
    return payloads.attachment(
        "gift.png", size=48_213, content_type="image/png", width=512, height=512
    )


async def _assert_sprayed(g: Guarded, world: payloads.GuildWorld, sent: list[typing.Any]) -> None:
    """One timeout of alice for a day and a delete in every channel the spray reached."""
    await _requests_until(g, "DELETE", "/channels/{c}/messages/{m}", count=len(sent))
    [timeout] = g.api.find("PATCH", "/guilds/{g}/members/{u}")
    assert timeout.path == f"/guilds/{world.guild_id}/members/{world.alice.id}"
    assert timeout.json == {"communication_disabled_until": timeout_until(sent[-1], 86_400)}
    deleted = {r.path for r in g.api.find("DELETE", "/channels/{c}/messages/{m}")}
    assert deleted == {f"/channels/{m['channel_id']}/messages/{m['id']}" for m in sent}
    assert g.api.find("POST", "/channels/{c}/messages/bulk-delete") == ()


async def test_the_same_image_alone_in_three_channels_is_a_spray(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    async with guard(_policy({"compromised": {}}), plugins=_plugins()) as g:
        sent = [
            await g.send(content="", channel=channel, attachments=(_gift(),))
            for channel in (world.general, world.mod_log, world.thread)
        ]
        await _assert_sprayed(g, world, sent)


async def test_three_different_photos_in_three_channels_are_left_alone(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    async with guard(_policy({"compromised": {}}), plugins=_plugins()) as g:
        for size, channel in zip(
            (120_001, 98_450, 143_877), (world.general, world.mod_log, world.thread), strict=True
        ):
            photo = payloads.attachment("image.png", size=size, width=1080, height=1350)
            await g.send(content="", channel=channel, attachments=(photo,))
        await g.harness.settle()
        await asyncio.sleep(0.1)
        assert g.requests == ()


async def test_a_forwarded_scam_in_three_channels_is_a_spray(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    async with guard(_policy({"compromised": {}}), plugins=_plugins()) as g:
        sent = []
        for channel in (world.general, world.mod_log, world.thread):
            snapshot = payloads.message_snapshot("claim your gift", attachments=(_gift(),))
            sent.append(
                await g.send(
                    content="",
                    channel=channel,
                    message_snapshots=(snapshot,),
                )
            )
        await _assert_sprayed(g, world, sent)


async def test_an_image_in_the_honeypot_is_a_softban(
    guard: GuardFactory, world: payloads.GuildWorld
) -> None:
    policy = _policy({"honeypot": {"channels": [world.mod_log.id]}})
    async with guard(policy, plugins=_plugins(), poll_interval=3600.0) as g:
        await g.send(content="", channel=world.mod_log, attachments=(_gift(),))
        await _requests_until(g, "DELETE", "/guilds/{g}/bans/{u}", count=1)
        [ban] = g.api.find("PUT", "/guilds/{g}/bans/{u}")
        assert delete_window(ban) == 86_400
