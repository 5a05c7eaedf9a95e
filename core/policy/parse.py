"""Validation of a policy document into a :class:`~.model.Policy`.

Every problem is collected (not just the first) as a :class:`~spamguard.core.errors.PolicyIssue`
whose path names the field, e.g. ``spam.levels.0.max_messages.count: must be a positive
integer, got -1``. Unknown keys are errors, with the allowed keys and a close match listed.
Plain keys are read by the one value reader (:mod:`.reader`) from the tables of
:mod:`.rule_keys` and :mod:`.keys`; this module holds the sections with a shape of their own (rules, levels,
per-guild overrides) and the checks across keys (Discord's 28-day timeout).
"""

from __future__ import annotations

__all__ = ("parse_policy",)

import copy
import dataclasses
import typing

from spamguard.core.actions import MAX_TIMEOUT
from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.policy import automod_parse, rowboat
from spamguard.core.policy.fields import Kind
from spamguard.core.policy.issues import Issues, join, show
from spamguard.core.policy.keys import (
    ESCALATION_FIELDS,
    GUILD_FIELDS,
    IGNORE_FIELDS,
    MODLOG_FIELDS,
    NEW_MEMBER_FIELDS,
    NEW_MEMBER_LOWEST_LEVEL,
    NOTICE_FIELDS,
    STORE_FIELDS,
    TOP_FIELDS,
)
from spamguard.core.policy.model import (
    CHECK_NAMES,
    CheckConfig,
    Counting,
    Escalation,
    GuildPolicy,
    Ignore,
    NewMembers,
    Notices,
    Policy,
    Punishment,
    RuleConfig,
)
from spamguard.core.policy.modlog import ModLog
from spamguard.core.policy.reader import (
    is_number,
    read_field,
    read_fields,
    read_integer,
    read_mapping,
    read_snowflake,
)
from spamguard.core.policy.rule_keys import CHECK_FIELDS, RULE_FIELDS
from spamguard.core.policy.shape import normalise_keys, shape_problem

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_CHECK_KEYS = tuple(field.name for field in CHECK_FIELDS)
_RULE_KEYS = (*(field.name for field in RULE_FIELDS), *CHECK_NAMES)
_TOP_KEYS = tuple(field.name for field in TOP_FIELDS)
_GUILD_KEYS = tuple(field.name for field in GUILD_FIELDS)
_ESCALATION_KEYS = tuple(field.name for field in ESCALATION_FIELDS)
_NOTICE_KEYS = tuple(field.name for field in NOTICE_FIELDS)
_IGNORE_KEYS = tuple(field.name for field in IGNORE_FIELDS)
_NEW_MEMBER_KEYS = tuple(field.name for field in NEW_MEMBER_FIELDS)
_STORE_KEYS = tuple(field.name for field in STORE_FIELDS)
_MODLOG_KEYS = tuple(field.name for field in MODLOG_FIELDS)
_COUNTING = {field.name: field for field in ESCALATION_FIELDS}["counting"]


def _check(issues: Issues, path: str, name: str, value: object) -> CheckConfig | None:
    if value is None:
        return None
    data = read_mapping(issues, path, value, _CHECK_KEYS)
    if not isinstance(value, dict):
        return None
    for field in CHECK_FIELDS:
        if field.required and field.name not in data:
            issues.add(join(path, field.name), "is required")
    if "accuracy" in data and name != "max_duplicates":
        issues.add(join(path, "accuracy"), "only max_duplicates takes accuracy")
    values = read_fields(issues, path, data, CHECK_FIELDS)
    del values["meta"]  # notes for the reader
    # A missing count or interval is reported above; these stand in so the rest validates.
    values["count"] = values["count"] or 1
    values["interval"] = values["interval"] or 1.0
    return CheckConfig(name=name, **values)


