"""Native AutoMod rules with discord.py, nextcord or disnake (``SPAMGUARD_TEST_LIBRARY``): listing,
creating, editing and deleting them through the library's real HTTP client against the
Discord stand-in, a sync that converges, and real AUTO_MODERATION_ACTION_EXECUTION payloads
through the library's gateway parser."""

from __future__ import annotations

import datetime
import importlib
import os
import typing

import pytest
from support import payloads
from support.automod import automod_section, create_actions, policy_of, seed_rule
from support.discord_api import DiscordAPI, Limit, RateLimits
from support.dpy_harness import TEST_LIBRARIES, dpy_bot

from spamguard.adapters.dpy.automod import (
    NotAnAutomodActionError,
    automod_execution_from_event,
    execute_automod,
    fetch_rules,
)
from spamguard.adapters.runtime import Runtime
from spamguard.core import Guard
from spamguard.core.actions import Kick
from spamguard.core.events import AutomodExecution
from spamguard.core.outcomes import FailureKind
from spamguard.core.policy.automod import (
    CreateAutoModRule,
    DeleteAutoModRule,
    EditAutoModRule,
)

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from support.dpy_harness import DpyHarness

    from spamguard.core.actions import Action

# conftest.py has already failed the run if this is unset or unknown.
LIBRARY = TEST_LIBRARIES[os.environ["SPAMGUARD_TEST_LIBRARY"]]
EXECUTION_EVENT = {
    "discord": "on_automod_action",
    "nextcord": "on_auto_moderation_action_execution",
    "disnake": "on_automod_action_execution",
}[LIBRARY]
errors = importlib.import_module(f"{LIBRARY}.errors")

RULES = "/guilds/{g}/auto-moderation/rules"
RULE = "/guilds/{g}/auto-moderation/rules/{r}"
LIST_ROUTE = "/guilds/{guild_id}/auto-moderation/rules"


class AutomodExecutor:
    """The runtime's executor for these tests: AutoMod changes only, through the library."""

    def __init__(self, bot: typing.Any) -> None:
        self.bot = bot

    async def refuse(self, action: Action) -> str | None:
        return None

    async def execute(self, action: Action) -> int | None:
        assert isinstance(action, (CreateAutoModRule, EditAutoModRule, DeleteAutoModRule))
        await execute_automod(self.bot, action, library=LIBRARY)
        return None

    def classify(self, error: BaseException) -> FailureKind:
        if isinstance(error, errors.Forbidden):
            return FailureKind.FORBIDDEN
        return FailureKind.ERROR


def runtime_for(harness: DpyHarness, section: Mapping[str, typing.Any]) -> Runtime:
    return Runtime(Guard(policy_of(section)), AutomodExecutor(harness.bot))


async def sync(harness: DpyHarness, runtime: Runtime) -> tuple[typing.Any, ...]:
    guild = harness.world.guild_id
    return await runtime.sync_automod(
        guild, lambda: fetch_rules(harness.bot, guild, library=LIBRARY)
    )


# -- listing ---------------------------------------------------------------------------------


async def test_fetch_rules_returns_the_guilds_rules_as_discord_json_with_one_get() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        blocking = seed_rule(
            h.api,
            world,
            name="spamguard: invites",
            trigger_metadata={"keyword_filter": ["discord.gg/*"]},
            actions=[{"type": 1, "metadata": {"custom_message": "No invites here."}}],
            exempt_roles=[world.moderator_role.id],
        )
        pings = seed_rule(h.api, world, name="Pings", trigger_type=5)
        names = seed_rule(
            h.api,
            world,
            name="Names",
            trigger_type=6,
            event_type=2,
            actions=[{"type": 4, "metadata": {}}],
        )
        h.api.clear()

        rules = await fetch_rules(h.bot, world.guild_id, library=LIBRARY)

        # Exactly Discord's JSON: custom messages, member-profile triggers and
        # block-interaction actions included, whatever the library's models know.
        assert rules == [blocking, pings, names]
        assert [(r.method, r.path) for r in h.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/auto-moderation/rules")
        ]


# -- carrying changes out --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["invites", "pings", "slurs", "spam", "names"])
async def test_a_create_sends_the_whole_body_with_its_audit_log_reason(name: str) -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        action = create_actions(world, name)[name]
        h.api.clear()

        await execute_automod(h.bot, action, library=LIBRARY)

        (request,) = h.api.requests
        assert (request.method, request.path) == (
            "POST",
            f"/guilds/{world.guild_id}/auto-moderation/rules",
        )
        assert request.json == action.rule
        assert request.reason == "spamguard: provision AutoMod rule"
        (stored,) = h.api.automod_rules[world.guild_id].values()
        assert stored["name"] == f"spamguard: {name}"


