"""A library's message becomes the core's message: fields, cache look-ups and computed
permissions, as plugins see it (``spamguard_pre_invoke``)."""

from __future__ import annotations

import dataclasses
import datetime
import typing

import pytest
from support import payloads

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory

    from spamguard.core import Policy

# Libraries keep timestamps to the millisecond.
AT = datetime.datetime(2024, 6, 1, 8, 0, 0, 123000, tzinfo=datetime.UTC)


@pytest.fixture
def watch(policy_factory: Callable[..., Policy]) -> Policy:
    """A policy that never acts and exempts nobody: every message reaches the plugins."""
    return policy_factory(exempt_admins=False)


async def test_a_guild_messages_fields_come_from_the_library_objects(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        w = g.world
        sent = await g.send(
            author=w.moderator,
            content="hey <@&1> look https://example.com",
            mentions=[w.alice, w.bob, w.alice],
            mention_roles=[w.muted_role.id],
            attachments=[payloads.attachment()],
            embeds=[payloads.embed()],
        )

        (message,) = g.recorder.messages
        assert message.id == int(sent["id"])
        assert (message.guild_id, message.channel_id, message.author_id) == (
            w.guild_id,
            w.general.id,
            w.moderator.id,
        )
        assert message.content == "hey <@&1> look https://example.com"
        assert message.created_at == payloads.snowflake_time(sent["id"])
        assert message.author_role_ids == frozenset({w.moderator_role.id})
        assert message.mention_ids == (w.alice.id, w.bob.id)
        assert message.role_mention_ids == (w.muted_role.id,)
        assert message.mentions_everyone is False
        assert (message.attachment_count, message.embed_count, message.sticker_count) == (1, 1, 0)
        assert (message.category_id, message.parent_id) == (w.category.id, None)
        assert message.author_can_manage_messages
        assert not message.author_is_admin
        assert not message.author_is_owner
        assert not message.author_is_bot
        assert (message.author_name, message.guild_name, message.channel_name) == (
            "Morgan",
            w.guild.name,
            "general",
        )


async def test_mentions_stickers_and_everyone_come_from_the_payload(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        w = g.world
        await g.send(
            author=w.carol,
            content="look @everyone",
            created_at=AT,
            mentions=(w.bob, w.alice),
            mention_roles=(w.moderator_role.id,),
            mention_everyone=True,
            attachments=(payloads.attachment(), payloads.attachment("b.png")),
            sticker_items=(payloads.sticker_item(),),
            embeds=(payloads.embed(title="hi"),),
        )

        (message,) = g.recorder.messages
        assert message.created_at == AT
        assert message.mention_ids == (w.bob.id, w.alice.id)
        assert message.role_mention_ids == (w.moderator_role.id,)
        assert message.mentions_everyone is True
        assert (message.attachment_count, message.sticker_count, message.embed_count) == (2, 1, 1)
        assert message.author_is_bot is False
        assert (message.author_name, message.guild_name, message.channel_name) == (
            "Carol",
            "Spamguard Test Guild",
            "general",
        )


async def test_a_message_without_content_has_empty_content(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        await g.send(content="", attachments=(payloads.attachment(),))

        (message,) = g.recorder.messages
        assert message.content == ""
        assert message.attachment_count == 1


async def test_role_ids_leave_out_the_everyone_role(guard: GuardFactory, watch: Policy) -> None:
    async with guard(watch) as g:
        await g.send(author=g.world.carol, content="hi")
        await g.send(author=g.world.alice, content="hi")

        carol, alice = g.recorder.messages
        assert carol.author_role_ids == frozenset({g.world.muted_role.id})
        assert alice.author_role_ids == frozenset()


async def test_a_thread_message_carries_its_parent_and_the_parents_category(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        w = g.world
        await g.send(author=w.owner, channel=w.thread, content="in a thread")
        await g.send(author=w.admin, content="in general")

        in_thread, in_channel = g.recorder.messages
        assert (in_thread.channel_id, in_thread.parent_id, in_thread.category_id) == (
            w.thread.id,
            w.general.id,
            w.category.id,
        )
        assert in_thread.channel_name == "spam-talk"
        assert in_thread.author_is_owner
        assert (in_channel.parent_id, in_channel.category_id) == (None, w.category.id)
        assert in_channel.author_is_admin
        assert in_channel.author_can_manage_messages


@pytest.mark.parametrize(
    ("who", "owner", "admin", "manage"),
    [
        ("owner", True, True, True),
        ("admin", False, True, True),
        ("moderator", False, False, True),
        ("alice", False, False, False),
        ("carol", False, False, False),
    ],
)
async def test_owner_admin_and_manage_messages_are_computed_from_cached_roles(
    guard: GuardFactory, watch: Policy, who: str, owner: bool, admin: bool, manage: bool
) -> None:
    async with guard(watch) as g:
        await g.send(author=getattr(g.world, who), content="hi")

        (message,) = g.recorder.messages
        # The owner has every permission, administrator included, on every library.
        assert (
            message.author_is_owner,
            message.author_is_admin,
            message.author_can_manage_messages,
        ) == (owner, admin, manage)


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
    guard: GuardFactory,
    watch: Policy,
    world: payloads.GuildWorld,
    who: str,
    channel: str,
    manage: bool,
) -> None:
    world = _world_with_overwrites(world)
    async with guard(watch, world=world) as g:
        await g.send(author=getattr(world, who), channel=getattr(world, channel), content="hi")

        (message,) = g.recorder.messages
        assert message.author_can_manage_messages is manage
        assert message.author_is_admin is False


async def test_the_nickname_is_the_author_name(
    guard: GuardFactory, watch: Policy, world: payloads.GuildWorld
) -> None:
    nicked = dataclasses.replace(world.alice, nick="Ally @everyone")
    members = tuple(nicked if m.id == nicked.id else m for m in world.guild.members)
    world = dataclasses.replace(
        world, guild=dataclasses.replace(world.guild, members=members), alice=nicked
    )
    async with guard(watch, world=world) as g:
        await g.send(content="hi")

        (message,) = g.recorder.messages
        assert message.author_name == "Ally @everyone"


async def test_an_edit_keeps_the_creation_time_and_takes_the_new_content(
    guard: GuardFactory, watch: Policy
) -> None:
    async with guard(watch) as g:
        w = g.world
        created = await g.send(author=w.carol, content="first", created_at=AT)
        await g.edit(created, content="second", mentions=(w.bob,))

        _, edited = g.recorder.messages
        assert (edited.id, edited.content, edited.created_at) == (int(created["id"]), "second", AT)
        assert edited.mention_ids == (w.bob.id,)
        assert edited.author_role_ids == frozenset({w.muted_role.id})
