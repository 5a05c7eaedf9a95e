"""The pytest plugin, run the way a bot author's own suite runs it (pytester)."""

from __future__ import annotations

import importlib.metadata

import pytest

import spamguard.testing  # noqa: F401 - imported once here, not again by every inner run

pytest_plugins = ["pytester"]

KICK_POLICY = """\
spam:
  levels:
    0:
      punishment: KICK
      max_messages: {count: 4, interval: 5}
"""

USER_SUITE = """\
from spamguard.testing import assert_punished

def test_flood_is_kicked(spamguard_sim):
    alice = spamguard_sim.member(name="alice")
    alice.spams("hi", times=6, every=0.2)
    assert_punished(spamguard_sim.run(), alice, "KICK")
"""

# The inner runs use only pytest and spamguard's plugin: not the outer suite's asyncio
# settings, and not hypothesis, whose terminal summary re-imports it on every inner run.
ARGS = ("-p", "no:asyncio", "-p", "no:hypothesispytest", "-p", "no:cacheprovider")


def test_a_five_line_suite_tests_the_policy_named_in_the_ini_file(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nspamguard_policy = policy.yaml\n")
    pytester.makefile(".yaml", policy=KICK_POLICY)
    pytester.makepyfile(test_policy=USER_SUITE)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=1)


def test_a_failing_expectation_reports_what_the_policy_did(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nspamguard_policy = policy.yaml\n")
    pytester.makefile(".yaml", policy=KICK_POLICY)
    pytester.makepyfile(test_policy=USER_SUITE.replace('"KICK"', '"BAN"'))
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PolicyAssertionError: expected alice to be punished with BAN, but got KICK.",
            "*what fired:",
            "*alice (*): max_messages 4/4 in 5s -> KICK",
        ]
    )
    # __tracebackhide__ keeps spamguard's own frames out of the user's traceback.
    assert "assertions.py" not in result.stdout.str()


def test_the_marker_names_a_policy_next_to_the_test_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nspamguard_policy = policy.yaml\n")
    pytester.makefile(".yaml", policy=KICK_POLICY)
    sub = pytester.mkdir("tests")
    (sub / "strict.yaml").write_text(KICK_POLICY.replace("KICK", "BAN"))
    (sub / "test_marker.py").write_text(
        "import pytest\n"
        "from spamguard.testing import assert_punished\n\n"
        "@pytest.mark.spamguard_policy('strict.yaml')\n"
        "def test_file(spamguard_sim):\n"
        "    alice = spamguard_sim.member(name='alice')\n"
        "    alice.spams('hi', times=6, every=0.2)\n"
        "    assert_punished(spamguard_sim.run(), alice, 'BAN')\n\n"
        "@pytest.mark.spamguard_policy({'spam': {'levels': {0: {'punishment': 'WARN',\n"
        "    'max_messages': {'count': 2, 'interval': 5}}}}})\n"
        "def test_document(spamguard_policy, spamguard_sim):\n"
        "    assert spamguard_sim.policy is spamguard_policy\n"
        "    alice = spamguard_sim.member(name='alice')\n"
        "    alice.spams('hi', times=2, every=0.2)\n"
        "    assert_punished(spamguard_sim.run(), alice, 'WARN')\n"
    )
    result = pytester.runpytest(*ARGS, "--strict-markers")
    result.assert_outcomes(passed=2)


def test_without_marker_or_ini_the_default_policy_is_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "from spamguard.core import Policy\n"
        "def test_default(spamguard_policy):\n"
        "    assert spamguard_policy == Policy.default()\n"
    )
    pytester.runpytest(*ARGS).assert_outcomes(passed=1)