def _rule(issues: Issues, path: str, key: str, value: object) -> RuleConfig:
    data = read_mapping(issues, path, value, _RULE_KEYS)
    checks = []
    for name in CHECK_NAMES:
        check = _check(issues, join(path, name), name, data.get(name))
        if check is not None:
            checks.append(check)
    values = read_fields(issues, path, data, RULE_FIELDS)
    return RuleConfig(key=key, checks=tuple(checks), **values)


def _spam(
    issues: Issues, path: str, value: object
) -> tuple[tuple[tuple[int, RuleConfig], ...], tuple[tuple[str, RuleConfig], ...]]:
    data = read_mapping(issues, path, value, ("levels", "roles"))
    levels: list[tuple[int, RuleConfig]] = []
    raw_levels = data.get("levels")
    if raw_levels is not None:
        if not isinstance(raw_levels, dict):
            issues.add(
                join(path, "levels"),
                f"must be a mapping of level -> rule, got {show(raw_levels)}",
            )
        else:
            for key, rule in raw_levels.items():
                level_path = join(join(path, "levels"), key)
                if isinstance(key, str) and is_number(key.removeprefix("-")):
                    key = int(key)  # noqa: PLW2901 - JSON and TOML keys are strings
                if (
                    isinstance(key, bool)
                    or not isinstance(key, int)
                    or key < NEW_MEMBER_LOWEST_LEVEL
                ):
                    issues.add(
                        level_path,
                        f"a level must be an integer >= 0 (or down to {NEW_MEMBER_LOWEST_LEVEL} "
                        f"for new members, see new_members), got {show(key)}",
                    )
                    continue
                if rule is not None:
                    levels.append((key, _rule(issues, level_path, f"level:{key}", rule)))
    roles: list[tuple[str, RuleConfig]] = []
    raw_roles = data.get("roles")
    if raw_roles is not None:
        if not isinstance(raw_roles, dict):
            issues.add(
                join(path, "roles"),
                f"must be a mapping of role id -> rule, got {show(raw_roles)}",
            )
        else:
            for key, rule in raw_roles.items():
                role_path = join(join(path, "roles"), key)
                name = str(key)
                if name != "*" and not is_number(name):
                    issues.add(role_path, f"a role key must be a role id or '*', got {show(key)}")
                    continue
                if rule is not None:
                    roles.append((name, _rule(issues, role_path, f"role:{name}", rule)))
    levels.sort(key=lambda item: item[0])
    return tuple(levels), tuple(roles)


