"""The offline hikari harness: a real GatewayBot fed real payloads, REST to the stand-in.

Runs in every tox env that installs hikari (``hikari``, ``lightbulb``).
"""

from __future__ import annotations

import datetime
import time
import typing

import hikari
import pytest
from harness.pacing import assert_burst_is_paced
from support import payloads
from support.hikari_harness import hikari_bot

if typing.TYPE_CHECKING:
    pass

UTC = datetime.UTC


async def test_guild_create_fills_the_real_cache(world: payloads.GuildWorld) -> None:
    async with hikari_bot(world) as h:
        cache = h.bot.cache
        guild = cache.get_guild(world.guild_id)

        assert guild is not None
        assert guild.owner_id == world.owner.id
        assert h.bot.get_me() is not None and h.bot.get_me().id == world.bot.id
        assert set(cache.get_members_view_for_guild(world.guild_id)) == {
            m.id for m in world.members
        }
        moderator = cache.get_member(world.guild_id, world.moderator.id)
        assert moderator is not None
        assert world.moderator_role.id in moderator.role_ids
        assert {r.name for r in moderator.get_roles()} == {"Moderator", "@everyone"}
        everyone = cache.get_role(world.guild_id)
        assert everyone is not None and everyone.name == "@everyone"
        general = cache.get_guild_channel(world.general.id)
        assert isinstance(general, hikari.GuildTextChannel)
        assert general.parent_id == world.category.id
        mod_log = cache.get_guild_channel(world.mod_log.id)
        assert mod_log is not None and world.bot.id in mod_log.permission_overwrites
        thread = cache.get_thread(world.thread.id)
        assert thread is not None and thread.parent_id == world.general.id
        assert h.bot.is_alive


async def test_message_create_fires_listener_with_member_mentions_and_content(
    world: payloads.GuildWorld,
) -> None:
    seen: list[hikari.GuildMessageCreateEvent] = []

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        seen.append(event)

    at = datetime.datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageCreateEvent, on_message)
        await h.send_message(
            author=world.carol,
            content="free nitro",
            created_at=at,
            mentions=(world.bob,),
            mention_roles=(world.moderator_role.id,),
            attachments=(payloads.attachment(),),
            sticker_items=(payloads.sticker_item(),),
        )

    (event,) = seen
    assert event.message.content == "free nitro"
    assert event.message.created_at == at
    assert event.member is not None and world.muted_role.id in event.member.role_ids
    assert list(event.message.user_mentions_ids) == [world.bob.id]
    assert list(event.message.role_mention_ids) == [world.moderator_role.id]
    assert len(event.message.attachments) == len(event.message.stickers) == 1


async def test_message_update_and_automod_execution_reach_listeners(
    world: payloads.GuildWorld,
) -> None:
    seen: list[hikari.Event] = []

    async def record(event: hikari.Event) -> None:
        seen.append(event)

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageUpdateEvent, record)
        h.bot.subscribe(hikari.events.AutoModActionExecutionEvent, record)
        created = await h.send_message(content="hello", channel=world.thread)
        await h.edit_message(created, content="hello spam")
        await h.automod_execution(user=world.bob, content="buy nitro")

    update, automod = seen
    assert isinstance(update, hikari.GuildMessageUpdateEvent)
    assert update.message.content == "hello spam"
    assert update.channel_id == world.thread.id
    assert isinstance(automod, hikari.events.AutoModActionExecutionEvent)
    assert automod.user_id == world.bob.id


