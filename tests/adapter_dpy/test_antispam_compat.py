"""discord-anti-spam users migrate with one import: the compatibility handler, given a real
nextcord or disnake bot, reads the library's messages and carries its plans out as real
HTTP calls."""

from __future__ import annotations

import datetime
import typing

from adapter_dpy.dpy_world import LIBRARY
from support import payloads
from support.dpy_harness import dpy_bot
from support.notices import ANTISPAM_TEMPLATE, check_antispam_warning

from spamguard.contrib.antispam import AntiSpamHandler


async def test_the_compat_handler_warns_through_the_library_after_five_duplicates() -> None:
    results: list[dict[str, object]] = []
    handler: AntiSpamHandler | None = None

    def listen(bot: typing.Any) -> None:
        async def on_message(message: typing.Any) -> None:
            assert handler is not None
            results.append(await handler.propagate(message))

        bot.add_listener(on_message, "on_message")

    async with dpy_bot(LIBRARY, before_login=listen) as h:
        handler = AntiSpamHandler(h.bot, load_entrypoints=False)
        sent = [await h.send_message(content="free nitro at example dot com") for _ in range(5)]

        assert [r["should_be_punished_this_message"] for r in results] == [False] * 4 + [True]
        assert results[-1]["was_warned"] is True
        posts = [
            r
            for r in h.api.requests
            if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
        ]
        assert len(posts) == 1
        alice = h.world.alice.user.id
        assert f"<@{alice}>" in posts[0].json["content"]
        # Both libraries ping everything by default; the handler allows only the member.
        assert posts[0].json["allowed_mentions"]["parse"] == []
        assert [int(u) for u in posts[0].json["allowed_mentions"]["users"]] == [alice]
        # delete_spam (on by default) deletes the duplicates that made up the violation.
        bulk = [
            r for r in h.api.requests if r.route == "/channels/{channel_id}/messages/bulk-delete"
        ]
        assert len(bulk) == 1
        assert sorted(int(m) for m in bulk[0].json["messages"]) == sorted(
            int(m["id"]) for m in sent
        )


async def test_every_discord_anti_spam_variable_reaches_discord_replaced() -> None:
    # The bot, avatars and guild icon come from the library's own objects, the timestamps
    # from the message that completed the violation.
    world = payloads.build_world(guild_icon="0123456789abcdef0123456789abcdef", avatars=True)
    handler: AntiSpamHandler | None = None

    def listen(bot: typing.Any) -> None:
        async def on_message(message: typing.Any) -> None:
            assert handler is not None
            await handler.propagate(message)

        bot.add_listener(on_message, "on_message")

    at = datetime.datetime(2024, 5, 1, 9, 4, 5, tzinfo=datetime.UTC)
    async with dpy_bot(LIBRARY, world, before_login=listen) as h:
        handler = AntiSpamHandler(
            h.bot, load_entrypoints=False, guild_warn_message=ANTISPAM_TEMPLATE
        )
        await check_antispam_warning(h, at)