async def test_the_full_keyword_body_reaches_discord_field_by_field() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        action = create_actions(world, "invites")["invites"]
        h.api.clear()

        await execute_automod(h.bot, action, library=LIBRARY)

        (request,) = h.api.requests
        assert request.json == {
            "name": "spamguard: invites",
            "event_type": 1,
            "trigger_type": 1,
            "trigger_metadata": {
                "keyword_filter": ["discord.gg/*", "*free nitro*"],
                "regex_patterns": [],
                "allow_list": ["discord.gg/python"],
            },
            "actions": [
                {"type": 1, "metadata": {"custom_message": "No invites here."}},
                {"type": 2, "metadata": {"channel_id": str(world.mod_log.id)}},
                {"type": 3, "metadata": {"duration_seconds": 60}},
            ],
            "enabled": True,
            "exempt_roles": [str(world.moderator_role.id)],
            "exempt_channels": [str(world.mod_log.id)],
        }


async def test_an_edit_patches_the_managed_fields_and_never_the_types() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        rule = seed_rule(h.api, world, name="spamguard: pings", trigger_type=5)
        patch = {
            "name": "spamguard: pings",
            "trigger_metadata": {
                "mention_total_limit": 12,
                "mention_raid_protection_enabled": False,
            },
            "actions": [
                {"type": 1, "metadata": {"custom_message": "Too many pings."}},
                {"type": 3, "metadata": {"duration_seconds": 300}},
            ],
            "enabled": False,
            "exempt_roles": [str(world.admin_role.id)],
            "exempt_channels": [],
        }
        h.api.clear()

        await execute_automod(
            h.bot,
            EditAutoModRule(
                guild_id=world.guild_id, rule_id=int(rule["id"]), rule=patch, reason="why: edit"
            ),
            library=LIBRARY,
        )

        (request,) = h.api.requests
        assert (request.method, request.path) == (
            "PATCH",
            f"/guilds/{world.guild_id}/auto-moderation/rules/{rule['id']}",
        )
        assert request.json == patch
        assert request.reason == "why: edit"


async def test_a_delete_removes_the_rule_with_its_audit_log_reason() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        rule = seed_rule(h.api, world, name="spamguard: old")
        h.api.clear()

        await execute_automod(
            h.bot,
            DeleteAutoModRule(guild_id=world.guild_id, rule_id=int(rule["id"])),
            library=LIBRARY,
        )

        (request,) = h.api.requests
        assert (request.method, request.path, request.json) == (
            "DELETE",
            f"/guilds/{world.guild_id}/auto-moderation/rules/{rule['id']}",
            None,
        )
        assert request.reason == "spamguard: AutoMod rule removed from the policy"
        assert h.api.automod_rules[world.guild_id] == {}


async def test_a_refused_create_raises_the_librarys_forbidden_error() -> None:
    async with dpy_bot(LIBRARY) as h:
        h.api.fail("POST", RULES, status=403)
        with pytest.raises(errors.Forbidden):
            await execute_automod(h.bot, create_actions(h.world, "spam")["spam"], library=LIBRARY)


async def test_other_actions_and_unknown_libraries_are_refused_by_name() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        h.api.clear()
        with pytest.raises(NotAnAutomodActionError, match="Kick"):
            await execute_automod(
                h.bot,
                Kick(guild_id=world.guild_id, user_id=world.alice.id, reason="x"),  # type: ignore[arg-type]
                library=LIBRARY,
            )
        with pytest.raises(ValueError, match="discord, nextcord, disnake, got 'pycord'"):
            await fetch_rules(h.bot, world.guild_id, library="pycord")  # type: ignore[arg-type]
        assert h.api.requests == ()


# -- the sync, end to end --------------------------------------------------------------------


async def test_sync_creates_the_rules_once_then_changes_nothing() -> None:
    # Five rules empty the bucket of POST .../rules, and nextcord and disnake then hold
    # the route (its GET included) until the window passed: a roomier bucket saves 1 s.
    world = payloads.build_world()
    limits = RateLimits(overrides={f"POST {LIST_ROUTE}": Limit(requests=10, per=1.0)})
    async with (
        DiscordAPI.for_world(world, rate_limits=limits) as api,
        dpy_bot(LIBRARY, world, api=api) as h,
    ):
        foreign = seed_rule(h.api, world, name="Block invites (by the owner)")
        runtime = runtime_for(h, automod_section(world))
        h.api.clear()

        first = await sync(h, runtime)

        assert [o.ok for o in first] == [True] * 5
        assert [(r.method, r.route) for r in h.api.requests] == [("GET", LIST_ROUTE)] + [
            ("POST", LIST_ROUTE)
        ] * 5
        assert sorted(r.json["name"] for r in h.api.find("POST", RULES)) == [
            "spamguard: invites",
            "spamguard: names",
            "spamguard: pings",
            "spamguard: slurs",
            "spamguard: spam",
        ]
        h.api.clear()

        second = await sync(h, runtime)

        assert second == ()
        assert [(r.method, r.path) for r in h.api.requests] == [
            ("GET", f"/guilds/{world.guild_id}/auto-moderation/rules")
        ]
        assert h.api.automod_rules[world.guild_id][int(foreign["id"])] == foreign


