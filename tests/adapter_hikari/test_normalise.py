"""hikari events become core messages: fields, cache look-ups and computed permissions."""

from __future__ import annotations

import dataclasses
import datetime
import typing

import hikari
import pytest
from support import payloads
from support.hikari_harness import hikari_bot

from spamguard.adapters.hikari import convert
from spamguard.adapters.hikari.automod import automod_execution_from_event

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from spamguard.core import Message

UTC = datetime.UTC
# hikari keeps timestamps to the millisecond.
AT = datetime.datetime(2024, 6, 1, 8, 0, 0, 123000, tzinfo=UTC)


@pytest.fixture
async def converted(world: payloads.GuildWorld) -> AsyncIterator[typing.Any]:
    """``await converted(**message_kwargs)``: the core message for a real MESSAGE_CREATE."""
    async with hikari_bot(world) as h:
        seen: list[hikari.GuildMessageCreateEvent] = []

        async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
            seen.append(event)

        h.bot.subscribe(hikari.GuildMessageCreateEvent, on_message)

        async def convert_one(**kwargs: typing.Any) -> Message | None:
            await h.send_message(**kwargs)
            return convert.message_from_create(seen.pop())

        yield convert_one


async def test_message_fields_come_from_the_payload(
    converted: typing.Any, world: payloads.GuildWorld
) -> None:
    message = await converted(
        author=world.carol,
        content="look @everyone",
        created_at=AT,
        mentions=(world.bob, world.alice),
        mention_roles=(world.moderator_role.id,),
        mention_everyone=True,
        attachments=(payloads.attachment(), payloads.attachment("b.png")),
        sticker_items=(payloads.sticker_item(),),
        embeds=(payloads.embed(title="hi"),),
    )

    assert message is not None
    assert (message.guild_id, message.channel_id, message.author_id) == (
        world.guild_id,
        world.general.id,
        world.carol.id,
    )
    assert message.content == "look @everyone"
    assert message.created_at == AT
    assert message.mention_ids == (world.bob.id, world.alice.id)
    assert message.role_mention_ids == (world.moderator_role.id,)
    assert message.mentions_everyone is True
    assert (message.attachment_count, message.sticker_count, message.embed_count) == (2, 1, 1)
    assert message.author_is_bot is False
    assert (message.author_name, message.guild_name, message.channel_name) == (
        "Carol",
        "Spamguard Test Guild",
        "general",
    )


async def test_message_without_content_has_empty_content(
    converted: typing.Any, world: payloads.GuildWorld
) -> None:
    message = await converted(content="", attachments=(payloads.attachment(),))

    assert message is not None
    assert message.content == ""
    assert message.attachment_count == 1


async def test_role_ids_leave_out_the_everyone_role(
    converted: typing.Any, world: payloads.GuildWorld
) -> None:
    carol = await converted(author=world.carol, content="hi")
    alice = await converted(author=world.alice, content="hi")

    assert carol is not None and alice is not None
    assert carol.author_role_ids == frozenset({world.muted_role.id})
    assert alice.author_role_ids == frozenset()


async def test_thread_message_has_parent_and_category_from_the_cache(
    converted: typing.Any, world: payloads.GuildWorld
) -> None:
    in_thread = await converted(content="hi", channel=world.thread)
    in_channel = await converted(content="hi")

    assert in_thread is not None and in_channel is not None
    assert (in_thread.channel_id, in_thread.parent_id, in_thread.category_id) == (
        world.thread.id,
        world.general.id,
        world.category.id,
    )
    assert in_thread.channel_name == "spam-talk"
    assert (in_channel.parent_id, in_channel.category_id) == (None, world.category.id)


@pytest.mark.parametrize(
    ("who", "owner", "admin", "manage"),
    [
        ("owner", True, False, True),
        ("admin", False, True, True),
        ("moderator", False, False, True),
        ("alice", False, False, False),
        ("carol", False, False, False),
    ],
)
async def test_owner_admin_and_manage_messages_are_computed_from_cached_roles(
    converted: typing.Any,
    world: payloads.GuildWorld,
    who: str,
    owner: bool,
    admin: bool,
    manage: bool,
) -> None:
    message = await converted(author=getattr(world, who), content="hi")

    assert message is not None
    assert (
        message.author_is_owner,
        message.author_is_admin,
        message.author_can_manage_messages,
    ) == (
        owner,
        admin,
        manage,
    )


