"""spamguard's pytest plugin: test a policy file (or a plugin's hooks) in five lines.

Installed with spamguard and loaded by pytest through the ``pytest11`` entry point. It
only adds fixtures, one marker and one ini option; nothing runs unless a test asks::

    # pyproject.toml
    [tool.pytest.ini_options]
    spamguard_policy = "policy.yaml"

    # tests/test_policy.py
    from spamguard.testing import assert_punished

    def test_flood_is_punished(spamguard_sim):
        alice = spamguard_sim.member(name="alice")
        alice.spams("hello", times=10, every=0.2)
        assert_punished(spamguard_sim.run(), alice)

Fixtures:

``spamguard_policy``
    the :class:`~spamguard.core.Policy` under test: the one named by the test's
    ``@pytest.mark.spamguard_policy(...)`` marker, else by the ``spamguard_policy`` ini
    option, else the bundled default policy. An invalid policy fails the test with every
    problem and its path.
``spamguard_plugins``
    plugin objects the simulation's guard registers; ``[]`` unless you override the
    fixture (a plugin author returns ``[MyPlugin()]`` from their own
    ``spamguard_plugins`` fixture).
``spamguard_sim``
    a fresh :class:`~spamguard.testing.Simulation` of that policy with those plugins.
``spamguard_guild``, ``spamguard_channel``, ``spamguard_member``
    factories of the simulation's guilds, channels and members
    (``spamguard_member(name="alice", roles=[...])``).

The marker takes a path or a policy document (a dict). A relative path is looked up next
to the test file first, then from the rootdir; the ini option's path is relative to the
ini file's directory.
"""

from __future__ import annotations

__all__ = (
    "INI_OPTION",
    "MARKER",
    "spamguard_channel",
    "spamguard_guild",
    "spamguard_member",
    "spamguard_plugins",
    "spamguard_policy",
    "spamguard_sim",
)

import pathlib
import typing
from collections.abc import Mapping

import pytest

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy
    from spamguard.testing.simulation import Simulation
    from spamguard.testing.world import SimChannel, SimGuild, SimMember

INI_OPTION = "spamguard_policy"
"""The ini option naming the policy file of the ``spamguard_policy`` fixture."""
MARKER = "spamguard_policy"
"""The marker naming a test's policy: ``@pytest.mark.spamguard_policy("policy.yaml")``."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``spamguard_policy`` ini option."""
    parser.addini(
        INI_OPTION,
        help="spamguard: path of the policy file the spamguard_policy and spamguard_sim "
        "fixtures load (relative to the ini file); the bundled default policy when unset",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``spamguard_policy`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(path_or_document): the policy the spamguard_policy and spamguard_sim "
        "fixtures load for this test: a file path (next to the test file, or from the "
        "rootdir) or a policy document (dict)",
    )


def _resolve(source: str, bases: list[pathlib.Path]) -> pathlib.Path:
    path = pathlib.Path(source)
    if path.is_absolute():
        return path
    for base in bases:
        candidate = base / path
        if candidate.exists():
            return candidate
    return bases[0] / path


@pytest.fixture
def spamguard_policy(request: pytest.FixtureRequest) -> Policy:
    """The policy under test (marker, then ini option, then the bundled default)."""
    from spamguard.core import Policy, PolicyError

    marker = request.node.get_closest_marker(MARKER)
    source: object
    if marker is not None:
        if len(marker.args) != 1 or marker.kwargs:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes exactly one argument: a policy file path or a "
                f"policy document (dict); got args={marker.args!r} kwargs={marker.kwargs!r}",
                pytrace=False,
            )
        source = marker.args[0]
        where = f"@pytest.mark.{MARKER}"
        bases = [request.path.parent, request.config.rootpath]
    else:
        source = request.config.getini(INI_OPTION)
        where = f"the {INI_OPTION} ini option"
        inipath = request.config.inipath
        bases = [inipath.parent if inipath is not None else request.config.rootpath]
    if not source:
        return Policy.default()
    try:
        if isinstance(source, Policy):
            return source
        if isinstance(source, Mapping):
            return Policy.from_dict(source, source=where)
        if isinstance(source, str | pathlib.PurePath):
            return Policy.from_file(_resolve(str(source), bases))
    except PolicyError as error:
        problems = "\n".join(f"  {issue}" for issue in error.issues)
        pytest.fail(
            f"spamguard: the policy from {where} ({error.source or source}) is invalid:\n"
            f"{problems}",
            pytrace=False,
        )
    pytest.fail(
        f"{where} must be a policy file path or a policy document (dict), "
        f"got {type(source).__name__}",
        pytrace=False,
    )


@pytest.fixture
def spamguard_plugins() -> list[object]:
    """Plugin objects for the simulation's guard; override this fixture to add yours."""
    return []


@pytest.fixture
def spamguard_sim(spamguard_policy: Policy, spamguard_plugins: list[object]) -> Simulation:
    """A fresh :class:`~spamguard.testing.Simulation` of the policy under test."""
    from spamguard.testing.simulation import Simulation

    return Simulation(spamguard_policy, plugins=spamguard_plugins)


@pytest.fixture
def spamguard_guild(spamguard_sim: Simulation) -> Callable[..., SimGuild]:
    """Makes guilds of ``spamguard_sim``: ``spamguard_guild(name="other")``."""
    return spamguard_sim.guild


@pytest.fixture
def spamguard_channel(spamguard_sim: Simulation) -> Callable[..., SimChannel]:
    """Makes channels of the default guild: ``spamguard_channel("memes", category=...)``."""
    return spamguard_sim.channel


@pytest.fixture
def spamguard_member(spamguard_sim: Simulation) -> Callable[..., SimMember]:
    """Makes members: ``spamguard_member(name="alice", roles=[1234])``."""
    return spamguard_sim.member
