"""The hook system: specs, plugin managers and the typed facade, with inline plugins.

Each test builds a fresh plugin manager (through ``Guard`` or ``get_plugin_manager``) with
small plugin classes declared in the test itself.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import pathlib
import types
import typing

import pluggy
import pytest

from spamguard.core import (
    ActionOutcome,
    AutomodExecution,
    Entry,
    Guard,
    Kick,
    Plan,
    PolicyError,
    PolicyIssue,
    SkipReason,
    Timeout,
    Violation,
    get_plugin_manager,
    hookimpl,
    hookspecs,
)
from spamguard.core.plugin_manager import DISABLED_ENV, plugin_name
from spamguard.core.plugins import HOOK_NAMES, Hooks

GUIDE = pathlib.Path(__file__).parents[2] / "docs" / "plugins.md"


def undocumented_hooks(module: types.ModuleType, guide: str) -> list[str]:
    """Hook specs of ``module`` without a real docstring or without a section in the guide."""
    missing = []
    for name, function in vars(module).items():
        if not name.startswith("spamguard_") or not inspect.isfunction(function):
            continue
        doc = inspect.getdoc(function) or ""
        if len(doc.split()) < 15 or f"`{name}`" not in guide:
            missing.append(name)
    return missing


def test_every_hook_has_a_docstring_and_a_section_in_the_plugin_guide() -> None:
    assert undocumented_hooks(hookspecs, GUIDE.read_text(encoding="utf-8")) == []
    assert set(HOOK_NAMES) == {n for n in vars(hookspecs) if n.startswith("spamguard_")}


def test_the_documentation_check_catches_an_undocumented_hook() -> None:
    module = types.ModuleType("fake_specs")

    def spamguard_do_thing(message: object) -> None:
        pass

    module.spamguard_do_thing = spamguard_do_thing  # type: ignore[attr-defined]
    assert undocumented_hooks(module, GUIDE.read_text(encoding="utf-8")) == ["spamguard_do_thing"]


def test_every_hook_is_named_spamguard_verb_noun_and_only_vetoes_are_firstresult() -> None:
    firstresult = set()
    for name in HOOK_NAMES:
        assert name.count("_") >= 2, name
        options = getattr(hookspecs, name).spamguard_spec
        if options["firstresult"]:
            firstresult.add(name)
    assert firstresult == {
        "spamguard_pre_invoke",
        "spamguard_find_adapter",
        "spamguard_make_compat_bridge",
    }


def test_hookimpl_from_core_marks_spamguard_hooks() -> None:
    @hookimpl(tryfirst=True)
    def spamguard_check_message() -> None:
        pass

    assert spamguard_check_message.spamguard_impl["tryfirst"] is True  # type: ignore[attr-defined]


def test_each_call_gives_a_fresh_plugin_manager() -> None:
    class Plugin:
        @hookimpl
        def spamguard_check_message(self) -> None:
            return None

    first = get_plugin_manager([Plugin()], load_entrypoints=False)
    second = get_plugin_manager(load_entrypoints=False)
    assert first is not second
    assert len(first.get_plugins()) == 1
    assert second.get_plugins() == set()


def test_a_misspelled_hook_fails_when_registered() -> None:
    class Typo:
        @hookimpl
        def spamguard_check_mesage(self, message: object) -> None:
            pass

    with pytest.raises(pluggy.PluginValidationError, match="spamguard_check_mesage"):
        get_plugin_manager([Typo()], load_entrypoints=False)


def test_a_hook_wrapper_is_refused_with_a_reason() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def spamguard_after_invoke(self, plan: Plan) -> typing.Generator[None, Plan, Plan]:
            return (yield)

    with pytest.raises(pluggy.PluginValidationError, match="supports no wrappers"):
        get_plugin_manager([Wrapper()], load_entrypoints=False)


def test_guard_registers_a_plugin_object_in_one_line(msg, policy) -> None:
    class Plugin:
        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> list[Violation]:
            return []

    plugin = Plugin()
    guard = Guard(policy(), plugins=[plugin])
    assert guard.plugin_manager.is_registered(plugin)


def test_a_custom_check_sees_history_and_its_own_window_and_its_violation_punishes(
    msg, policy
) -> None:
    seen: list[tuple[int, int]] = []

    class Caps:
        @hookimpl
        def spamguard_check_message(self, message: typing.Any, context: typing.Any):
            history = context.history(60)
            window = context.window("caps", interval=60)
            if message.content.isupper():
                window.add(
                    Entry(
                        message.created_at.timestamp(),
                        message.id,
                        message.channel_id,
                        message.author_id,
                    )
                )
            seen.append((len(history), len(window)))
            if len(window) >= 2:
                return [
                    Violation(
                        check="caps",
                        count=len(window),
                        limit=2,
                        interval=60.0,
                        message_ids=tuple(e.message_id for e in window.entries),
                        punishment="TIMEOUT",
                    )
                ]
            return None

    guard = Guard(policy(rule={"punishment": "NONE", "punishment_duration": 120}), plugins=[Caps()])
    assert not guard.process(msg("HELLO", t=0))
    assert not guard.process(msg("quiet", t=1))
    plan = guard.process(msg("AGAIN", t=2))
    assert seen == [(1, 1), (2, 1), (3, 2)]
    assert [v.check for v in plan.violations] == ["caps"]
    timeouts = [a for a in plan.actions if isinstance(a, Timeout)]
    assert len(timeouts) == 1
    assert timeouts[0].until == msg.at(2 + 120)
    assert plan.punishment == "TIMEOUT"


def test_pre_invoke_vetoes_a_message_before_any_check(msg, policy) -> None:
    checked = []

    class Veto:
        @hookimpl
        def spamguard_pre_invoke(self, message: typing.Any) -> str | None:
            return "announcement" if message.content.startswith("!") else None

    class Check:
        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> None:
            checked.append(message.content)

    guard = Guard(policy(), plugins=[Veto(), Check()])
    assert guard.process(msg("!news")).skipped_reason is SkipReason.VETOED
    assert guard.process(msg("chat")).skipped_reason is None
    assert checked == ["chat"]


def test_pre_invoke_may_answer_with_a_skip_reason_and_the_first_answer_wins(msg, policy) -> None:
    class First:
        @hookimpl(tryfirst=True)
        def spamguard_pre_invoke(self) -> SkipReason:
            return SkipReason.IGNORED_CHANNEL

    class Second:
        @hookimpl
        def spamguard_pre_invoke(self) -> str:
            raise AssertionError("not reached: the first non-None result wins")

    guard = Guard(policy(), plugins=[Second(), First()])
    assert guard.process(msg()).skipped_reason is SkipReason.IGNORED_CHANNEL


def test_after_invoke_threads_the_plan_through_every_plugin_in_call_order(msg, policy) -> None:
    order = []

    def adder(label: str, **marker: bool) -> object:
        class Adder:
            name = label

            @hookimpl(**marker)
            def spamguard_after_invoke(self, message: typing.Any, plan: Plan) -> Plan:
                order.append((label, len(plan.actions)))
                kick = Kick(guild_id=message.guild_id, user_id=message.author_id, reason=label)
                return dataclasses.replace(plan, actions=(*plan.actions, kick))

        return Adder()

    class Keeper:
        @hookimpl
        def spamguard_after_invoke(self) -> None:
            order.append(("keeper", None))

    guard = Guard(policy(), plugins=[adder("a"), Keeper(), adder("late", trylast=True)])
    plan = guard.process(msg())
    assert order == [("keeper", None), ("a", 0), ("late", 1)]
    assert [a.reason for a in plan.actions] == ["a", "late"]


def test_a_plugin_needing_violations_is_not_called_after_invoke_for_a_plan_without_any(
    msg, policy
) -> None:
    seen: list[tuple[str, int]] = []

    class Counter:
        def __init__(self, label: str, *, needs: bool) -> None:
            self.name = label
            self.after_invoke_needs_violations = needs

        @hookimpl
        def spamguard_after_invoke(self, plan: Plan) -> None:
            seen.append((self.name, len(plan.violations)))

    class Shout:
        name = "shout"

        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> list[Violation] | None:
            if message.content != "LOUD":
                return None
            return [
                Violation(check="shout", count=1, limit=1, interval=0.0, message_ids=(message.id,))
            ]

    # Every after-invoke plugin needs violations: the guard skips the hook for quiet plans.
    needy_only = Guard(policy(), plugins=[Counter("needy", needs=True), Shout()])
    assert needy_only.hooks.after_invoke_without_violations() is False
    needy_only.process(msg(content="quiet"))
    assert seen == []
    plugins = [Counter("always", needs=False), Counter("needy", needs=True), Shout()]
    guard = Guard(policy(), plugins=plugins)
    assert guard.hooks.after_invoke_without_violations() is True
    guard.process(msg(content="quiet"))
    assert seen == [("always", 0)]
    guard.process(msg(content="LOUD"))
    assert sorted(seen[1:]) == [("always", 1), ("needy", 1)]


def test_an_after_invoke_result_that_is_not_a_plan_is_ignored_and_logged(
    msg, policy, caplog
) -> None:
    class Broken:
        @hookimpl
        def spamguard_after_invoke(self) -> str:
            return "oops"

    guard = Guard(policy(), plugins=[Broken()])
    with caplog.at_level(logging.ERROR, logger="spamguard.plugins"):
        plan = guard.process(msg())
    assert isinstance(plan, Plan)
    assert "not a Plan" in caplog.text


def test_a_failing_plugin_is_logged_and_skipped_while_the_others_still_count(
    msg, policy, caplog
) -> None:
    class Crash:
        @hookimpl
        def spamguard_check_message(self) -> None:
            raise RuntimeError("plugin bug")

    class Steady:
        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> list[Violation]:
            return [
                Violation(check="steady", count=1, limit=1, interval=0, message_ids=(message.id,))
            ]

    guard = Guard(policy(), plugins=[Crash(), Steady()])
    with caplog.at_level(logging.ERROR, logger="spamguard.plugins"):
        plan = guard.process(msg())
    assert [v.check for v in plan.violations] == ["steady"]
    assert "plugin bug" in caplog.text


def test_a_guild_opts_out_of_an_extension_by_name(msg, policy) -> None:
    calls = []

    class Named:
        name = "noisy"

        @hookimpl
        def spamguard_check_message(self, message: typing.Any) -> None:
            calls.append(message.guild_id)

    other = msg.OTHER_GUILD
    guard = Guard(policy(guilds={other: {"disabled_extensions": ["noisy"]}}), plugins=[Named()])
    guard.process(msg(guild_id=msg.GUILD))
    guard.process(msg(guild_id=other))
    assert calls == [msg.GUILD]


def test_outcomes_and_automod_executions_reach_plugins_except_where_opted_out(msg, policy) -> None:
    outcomes: list[ActionOutcome] = []
    executions: list[AutomodExecution] = []

    class Listener:
        name = "listener"

        @hookimpl
        def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
            outcomes.append(outcome)

        @hookimpl
        def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
            executions.append(execution)

    other = msg.OTHER_GUILD
    guard = Guard(
        policy(guilds={other: {"disabled_extensions": ["listener"]}}), plugins=[Listener()]
    )
    for guild_id in (msg.GUILD, other):
        kick = Kick(guild_id=guild_id, user_id=msg.USER)
        guard.hooks.report_outcome(ActionOutcome(action=kick, ok=False, guild_id=guild_id))
        guard.record_automod_execution(
            AutomodExecution(
                guild_id=guild_id,
                user_id=msg.USER,
                rule_id=1,
                rule_trigger_type=1,
                action_type=1,
                at=msg.at(0),
            )
        )
    assert [o.guild_id for o in outcomes] == [msg.GUILD]
    assert [e.guild_id for e in executions] == [msg.GUILD]


def test_find_adapter_asks_plugins_until_one_knows_the_bot() -> None:
    class Bot:
        pass

    class Unsure:
        @hookimpl
        def spamguard_find_adapter(self, bot: object) -> None:
            return None

    class Knows:
        @hookimpl
        def spamguard_find_adapter(self, bot: object) -> str | None:
            return "fakelib" if isinstance(bot, Bot) else None

    hooks = Hooks(get_plugin_manager([Knows(), Unsure()], load_entrypoints=False))
    assert hooks.find_adapter(Bot()) == "fakelib"
    assert hooks.find_adapter(object()) is None


def test_make_compat_bridge_asks_plugins_until_one_lends_a_bridge_and_skips_a_broken_one(
    policy, caplog
) -> None:
    guard = Guard(policy(), load_entrypoints=False)
    bridge = object()
    seen: list[tuple[object, Guard]] = []

    class Broken:
        @hookimpl
        def spamguard_make_compat_bridge(self, bot: object) -> object:
            raise RuntimeError("adapter bug")

    class Lends:
        @hookimpl
        def spamguard_make_compat_bridge(self, bot: object, guard: Guard) -> object:
            seen.append((bot, guard))
            return bridge if bot == "mybot" else None

    hooks = Hooks(get_plugin_manager([Lends(), Broken()], load_entrypoints=False))
    with caplog.at_level(logging.ERROR, logger="spamguard.plugins"):
        assert hooks.make_compat_bridge("mybot", guard) is bridge
        assert hooks.make_compat_bridge("other", guard) is None
    assert seen == [("mybot", guard), ("other", guard)]
    assert "adapter bug" in caplog.text


class Strict:
    """A plugin that validates ``extensions.strict.level``."""

    name = "strict"

    @hookimpl
    def spamguard_validate_policy(self, policy: typing.Any) -> list[PolicyIssue]:
        level = policy.extensions.get("strict", {}).get("level", 1)
        if not isinstance(level, int) or level < 1:
            return [
                PolicyIssue(
                    path="extensions.strict.level",
                    message=f"must be a positive integer, got {level!r}",
                )
            ]
        return []


def test_bad_extension_settings_fail_when_the_guard_is_built_naming_the_field(policy) -> None:
    bad = policy(
        extensions={"strict": {"level": 0}},
        guilds={"77": {"extensions": {"strict": {"level": "high"}}}, "78": {"dry_run": True}},
    )
    with pytest.raises(PolicyError) as caught:
        Guard(bad, plugins=[Strict()])
    assert [str(issue) for issue in caught.value.issues] == [
        "extensions.strict.level: must be a positive integer, got 0",
        "guilds.77.extensions.strict.level: must be a positive integer, got 'high'",
    ]


def test_registering_a_plugin_that_rejects_the_policy_leaves_it_unregistered(policy) -> None:
    guard = Guard(policy())
    # Settings of a plugin not registered yet (a Guard refuses them as unknown when built).
    guard.policy = policy(extensions={"strict": {"level": -1}})
    plugin = Strict()
    with pytest.raises(PolicyError, match=r"extensions\.strict\.level"):
        guard.register_plugin(plugin)
    assert not guard.plugin_manager.is_registered(plugin)


def test_a_misspelled_extension_is_an_error_naming_the_closest_plugin(policy) -> None:
    bad = policy(
        extensions={"strikt": {"level": 2}},
        guilds={"77": {"extensions": {"strict": {"level": 3}, "raod": {}}}},
    )
    with pytest.raises(PolicyError) as caught:
        Guard(bad, plugins=[Strict()])
    lines = [str(issue) for issue in caught.value.issues]
    assert [line.split(";")[0] for line in lines] == [
        "extensions.strikt: no such extension (did you mean 'strict'?)",
        "guilds.77.extensions.raod: no such extension (did you mean 'raid'?)",
    ]
    # The installed extensions count, loaded or not; a nameless plugin's id does not.
    assert lines[0].endswith(
        "installed: compromised, honeypot, join_raid, link_filter, mass_mention, message_length, raid, stats, strict"
    )


def test_settings_of_an_installed_extension_that_is_not_loaded_are_accepted(policy) -> None:
    # load_entrypoints=False: raid is installed but not loaded, so nothing validates it.
    guard = Guard(policy(extensions={"raid": {"members": 1}}), load_entrypoints=False)
    assert "raid" in guard.policy.base.extensions


def test_an_unknown_extension_is_refused_without_any_validating_plugin(policy) -> None:
    # Guard() and `spamguard check` both call Hooks.validate_policy: no plugin, no hook
    # implementation, and still an unknown name is refused.
    hooks = Hooks(get_plugin_manager(load_entrypoints=False))
    with pytest.raises(PolicyError, match=r"extensions\.nope: no such extension"):
        hooks.validate_policy(policy(extensions={"nope": {}}))


def test_a_plugin_is_registered_under_its_name_attribute() -> None:
    class Named:
        name = "my_check"

        @hookimpl
        def spamguard_check_message(self) -> None:
            return None

    plugin = Named()
    pm = get_plugin_manager([plugin], load_entrypoints=False)
    assert plugin_name(plugin) == "my_check"
    assert pm.get_plugin("my_check") is plugin


def test_installed_extensions_load_and_the_variable_blocks_named_ones(monkeypatch) -> None:
    monkeypatch.delenv(DISABLED_ENV, raising=False)
    names = {name for name, _ in get_plugin_manager().list_name_plugin()}
    assert {"mass_mention", "message_length", "link_filter", "raid", "join_raid", "stats"} <= names

    monkeypatch.setenv(DISABLED_ENV, "raid, stats")
    names = {name for name, _ in get_plugin_manager().list_name_plugin()}
    assert "raid" not in names
    assert "stats" not in names
    assert "mass_mention" in names


def test_a_plugin_given_in_code_replaces_the_installed_one_of_the_same_name(monkeypatch) -> None:
    from spamguard.contrib import stats

    monkeypatch.delenv(DISABLED_ENV, raising=False)
    mine = stats.Stats()
    pm = get_plugin_manager([mine])
    assert pm.get_plugin("stats") is mine
    assert not pm.is_registered(stats.plugin)


def test_a_plugin_given_in_code_registers_even_when_the_variable_blocks_its_name(
    monkeypatch,
) -> None:
    from spamguard.contrib import stats

    monkeypatch.setenv(DISABLED_ENV, "stats")
    mine = stats.Stats()
    assert get_plugin_manager([mine]).get_plugin("stats") is mine
