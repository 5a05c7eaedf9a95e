"""The gateway payload builders produce Discord-shaped, realistic data."""

from __future__ import annotations

import datetime

from support import payloads

UTC = datetime.UTC


def test_snowflake_encodes_its_creation_time() -> None:
    moment = datetime.datetime(2024, 5, 1, 12, 30, 15, 250_000, tzinfo=UTC)

    value = payloads.snowflake(moment, increment=7)

    assert (
        value
        == ((int(moment.timestamp() * 1000) - payloads.DISCORD_EPOCH_MS) << 22) | (1 << 17) | 7
    )
    assert payloads.snowflake_time(value) == moment


def test_snowflakes_for_the_same_instant_differ() -> None:
    moment = datetime.datetime(2024, 5, 1, tzinfo=UTC)

    assert payloads.snowflake(moment) != payloads.snowflake(moment)


def test_timestamps_are_iso8601_utc() -> None:
    moment = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    assert payloads.timestamp(moment) == "2024-05-01T12:00:00.000000+00:00"
    assert datetime.datetime.fromisoformat(payloads.timestamp(moment)) == moment


def test_world_is_reproducible() -> None:
    assert payloads.build_world() == payloads.build_world()


def test_everyone_role_shares_the_guild_id_and_bot_role_is_highest(
    world: payloads.GuildWorld,
) -> None:
    roles = world.guild_create()["roles"]

    assert roles[0]["id"] == str(world.guild_id)
    assert roles[0]["name"] == "@everyone"
    assert max(roles, key=lambda r: r["position"])["id"] == str(world.bot_role.id)
    assert int(world.moderator_role.permissions) & payloads.Permission.MANAGE_MESSAGES
    assert world.bot_role.payload()["tags"] == {"bot_id": str(world.bot.id)}


def test_guild_create_is_complete_so_no_chunking_is_needed(world: payloads.GuildWorld) -> None:
    data = world.guild_create()

    assert data["owner_id"] == str(world.owner.id)
    assert data["member_count"] == len(data["members"]) == 7
    assert data["unavailable"] is False
    assert {m["user"]["id"] for m in data["members"]} >= {str(world.bot.id), str(world.owner.id)}
    assert data["threads"][0]["parent_id"] == str(world.general.id)
    mod_log = next(c for c in data["channels"] if c["name"] == "mod-log")
    assert {o["id"]: o["type"] for o in mod_log["permission_overwrites"]} == {
        str(world.everyone_role.id): 0,
        str(world.moderator_role.id): 0,
        str(world.bot.id): 1,
    }


def test_message_create_carries_member_and_mention_members(world: payloads.GuildWorld) -> None:
    at = datetime.datetime(2024, 6, 1, 8, 0, tzinfo=UTC)

    data = world.message(
        author=world.carol,
        content="@everyone free nitro",
        created_at=at,
        mentions=(world.bob,),
        mention_roles=(world.moderator_role.id,),
        mention_everyone=True,
        attachments=(payloads.attachment("a.png"),),
        sticker_items=(payloads.sticker_item(),),
        embeds=(payloads.embed(url="https://example.invalid", kind="link"),),
    )

    assert payloads.snowflake_time(data["id"]) == at
    assert data["timestamp"] == payloads.timestamp(at)
    assert data["guild_id"] == str(world.guild_id)
    assert "user" not in data["member"]
    assert data["member"]["roles"] == [str(world.muted_role.id)]
    assert data["mentions"][0]["member"]["joined_at"] == payloads.timestamp(world.bob.joined_at)
    assert data["mention_roles"] == [str(world.moderator_role.id)]
    assert data["mention_everyone"] is True
    assert len(data["sticker_items"]) == len(data["attachments"]) == len(data["embeds"]) == 1


def test_message_in_thread_has_position(world: payloads.GuildWorld) -> None:
    data = world.message(channel=world.thread, content="hi")

    assert data["channel_id"] == str(world.thread.id)
    assert data["position"] == 0


def test_edit_keeps_id_and_sets_edited_timestamp(world: payloads.GuildWorld) -> None:
    created = world.message(content="hello")

    edited = world.edit(created, content="hello spam")

    assert edited["id"] == created["id"]
    assert edited["timestamp"] == created["timestamp"]
    assert edited["edited_timestamp"] is not None
    assert edited["content"] == "hello spam"


def test_automod_execution_names_rule_user_and_match(world: payloads.GuildWorld) -> None:
    data = world.automod_execution(user=world.bob, content="buy nitro", keyword="nitro", rule_id=5)

    assert data["rule_id"] == "5"
    assert data["user_id"] == str(world.bob.id)
    assert data["channel_id"] == str(world.general.id)
    assert data["matched_keyword"] == "nitro"
    assert data["action"] == {"type": 1, "metadata": {}}
