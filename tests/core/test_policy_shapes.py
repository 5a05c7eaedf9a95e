"""Hostile document shapes: whatever a policy document looks like, loading it either
succeeds or raises PolicyError naming where the problem is; never another exception."""

from __future__ import annotations

import json
import pathlib
import typing

import pytest

from spamguard.core import Policy, PolicyError
from spamguard.core.policy.shape import MAX_DEPTH


def nested(depth: int, shape: str) -> typing.Any:
    """A value ``depth`` mappings (``{"a": ...}``) or lists (``[...]``) deep."""
    value: typing.Any = 1
    for _ in range(depth):
        value = {"a": value} if shape == "mapping" else [value]
    return value


@pytest.mark.parametrize("shape", ["mapping", "list"])
@pytest.mark.parametrize("where", ["extensions", "spam", "guilds"])
def test_a_document_nested_600_deep_is_a_policy_error_naming_the_path(
    shape: str, where: str
) -> None:
    deep = nested(600, shape)
    document = {
        "extensions": {"x": deep},
        "spam": {"levels": {0: {"max_messages": deep}}},
        "guilds": {"123": {"extensions": {"x": deep}}},
    }[where]
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({where: document})
    ((issue,),) = (info.value.issues,)
    step = "a" if shape == "mapping" else "0"
    assert issue.path.startswith(where + ".")
    assert issue.path.endswith(f".{step}.{step}")
    assert issue.path.count(".") == MAX_DEPTH - 1
    assert issue.message == f"nested more than {MAX_DEPTH} levels deep; a policy is far shallower"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    # Free-form extension settings may nest; the limit is far above any real document.
    policy = Policy.from_dict({"extensions": {"x": nested(MAX_DEPTH - 2, "mapping")}})
    assert "x" in policy.base.extensions


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000),
        ("deep.toml", "x = " + "[" * 100_000 + "]" * 100_000),
        ("big.json", '{"incident_window": ' + "9" * 5_000 + "}"),
        ("big.yaml", "incident_window: " + "9" * 5_000 + "\n"),
    ],
)
def test_a_file_too_deep_or_with_a_giant_number_is_a_policy_error(
    tmp_path: pathlib.Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"cannot parse|nested|must be") as info:
        Policy.from_file(path)
    assert str(info.value).startswith(f"{path}: ")


GIANT = 10**5_000


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"incident_window": GIANT},
            "incident_window: must be a number of seconds >= 0, got "
            f"<an integer of {GIANT.bit_length()} bits>",
        ),
        ({"incident_window": float("inf")}, "incident_window: must be a "),
        ({"mute_role_id": "9" * 5_000}, "mute_role_id: must be a Discord id"),
        ({"mute_role_id": "²"}, "mute_role_id: must be a Discord id"),
        ({"mute_role_id": 2**64}, "mute_role_id: must be a Discord id"),
        ({"role_levels": {GIANT: 1}}, "role_levels.<an integer of"),
        ({"spam": {"levels": {"²": {}}}}, "spam.levels.²: a level must be an integer"),
        ({"spam": {"roles": {"²": {}}}}, "spam.roles.²: a role key must be a role id"),
        (
            {"automod": {"rules": [{"name": "x", "trigger": "spam", "exempt_roles": ["²"]}]}},
            "automod.rules.0.exempt_roles: must be a list of Discord ids",
        ),
    ],
)
def test_odd_numbers_are_policy_errors(document: dict[str, typing.Any], expected: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(document)
    assert any(str(issue).startswith(expected) for issue in info.value.issues), info.value


def test_a_deep_document_round_trips_through_json_as_a_policy_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"extensions": {"x": nested(300, "list")}}), encoding="utf-8")
    with pytest.raises(PolicyError, match="nested more than"):
        Policy.from_file(path)


def test_a_yaml_alias_bomb_is_a_policy_error_not_a_stall(tmp_path: pathlib.Path) -> None:
    # Nine levels of ten aliases each: a billion values once expanded.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("extensions:\n" + "".join(f"  {line}\n" for line in lines), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"<policy>: holds more than 1000000 values"):
        Policy.from_file(path)


def test_a_yaml_document_that_contains_itself_is_a_policy_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("extensions: &loop\n  x: *loop\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"extensions\.x\.x\.x.*: nested more than 64"):
        Policy.from_file(path)
