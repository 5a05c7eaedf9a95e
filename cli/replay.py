"""``spamguard replay LOG --policy POLICY``: every plan of a recorded log, and a summary.

The log format (JSON lines, one message per line) is documented in
:mod:`spamguard.reporting.logs`; ``spamguard replay --help`` shows a short version.
"""

from __future__ import annotations

__all__ = ("LOG_FORMAT_HELP", "run_replay")

import functools
import json
import pathlib
import sys
import typing

from spamguard.cli.loading import build_guard, load_policy, open_log
from spamguard.cli.output import Progress, quote, table, where, who
from spamguard.cli.timeline import Timeline, require_matplotlib, timeline_format
from spamguard.core import MemberJoin
from spamguard.reporting.describe import (
    describe_action,
    describe_punishment,
    describe_violation,
    format_seconds,
    message_names,
)
from spamguard.reporting.logs import LogError
from spamguard.reporting.member_logs import MemberRecord
from spamguard.reporting.replay import ReplaySummary

if typing.TYPE_CHECKING:
    import argparse
    import datetime

    from spamguard.core import Message, Plan

LOG_FORMAT_HELP = """\
log format: JSON lines, one event per line, in the order the bot received them:
  {"guild_id": 1, "channel_id": 10, "author_id": 100, "content": "hi",
   "created_at": "2024-05-01T12:00:00Z"}
required: guild_id (null for a DM), channel_id, author_id, created_at (ISO 8601 or POSIX
seconds, 1970 to before 9000). Optional: id, content, author_name, channel_name,
guild_name, author_role_ids, mention_ids, role_mention_ids, mentions_everyone,
attachment_count, sticker_count, embed_count, attachments ([{"filename", "size",
"content_type", "width", "height"}]), sticker_ids, forwarded, author_is_bot,
author_is_admin, author_can_manage_messages, author_is_owner, category_id, parent_id,
edited_at. Discord's own message objects (with an "author" object, forwards'
message_snapshots too) are read too. Members joining
and leaving: {"type": "member_join", "guild_id": 1, "user_id": 100, "joined_at": ...,
"username": "...", "has_avatar": false} and {"type": "member_leave", "guild_id": 1,
"user_id": 100, "at": ...}. Full reference: the docstring of spamguard.reporting.logs.
"""


def _plan_text(
    line: int,
    offset: float,
    message: Message,
    plan: Plan,
    now: datetime.datetime,
    names: dict[int, str],
) -> str:
    head = f"[+{offset:.1f}s] line {line}  {who(message)} in {where(message)}: {quote(message.content)}"
    if plan.skipped_reason is not None:
        return f"{head}\n    skipped: {plan.skipped_reason}\n"
    if not plan.violations and not plan:
        return f"{head}\n    ok\n"
    why = ", ".join(describe_violation(v) for v in plan.violations)
    lines = [
        head,
        f"    {why} -> {describe_punishment(plan)}" + (" [dry run]" if plan.dry_run else ""),
    ]
    lines.extend(f"    - {describe_action(a, now, names)}" for a in plan.actions)
    lines.extend(
        f"    - later, at {s.run_at.isoformat()}: {describe_action(s.action, None, names)}"
        for s in plan.scheduled
    )
    return "\n".join(lines) + "\n"


def _member_text(
    line: int, offset: float, record: MemberRecord, plan: Plan, names: dict[int, str]
) -> str:
    event = record.event
    verb = "joined" if isinstance(event, MemberJoin) else "left"
    who = names.get(event.user_id) or f"user {event.user_id}"
    head = f"[+{offset:.1f}s] line {line}  {who} {verb} guild {event.guild_id}"
    if plan.skipped_reason is not None:
        return f"{head}\n    skipped: {plan.skipped_reason}\n"
    if not plan:
        return f"{head}\n    ok\n"
    dry = " [dry run]" if plan.dry_run else ""
    lines = [head + dry, *(f"    - {describe_action(a, record.now, names)}" for a in plan.actions)]
    return "\n".join(lines) + "\n"


