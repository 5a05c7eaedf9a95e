"""``spamguard check POLICY...``: validate policy files, every problem with its path."""

from __future__ import annotations

__all__ = ("describe_policy", "run_check")

import json
import pathlib
import sys
import typing

from spamguard.cli.loading import build_guard, policy_error_lines
from spamguard.core import Counting, Policy, PolicyError
from spamguard.reporting.describe import format_seconds

if typing.TYPE_CHECKING:
    import argparse

    from spamguard.core import GuildPolicy, RuleConfig


def _rule_line(rule: RuleConfig) -> str:
    punishment = str(rule.punishment)
    if punishment in ("TEMPMUTE", "TIMEOUT", "TEMPBAN"):
        punishment += f" {format_seconds(rule.punishment_duration)}"
    if rule.clean:
        punishment += ", clean"
    checks = ", ".join(
        f"{c.name} {c.count}/{format_seconds(c.interval)}"
        + ("" if c.scope == "user" else f" ({c.scope})")
        for c in rule.checks
    )
    return f"{rule.key}: {punishment}; {checks or 'no checks'}"


def describe_policy(policy: Policy) -> list[str]:
    """What a valid policy does, in a few lines: its rules, ladder and overrides."""
    base: GuildPolicy = policy.base
    lines = [_rule_line(rule) for _key, rule in (*base.levels, *base.roles)]
    if not lines:
        lines.append("no rules: every message passes (NO_RULES)")
    if base.escalation is not None:
        ladder = base.escalation
        warn = (
            f"warn from count {ladder.warn_threshold}"
            if ladder.counting is Counting.VIOLATION_COUNT
            else "one step per incident: warn"
        )
        lines.append(
            f"escalation: {warn}, kick after {ladder.kick_threshold} warnings, "
            f"ban after {ladder.ban_threshold} kicks"
        )
    if base.dry_run:
        lines.append("dry_run: plans are reported, nothing is carried out")
    if policy.guilds:
        lines.append(
            f"{len(policy.guilds)} guild override(s): {', '.join(map(str, policy.guilds))}"
        )
    return lines


def run_check(args: argparse.Namespace) -> int:
    """Validate each file; 0 when all are valid, 1 otherwise."""
    out = sys.stdout
    results: list[dict[str, typing.Any]] = []
    failed = 0
    for path in args.policies:
        try:
            policy = Policy.from_file(pathlib.Path(path))
            # The guard the bot builds validates the extensions' settings: build it too.
            build_guard(policy, plugins=args.plugin, extensions=args.extensions)
        except PolicyError as error:
            # The guard's error does not know the file: name it like the loader's.
            named = error if error.source else PolicyError(error.issues, source=path)
            failed += 1
            results.append(
                {
                    "file": path,
                    "valid": False,
                    "issues": [{"path": i.path, "message": i.message} for i in named.issues],
                }
            )
            if not args.json:
                for line in policy_error_lines(named):
                    out.write(line + "\n")
            continue
        results.append({"file": path, "valid": True, "issues": []})
        if not args.json:
            out.write(f"{path}: valid\n")
            for line in describe_policy(policy):
                out.write(f"  {line}\n")
    if args.json:
        json.dump(results, out, indent=2)
        out.write("\n")
    elif failed:
        problems = sum(len(r["issues"]) for r in results)
        sys.stderr.write(f"{problems} problem(s) in {failed} of {len(results)} policy file(s)\n")
    return 1 if failed else 0
