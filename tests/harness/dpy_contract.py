"""What the discord.py/nextcord/disnake harness must do, written once for the three.

`test_discordpy_harness`, `test_nextcord_harness` and `test_disnake_harness` subclass
`DpyHarnessContract` with their library's import name; this module is not collected on
its own (no ``test_`` prefix).
"""

from __future__ import annotations

__all__ = ("DpyHarnessContract",)

import datetime
import importlib
import time
import typing

import pytest
from harness.pacing import assert_burst_is_paced
from support import payloads
from support.dpy_harness import dpy_bot

if typing.TYPE_CHECKING:
    from support.dpy_harness import Library

UTC = datetime.UTC

# The event name each library gives AUTO_MODERATION_ACTION_EXECUTION.
AUTOMOD_EVENT: typing.Final = {
    "discord": "automod_action",
    "nextcord": "auto_moderation_action_execution",
    "disnake": "automod_action_execution",
}


class DpyHarnessContract:
    """Smoke tests shared by the discord.py, nextcord and disnake harnesses."""

    library: typing.ClassVar[Library]

    async def test_login_and_ready_fill_the_real_cache(self, world: payloads.GuildWorld) -> None:
        async with dpy_bot(self.library, world) as h:
            bot = h.bot
            guild = bot.get_guild(world.guild_id)

            assert bot.is_ready()
            assert bot.user.id == world.bot.id
            assert guild.owner_id == world.owner.id
            assert guild.owner.name == "olivia"
            assert guild.default_role.id == world.guild_id
            assert guild.me.top_role.id == world.bot_role.id
            assert {m.id for m in guild.members} == {m.id for m in world.members}
            moderator = guild.get_member(world.moderator.id)
            assert [r.name for r in moderator.roles] == ["@everyone", "Moderator"]
            assert moderator.guild_permissions.manage_messages
            general = guild.get_channel(world.general.id)
            assert general.category.id == world.category.id
            assert not general.permissions_for(guild.get_member(world.carol.id)).send_messages
            assert guild.get_thread(world.thread.id).parent_id == world.general.id
        assert h.api.requests[0].route == "/users/@me"

    async def test_on_message_listener_fires_with_member_and_mentions(
        self, world: payloads.GuildWorld
    ) -> None:
        seen: list[typing.Any] = []

        def listen(bot: typing.Any) -> None:
            @bot.listen("on_message")
            async def on_message(message: typing.Any) -> None:
                seen.append(message)

        at = datetime.datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
        async with dpy_bot(self.library, world, before_login=listen) as h:
            await h.send_message(
                author=world.carol,
                content="free nitro",
                created_at=at,
                mentions=(world.bob,),
                mention_roles=(world.moderator_role.id,),
                attachments=(payloads.attachment(),),
                sticker_items=(payloads.sticker_item(),),
                channel=world.thread,
            )

            (message,) = seen
            assert message.content == "free nitro"
            assert message.created_at == at
            assert isinstance(message.author, h.module.Member)
            assert world.muted_role.id in [r.id for r in message.author.roles]
            assert [m.id for m in message.mentions] == [world.bob.id]
            assert [r.id for r in message.role_mentions] == [world.moderator_role.id]
            assert isinstance(message.channel, h.module.Thread)
            assert len(message.attachments) == len(message.stickers) == 1

    async def test_cog_extension_loads_and_its_listener_acts(
        self, world: payloads.GuildWorld
    ) -> None:
        async with dpy_bot(
            self.library,
            world,
            before_login=lambda bot: bot.load_extension("harness.dpy_extension"),
        ) as h:
            created = await h.send_message(content="spam spam")
            cog = h.bot.get_cog("AntiSpam")

            assert [m.id for m in cog.seen] == [int(created["id"])]
        assert h.api.find("DELETE", f"/channels/{world.general.id}/messages/{created['id']}")

    async def test_edit_and_automod_reach_listeners(self, world: payloads.GuildWorld) -> None:
        seen: list[tuple[str, typing.Any]] = []

        def listen(bot: typing.Any) -> None:
            async def on_message_edit(before: typing.Any, after: typing.Any) -> None:
                seen.append(("edit", after))

            async def on_automod(execution: typing.Any) -> None:
                seen.append(("automod", execution))

            bot.add_listener(on_message_edit, "on_message_edit")
            bot.add_listener(on_automod, f"on_{AUTOMOD_EVENT[self.library]}")

        async with dpy_bot(self.library, world, before_login=listen) as h:
            created = await h.send_message(content="hello")
            await h.edit_message(created, content="hello spam")
            await h.automod_execution(user=world.bob, content="buy nitro")

        (edit_kind, edited), (automod_kind, execution) = seen
        assert (edit_kind, edited.content) == ("edit", "hello spam")
        assert edited.edited_at is not None
        assert (automod_kind, execution.guild.id, execution.content) == (
            "automod",
            world.guild_id,
            "buy nitro",
        )

    async def test_rest_calls_reach_the_stand_in_with_audit_log_reasons(
        self, world: payloads.GuildWorld
    ) -> None:
        async with dpy_bot(self.library, world) as h:
            guild = h.bot.get_guild(world.guild_id)
            bob, alice, carol = (
                guild.get_member(m.id) for m in (world.bob, world.alice, world.carol)
            )
            await bob.kick(reason="kicked ü")
            if self.library == "disnake":
                await guild.ban(carol, clean_history_duration=3600, reason="banned")
                await alice.timeout(duration=datetime.timedelta(minutes=10), reason="timeout")
            else:
                await guild.ban(carol, delete_message_seconds=3600, reason="banned")
                await alice.timeout(datetime.timedelta(minutes=10), reason="timeout")
            await alice.add_roles(guild.get_role(world.muted_role.id), reason="muted")
            sent = await guild.get_channel(world.mod_log.id).send("logged")

        api = h.api
        assert api.find("DELETE", "/guilds/{g}/members/{u}")[0].reason == "kicked ü"
        ban = api.find("PUT", "/guilds/{g}/bans/{u}")[0]
        assert ban.reason == "banned"
        # discord.py and nextcord send delete_message_seconds in the query string, disnake
        # in the body.
        assert {**ban.query, **(ban.json or {})}["delete_message_seconds"] in ("3600", 3600)
        timeout = api.find("PATCH", "/guilds/{g}/members/{u}")[0]
        assert timeout.reason == "timeout"
        until = datetime.datetime.fromisoformat(timeout.json["communication_disabled_until"])
        assert until > datetime.datetime.now(tz=UTC)
        assert api.find("PUT", "/guilds/{g}/members/{u}/roles/{r}")[0].reason == "muted"
        assert sent.content == "logged"

    @pytest.mark.parametrize(
        ("status", "error_name"),
        [
            (403, "Forbidden"),
            (404, "NotFound"),
            (503, "DiscordServerError"),
            (400, "HTTPException"),
        ],
    )
    async def test_scripted_failures_raise_library_errors(
        self, world: payloads.GuildWorld, status: int, error_name: str
    ) -> None:
        async with dpy_bot(self.library, world) as h:
            h.api.fail("DELETE", "/guilds/{g}/members/{u}", status=status)
            error = getattr(h.module, error_name)
            with pytest.raises(error) as caught:
                await h.bot.get_guild(world.guild_id).get_member(world.bob.id).kick()

        assert caught.value.status == status
        assert caught.value.code == {403: 50013, 404: 10007, 503: 0, 400: 50035}[status]

    async def test_short_429_is_slept_off_and_retried(self, world: payloads.GuildWorld) -> None:
        async with dpy_bot(self.library, world) as h:
            h.api.fail("POST", "/channels/{c}/messages", status=429, retry_after=0.05)
            await h.bot.get_channel(world.general.id).send("hi")

        first, second = h.api.find("POST", "/channels/{c}/messages")
        assert (first.status, second.status) == (429, 200)
        assert second.monotonic - first.monotonic >= 0.05

    async def test_one_500_is_retried_after_about_a_second(
        self, world: payloads.GuildWorld
    ) -> None:
        async with dpy_bot(self.library, world) as h:
            h.api.fail("DELETE", "/channels/{c}/messages/{m}", status=500, times=1)
            started = time.monotonic()
            await h.bot.http.delete_message(world.general.id, 1)

        first, second = h.api.find("DELETE", "/channels/{c}/messages/{m}")
        assert (first.status, second.status) == (500, 204)
        assert 1 <= time.monotonic() - started < 3

    async def test_concurrent_requests_to_one_bucket_are_paced_by_its_headers(
        self, world: payloads.GuildWorld
    ) -> None:
        async with dpy_bot(self.library, world) as h:
            # discord.py, disnake and nextcord 2 wait from a response's Reset-After: no
            # 429. nextcord 3 starts its reset timer when a request first waits, before the
            # window opened at Discord, so one may go a moment early and retry after a 429.
            nextcord3 = hasattr(importlib.import_module(f"{self.library}.http"), "RateLimit")
            await assert_burst_is_paced(
                h.api,
                lambda m: h.bot.http.delete_message(world.general.id, m),
                count=12,
                refused_at_most=5 if nextcord3 else 0,
            )

    async def test_listener_exception_is_raised_by_settle(self, world: payloads.GuildWorld) -> None:
        def listen(bot: typing.Any) -> None:
            async def broken(message: typing.Any) -> None:
                raise LookupError("listener bug")

            bot.add_listener(broken, "on_message")

        async with dpy_bot(self.library, world, before_login=listen) as h:
            with pytest.raises(LookupError, match="listener bug"):
                await h.send_message(content="x")
