"""discord-anti-spam users migrate with one import: the compatibility handler, given a real
hikari bot, reads hikari messages and carries its plans out as real REST calls."""

from __future__ import annotations

import datetime

import hikari
from support import payloads
from support.hikari_harness import hikari_bot
from support.notices import ANTISPAM_TEMPLATE, check_antispam_warning

from spamguard.contrib.antispam import AntiSpamHandler


async def test_the_compat_handler_warns_through_hikari_after_five_duplicates() -> None:
    results: list[dict[str, object]] = []
    handler: AntiSpamHandler | None = None

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        assert handler is not None
        results.append(await handler.propagate(event.message))

    def subscribe(bot: hikari.GatewayBot) -> None:
        bot.subscribe(hikari.GuildMessageCreateEvent, on_message)

    async with hikari_bot(before_start=subscribe) as h:
        handler = AntiSpamHandler(h.bot, load_entrypoints=False)
        sent = [await h.send_message(content="free nitro at example dot com") for _ in range(5)]

        assert [r["should_be_punished_this_message"] for r in results] == [False] * 4 + [True]
        assert results[-1]["was_warned"] is True
        warnings = [
            r
            for r in h.api.requests
            if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
        ]
        assert len(warnings) == 1
        alice = h.world.alice.user.id
        assert f"<@{alice}>" in warnings[0].json["content"]
        # Only the member may be pinged, whatever the template says.
        assert warnings[0].json["allowed_mentions"] == {"parse": [], "users": [str(alice)]}
        # delete_spam (on by default) deletes the duplicates that made up the violation.
        bulk = [
            r for r in h.api.requests if r.route == "/channels/{channel_id}/messages/bulk-delete"
        ]
        assert len(bulk) == 1
        assert sorted(bulk[0].json["messages"]) == sorted(m["id"] for m in sent)


async def test_every_discord_anti_spam_variable_reaches_discord_replaced() -> None:
    # The bot, avatars and guild icon come from hikari's own objects, the timestamps from
    # the message that completed the violation.
    world = payloads.build_world(guild_icon="0123456789abcdef0123456789abcdef", avatars=True)
    handler: AntiSpamHandler | None = None

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        assert handler is not None
        await handler.propagate(event.message)

    def subscribe(bot: hikari.GatewayBot) -> None:
        bot.subscribe(hikari.GuildMessageCreateEvent, on_message)

    at = datetime.datetime(2024, 5, 1, 15, 4, 5, tzinfo=datetime.UTC)
    async with hikari_bot(world, before_start=subscribe) as h:
        handler = AntiSpamHandler(
            h.bot, load_entrypoints=False, guild_warn_message=ANTISPAM_TEMPLATE
        )
        await check_antispam_warning(h, at)
