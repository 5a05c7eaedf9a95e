"""The policy's ``automod:`` rules reach the guild when it becomes available."""

from __future__ import annotations

import typing

from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy

    from .conftest import GuardedFactory

RULES_ROUTE = "/guilds/{guild_id}/auto-moderation/rules"


def _automod(policy_factory: Callable[..., Policy], *keywords: str) -> Policy:
    return policy_factory(
        automod={
            "rules": [
                {
                    "name": "invites",
                    "trigger": "keyword",
                    "keyword_filter": list(keywords),
                    "actions": [{"type": "block_message", "custom_message": "No invites here."}],
                }
            ]
        }
    )


async def test_rules_are_created_when_the_guild_becomes_available_then_left_alone(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    # The guarded bot starts (GUILD_CREATE: guild available) before the test body; the
    # start-up requests are cleared, the stand-in keeps the rules.
    async with guarded(_automod(policy_factory, "discord.gg/*")) as g:
        (rule,) = g.api.automod_rules[g.world.guild_id].values()
        assert rule["name"] == "spamguard: invites"
        assert rule["trigger_metadata"]["keyword_filter"] == ["discord.gg/*"]
        assert rule["actions"] == [{"type": 1, "metadata": {"custom_message": "No invites here."}}]

        outcomes = await g.protection.sync_automod(g.world.guild_id)

        assert outcomes == ()
        assert [(r.method, r.route) for r in g.api.requests] == [("GET", RULES_ROUTE)]


async def test_a_changed_rule_is_edited_with_an_audit_log_reason(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(_automod(policy_factory, "discord.gg/*")) as g:
        (rule_id,) = g.api.automod_rules[g.world.guild_id]
        g.protection.guard.policy = _automod(policy_factory, "discord.gg/*", "*nitro*")

        (outcome,) = await g.protection.sync_automod(g.world.guild_id)

        assert outcome.ok and outcome.action.kind == "automod_edit"
        edit = g.api.requests[-1]
        assert (edit.method, edit.path, edit.reason) == (
            "PATCH",
            f"/guilds/{g.world.guild_id}/auto-moderation/rules/{rule_id}",
            "spamguard: update AutoMod rule",
        )
        assert edit.json["trigger_metadata"]["keyword_filter"] == ["discord.gg/*", "*nitro*"]


async def test_a_forbidden_rule_change_is_a_failed_outcome(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory()) as g:
        g.protection.guard.policy = _automod(policy_factory, "discord.gg/*")
        g.api.fail("POST", "/guilds/{g}/auto-moderation/rules", status=403)

        (outcome,) = await g.protection.sync_automod(g.world.guild_id)

        assert (outcome.action.kind, outcome.failure) == ("automod_create", FailureKind.FORBIDDEN)
        assert g.api.automod_rules.get(g.world.guild_id, {}) == {}


async def test_no_automod_section_means_no_request(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory()) as g:
        assert await g.protection.sync_automod(g.world.guild_id) == ()
        assert g.api.requests == ()
