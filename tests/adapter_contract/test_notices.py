"""Notices reach the channel pinging only the member, whatever the template says, in
plan order, and expire."""

from __future__ import annotations

import typing

from adapter_contract.wire import mentions

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory

    from spamguard.core import Policy


async def test_a_warning_pings_only_the_member_and_is_deleted_after_delete_after(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("WARN")) as g:
        await g.spam(3)
        alice, channel = g.world.alice.id, g.world.general.id

        (post,) = g.requests
        assert (post.method, post.path) == ("POST", f"/channels/{channel}/messages")
        assert post.json["content"] == f"Hey <@{alice}>, please stop spamming."
        assert mentions(post.json) == {"parse": [], "users": [alice]}
        ((_, notice_id),) = g.api.messages

        g.clock.advance(29)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1

        (removal,) = g.requests[1:]
        assert (removal.method, removal.path, removal.json, removal.reason) == (
            "DELETE",
            f"/channels/{channel}/messages/{notice_id}",
            None,
            "spamguard: notice expired",
        )


async def test_no_template_can_ping_everyone_here_or_a_role(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    notices = {
        "warn": "$MENTIONMEMBER stop, @everyone @here <@&$GUILDID> <@&1> see",
        "warn_delete_after": 5,
    }
    async with guard(policy_factory("WARN", notices=notices)) as g:
        await g.spam(3)
        alice, guild = g.world.alice.id, g.world.guild_id

        (warning,) = g.api.find("POST", "/channels/{c}/messages")
        assert warning.json["content"] == f"<@{alice}> stop, @everyone @here <@&{guild}> <@&1> see"
        assert mentions(warning.json) == {"parse": [], "users": [alice]}

        g.clock.advance(4)
        assert await g.run_due() == 0
        g.clock.advance(1)
        assert await g.run_due() == 1
        (removal,) = g.api.find("DELETE", "/channels/{c}/messages/{m}")
        assert removal.reason == "spamguard: notice expired"


async def test_an_embed_notice_is_sent_as_discords_embed_json(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    embed = {"title": "Slow down, $MEMBERNAME", "description": "$COUNT messages", "color": 15158332}
    policy = policy_factory("WARN", notices={"warn": embed, "warn_delete_after": None})
    async with guard(policy) as g:
        await g.spam(3)

        (warning,) = g.api.find("POST", "/channels/{c}/messages")
        assert warning.json["embeds"] == [
            {"title": "Slow down, Alice", "description": "3 messages", "color": 15158332}
        ]
        assert "content" not in warning.json or not warning.json["content"]
        assert mentions(warning.json) == {"parse": [], "users": [g.world.alice.id]}


async def test_punishment_notice_then_punishment_in_plan_order_then_the_clean(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(
        "TIMEOUT",
        clean=True,
        notices={"punishment": "$MEMBERNAME got a $PUNISHMENT", "punishment_delete_after": None},
    )
    async with guard(policy) as g:
        await g.spam(3)

        # Deletions gather for a moment to leave in bulk: they never hold a punishment up.
        assert [(r.method, r.route) for r in g.requests] == [
            ("POST", "/channels/{channel_id}/messages"),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}"),
            ("POST", "/channels/{channel_id}/messages/bulk-delete"),
        ]
        assert g.requests[0].json["content"] == "Alice got a timeout"
        assert g.protection.stats["runtime"]["actions_ok"] == {"delete": 1, "send": 1, "timeout": 1}
        assert [o.action.kind for o in g.recorder.outcomes] == ["send", "timeout", "delete"]
        assert all(o.ok for o in g.recorder.outcomes)
