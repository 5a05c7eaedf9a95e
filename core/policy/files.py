"""Policy files: reading a YAML, TOML or JSON document, and the bundled default policy."""

from __future__ import annotations

__all__ = ("DEFAULT_POLICY_PATH", "load_document", "load_policy_file")

import json
import pathlib
import tomllib
import typing

import yaml

from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.policy.issues import show
from spamguard.core.policy.parse import parse_policy

if typing.TYPE_CHECKING:
    from spamguard.core.policy.model import Policy

DEFAULT_POLICY_PATH = pathlib.Path(__file__).with_name("default_policy.yaml")
"""The bundled default policy, which :meth:`~.model.Policy.default` loads."""


def load_document(path: pathlib.Path) -> dict[str, typing.Any]:
    """Read a YAML, TOML or JSON document into plain data.

    Raises:
        PolicyError: unreadable file, unknown suffix or a syntax error (with its position).
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            [PolicyIssue(path="", message=f"cannot read the file: {exc.strerror or exc}")],
            source=source,
        ) from exc
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            message = f"unknown file type {suffix or '(none)'!r}; use .yaml, .yml, .toml or .json"
            raise PolicyError([PolicyIssue(path="", message=message)], source=source)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        message = f"cannot parse {suffix.lstrip('.').upper()}: {' '.join(str(exc).split())}"
        raise PolicyError([PolicyIssue(path="", message=message)], source=source) from exc
    except PolicyError:
        raise
    except RecursionError as exc:
        # The parsers recurse per level of nesting: a hostile file can exhaust the stack.
        message = f"cannot parse {suffix.lstrip('.').upper()}: nested too deeply"
        raise PolicyError([PolicyIssue(path="", message=message)], source=source) from exc
    except ValueError as exc:
        # e.g. an integer of more than 4,300 digits, which Python refuses to convert.
        message = f"cannot parse {suffix.lstrip('.').upper()}: {exc}"
        raise PolicyError([PolicyIssue(path="", message=message)], source=source) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(
            [PolicyIssue(path="", message=f"a policy must be a mapping, got {show(data)}")],
            source=source,
        )
    return data


def load_policy_file(path: pathlib.Path) -> Policy:
    """Load and validate a policy file (see :meth:`Policy.from_file`)."""
    return parse_policy(load_document(path), source=str(path))
