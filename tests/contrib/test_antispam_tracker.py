"""``AntiSpamTracker``: discord-anti-spam's plugin API, on message times instead of a clock."""

from __future__ import annotations

import json

import pytest

from spamguard.contrib.antispam import AntiSpamHandler, AntiSpamTracker, CorePayload, MemberNotFound
from spamguard.core import Guard

WORTHY = {"should_be_punished_this_message": True}
UNWORTHY = {"should_be_punished_this_message": False}


@pytest.fixture
def handler() -> AntiSpamHandler:
    return AntiSpamHandler(no_punish=True, message_interval=10000, load_entrypoints=False)


def test_the_tracker_is_built_like_the_original(handler) -> None:
    tracker = AntiSpamTracker(handler, "3")
    assert (tracker.punish_min_amount, tracker.valid_global_interval) == (3, 10000)
    assert AntiSpamTracker(handler, 3, "15000").valid_global_interval == 15000
    assert AntiSpamTracker(handler, 3, 2500.0).valid_global_interval == 2500
    with pytest.raises(TypeError, match="Expected anti_spam_handler of type AntiSpamHandler"):
        AntiSpamTracker(object(), 3)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match="Expected `spam_amount_to_punish` of type int or int convertable"
    ):
        AntiSpamTracker(handler, "many")
    with pytest.raises(TypeError, match="Expected valid_timestamp_interval of type int"):
        AntiSpamTracker(handler, 3, {})
    with pytest.raises(ValueError, match="Expected valid_timestamp_interval of type int"):
        AntiSpamTracker(handler, 3, "soon")


async def test_only_punishment_worthy_messages_count(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 2)
    await tracker.update_cache(msg(t=0), UNWORTHY)
    with pytest.raises(MemberNotFound):
        await tracker.get_member_count(msg(t=1))
    await tracker.update_cache(msg(t=1), WORTHY)
    assert await tracker.get_member_count(msg(t=2)) == 1
    assert not await tracker.is_spamming(msg(t=2))
    await tracker.update_cache(msg(t=2), WORTHY)
    assert await tracker.is_spamming(msg(t=3))


async def test_entries_expire_after_the_interval(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 2, 5000)
    await tracker.update_cache(msg(t=0), WORTHY)
    await tracker.update_cache(msg(t=3), WORTHY)
    assert await tracker.get_member_count(msg(t=4.9)) == 2
    assert await tracker.get_member_count(msg(t=5)) == 1
    assert not await tracker.is_spamming(msg(t=5))
    assert await tracker.get_member_count(msg(t=20)) == 0


async def test_dms_and_unknown_members_raise_member_not_found(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 1)
    with pytest.raises(MemberNotFound, match="Can't find member's from dm's"):
        await tracker.get_member_count(msg(guild_id=None))
    with pytest.raises(MemberNotFound, match="could not be found in the cache"):
        await tracker.get_member_count(msg())
    assert not await tracker.is_spamming(msg(guild_id=None))
    await tracker.update_cache(msg(guild_id=None), WORTHY)
    assert tracker.member_tracking == {}


async def test_update_cache_accepts_the_result_dict_or_a_core_payload(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 1)
    await tracker.update_cache(msg(), CorePayload(member_should_be_punished_this_message=True))
    await tracker.update_cache(msg(t=1), {"should_be_punished_this_message": True})
    assert await tracker.get_member_count(msg(t=1)) == 2
    with pytest.raises(TypeError, match="Expected data of type: CorePayload"):
        await tracker.update_cache(msg(), 1)


async def test_remove_punishments_resets_the_member_to_a_count_of_zero(handler, msg) -> None:
    # discord-anti-spam: "This will actually create a member internally if one doesn't
    # already exist": the member is reset, not forgotten.
    tracker = AntiSpamTracker(handler, 1)
    await tracker.update_cache(msg(t=0), WORTHY)
    await tracker.update_cache(msg(t=1), WORTHY)
    await tracker.remove_punishments(msg(t=2))
    assert await tracker.get_member_count(msg(t=2)) == 0
    assert not await tracker.is_spamming(msg(t=2))
    await tracker.update_cache(msg(t=3), WORTHY)
    assert await tracker.get_member_count(msg(t=3)) == 1
    await tracker.remove_punishments(msg(guild_id=None))


async def test_remove_punishments_creates_a_member_never_tracked(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 1)
    await tracker.remove_punishments(msg(guild_id=msg.OTHER_GUILD))
    assert await tracker.get_member_count(msg(guild_id=msg.OTHER_GUILD)) == 0
    saved = json.loads(json.dumps(await tracker.save_to_dict()))
    restored = await AntiSpamTracker.load_from_dict(handler, saved)
    assert await restored.get_member_count(msg(guild_id=msg.OTHER_GUILD)) == 0


async def test_registered_on_the_handler_it_tracks_propagated_spam(handler, msg) -> None:
    punished: list[int] = []

    class Punisher(AntiSpamTracker):
        async def do_punishment(self, message, *args, **kwargs) -> None:
            punished.append(message.author_id)

    tracker = Punisher(handler, 2)
    handler.register_extension(tracker)
    for t in range(7):
        message = msg("spam spam spam", t=t)
        data = await handler.propagate(message)
        if await tracker.is_spamming(message):
            await tracker.do_punishment(message)
            await tracker.remove_punishments(message)
    # Duplicates 5, 6 and 7 are punishment-worthy; the tracker trips at the second.
    assert data["after_invoke_extensions"] == {"Punisher": {"status": "Cache updated"}}
    assert punished == [msg.USER]
    assert await tracker.get_member_count(msg(t=7)) == 1


async def test_a_guild_can_have_its_own_interval(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 1)
    tracker.add_custom_guild_options(msg.OTHER_GUILD, message_interval=2000, no_punish=True)
    assert (await handler.get_guild_options(msg.OTHER_GUILD)).message_interval == 2000
    for guild_id in (msg.GUILD, msg.OTHER_GUILD):
        await tracker.update_cache(msg(guild_id=guild_id, t=0), WORTHY)
    assert await tracker.get_member_count(msg(t=3)) == 1
    assert await tracker.get_member_count(msg(guild_id=msg.OTHER_GUILD, t=3)) == 0
    tracker.remove_custom_guild_options(msg.OTHER_GUILD)
    assert await handler.get_guild_options(msg.OTHER_GUILD) == handler.options


async def test_as_a_pluggy_plugin_it_tracks_a_plain_guards_violations(handler, msg, policy) -> None:
    tracker = AntiSpamTracker(handler, 2)
    guard = Guard(
        policy(rule={"punishment": "NONE", "max_messages": {"count": 2, "interval": 10}}),
        plugins=[tracker],
    )
    for t in range(3):
        guard.process(msg(t=t))
    assert await tracker.get_member_count(msg(t=3)) == 2
    assert await tracker.is_spamming(msg(t=3))


async def test_the_tracker_state_is_saved_and_loaded_with_the_handler(handler, msg) -> None:
    tracker = AntiSpamTracker(handler, 3, 9000)
    handler.register_extension(tracker)
    await tracker.update_cache(msg(t=0), WORTHY)
    await tracker.update_cache(msg(t=1), WORTHY)
    saved = json.loads(json.dumps(await handler.save_to_dict()))
    restored = await AntiSpamHandler.load_from_dict(
        None, saved, plugins={AntiSpamTracker}, load_entrypoints=False
    )
    [loaded] = restored.after_invoke_extensions.values()
    assert isinstance(loaded, AntiSpamTracker)
    assert loaded.valid_global_interval == 9000
    assert await loaded.get_member_count(msg(t=2)) == 2
