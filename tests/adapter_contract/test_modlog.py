"""The moderators' log channel on a real library bot: cases, failures, undos, raids and AutoMod
executions posted as embeds through the library's own HTTP client to the stand-in, one
message per group, never pinging, never in the way of punishing."""

from __future__ import annotations

import datetime
import logging
import typing

from adapter_contract.wire import mentions
from support import payloads

from spamguard.contrib.join_raid import JoinRaid

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    import pytest
    from adapter_contract.conftest import GuardFactory
    from support.discord_api import RecordedRequest
    from support.library_harness import Guarded

    from spamguard.core import Policy

MEMBER = "/guilds/{g}/members/{u}"
WARNING = "spamguard cannot post in the log channel"


def _log_posts(g: Guarded, channel_id: int | None = None) -> tuple[RecordedRequest, ...]:
    channel = g.world.mod_log.id if channel_id is None else channel_id
    return g.api.find("POST", f"/channels/{channel}/messages")


def _modlog(g_or_channel: int, **settings: typing.Any) -> dict[str, typing.Any]:
    return {"channel_id": g_or_channel, "group_seconds": 30, **settings}


def _field(embed: dict[str, typing.Any], name: str) -> str:
    (value,) = [f["value"] for f in embed["fields"] if f["name"] == name]
    return str(value)


