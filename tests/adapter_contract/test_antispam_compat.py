"""discord-anti-spam users migrate with one import: the compatibility handler, given a
real bot of the library, reads its messages and carries its plans out as real REST
calls."""

from __future__ import annotations

import datetime
import typing

from adapter_contract.wire import ids, mentions
from support import payloads
from support.notices import ANTISPAM_TEMPLATE, check_antispam_warning

from spamguard.contrib.antispam import AntiSpamHandler

if typing.TYPE_CHECKING:
    from support.library_harness import LibraryHarness


async def test_the_compat_handler_warns_through_the_library_after_five_duplicates(
    library: LibraryHarness, world: payloads.GuildWorld
) -> None:
    results: list[dict[str, object]] = []
    async with library.bot(world) as h:
        handler = AntiSpamHandler(h.bot, load_entrypoints=False)

        async def on_message(message: typing.Any) -> None:
            results.append(await handler.propagate(message))

        library.on_message(h.bot, on_message)
        sent = [await h.send_message(content="free nitro at example dot com") for _ in range(5)]

        assert [r["should_be_punished_this_message"] for r in results] == [False] * 4 + [True]
        assert results[-1]["was_warned"] is True
        posts = h.api.find("POST", "/channels/{c}/messages")
        assert len(posts) == 1
        alice = world.alice.user.id
        assert f"<@{alice}>" in posts[0].json["content"]
        # The libraries ping everything by default; the handler allows only the member.
        assert mentions(posts[0].json) == {"parse": [], "users": [alice]}
        # delete_spam (on by default) deletes the duplicates that made up the violation.
        (bulk,) = h.api.find("POST", "/channels/{c}/messages/bulk-delete")
        assert ids(bulk.json["messages"]) == ids(m["id"] for m in sent)


async def test_every_discord_anti_spam_variable_reaches_discord_replaced(
    library: LibraryHarness,
) -> None:
    # The bot, avatars and guild icon come from the library's own objects, the timestamps
    # from the message that completed the violation.
    world = payloads.build_world(guild_icon="0123456789abcdef0123456789abcdef", avatars=True)
    at = datetime.datetime(2024, 5, 1, 15, 4, 5, tzinfo=datetime.UTC)
    async with library.bot(world) as h:
        handler = AntiSpamHandler(
            h.bot, load_entrypoints=False, guild_warn_message=ANTISPAM_TEMPLATE
        )

        async def on_message(message: typing.Any) -> None:
            await handler.propagate(message)

        library.on_message(h.bot, on_message)
        await check_antispam_warning(h, at)
