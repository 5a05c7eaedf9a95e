"""Parsing and validation of policy documents.

Every problem is collected (not just the first) as a :class:`PolicyIssue` whose path
names the field, e.g. ``spam.levels.0.max_messages.count: must be a positive integer,
got -1``. Unknown keys are errors, with the allowed keys and a close match listed.
"""

from __future__ import annotations

__all__ = (
    "DEFAULT_POLICY_PATH",
    "MAX_DEPTH",
    "MAX_VALUES",
    "load_document",
    "load_policy_file",
    "parse_policy",
)

import copy
import dataclasses
import difflib
import enum
import json
import math
import pathlib
import tomllib
import typing

import yaml

from spamguard.core import automod as automod_section
from spamguard.core import rowboat
from spamguard.core.actions import MAX_TIMEOUT
from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.policy import (
    CHECK_NAMES,
    CheckConfig,
    Counting,
    Escalation,
    GuildPolicy,
    Ignore,
    Notices,
    Policy,
    Punishment,
    RuleConfig,
)
from spamguard.core.policy_fields import (
    CHECK_FIELDS,
    ESCALATION_FIELDS,
    GUILD_FIELDS,
    IGNORE_FIELDS,
    LONGEST_NUMBER_TEXT,
    LONGEST_SECONDS,
    NOTICE_FIELDS,
    RULE_FIELDS,
    STORE_FIELDS,
    TOP_FIELDS,
    Field,
    Kind,
)

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

DEFAULT_POLICY_PATH = pathlib.Path(__file__).with_name("default_policy.yaml")

MAX_DEPTH = 64
"""How deeply a policy document may nest; the deepest real field is under ten levels."""
MAX_VALUES = 1_000_000
"""How many values (mappings, lists and scalars) a policy document may hold."""
_LONGEST_INT_BITS = 14_000
"""Integers longer than this (about 4,200 digits) are not turned into text: Python refuses
``str()`` past 4,300 digits."""

_CHECK_KEYS = tuple(field.name for field in CHECK_FIELDS)
_RULE_KEYS = (*(field.name for field in RULE_FIELDS), *CHECK_NAMES)
_TOP_KEYS = tuple(field.name for field in TOP_FIELDS)
_GUILD_KEYS = tuple(field.name for field in GUILD_FIELDS)
_ESCALATION_KEYS = tuple(field.name for field in ESCALATION_FIELDS)
_NOTICE_KEYS = tuple(field.name for field in NOTICE_FIELDS)
_IGNORE_KEYS = tuple(field.name for field in IGNORE_FIELDS)
_STORE_KEYS = tuple(field.name for field in STORE_FIELDS)
_COUNTING = {field.name: field for field in ESCALATION_FIELDS}["counting"]