def _role_levels(issues: Issues, path: str, value: object) -> dict[int, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        issues.add(path, f"must be a mapping of role id -> level, got {show(value)}")
        return {}
    result = {}
    for key, level in value.items():
        role = read_snowflake(issues, join(path, key), key)
        number = read_integer(issues, join(path, key), level, 0, minimum=0)
        if role is not None:
            result[role] = number
    return result


def _escalation(issues: Issues, path: str, value: object) -> Escalation | None:
    if value is None or value is False:
        return None
    data = read_mapping(issues, path, value, _ESCALATION_KEYS)
    counting = read_field(issues, join(path, "counting"), data.get("counting"), _COUNTING)
    if data.get("warn_threshold") is not None and counting is not Counting.VIOLATION_COUNT:
        # Accepting it would leave it doing nothing, unnoticed.
        issues.add(
            join(path, "warn_threshold"),
            "is read only with counting: violation_count (discord-anti-spam's counting); "
            "with the default counting each incident is one step whatever its count: "
            "remove warn_threshold, or add counting: violation_count",
        )
    values = read_fields(issues, path, data, (f for f in ESCALATION_FIELDS if f is not _COUNTING))
    return Escalation(counting=counting, **values)


def _new_members(issues: Issues, path: str, value: object) -> NewMembers | None:
    if value is None:
        return None
    data = read_mapping(issues, path, value, _NEW_MEMBER_KEYS)
    if not isinstance(value, dict):
        return None
    values = read_fields(issues, path, data, NEW_MEMBER_FIELDS)
    if data.get("joined_within") is None and data.get("account_younger_than") is None:
        issues.add(
            path,
            "names nobody as new: give joined_within (seconds since joining), "
            "account_younger_than (seconds since the account was created) or both",
        )
    return NewMembers(**values)


def _new_member_levels(issues: Issues, prefix: str, policy: GuildPolicy) -> None:
    """Report a rule below level 0 that no member can reach: members' levels start at 0,
    only ``new_members.level`` goes lower, and a rule applies to levels equal or below."""
    new_members = policy.new_members
    for level, _rule in policy.levels:
        if level >= 0 or (new_members is not None and new_members.level <= level):
            continue
        if new_members is None:
            fix = f"add new_members: {{joined_within: 600, level: {level}}}"
        else:
            fix = f"new_members.level is {new_members.level}: set it to {level} or lower"
        issues.add(
            join(prefix, f"spam.levels.{level}"),
            f"applies to nobody: only new members have a level below 0; {fix}",
        )


def _notices(issues: Issues, path: str, value: object) -> Notices:
    defaults = Notices()
    if value is None:
        return defaults
    data = read_mapping(issues, path, value, _NOTICE_KEYS)
    given = (field for field in NOTICE_FIELDS if field.name in data)
    return dataclasses.replace(defaults, **read_fields(issues, path, data, given))


def _modlog(issues: Issues, path: str, value: object) -> ModLog | None:
    if value is None:
        return None
    data = read_mapping(issues, path, value, _MODLOG_KEYS)
    if not isinstance(value, dict):
        return None
    values = read_fields(issues, path, data, MODLOG_FIELDS)
    if values["channel_id"] is None:
        if data.get("channel_id") is None:
            issues.add(
                join(path, "channel_id"),
                "is required: the id of the log channel (or modlog: null for none)",
            )
        return None
    return ModLog(**values)


def _ignore(issues: Issues, path: str, value: object) -> Ignore:
    if value is None:
        return Ignore()
    data = read_mapping(issues, path, value, _IGNORE_KEYS)
    return Ignore(**read_fields(issues, path, data, IGNORE_FIELDS))


def _store(issues: Issues, path: str, value: object) -> dict[str, typing.Any]:
    """The ``store:`` section as Policy's ``store_url`` and ``store_mode``."""
    if value is None:
        return {}
    data = read_mapping(issues, path, value, _STORE_KEYS)
    fields = read_fields(issues, path, data, STORE_FIELDS)
    return {"store_url": fields["url"], "store_mode": fields["mode"]}


def _guild_policy(issues: Issues, prefix: str, data: dict[str, typing.Any]) -> GuildPolicy:
    p: Callable[[str], str] = lambda key: join(prefix, key)  # noqa: E731 - local path helper
    # `spam:` with nothing under it: no rules, as in a Rowboat guild config.
    spam = data.get("spam")
    levels, roles = _spam(issues, p("spam"), {} if spam is None else spam)
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        issues.add(
            p("extensions"),
            f"must be a mapping of extension name -> settings, got {show(extensions)}",
        )
        extensions = None
    mute_role = data.get("mute_role_id")
    automod = automod_parse.parse_section(issues, p("automod"), data.get("automod"))
    plain = (field for field in GUILD_FIELDS if field.kind not in (Kind.SPECIAL, Kind.SETTINGS))
    policy = GuildPolicy(
        levels=levels,
        roles=roles,
        role_levels=_role_levels(issues, p("role_levels"), data.get("role_levels")),
        ignore=_ignore(issues, p("ignore"), data.get("ignore")),
        escalation=_escalation(issues, p("escalation"), data.get("escalation")),
        new_members=_new_members(issues, p("new_members"), data.get("new_members")),
        notices=_notices(issues, p("notices"), data.get("notices")),
        modlog=_modlog(issues, p("modlog"), data.get("modlog")),
        extensions=dict(extensions or {}),
        automod=automod,
        **read_fields(issues, prefix, data, plain),
    )
    _timeout_lengths(issues, prefix, policy, muting=mute_role is not None)
    _new_member_levels(issues, prefix, policy)
    return policy


_TIMEOUT_SECONDS = int(MAX_TIMEOUT.total_seconds())


def _timeout_lengths(issues: Issues, prefix: str, policy: GuildPolicy, *, muting: bool) -> None:
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
        rule_path = join(prefix, f"spam.{where}")
        rule_duration = join(rule_path, "punishment_duration")
        if too_long(rule.punishment, rule.punishment_duration):
            report(rule_duration, rule.punishment, rule.punishment_duration)
        for check in rule.checks:
            punishment = check.punishment or rule.punishment
            seconds = check.punishment_duration or rule.punishment_duration
            if too_long(punishment, seconds):
                own = check.punishment_duration is not None
                path = (
                    join(rule_path, f"{check.name}.punishment_duration") if own else rule_duration
                )
                report(path, punishment, seconds)
    ladder = policy.escalation
    if ladder is not None and ladder.timeout_threshold > 0:
        steps = ladder.timeout_threshold
        longest = ladder.timeout_duration * steps * steps
        if longest > _TIMEOUT_SECONDS:
            issues.add(
                join(prefix, "escalation.timeout_duration"),
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


def parse_policy(data: Mapping[str, typing.Any], *, source: str = "") -> Policy:
    """Validate a policy document (see :meth:`Policy.from_dict`)."""
    issues = Issues()
    if not isinstance(data, dict):
        raise PolicyError(
            [PolicyIssue(path="", message=f"a policy must be a mapping, got {show(data)}")],
            source=source,
        )
    shape = shape_problem(data)
    if shape is not None:
        raise PolicyError([shape], source=source)
    # Rowboat's spam plugin body and whole guild config load as they are.
    document, came_from = rowboat.translate(issues, normalise_keys(data))
    top = read_mapping(issues, "", document, _TOP_KEYS)
    version = top.get("version")
    if version is not None and version != 1:
        issues.add("version", f"must be 1, got {show(version)}")
    base_doc = {k: v for k, v in top.items() if k in _GUILD_KEYS}
    base = _guild_policy(issues, "", base_doc)
    store = _store(issues, "store", top.get("store"))
    guilds: dict[int, GuildPolicy] = {}
    raw_guilds = top.get("guilds")
    if raw_guilds is not None:
        if not isinstance(raw_guilds, dict):
            issues.add(
                "guilds",
                f"must be a mapping of guild id -> partial policy, got {show(raw_guilds)}",
            )
        else:
            for key, override in raw_guilds.items():
                path = join("guilds", key)
                guild_id = read_snowflake(issues, path, key)
                if override is None:
                    continue
                override_doc = read_mapping(issues, path, override, _GUILD_KEYS)
                if guild_id is None or not isinstance(override, dict):
                    continue
                merged_issues = Issues()
                guilds[guild_id] = _guild_policy(merged_issues, "", _merge(base_doc, override_doc))
                base_paths = {issue.path for issue in issues.items}
                for issue in merged_issues.items:
                    if issue.path not in base_paths:
                        issues.add(join(path, issue.path), issue.message)
    if issues.items:
        raise PolicyError([_written_at(issue, came_from) for issue in issues.items], source=source)
    return Policy(base=base, guilds=guilds, source=data, **store)


def _written_at(issue: PolicyIssue, came_from: Mapping[str, str]) -> PolicyIssue:
    """``issue`` at the path the document has the field at (``plugins.spam.levels.0``
    for a Rowboat guild config's ``spam.levels.0``)."""
    head, dot, rest = issue.path.partition(".")
    if head not in came_from:
        return issue
    return PolicyIssue(path=came_from[head] + dot + rest, message=issue.message)