def test_an_invalid_policy_fails_with_every_problem_and_no_traceback(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nspamguard_policy = policy.yaml\n")
    pytester.makefile(
        ".yaml", policy=KICK_POLICY.replace("count: 4", "count: -4").replace("KICK", "KICKK")
    )
    pytester.makepyfile(test_policy=USER_SUITE)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*spamguard: the policy from the spamguard_policy ini option (*policy.yaml) is invalid:",
            "*spam.levels.0.max_messages.count: must be a positive integer, got -4",
            "*spam.levels.0.punishment: must be one of NONE, WARN*got 'KICKK'",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_plugin_author_tests_a_custom_hook_by_overriding_spamguard_plugins(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        "import pytest\n"
        "from spamguard.core import Violation, hookimpl\n\n"
        "class ShoutCheck:\n"
        "    @hookimpl\n"
        "    def spamguard_check_message(self, message, context):\n"
        "        if message.content.isupper():\n"
        "            return [Violation(check='shouting', count=1, limit=1, interval=0.0,\n"
        "                              message_ids=(message.id,), punishment='WARN')]\n"
        "        return []\n\n"
        "@pytest.fixture\n"
        "def spamguard_plugins():\n"
        "    return [ShoutCheck()]\n"
    )
    pytester.makepyfile(
        "from spamguard.testing import assert_fired, assert_not_fired\n\n"
        "def test_shouting(spamguard_sim, spamguard_member):\n"
        "    alice = spamguard_member(name='alice')\n"
        "    alice.says('calm')\n"
        "    alice.says('LOUD')\n"
        "    result = spamguard_sim.run()\n"
        "    assert_fired(result, 'shouting', member=alice, times=1)\n"
        "    assert_not_fired(result, 'max_messages')\n"
    )
    pytester.runpytest(*ARGS).assert_outcomes(passed=1)


def test_factory_fixtures_build_guilds_channels_and_members_of_the_same_simulation(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        "def test_world(spamguard_sim, spamguard_guild, spamguard_channel, spamguard_member):\n"
        "    other = spamguard_guild(name='other')\n"
        "    memes = spamguard_channel('memes')\n"
        "    alice = spamguard_member(name='alice', roles=[7])\n"
        "    message = alice.says('hi', channel=memes)\n"
        "    assert message.channel_id == memes.id and message.guild_id == alice.guild.id\n"
        "    assert other.id != alice.guild.id and alice.guild is spamguard_sim.default_guild\n"
        "    assert spamguard_sim.run()[0].message_id == message.id\n"
    )
    pytester.runpytest(*ARGS).assert_outcomes(passed=1)


def test_the_plugin_is_registered_through_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(spamguard_sim):\n    pass\n")
    # Blocking the entry point's name removes the fixtures: they come from nowhere else.
    blocked = pytester.runpytest(*ARGS, "-p", "no:spamguard")
    blocked.assert_outcomes(errors=1)
    blocked.stdout.fnmatch_lines(["*fixture 'spamguard_sim' not found*"])
    markers = pytester.runpytest(*ARGS, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.spamguard_policy(path_or_document)*"])


def test_a_policy_only_suite_sees_no_warning_it_did_not_cause(pytester: pytest.Pytester) -> None:
    # A user's own project, run as they run it (its own process: pytest's plugin loading,
    # assertion-rewrite marking of spamguard's files included), with only pytest and
    # spamguard: pytest-asyncio, which warns about its own unset option in every project
    # that lacks it, is spamguard's test-suite requirement, not a user's (see below).
    pytester.makeini("[pytest]\nspamguard_policy = policy.yaml\n")
    pytester.makefile(".yaml", policy=KICK_POLICY)
    pytester.makepyfile(test_policy=USER_SUITE)
    result = pytester.runpytest_subprocess(*ARGS, "-W", "error")
    result.assert_outcomes(passed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "warnings summary" not in output
    assert "Warning:" not in output


def test_a_plain_install_does_not_bring_pytest_asyncio() -> None:
    requires = importlib.metadata.requires("spamguard") or []
    unconditional = [requirement for requirement in requires if "extra ==" not in requirement]
    assert unconditional  # the scan reads the requirements
    assert not [requirement for requirement in unconditional if "asyncio" in requirement]
    assert not [requirement for requirement in unconditional if requirement.startswith("pytest")]