class _Issues:
    """Collects problems while a document is walked."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[PolicyIssue] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(PolicyIssue(path=path, message=message))


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _mapping(
    issues: _Issues, path: str, value: object, allowed: Iterable[str]
) -> dict[str, typing.Any]:
    """``value`` as a dict with string keys; unknown keys reported."""
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping, got {_show(value)}")
        return {}
    allowed = tuple(allowed)
    result: dict[str, typing.Any] = {}
    for key, item in value.items():
        name = str(key)
        if name not in allowed:
            hint = difflib.get_close_matches(name, allowed, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            issues.add(_join(path, name), f"unknown key{suggestion}; allowed: {', '.join(allowed)}")
            continue
        result[name] = item
    return result


def _is_number(text: str) -> bool:
    """Whether ``text`` is a whole number ``int()`` takes: ASCII digits (``isdigit()`` alone
    also accepts superscripts like ``²``), short enough to convert."""
    return text.isascii() and text.isdigit() and len(text) <= LONGEST_NUMBER_TEXT


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool):
        return _key_text(value)
    return repr(value)


def _bool(issues: _Issues, path: str, value: object, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        issues.add(path, f"must be true or false, got {_show(value)}")
        return default
    return value


def _int(
    issues: _Issues,
    path: str,
    value: object,
    default: int,
    *,
    minimum: int = 1,
    maximum: int | None = None,
) -> int:
    if value is None:
        return default
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if maximum is not None:
        kind = f"an integer from {minimum} to {maximum}"
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        issues.add(path, f"must be {kind}, got {_show(value)}")
        return default
    return value


def _seconds(
    issues: _Issues, path: str, value: object, default: float, *, allow_zero: bool = False
) -> float:
    if value is None:
        return default
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < LONGEST_SECONDS
        and math.isfinite(value)
    )
    if ok and (value > 0 or (allow_zero and value == 0)):  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    kind = "a number of seconds >= 0" if allow_zero else "a positive number of seconds"
    issues.add(path, f"must be {kind}, got {_show(value)}")
    return default


def _snowflake(issues: _Issues, path: str, value: object) -> int | None:
    if isinstance(value, str) and _is_number(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
        issues.add(path, f"must be a Discord id (a positive integer), got {_show(value)}")
        return None
    return value


def _ids(issues: _Issues, path: str, value: object) -> frozenset[int]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple | set | frozenset):
        issues.add(path, f"must be a list of Discord ids, got {_show(value)}")
        return frozenset()
    result = set()
    for index, item in enumerate(value):
        snowflake = _snowflake(issues, _join(path, index), item)
        if snowflake is not None:
            result.add(snowflake)
    return frozenset(result)


_E = typing.TypeVar("_E", bound=enum.StrEnum)


def _enum(issues: _Issues, path: str, value: object, enum_type: type[_E]) -> _E | None:
    if value is None:
        return None
    if isinstance(value, str):
        for member in enum_type:
            if member.value.lower() == value.lower():
                return member
    allowed = ", ".join(member.value for member in enum_type)
    issues.add(path, f"must be one of {allowed}, got {_show(value)}")
    return None


def _template(issues: _Issues, path: str, value: object, default: object) -> typing.Any:
    if value is None:
        return None
    if isinstance(value, str | dict):
        return value
    issues.add(path, f"must be a text or an embed mapping, or null, got {_show(value)}")
    return default


def _value(issues: _Issues, path: str, value: object, field: Field) -> typing.Any:
    """``value`` validated as ``field`` describes it (its kind, limits and default)."""
    kind = field.kind
    if value is None:
        if field.null is not None:
            return None
        if kind in (Kind.IDS, Kind.NAMES) and field.default is not None:
            return frozenset(field.default)
        return field.default
    if kind is Kind.INTEGER:
        minimum = 1 if field.minimum is None else int(field.minimum)
        maximum = None if field.maximum is None else int(field.maximum)
        return _int(issues, path, value, field.default, minimum=minimum, maximum=maximum)
    if kind is Kind.SECONDS:
        return _seconds(issues, path, value, field.default, allow_zero=field.minimum == 0)
    if kind is Kind.BOOLEAN:
        return _bool(issues, path, value, field.default)
    if kind is Kind.CHOICE:
        assert field.choices is not None
        return _enum(issues, path, value, field.choices) or field.default
    if kind is Kind.SNOWFLAKE:
        return _snowflake(issues, path, value)
    if kind is Kind.IDS:
        return _ids(issues, path, value)
    if kind is Kind.TEMPLATE:
        return _template(issues, path, value, field.default)
    if kind is Kind.NAMES:
        return _names(issues, path, value)
    if kind is Kind.URL:
        return _url(issues, path, value)
    return value


def _values(
    issues: _Issues, path: str, data: Mapping[str, typing.Any], fields: Iterable[Field]
) -> dict[str, typing.Any]:
    """Every field of ``fields`` validated from ``data`` (absent ones at their default)."""
    return {
        field.name: _value(issues, _join(path, field.name), data.get(field.name), field)
        for field in fields
    }


def _check(issues: _Issues, path: str, name: str, value: object) -> CheckConfig | None:
    if value is None:
        return None
    data = _mapping(issues, path, value, _CHECK_KEYS)
    if not isinstance(value, dict):
        return None
    for field in CHECK_FIELDS:
        if field.required and field.name not in data:
            issues.add(_join(path, field.name), "is required")
    if "accuracy" in data and name != "max_duplicates":
        issues.add(_join(path, "accuracy"), "only max_duplicates takes accuracy")
    values = _values(issues, path, data, CHECK_FIELDS)
    del values["meta"]  # notes for the reader
    # A missing count or interval is reported above; these stand in so the rest validates.
    values["count"] = values["count"] or 1
    values["interval"] = values["interval"] or 1.0
    return CheckConfig(name=name, **values)


def _rule(issues: _Issues, path: str, key: str, value: object) -> RuleConfig:
    data = _mapping(issues, path, value, _RULE_KEYS)
    checks = []
    for name in CHECK_NAMES:
        check = _check(issues, _join(path, name), name, data.get(name))
        if check is not None:
            checks.append(check)
    values = _values(issues, path, data, RULE_FIELDS)
    return RuleConfig(key=key, checks=tuple(checks), **values)


def _spam(
    issues: _Issues, path: str, value: object
) -> tuple[tuple[tuple[int, RuleConfig], ...], tuple[tuple[str, RuleConfig], ...]]:
    data = _mapping(issues, path, value, ("levels", "roles"))
    levels: list[tuple[int, RuleConfig]] = []
    raw_levels = data.get("levels")
    if raw_levels is not None:
        if not isinstance(raw_levels, dict):
            issues.add(
                _join(path, "levels"),
                f"must be a mapping of level -> rule, got {_show(raw_levels)}",
            )
        else:
            for key, rule in raw_levels.items():
                level_path = _join(_join(path, "levels"), key)
                if isinstance(key, str) and _is_number(key):
                    key = int(key)  # noqa: PLW2901 - JSON and TOML keys are strings
                if isinstance(key, bool) or not isinstance(key, int) or key < 0:
                    issues.add(level_path, f"a level must be an integer >= 0, got {_show(key)}")
                    continue
                if rule is not None:
                    levels.append((key, _rule(issues, level_path, f"level:{key}", rule)))
    roles: list[tuple[str, RuleConfig]] = []
    raw_roles = data.get("roles")
    if raw_roles is not None:
        if not isinstance(raw_roles, dict):
            issues.add(
                _join(path, "roles"),
                f"must be a mapping of role id -> rule, got {_show(raw_roles)}",
            )
        else:
            for key, rule in raw_roles.items():
                role_path = _join(_join(path, "roles"), key)
                name = str(key)
                if name != "*" and not _is_number(name):
                    issues.add(role_path, f"a role key must be a role id or '*', got {_show(key)}")
                    continue
                if rule is not None:
                    roles.append((name, _rule(issues, role_path, f"role:{name}", rule)))
    levels.sort(key=lambda item: item[0])
    return tuple(levels), tuple(roles)


def _role_levels(issues: _Issues, path: str, value: object) -> dict[int, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping of role id -> level, got {_show(value)}")
        return {}
    result = {}
    for key, level in value.items():
        role = _snowflake(issues, _join(path, key), key)
        number = _int(issues, _join(path, key), level, 0, minimum=0)
        if role is not None:
            result[role] = number
    return result


def _escalation(issues: _Issues, path: str, value: object) -> Escalation | None:
    if value is None or value is False:
        return None
    data = _mapping(issues, path, value, _ESCALATION_KEYS)
    counting = _value(issues, _join(path, "counting"), data.get("counting"), _COUNTING)
    if data.get("warn_threshold") is not None and counting is not Counting.VIOLATION_COUNT:
        # Accepting it would leave it doing nothing, unnoticed.
        issues.add(
            _join(path, "warn_threshold"),
            "is read only with counting: violation_count (discord-anti-spam's counting); "
            "with the default counting each incident is one step whatever its count: "
            "remove warn_threshold, or add counting: violation_count",
        )
    values = _values(issues, path, data, (f for f in ESCALATION_FIELDS if f is not _COUNTING))
    return Escalation(counting=counting, **values)


def _notices(issues: _Issues, path: str, value: object) -> Notices:
    defaults = Notices()
    if value is None:
        return defaults
    data = _mapping(issues, path, value, _NOTICE_KEYS)
    given = (field for field in NOTICE_FIELDS if field.name in data)
    return dataclasses.replace(defaults, **_values(issues, path, data, given))


def _ignore(issues: _Issues, path: str, value: object) -> Ignore:
    if value is None:
        return Ignore()
    data = _mapping(issues, path, value, _IGNORE_KEYS)
    return Ignore(**_values(issues, path, data, IGNORE_FIELDS))


def _names(issues: _Issues, path: str, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        issues.add(path, f"must be a list of extension names, got {_show(value)}")
        return frozenset()
    return frozenset(value)


def _url(issues: _Issues, path: str, url: object) -> str | None:
    if not isinstance(url, str) or "://" not in url:
        issues.add(
            path, f"must be a connection URL like redis://localhost:6379/0, got {_show(url)}"
        )
        return None
    return url


def _store_url(issues: _Issues, path: str, value: object) -> str | None:
    if value is None:
        return None
    data = _mapping(issues, path, value, _STORE_KEYS)
    url: str | None = _values(issues, path, data, STORE_FIELDS)["url"]
    return url


def _guild_policy(issues: _Issues, prefix: str, data: dict[str, typing.Any]) -> GuildPolicy:
    p: Callable[[str], str] = lambda key: _join(prefix, key)  # noqa: E731 - local path helper
    # `spam:` with nothing under it: no rules, as in a Rowboat guild config.
    spam = data.get("spam")
    levels, roles = _spam(issues, p("spam"), {} if spam is None else spam)
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        issues.add(
            p("extensions"),
            f"must be a mapping of extension name -> settings, got {_show(extensions)}",
        )
        extensions = None
    mute_role = data.get("mute_role_id")
    automod = automod_section.parse_section(issues, p("automod"), data.get("automod"))
    plain = (field for field in GUILD_FIELDS if field.kind not in (Kind.SPECIAL, Kind.SETTINGS))
    policy = GuildPolicy(
        levels=levels,
        roles=roles,
        role_levels=_role_levels(issues, p("role_levels"), data.get("role_levels")),
        ignore=_ignore(issues, p("ignore"), data.get("ignore")),
        escalation=_escalation(issues, p("escalation"), data.get("escalation")),
        notices=_notices(issues, p("notices"), data.get("notices")),
        extensions=dict(extensions or {}),
        automod=automod,
        **_values(issues, prefix, data, plain),
    )
    _timeout_lengths(issues, prefix, policy, muting=mute_role is not None)
    return policy


_TIMEOUT_SECONDS = int(MAX_TIMEOUT.total_seconds())


def _timeout_lengths(issues: _Issues, prefix: str, policy: GuildPolicy, *, muting: bool) -> None:
    """Report every duration that would become a timeout longer than Discord's 28 days: a
    TIMEOUT's always, a TEMPMUTE's unless ``muting`` (a mute role is set, or given and
    reported as invalid already).

    The adapter would cut it to 28 days without a word; the policy says so when it loads.
    """
    reported: set[str] = set()

    def too_long(punishment: Punishment | None, seconds: int) -> bool:
        if seconds <= _TIMEOUT_SECONDS:
            return False
        return punishment is Punishment.TIMEOUT or (
            punishment is Punishment.TEMPMUTE and not muting
        )

    def report(path: str, punishment: Punishment, seconds: int) -> None:
        if path in reported:
            return
        reported.add(path)
        if punishment is Punishment.TEMPMUTE:
            fix = f"set mute_role_id (a mute role has no limit), or at most {_TIMEOUT_SECONDS}"
        else:
            fix = f"at most {_TIMEOUT_SECONDS}, or TEMPMUTE with a mute_role_id, or TEMPBAN"
        issues.add(
            path,
            f"a {punishment} of {seconds} seconds is longer than Discord's 28-day timeout "
            f"({_TIMEOUT_SECONDS} seconds), which is what it becomes here; {fix}",
        )

    rules = [(f"levels.{level}", rule) for level, rule in policy.levels]
    rules.extend((f"roles.{key}", rule) for key, rule in policy.roles)
    for where, rule in rules:
        rule_path = _join(prefix, f"spam.{where}")
        rule_duration = _join(rule_path, "punishment_duration")
        if too_long(rule.punishment, rule.punishment_duration):
            report(rule_duration, rule.punishment, rule.punishment_duration)
        for check in rule.checks:
            punishment = check.punishment or rule.punishment
            seconds = check.punishment_duration or rule.punishment_duration
            if too_long(punishment, seconds):
                own = check.punishment_duration is not None
                path = (
                    _join(rule_path, f"{check.name}.punishment_duration") if own else rule_duration
                )
                report(path, punishment, seconds)
    ladder = policy.escalation
    if ladder is not None and ladder.timeout_threshold > 0:
        steps = ladder.timeout_threshold
        longest = ladder.timeout_duration * steps * steps
        if longest > _TIMEOUT_SECONDS:
            issues.add(
                _join(prefix, "escalation.timeout_duration"),
                f"the ladder's timeout number {steps} would last {steps}x{steps}x"
                f"{ladder.timeout_duration} = {longest} seconds, longer than Discord's 28-day "
                f"timeout ({_TIMEOUT_SECONDS} seconds); lower timeout_duration or "
                "timeout_threshold",
            )


def _merge(
    base: Mapping[str, typing.Any], override: Mapping[str, typing.Any]
) -> dict[str, typing.Any]:
    """Deep-merge ``override`` onto ``base``: mappings merge, anything else replaces, null removes."""
    result = dict(base)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _key_text(key: object) -> str:
    """A mapping key as text; an integer too long for ``str()`` (over 4,300 digits) is
    shown by its size, so it is reported like any other bad key instead of raising."""
    if isinstance(key, int) and not isinstance(key, bool) and key.bit_length() > _LONGEST_INT_BITS:
        return f"<an integer of {key.bit_length()} bits>"
    return str(key)


def _shape_problem(document: object) -> PolicyIssue | None:
    """Whether ``document`` nests deeper than :data:`MAX_DEPTH` or holds more than
    :data:`MAX_VALUES` values (counting each use of a YAML alias), as an issue.

    Walked with an explicit stack, so no shape of document can exhaust the interpreter's
    recursion limit (a YAML alias may even make a document contain itself); every later
    step (key normalisation, merging, validation) then recurses at most ``MAX_DEPTH``
    deep and copies a bounded amount.
    """
    stack: list[tuple[object, int, str]] = [(document, 0, "")]
    seen = 0
    while stack:
        value, depth, path = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            message = f"holds more than {MAX_VALUES} values; a policy holds far fewer"
            return PolicyIssue(path="", message=message)
        if isinstance(value, dict):
            children: Iterable[tuple[object, object]] = value.items()
        elif isinstance(value, list | tuple):
            children = enumerate(value)
        else:
            continue
        if depth == MAX_DEPTH:
            message = f"nested more than {MAX_DEPTH} levels deep; a policy is far shallower"
            return PolicyIssue(path=path, message=message)
        stack.extend((child, depth + 1, _join(path, _key_text(key))) for key, child in children)
    return None


def _normalise_keys(value: typing.Any) -> typing.Any:
    """YAML gives ``0:`` as int and JSON as ``"0"``; compare keys as strings when merging."""
    if isinstance(value, dict):
        return {_key_text(k): _normalise_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_keys(v) for v in value]
    return value


def parse_policy(data: Mapping[str, typing.Any], *, source: str = "") -> Policy:
    """Validate a policy document (see :meth:`Policy.from_dict`)."""
    issues = _Issues()
    if not isinstance(data, dict):
        raise PolicyError(
            [PolicyIssue(path="", message=f"a policy must be a mapping, got {_show(data)}")],
            source=source,
        )
    shape = _shape_problem(data)
    if shape is not None:
        raise PolicyError([shape], source=source)
    # Rowboat's spam plugin body and whole guild config load as they are.
    document, came_from = rowboat.translate(issues, _normalise_keys(data))
    top = _mapping(issues, "", document, _TOP_KEYS)
    version = top.get("version")
    if version is not None and version != 1:
        issues.add("version", f"must be 1, got {_show(version)}")
    base_doc = {k: v for k, v in top.items() if k in _GUILD_KEYS}
    base = _guild_policy(issues, "", base_doc)
    store_url = _store_url(issues, "store", top.get("store"))
    guilds: dict[int, GuildPolicy] = {}
    raw_guilds = top.get("guilds")
    if raw_guilds is not None:
        if not isinstance(raw_guilds, dict):
            issues.add(
                "guilds",
                f"must be a mapping of guild id -> partial policy, got {_show(raw_guilds)}",
            )
        else:
            for key, override in raw_guilds.items():
                path = _join("guilds", key)
                guild_id = _snowflake(issues, path, key)
                if override is None:
                    continue
                override_doc = _mapping(issues, path, override, _GUILD_KEYS)
                if guild_id is None or not isinstance(override, dict):
                    continue
                merged_issues = _Issues()
                guilds[guild_id] = _guild_policy(merged_issues, "", _merge(base_doc, override_doc))
                base_paths = {issue.path for issue in issues.items}
                for issue in merged_issues.items:
                    if issue.path not in base_paths:
                        issues.add(_join(path, issue.path), issue.message)
    if issues.items:
        raise PolicyError([_written_at(issue, came_from) for issue in issues.items], source=source)
    return Policy(base=base, guilds=guilds, source=data, store_url=store_url)


def _written_at(issue: PolicyIssue, came_from: Mapping[str, str]) -> PolicyIssue:
    """``issue`` at the path the document has the field at (``plugins.spam.levels.0``
    for a Rowboat guild config's ``spam.levels.0``)."""
    head, dot, rest = issue.path.partition(".")
    if head not in came_from:
        return issue
    return PolicyIssue(path=came_from[head] + dot + rest, message=issue.message)


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
            [PolicyIssue(path="", message=f"a policy must be a mapping, got {_show(data)}")],
            source=source,
        )
    return data


def load_policy_file(path: pathlib.Path) -> Policy:
    """Load and validate a policy file (see :meth:`Policy.from_file`)."""
    return parse_policy(load_document(path), source=str(path))
