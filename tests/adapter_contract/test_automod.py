"""Discord's native AutoMod: the policy's ``automod:`` rules reach a guild when it becomes
available (created once, edited, never another's rule touched), and AutoMod executions
count as violations when the policy says so."""

from __future__ import annotations

import asyncio
import typing

import pytest
from adapter_contract.wire import mentions
from support import payloads

from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import Guarded

    from spamguard.core import Policy

RULES = "/guilds/{g}/auto-moderation/rules"
RULE = "/guilds/{g}/auto-moderation/rules/{r}"

INVITES = {
    "name": "invites",
    "trigger": "keyword",
    "keyword_filter": ["discord.gg/*"],
    "actions": [{"type": "block_message", "custom_message": "No invites here."}],
}
PINGS = {
    "name": "pings",
    "trigger": "mention_spam",
    "mention_total_limit": 8,
    "actions": [{"type": "block_message"}],
}


async def _guild_available_again(g: Guarded) -> None:
    """The guild comes back (an outage, a reconnect): GUILD_CREATE once more."""
    await g.dispatch("GUILD_CREATE", g.world.guild_create())
    await asyncio.sleep(0.05)
    await g.harness.settle()


async def test_rules_are_created_when_the_guild_becomes_available_then_left_alone(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(automod={"rules": [INVITES, PINGS]})
    # The bot starts (GUILD_CREATE: the guild is available) before the test body; the
    # start-up requests are cleared, the stand-in keeps the rules.
    async with guard(policy) as g:
        rules = g.api.automod_rules[g.world.guild_id]
        assert sorted(r["name"] for r in rules.values()) == [
            "spamguard: invites",
            "spamguard: pings",
        ]
        (invites,) = [r for r in rules.values() if r["name"] == "spamguard: invites"]
        assert invites["trigger_metadata"]["keyword_filter"] == ["discord.gg/*"]
        assert invites["actions"] == [
            {"type": 1, "metadata": {"custom_message": "No invites here."}}
        ]

        # Created once each, at start-up.
        assert sorted((o.action.kind, o.ok) for o in g.recorder.outcomes) == [
            ("automod_create", True),
            ("automod_create", True),
        ]

        await _guild_available_again(g)

        # The rules already match: one look, no change.
        assert [(r.method, r.path) for r in g.requests] == [
            ("GET", f"/guilds/{g.world.guild_id}/auto-moderation/rules")
        ]
        assert len(g.recorder.outcomes) == 2
        assert len(g.api.automod_rules[g.world.guild_id]) == 2


async def test_a_changed_rule_is_edited_with_an_audit_log_reason(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(automod={"rules": [INVITES]})) as g:
        (rule_id,) = g.api.automod_rules[g.world.guild_id]
        changed = {**INVITES, "keyword_filter": ["discord.gg/*", "*nitro*"]}
        g.protection.guard.policy = policy_factory(automod={"rules": [changed]})

        await _guild_available_again(g)

        outcome = g.recorder.outcome("automod_edit")
        assert outcome.ok
        edit = g.requests[-1]
        assert (edit.method, edit.path, edit.reason) == (
            "PATCH",
            f"/guilds/{g.world.guild_id}/auto-moderation/rules/{rule_id}",
            "spamguard: update AutoMod rule",
        )
        assert edit.json["trigger_metadata"]["keyword_filter"] == ["discord.gg/*", "*nitro*"]


async def test_a_forbidden_rule_change_is_a_failed_outcome(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        g.protection.guard.policy = policy_factory(automod={"rules": [INVITES]})
        g.api.fail("POST", RULES, status=403)

        await _guild_available_again(g)

        outcome = g.recorder.outcome("automod_create")
        assert (outcome.ok, outcome.failure) == (False, FailureKind.FORBIDDEN)
        assert g.api.automod_rules.get(g.world.guild_id, {}) == {}


async def test_no_automod_section_means_no_request(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory()) as g:
        await _guild_available_again(g)

        assert g.requests == ()


# -- executions ------------------------------------------------------------------------------

WARN_FIRST = {"kick_threshold": 2, "ban_threshold": 2}
"""First violation: a warning."""
KICK_FIRST = {"kick_threshold": 0, "ban_threshold": 1}
"""First violation: a kick."""


async def test_an_execution_counts_as_a_violation_when_the_policy_says_so(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=WARN_FIRST)
    async with guard(policy) as g:
        await g.automod_execution()
        alice, general = g.world.alice.id, g.world.general.id

        (warning,) = g.requests
        assert (warning.method, warning.path) == ("POST", f"/channels/{general}/messages")
        assert warning.json["content"] == f"Hey <@{alice}>, please stop spamming."
        assert mentions(warning.json) == {"parse": [], "users": [alice]}
        (execution,) = g.recorder.automod
        assert (execution.user_id, execution.channel_id, execution.matched_keyword) == (
            alice,
            general,
            "nitro",
        )
        assert g.protection.guard.member_counters(g.world.guild_id, alice)["warn_count"] == 1
        assert g.protection.guard.stats()["automod_executions"] == 1


async def test_an_execution_punishes_as_the_ladder_says(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=KICK_FIRST)
    async with guard(policy) as g:
        await g.automod_execution(user=g.world.alice)

        assert g.calls() == [("DELETE", f"/guilds/{g.world.guild_id}/members/{g.world.alice.id}")]
        assert g.recorder.outcome("kick").ok
        assert g.protection.guard.stats()["automod_executions"] == 1


async def test_an_execution_is_only_reported_when_the_option_is_off(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory(escalation=KICK_FIRST)) as g:
        await g.automod_execution()

        assert g.requests == ()
        assert len(g.recorder.automod) == 1
        assert g.protection.guard.stats()["automod_executions"] == 1


async def test_repeated_executions_walk_the_ladder_a_step_each(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # Each execution is a violation of count 1: an incident, one step of the ladder.
    ladder = {"kick_threshold": 1, "ban_threshold": 1}
    policy = policy_factory(automod_executions_count=True, escalation=ladder)
    async with guard(policy) as g:
        guild, alice = g.world.guild_id, g.world.alice.id
        for minute in range(3):
            await g.automod_execution(user=g.world.alice, content=f"buy cheap nitro {minute}")
            g.clock.advance(60)

        (warning,) = g.api.find("POST", "/channels/{c}/messages")
        assert f"<@{alice}>" in warning.json["content"]
        assert [(r.method, r.path) for r in g.api.find(pattern="/guilds/{g}/{kind}/{u}")] == [
            ("DELETE", f"/guilds/{guild}/members/{alice}"),
            ("PUT", f"/guilds/{guild}/bans/{alice}"),
        ]


@pytest.mark.parametrize(
    ("escalation", "requests"), [(WARN_FIRST, 1), (KICK_FIRST, 1)], ids=["warn", "kick"]
)
async def test_the_events_of_one_trigger_count_once(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    escalation: dict[str, int],
    requests: int,
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=escalation)
    async with guard(policy) as g:
        # Discord sends one event per action of the rule: block, alert, timeout.
        rule_id = payloads.snowflake(g.clock.now)
        metadata = {
            1: {},
            2: {"channel_id": str(g.world.mod_log.id)},
            3: {"duration_seconds": 60},
        }
        for action_type in (1, 2, 3):
            await g.automod_execution(
                rule_id=rule_id, action_type=action_type, action_metadata=metadata[action_type]
            )

        assert len(g.recorder.automod) == 1
        assert len(g.requests) == requests
        counters = g.protection.guard.member_counters(g.world.guild_id, g.world.alice.id)
        assert counters["violations"] == 1
        assert g.protection.guard.stats()["automod_executions"] == 1


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_an_execution_never_punishes_the_owner_or_admins(
    guard: GuardFactory, policy_factory: Callable[..., Policy], who: str
) -> None:
    policy = policy_factory(automod_executions_count=True, escalation=KICK_FIRST)
    async with guard(policy) as g:
        await g.automod_execution(user=getattr(g.world, who))

        assert not g.api.find("DELETE", "/guilds/{g}/members/{u}")
        assert g.recorder.outcome("kick").failure == "hierarchy"