def _world_with_overwrites(world: payloads.GuildWorld) -> payloads.GuildWorld:
    """``general`` lets bob manage messages (member overwrite) and takes it from moderators
    (role overwrite); threads of ``general`` inherit both."""
    general = dataclasses.replace(
        world.general,
        overwrites=(
            *world.general.overwrites,
            payloads.Overwrite(
                id=world.bob.id, member=True, allow=payloads.Permission.MANAGE_MESSAGES
            ),
            payloads.Overwrite(
                id=world.moderator_role.id, deny=payloads.Permission.MANAGE_MESSAGES
            ),
        ),
    )
    channels = tuple(general if c.id == general.id else c for c in world.guild.channels)
    return dataclasses.replace(
        world, guild=dataclasses.replace(world.guild, channels=channels), general=general
    )


@pytest.mark.parametrize(
    ("who", "channel", "manage"),
    [
        ("bob", "general", True),
        ("bob", "thread", True),
        ("bob", "mod_log", False),
        ("moderator", "general", False),
        ("moderator", "thread", False),
        ("moderator", "mod_log", True),
    ],
)
async def test_channel_overwrites_decide_manage_messages(
    world: payloads.GuildWorld, who: str, channel: str, manage: bool
) -> None:
    world = _world_with_overwrites(world)
    seen: list[hikari.GuildMessageCreateEvent] = []

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        seen.append(event)

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageCreateEvent, on_message)
        await h.send_message(
            author=getattr(world, who), channel=getattr(world, channel), content="hi"
        )
        message = convert.message_from_create(seen[0])

    assert message is not None
    assert message.author_can_manage_messages is manage
    assert message.author_is_admin is False


async def test_nickname_is_the_author_name(world: payloads.GuildWorld) -> None:
    nicked = dataclasses.replace(world.alice, nick="Ally @everyone")
    members = tuple(nicked if m.id == nicked.id else m for m in world.guild.members)
    world = dataclasses.replace(
        world, guild=dataclasses.replace(world.guild, members=members), alice=nicked
    )
    seen: list[hikari.GuildMessageCreateEvent] = []

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        seen.append(event)

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageCreateEvent, on_message)
        await h.send_message(content="hi")
        message = convert.message_from_create(seen[0])

    assert message is not None
    assert message.author_name == "Ally @everyone"


async def test_edit_keeps_the_creation_time_and_takes_the_new_content(
    world: payloads.GuildWorld,
) -> None:
    seen: list[hikari.GuildMessageUpdateEvent] = []

    async def on_update(event: hikari.GuildMessageUpdateEvent) -> None:
        seen.append(event)

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.GuildMessageUpdateEvent, on_update)
        created = await h.send_message(author=world.carol, content="first", created_at=AT)
        await h.edit_message(created, content="second", mentions=(world.bob,))
        message = convert.message_from_update(seen[0])

    assert message is not None
    assert (message.id, message.content, message.created_at) == (int(created["id"]), "second", AT)
    assert message.mention_ids == (world.bob.id,)
    assert message.author_role_ids == frozenset({world.muted_role.id})


async def test_automod_event_becomes_an_automod_execution(world: payloads.GuildWorld) -> None:
    seen: list[hikari.events.AutoModActionExecutionEvent] = []

    async def on_automod(event: hikari.events.AutoModActionExecutionEvent) -> None:
        seen.append(event)

    async with hikari_bot(world) as h:
        h.bot.subscribe(hikari.events.AutoModActionExecutionEvent, on_automod)
        await h.automod_execution(user=world.bob, content="cheap nitro", rule_id=42, message_id=77)

    execution = automod_execution_from_event(seen[0], at=AT)
    assert (execution.guild_id, execution.user_id, execution.rule_id) == (
        world.guild_id,
        world.bob.id,
        42,
    )
    assert (execution.channel_id, execution.message_id) == (world.general.id, 77)
    assert (execution.rule_trigger_type, execution.action_type) == (1, 1)
    assert (execution.content, execution.matched_keyword, execution.at) == (
        "cheap nitro",
        "nitro",
        AT,
    )