async def test_rest_calls_reach_the_stand_in_with_audit_log_reasons(
    world: payloads.GuildWorld,
) -> None:
    until = datetime.datetime.now(tz=UTC) + datetime.timedelta(minutes=10)
    async with hikari_bot(world) as h:
        rest = h.bot.rest
        await rest.delete_message(world.general.id, 123, reason="spam: flood ü")
        await rest.kick_user(world.guild_id, world.bob.id, reason="kicked")
        await rest.ban_user(
            world.guild_id, world.carol.id, delete_message_seconds=3600, reason="banned"
        )
        member = await rest.edit_member(
            world.guild_id, world.alice.id, communication_disabled_until=until, reason="timeout"
        )
        await rest.add_role_to_member(
            world.guild_id, world.alice.id, world.muted_role.id, reason="muted"
        )
        sent = await rest.create_message(world.mod_log.id, "logged")

    api = h.api
    assert api.find("DELETE", "/channels/{c}/messages/{m}")[0].reason == "spam: flood ü"
    assert api.find("DELETE", "/guilds/{g}/members/{u}")[0].reason == "kicked"
    ban = api.find("PUT", "/guilds/{g}/bans/{u}")[0]
    assert (ban.reason, ban.json) == ("banned", {"delete_message_seconds": 3600})
    assert member.communication_disabled_until() is not None
    assert api.find("PATCH", "/guilds/{g}/members/{u}")[0].json == {
        "communication_disabled_until": until.isoformat()
    }
    assert api.find("PUT", "/guilds/{g}/members/{u}/roles/{r}")[0].params["role_id"] == str(
        world.muted_role.id
    )
    assert sent.content == "logged"


async def test_automod_rules_round_trip(world: payloads.GuildWorld) -> None:
    from hikari.impl import special_endpoints

    async with hikari_bot(world) as h:
        rule = await h.bot.rest.create_auto_mod_rule(
            world.guild_id,
            name="no nitro",
            event_type=hikari.AutoModEventType.MESSAGE_SEND,
            trigger=special_endpoints.AutoModKeywordTriggerBuilder(keyword_filter=["nitro"]),
            actions=[special_endpoints.AutoModBlockMessageActionBuilder()],
            enabled=True,
        )
        listed = await h.bot.rest.fetch_auto_mod_rules(world.guild_id)

    assert [r.id for r in listed] == [rule.id]
    assert rule.creator_id == world.bot.id


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, hikari.ForbiddenError),
        (404, hikari.NotFoundError),
        (500, hikari.InternalServerError),
        (429, hikari.RateLimitTooLongError),
    ],
)
async def test_scripted_failures_raise_hikari_errors(
    world: payloads.GuildWorld, status: int, error: type[Exception]
) -> None:
    async with hikari_bot(world) as h:
        # retry_after beyond max_rate_limit (300 s): hikari refuses instead of sleeping.
        h.api.fail("DELETE", "/guilds/{g}/members/{u}", status=status, retry_after=1000)
        with pytest.raises(error):
            await h.bot.rest.kick_user(world.guild_id, world.bob.id)


async def test_forbidden_error_carries_discord_code(world: payloads.GuildWorld) -> None:
    async with hikari_bot(world) as h:
        h.api.fail("PUT", "/guilds/{g}/bans/{u}", status=403, code=50013)
        with pytest.raises(hikari.ForbiddenError) as caught:
            await h.bot.rest.ban_user(world.guild_id, world.bob.id)

    assert caught.value.code == 50013


async def test_short_429_is_slept_off_and_retried(world: payloads.GuildWorld) -> None:
    async with hikari_bot(world) as h:
        h.api.fail("POST", "/channels/{c}/messages", status=429, retry_after=0.05)
        started = time.monotonic()
        await h.bot.rest.create_message(world.general.id, "hi")

    first, second = h.api.find("POST", "/channels/{c}/messages")
    assert (first.status, second.status) == (429, 200)
    assert second.monotonic - first.monotonic >= 0.05
    assert time.monotonic() - started < 2


async def test_concurrent_requests_to_one_bucket_are_paced_by_its_headers(
    world: payloads.GuildWorld,
) -> None:
    async with hikari_bot(world) as h:
        await assert_burst_is_paced(
            h.api, lambda m: h.bot.rest.delete_message(world.general.id, m), count=12
        )


async def test_listener_exception_is_raised_by_settle(world: payloads.GuildWorld) -> None:
    async def broken(event: hikari.GuildMessageCreateEvent) -> None:
        raise LookupError("listener bug")

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageCreateEvent, broken)
        with pytest.raises(LookupError, match="listener bug"):
            await h.send_message(content="x")
