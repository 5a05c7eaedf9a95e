"""``spamguard explain LOG --message ID``: why one message of a log got its plan.

The log is replayed up to the message; then every check of every rule that applies to its
author is shown with its count against its limit, and the decision with its reason.
Without ``--message`` or ``--line``, the first message a check fired on is explained.
"""

from __future__ import annotations

__all__ = ("run_explain",)

import collections
import json
import sys
import typing

from spamguard.cli.loading import build_guard, load_policy, open_log
from spamguard.cli.output import CliError, quote, where, who
from spamguard.reporting.describe import describe_plan, message_names
from spamguard.reporting.explain import Explainer
from spamguard.reporting.logs import LogError, LogRecord
from spamguard.reporting.member_logs import MemberRecord

if typing.TYPE_CHECKING:
    import argparse

    from spamguard.core import Plan
    from spamguard.reporting.explanation import Explanation


def _is_target(record: LogRecord, args: argparse.Namespace) -> bool:
    if args.message is not None:
        return bool(record.message.id == args.message)
    if args.line is not None:
        return bool(record.line == args.line)
    return False


def _render(
    record: LogRecord,
    explanation: Explanation,
    context: list[tuple[LogRecord, Plan]],
    *,
    label: str,
    chosen: bool,
    names: dict[int, str],
) -> str:
    message = record.message
    lines = []
    if chosen:
        lines.append(
            "(no --message or --line given: explaining the first message a check fired on)"
        )
    lines += [
        f"Message {message.id} (line {record.line} of {label}) by {who(message, names)} "
        f"in {where(message, names)} at {record.now.isoformat()}:",
        f"  {quote(message.content, 200)}",
    ]
    if context:
        lines.append(f"Context: the author's {len(context)} previous message(s):")
        for previous, plan in context:
            offset = (previous.now - record.now).total_seconds()
            lines.append(
                f"  line {previous.line:<5} {offset:+8.1f}s  {quote(previous.message.content, 40):<42} "
                f"{describe_plan(plan, previous.now, names)}"
            )
    else:
        lines.append("Context: no earlier message from the author in the log.")
    lines.append(explanation.render(names))
    return "\n".join(lines) + "\n"


def run_explain(args: argparse.Namespace) -> int:
    """Explain one message; 0 when found, 1 when not (or a bad line stopped the run)."""
    out, err = sys.stdout, sys.stderr
    policy, policy_name = load_policy(args.policy)
    log = open_log(args.log, sample=args.sample)
    guard = build_guard(policy, plugins=args.plugin, extensions=args.extensions)
    explainer = Explainer(guard)
    recent: dict[tuple[int | None, int], collections.deque[tuple[LogRecord, Plan]]] = {}
    choose_first = args.message is None and args.line is None
    # Names of the members and channels the log has shown so far (the first one wins).
    names: dict[int, str] = {}
    for item in log:
        if isinstance(item, LogError):
            if args.line is not None and item.line == args.line:
                msg = f"line {args.line} cannot be explained: {item}"
                raise CliError(msg)
            action = "stopping (--on-error stop)" if args.on_error == "stop" else "skipped"
            err.write(f"{item}; {action}\n")
            if args.on_error == "stop":
                return 1
            continue
        if isinstance(item, MemberRecord):
            # Not explained, but decided: what the guard remembers of joins (new members'
            # rules) is the same as in a replay.
            guard.handle(item.event)
            continue
        message = item.message
        for key_id, name in message_names(message).items():
            names.setdefault(key_id, name)
        key = (message.guild_id, message.author_id)
        history = recent.setdefault(key, collections.deque(maxlen=args.context))
        if _is_target(item, args) or choose_first:
            explanation = explainer.explain(message, now=item.now)
            if choose_first and not explanation.plan.violations:
                history.append((item, explanation.plan))
                continue
            context = list(history) if args.context else []
            if args.json:
                document = {
                    "log": log.label,
                    "policy": policy_name,
                    "line": item.line,
                    "context": [
                        {
                            "line": r.line,
                            "message_id": r.message.id,
                            "content": r.message.content,
                            "plan": p.to_dict(),
                        }
                        for r, p in context
                    ],
                    "explanation": explanation.to_dict(),
                }
                json.dump(document, out, indent=2, ensure_ascii=False)
                out.write("\n")
            else:
                out.write(f"Policy: {policy_name}\n")
                out.write(
                    _render(
                        item,
                        explanation,
                        context,
                        label=log.label,
                        chosen=choose_first,
                        names=names,
                    )
                )
            return 0
        history.append((item, explainer.process(message, now=item.now)))
    if choose_first:
        msg = (
            f"no check fired in {log.label} ({log.lines} lines) with {policy_name}; "
            "name a message with --message ID or --line N"
        )
    elif args.message is not None:
        msg = f"no message with id {args.message} in {log.label} ({log.lines} lines)"
    else:
        msg = f"{log.label} has no message on line {args.line} ({log.lines} lines)"
    raise CliError(msg)