async def test_a_changed_policy_edits_and_deletes_only_rules_spamguard_owns() -> None:
    async with dpy_bot(LIBRARY) as h:
        world = h.world
        foreign = seed_rule(h.api, world, name="Pings (by the owner)", trigger_type=5)
        await sync(h, runtime_for(h, automod_section(world, "invites", "slurs", "spam")))
        owned = {r["name"]: int(r["id"]) for r in h.api.automod_rules[world.guild_id].values()}
        changed = automod_section(world, "invites", "slurs")
        changed["rules"][0]["keyword_filter"] = ["discord.gg/*"]
        changed["rules"][0]["actions"] = [{"type": "block_message", "custom_message": "No."}]
        runtime = runtime_for(h, changed)
        h.api.clear()

        outcomes = await sync(h, runtime)

        assert [(o.action.kind, o.ok) for o in outcomes] == [
            ("automod_edit", True),
            ("automod_delete", True),
        ]
        g = world.guild_id
        assert [(r.method, r.path) for r in h.api.requests] == [
            ("GET", f"/guilds/{g}/auto-moderation/rules"),
            ("PATCH", f"/guilds/{g}/auto-moderation/rules/{owned['spamguard: invites']}"),
            ("DELETE", f"/guilds/{g}/auto-moderation/rules/{owned['spamguard: spam']}"),
        ]
        patch = h.api.find("PATCH", RULE)[0]
        assert patch.json == outcomes[0].action.rule
        assert patch.json["trigger_metadata"]["keyword_filter"] == ["discord.gg/*"]
        assert patch.json["actions"] == [{"type": 1, "metadata": {"custom_message": "No."}}]
        assert patch.reason == "spamguard: update AutoMod rule"
        assert (
            h.api.find("DELETE", RULE)[0].reason
            == "spamguard: AutoMod rule removed from the policy"
        )
        rules = h.api.automod_rules[g]
        assert rules[int(foreign["id"])] == foreign
        assert sorted(r["name"] for r in rules.values()) == [
            "Pings (by the owner)",
            "spamguard: invites",
            "spamguard: slurs",
        ]
        h.api.clear()

        assert await sync(h, runtime) == ()
        assert len(h.api.requests) == 1


async def test_a_forbidden_sync_is_reported_as_failed_outcomes_not_raised() -> None:
    async with dpy_bot(LIBRARY) as h:
        runtime = runtime_for(h, automod_section(h.world, "spam"))
        h.api.fail("POST", RULES, status=403)

        (outcome,) = await sync(h, runtime)

        assert not outcome.ok
        assert outcome.failure is FailureKind.FORBIDDEN
        assert runtime.stats.actions_failed == {"forbidden": 1}


async def test_a_failed_listing_changes_nothing_and_is_counted() -> None:
    async with dpy_bot(LIBRARY) as h:
        runtime = runtime_for(h, automod_section(h.world))
        h.api.clear()
        h.api.fail("GET", RULES, status=403)

        assert await sync(h, runtime) == ()
        assert [r.method for r in h.api.requests] == ["GET"]
        assert runtime.stats.errors == 1


# -- the gateway event -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action_type", "trigger_type", "action_metadata"),
    [(1, 1, {}), (3, 5, {"duration_seconds": 60}), (4, 6, {})],
    ids=["block_keyword", "timeout_mention_spam", "block_interaction_member_profile"],
)
async def test_an_automod_execution_payload_becomes_the_cores_value(
    action_type: int, trigger_type: int, action_metadata: dict[str, typing.Any]
) -> None:
    async with dpy_bot(LIBRARY) as h:
        events: list[typing.Any] = []

        async def on_execution(event: typing.Any) -> None:
            events.append(event)

        h.bot.add_listener(on_execution, EXECUTION_EVENT)
        payload = await h.automod_execution(
            user=h.world.bob,
            content="free nitro here",
            keyword="nitro",
            rule_id=4242,
            message_id=5151,
            action_type=action_type,
            trigger_type=trigger_type,
            action_metadata=action_metadata,
        )
        at = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)

        (event,) = events
        execution = automod_execution_from_event(event, library=LIBRARY, at=at)

        assert execution == AutomodExecution(
            guild_id=h.world.guild_id,
            user_id=h.world.bob.id,
            rule_id=4242,
            rule_trigger_type=trigger_type,
            action_type=action_type,
            at=at,
            channel_id=int(payload["channel_id"]),
            message_id=5151,
            content="free nitro here",
            matched_keyword="nitro",
            matched_content="nitro",
        )
