"""Entry-point loading, for real: the tiny plugin package in tests/contrib/plugin_pkg is made
installed by putting its source and a ``*.dist-info`` (built from its own pyproject) on
``sys.path``, where ``importlib.metadata`` finds it like any installed distribution.
"""

from __future__ import annotations

import pathlib
import sys
import tomllib
import typing

import pytest

from spamguard.core import AddRole, Guard, PolicyError, get_plugin_manager
from spamguard.core.plugin_manager import DISABLED_ENV, EXTENSION_GROUP


def install(plugin_pkg: pathlib.Path, site: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``plugin_pkg`` an installed distribution for the rest of the test."""
    project = tomllib.loads((plugin_pkg / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist_info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    lines = []
    for group, entries in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in entries.items())
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(plugin_pkg / "src"))
    # Each test imports the package afresh, so no test sees another's plugin object.
    monkeypatch.delitem(sys.modules, "spamguard_shout", raising=False)


@pytest.fixture
def installed(plugin_pkg: pathlib.Path, tmp_path: pathlib.Path, monkeypatch) -> None:
    monkeypatch.delenv(DISABLED_ENV, raising=False)
    install(plugin_pkg, tmp_path / "site", monkeypatch)


def test_the_plugin_package_declares_its_extension_in_the_spamguard_group(plugin_pkg) -> None:
    project = tomllib.loads((plugin_pkg / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"][EXTENSION_GROUP] == {
        "shout": "spamguard_shout:plugin"
    }


def test_an_installed_extension_is_loaded_under_its_entry_point_name(installed) -> None:
    pm = get_plugin_manager()
    plugin = pm.get_plugin("shout")
    assert plugin is not None
    assert type(plugin).__module__ == "spamguard_shout"
    assert pm.get_plugin("stats") is not None


def test_an_installed_extension_checks_and_punishes_through_the_guard(
    installed, msg, policy
) -> None:
    guard = Guard(
        policy(extensions={"shout": {"role_id": 4242}}, escalation=None),
        load_entrypoints=True,
    )
    quiet = guard.process(msg("hello there, everyone"))
    loud = guard.process(msg("HELLO THERE, EVERYONE"))
    assert quiet.violations == ()
    assert [v.check for v in loud.violations] == ["shout"]
    assert loud.punishment == "WARN"
    kinds = [a.kind for a in loud.actions]
    assert kinds == ["send", "add_role"]
    badge = loud.actions[-1]
    assert isinstance(badge, AddRole)
    assert (badge.role_id, badge.user_id) == (4242, msg.USER)


def test_an_installed_extension_validates_its_settings_when_the_guard_is_built(
    installed, policy
) -> None:
    with pytest.raises(PolicyError, match=r"extensions\.shout\.ratio: must be in \(0, 1\], got 3"):
        Guard(policy(extensions={"shout": {"ratio": 3}}), load_entrypoints=True)


def test_the_variable_keeps_an_installed_extension_out(installed, monkeypatch, msg, policy) -> None:
    monkeypatch.setenv(DISABLED_ENV, "shout")
    pm = get_plugin_manager()
    assert pm.get_plugin("shout") is None
    guard = Guard(policy(extensions={"shout": {}}), plugin_manager=pm)
    assert guard.process(msg("HELLO THERE, EVERYONE")).violations == ()


def test_a_guild_opts_out_of_an_installed_extension(installed, msg, policy) -> None:
    other = msg.OTHER_GUILD
    guard = Guard(
        policy(
            extensions={"shout": {}},
            guilds={other: {"disabled_extensions": ["shout"]}},
        ),
        load_entrypoints=True,
    )
    checks: dict[int, typing.Any] = {}
    for guild_id in (msg.GUILD, other):
        plan = guard.process(msg("HELLO THERE, EVERYONE", guild_id=guild_id))
        checks[guild_id] = [v.check for v in plan.violations]
    assert checks == {msg.GUILD: ["shout"], other: []}