def summary_text(summary: ReplaySummary, *, source: str, policy: str) -> str:
    """The closing report: totals, then a table per check, per action and per punishment."""
    skipped = sum(summary.skipped.values())
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(summary.skipped.items()))
    lines = [
        f"Summary of {source} with {policy}:",
        f"  {summary.messages} message(s) over {format_seconds(round(summary.duration, 1))}: "
        f"{summary.checked} checked, {skipped} skipped" + (f" ({reasons})" if reasons else ""),
        f"  {len(summary.punished)} member(s) punished, {summary.deleted_messages} message(s) "
        f"deleted, {summary.errors} bad line(s)",
    ]
    if summary.joins or summary.leaves:
        lines.append(f"  {summary.joins} member join(s), {summary.leaves} leave(s)")
    if summary.checks:
        rows = [
            (name, count, len(summary.check_members.get(name, ())))
            for name, count in summary.checks.most_common()
        ]
        lines += ["", table(("check", "fired", "members"), rows, indent="  ")]
    else:
        lines += ["", "  no check fired"]
    if summary.actions:
        lines += ["", table(("action", "count"), summary.actions.most_common(), indent="  ")]
    if summary.punishments:
        rows2 = summary.punishments.most_common()
        lines += ["", table(("punishment", "count"), rows2, indent="  ")]
    return "\n".join(lines) + "\n"


def run_replay(args: argparse.Namespace) -> int:
    """Replay a log; 0 when it was read to the end, 1 when a bad line stopped it."""
    out, err = sys.stdout, sys.stderr
    policy, policy_name = load_policy(args.policy)
    log = open_log(args.log, sample=args.sample)
    guard = build_guard(policy, plugins=args.plugin, extensions=args.extensions)
    timeline: Timeline | None = None
    if args.timeline is not None:
        timeline_format(args.timeline)  # before the replay, like the matplotlib check
        require_matplotlib()
        timeline = Timeline()
    enabled = args.progress if args.progress is not None else err.isatty()
    progress = Progress(err, log.size, enabled=enabled)
    summary = ReplaySummary()
    plans: list[dict[str, typing.Any]] = []
    errors: list[dict[str, typing.Any]] = []
    first: datetime.datetime | None = None
    stopped = False
    names: dict[int, str] = {}
    for item in log:
        if isinstance(item, LogError):
            summary.errors += 1
            errors.append({"line": item.line, "field": item.field, "problem": item.problem})
            progress.clear()
            action = "stopping (--on-error stop)" if args.on_error == "stop" else "skipped"
            err.write(f"{item}; {action}\n")
            if args.on_error == "stop":
                stopped = True
                break
            continue
        now = item.now
        first = now if first is None else first
        offset = (now - first).total_seconds()
        if isinstance(item, MemberRecord):
            if isinstance(item.event, MemberJoin) and item.event.username:
                names.setdefault(item.event.user_id, item.event.username)
            plan = guard.handle(item.event)
            summary.add_member_event(plan, now, join=isinstance(item.event, MemberJoin))
            text = functools.partial(_member_text, item.line, offset, item, plan, names)
        else:
            message = item.message
            for key, name in message_names(message).items():
                names.setdefault(key, name)
            plan = guard.process(message, now=now)
            summary.add(plan, now)
            if timeline is not None:
                timeline.add(offset, message, plan, now)
            text = functools.partial(_plan_text, item.line, offset, message, plan, now, names)
        notable = bool(plan.violations) or bool(plan)
        if args.all or notable:
            if args.json:
                plans.append(
                    {
                        "line": item.line,
                        "at": now.isoformat(),
                        "offset": offset,
                        "plan": plan.to_dict(),
                    }
                )
            elif not args.quiet:
                progress.clear()
                out.write(text())
        progress.update(log.position, summary.messages)
    progress.clear()
    if timeline is not None:
        title = (
            f"{log.label} with {policy_name}: {summary.messages} messages, "
            f"{len(summary.punished)} punished"
        )
        timeline.save(pathlib.Path(args.timeline), title=title)
    if args.json:
        document = {
            "log": log.label,
            "policy": policy_name,
            "complete": not stopped,
            "plans": plans,
            "errors": errors,
            "summary": summary.to_dict(),
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        if not args.quiet and summary.messages:
            out.write("\n")
        out.write(summary_text(summary, source=log.label, policy=policy_name))
        if timeline is not None:
            out.write(f"\nTimeline written to {args.timeline}\n")
        if stopped:
            err.write(
                f"replay stopped at line {log.lines}: the report covers the lines before it\n"
            )
    return 1 if stopped else 0