async def test_a_case_is_one_embed_with_the_member_violation_action_messages_and_number(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    policy = policy_factory("TIMEOUT", clean=True, modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world) as g:
        await g.spam(2)
        # The message that fires the check is the one the case quotes.
        await g.send(content="free nitro @everyone <@&1> **now**")
        await g.protection.runtime.modlog.flush()
        alice = g.world.alice.id

        (post,) = _log_posts(g)
        assert post.status == 200
        assert not post.json.get("content")
        assert mentions(post.json) == {"parse": []}
        (embed,) = post.json["embeds"]
        assert embed["title"] == "Case #1 \u00b7 timeout"
        assert embed["footer"]["text"] == "spamguard \u00b7 case #1"
        description = embed["description"]
        assert description.startswith(f"<@{alice}> (`{alice}`)\naccount created <t:")
        joined = int(g.world.alice.joined_at.timestamp())
        assert f"joined <t:{joined}:R>" in description
        assert f"in <#{g.world.general.id}>" in description
        assert [f["name"] for f in embed["fields"]] == ["Violations", "Actions", "Messages"]
        assert _field(embed, "Violations") == "`max_messages` 3/3 in 10s (user)"
        actions = _field(embed, "Actions").splitlines()
        assert any("timeout" in line and line.endswith(": done") for line in actions)
        assert any("delet" in line and line.endswith(": done") for line in actions)
        # Quoted, defused: no mention can render, markdown shows as typed.
        quotes = _field(embed, "Messages").splitlines()
        assert quotes[0] == "> free nitro @\u200beveryone <@\u200b&1> \\*\\*now\\*\\*"
        assert g.protection.stats["runtime"]["modlog_posts"] == 1


async def test_a_30_message_flood_is_one_log_message(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    policy = policy_factory("TIMEOUT", clean=True, modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world) as g:
        await g.spam(30)
        assert _log_posts(g) == ()  # gathering, not yet posted
        await g.protection.runtime.modlog.flush()

        (post,) = _log_posts(g)
        (embed,) = post.json["embeds"]
        assert embed["title"] == "Case #1 \u00b7 timeout"
        assert mentions(post.json) == {"parse": []}
        assert len(g.api.find("PATCH", MEMBER)) == 1
        await g.protection.runtime.modlog.flush()
        assert len(_log_posts(g)) == 1


async def test_the_group_leaves_by_itself_after_group_seconds(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    modlog = _modlog(world.mod_log.id, group_seconds=0.2)
    async with guard(policy_factory("WARN", modlog=modlog), world=world) as g:
        await g.spam(3)
        await g.spam(3, author=g.world.bob)

        (post,) = await g.api.wait_for("POST", f"/channels/{g.world.mod_log.id}/messages")
        titles = [e["title"] for e in post.json["embeds"]]
        assert titles == ["Case #1 \u00b7 warn", "Case #2 \u00b7 warn"]


async def test_a_forbidden_log_channel_is_reported_once_and_punishing_goes_on(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    world = payloads.build_world()
    policy = policy_factory("TIMEOUT", modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world) as g:
        g.api.fail("POST", f"/channels/{world.mod_log.id}/messages", status=403, times=None)
        with caplog.at_level(logging.WARNING, logger="spamguard.modlog"):
            await g.spam(3)
            await g.protection.runtime.modlog.flush()
            await g.spam(3, author=g.world.bob)
            await g.protection.runtime.modlog.flush()

        assert [r.status for r in _log_posts(g)] == [403]
        timed_out = sorted(int(r.path.rsplit("/", 1)[1]) for r in g.api.find("PATCH", MEMBER))
        assert timed_out == sorted((g.world.alice.id, g.world.bob.id))
        assert all(o.ok for o in g.recorder.by_kind("timeout"))
        warnings = [r for r in caplog.records if WARNING in r.getMessage()]
        assert len(warnings) == 1
        assert "forbidden" in warnings[0].getMessage()
        stats = g.protection.stats["runtime"]
        assert (stats["modlog_posts"], stats["modlog_failures"]) == (0, 1)
        assert stats["modlog_dropped"] == 2


async def test_an_unknown_log_channel_is_reported_once_and_never_posted_in(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    unknown = 987_654_321_098_765_432  # no channel the stand-in or the library knows
    policy = policy_factory("TIMEOUT", modlog=_modlog(unknown))
    async with guard(policy) as g:
        with caplog.at_level(logging.WARNING, logger="spamguard.modlog"):
            await g.spam(3)
            await g.protection.runtime.modlog.flush()
            await g.spam(3, author=g.world.bob)
            await g.protection.runtime.modlog.flush()

        assert _log_posts(g, unknown) == ()
        assert [r.status for r in g.api.find("GET", f"/channels/{unknown}")] == [404]
        assert len(g.api.find("PATCH", MEMBER)) == 2
        warnings = [r for r in caplog.records if WARNING in r.getMessage()]
        assert len(warnings) == 1
        assert "not_found" in warnings[0].getMessage()
        assert g.protection.stats["runtime"]["modlog_failures"] == 1


async def test_a_channel_of_another_guild_is_never_posted_in(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    other = payloads.build_world(created_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC))
    elsewhere = other.general
    policy = policy_factory("TIMEOUT", modlog=_modlog(elsewhere.id))
    async with guard(policy) as g:
        g.api.channels[elsewhere.id] = elsewhere.payload(other.guild_id)
        with caplog.at_level(logging.WARNING, logger="spamguard.modlog"):
            await g.spam(3)
            await g.protection.runtime.modlog.flush()

        assert _log_posts(g, elsewhere.id) == ()
        assert len(g.api.find("PATCH", MEMBER)) == 1
        (warning,) = [r for r in caplog.records if WARNING in r.getMessage()]
        assert f"belongs to guild {other.guild_id}" in warning.getMessage()


async def test_a_failed_punishment_is_in_the_log_with_discords_error_not_in_the_channel(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    policy = policy_factory(
        "TIMEOUT", modlog=_modlog(world.mod_log.id), notices={"failed_in_channel": True}
    )
    async with guard(policy, world=world) as g:
        g.api.fail("PATCH", MEMBER, status=403)
        await g.spam(3)
        await g.protection.runtime.modlog.flush()

        assert _log_posts(g, g.world.general.id) == ()
        (post,) = _log_posts(g)
        (embed,) = post.json["embeds"]
        assert embed["title"] == "Case #1 \u00b7 timeout \u00b7 could not punish"
        (line,) = _field(embed, "Actions").splitlines()
        assert "failed (forbidden), Discord said:" in line
        assert "Missing Permissions" in line


async def test_a_scheduled_undo_is_logged_when_it_runs(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    policy = policy_factory("TEMPBAN", duration=60, modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world) as g:
        await g.spam(3)
        await g.protection.runtime.modlog.flush()
        (opened,) = _log_posts(g)
        (embed,) = opened.json["embeds"]
        assert embed["title"] == "Case #1 \u00b7 tempban"
        assert _field(embed, "Undo").startswith("scheduled, <t:")

        g.clock.advance(61)
        assert await g.run_due() == 1
        await g.protection.runtime.modlog.flush()

        undone = _log_posts(g)[1]
        (embed,) = undone.json["embeds"]
        assert embed["title"] == "Case #1 \u00b7 tempban \u00b7 undone"
        assert "done: the punishment was lifted" in embed["description"]
        assert mentions(undone.json) == {"parse": []}


async def test_an_automod_execution_that_counts_is_logged(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    policy = policy_factory(automod_executions_count=True, modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world) as g:
        await g.automod_execution()
        await g.protection.runtime.modlog.flush()

        (post,) = _log_posts(g)
        (embed,) = post.json["embeds"]
        assert embed["title"] == "Discord AutoMod execution"
        assert embed["description"].startswith(
            f"<@{g.world.alice.id}> (`{g.world.alice.id}`) in <#{g.world.general.id}>"
        )
        assert "matched: nitro" in embed["description"]


async def test_a_join_raid_start_is_logged(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    raid = {"joins": 4, "interval": 10, "quiet": 60, "raid_joiners": "NONE"}
    policy = policy_factory(extensions={"join_raid": raid}, modlog=_modlog(world.mod_log.id))
    async with guard(policy, world=world, plugins=[JoinRaid()]) as g:
        for index in range(5):
            await g.join(f"raider{index:02}")
        await g.protection.runtime.modlog.flush()

        (post,) = _log_posts(g)
        (start,) = [e for e in post.json["embeds"] if e["title"] == "Join raid started"]
        assert "4 joins" in start["description"]
        assert mentions(post.json) == {"parse": []}


async def test_a_guilds_override_names_its_own_log_channel(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    guilds = {str(world.guild_id): {"modlog": {"channel_id": world.general.id}}}
    policy = policy_factory("WARN", modlog=_modlog(world.mod_log.id), guilds=guilds)
    async with guard(policy, world=world) as g:
        await g.spam(3)
        await g.protection.runtime.modlog.flush()

        assert _log_posts(g) == ()
        logged = [p for p in _log_posts(g, g.world.general.id) if p.json.get("embeds")]
        (post,) = logged
        assert post.json["embeds"][0]["title"] == "Case #1 \u00b7 warn"


async def test_a_dry_run_case_is_logged_as_such_unless_switched_off(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    world = payloads.build_world()
    for logged in (True, False):
        modlog = _modlog(world.mod_log.id, dry_run=logged)
        async with guard(policy_factory("BAN", modlog=modlog, dry_run=True), world=world) as g:
            await g.spam(3)
            await g.protection.runtime.modlog.flush()

            assert g.api.find("PUT", "/guilds/{g}/bans/{u}") == ()
            if not logged:
                assert _log_posts(g) == ()
                continue
            (post,) = _log_posts(g)
            (embed,) = post.json["embeds"]
            assert embed["title"] == "Case #1 \u00b7 ban (dry run)"
            assert "dry run, not carried out" in _field(embed, "Actions")
