"""What the log channel shows: a case, an undo, a raid's start or end, an AutoMod execution,
each as Discord's JSON embed, and a group of them as one message within Discord's limits.

Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
10 embeds per message, a title of 256 characters, a description of 4096, 25 fields of
256 (name) and 1024 (value) characters, a footer of 2048, and 6000 characters in all the
embeds of a message together. :func:`message_embeds` keeps a group within them: the
entries that do not fit in full are listed one line each in a last embed.

Nothing here pings anyone: a member shows as a mention (a mention inside an embed never
pings, and the log message is sent with allowed mentions empty), and quoted message text
is defused (mentions broken with a zero-width space, markdown escaped).
"""

from __future__ import annotations

__all__ = (
    "MAX_EMBED_CHARS",
    "LogEntry",
    "automod_entry",
    "case_entry",
    "defuse",
    "message_embeds",
    "report_entry",
)

import dataclasses
import datetime
import re
import typing

from spamguard.core.actions import MAX_EMBEDS

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

    from spamguard.core.cases import Case, CaseAction
    from spamguard.core.events import AutomodExecution
    from spamguard.core.policy.modlog import ModLog

Embed = dict[str, typing.Any]

MAX_EMBED_CHARS = 6000
"""Characters Discord allows in all the embeds of one message together."""
_TITLE, _DESCRIPTION, _FIELD_NAME, _FIELD_VALUE, _FIELDS, _FOOTER = 256, 4096, 256, 1024, 25, 2048
_DISCORD_EPOCH_MS = 1_420_070_400_000

# Colours by what happened (Discord's palette): the worst outcome of a case wins.
_RED, _ORANGE, _YELLOW, _GREY, _DARK_RED, _GREEN, _BLUE = (
    0xED4245,
    0xE67E22,
    0xFEE75C,
    0x95A5A6,
    0x992D22,
    0x57F287,
    0x5865F2,
)
_COLOURS: typing.Final = {
    "BAN": _RED,
    "TEMPBAN": _RED,
    "SOFTBAN": _RED,
    "KICK": _RED,
    "TIMEOUT": _ORANGE,
    "MUTE": _ORANGE,
    "TEMPMUTE": _ORANGE,
    "WARN": _YELLOW,
}

_MENTION = re.compile(r"@(?!\u200b)")
_MARKDOWN = re.compile(r"([\\`*_~|\[\]])")
_LINE_START = re.compile(r"^([#>-])")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One thing to post: its embed, and the line that stands for it when a group has more
    than one message can show in full."""

    key: tuple[str, object]
    """What it is about (``("case", 12)``): a later entry of the same key in a group
    replaces the earlier one, in its place."""
    embed: Embed
    """Discord's JSON embed, within the per-embed limits."""
    line: str
    """A one-line summary."""


def defuse(text: str, limit: int) -> str:
    """``text`` safe to quote: at most ``limit`` characters (an ellipsis marks a cut), on
    one line, markdown escaped and every ``@`` followed by a zero-width space (no
    ``@everyone``, no ``<@id>`` that renders as a mention)."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: max(0, limit - 1)].rstrip() + "\u2026"
    escaped = _LINE_START.sub(r"\\\1", _MARKDOWN.sub(r"\\\1", flat))
    return _MENTION.sub("@\u200b", escaped)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _when(at: datetime.datetime) -> str:
    """Discord's timestamp markup: each reader sees ``at`` in their own time zone."""
    return f"<t:{int(at.timestamp())}:R>"


def _created(user_id: int) -> datetime.datetime:
    milliseconds = (user_id >> 22) + _DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(milliseconds / 1000, tz=datetime.UTC)


def _member_lines(user_id: int | None, joined_at: datetime.datetime | None) -> str:
    if user_id is None:
        return "The whole guild (no single member)"
    joined = "joined: not seen" if joined_at is None else f"joined {_when(joined_at)}"
    return f"<@{user_id}> (`{user_id}`)\naccount created {_when(_created(user_id))} · {joined}"


def _action_line(action: CaseAction) -> str:
    what = action.summary or (
        action.kind if action.count == 1 else f"{action.kind} x{action.count}"
    )
    if action.dry_run:
        return f"\U0001f9ea {what}: dry run, not carried out"
    if action.skipped:
        return f"\u23ed\ufe0f {what}: not sent ({action.detail})"
    if action.ok:
        return f"\u2705 {what}: done"
    if str(action.failure) == "hierarchy":
        return f"\u26d4 {what}: refused, {action.detail}"
    return f"\u274c {what}: failed ({action.failure}), Discord said: {action.detail}"


def _key(case: Case) -> tuple[str, object]:
    # A case's member and opening time never change: its later updates (and one the
    # store numbered late) replace it in a group.
    return ("case", (case.user_id, case.opened_at.isoformat()))


def _field(name: str, lines: Sequence[str]) -> Embed:
    value = ""
    for index, whole in enumerate(lines):
        line = _cut(whole, _FIELD_VALUE - 40)
        more = f"\n\u2026and {len(lines) - index} more"
        candidate = f"{value}\n{line}" if value else line
        if len(candidate) > _FIELD_VALUE - len(more):
            value += more
            break
        value = candidate
    return {"name": _cut(name, _FIELD_NAME), "value": value or "\u2014", "inline": False}


def case_entry(
    case: Case, settings: ModLog, *, joined_at: datetime.datetime | None = None
) -> LogEntry:
    """The embed of a case as it stands: the member, each violation, each action and its
    outcome, quoted messages, the undo."""
    failed = [a for a in case.actions if not a.ok and not a.skipped and not a.dry_run]
    punishment = case.punishment.lower()
    if case.user_id is None and punishment == "none":
        # A guild-wide case (a join raid): what fired says more than "none".
        punishment = ", ".join(dict.fromkeys(v.check for v in case.violations)) or punishment
    title = f"Case {case.label} \u00b7 {punishment}"
    if failed:
        title += " \u00b7 could not punish" if punishment != "none" else " \u00b7 failed"
    if case.dry_run:
        title += " (dry run)"
    colour = (
        _GREY if case.dry_run else _DARK_RED if failed else _COLOURS.get(case.punishment, _BLUE)
    )
    violations = [
        f"`{v.check}` {v.count}/{v.limit} in {_seconds(v.interval)} ({v.scope})"
        for v in case.violations
    ]
    fields = [
        _field("Violations", violations or ["\u2014"]),
        _field("Actions", [_action_line(a) for a in case.actions] or ["nothing to do"]),
    ]
    quotes = [f"> {defuse(text, settings.excerpt_length)}" for text in case.excerpts]
    if settings.excerpts and quotes:
        fields.append(_field("Messages", quotes[: settings.excerpts]))
    undo = _undo_text(case)
    if undo:
        fields.append(_field("Undo", [undo]))
    channels = " ".join(f"<#{c}>" for c in case.channel_ids[:5])
    description = _member_lines(case.user_id, joined_at)
    if channels:
        description += f"\nin {channels}"
    embed: Embed = {
        "title": _cut(title, _TITLE),
        "description": _cut(description, _DESCRIPTION),
        "color": colour,
        "fields": fields[:_FIELDS],
        "footer": {"text": f"spamguard \u00b7 case {case.label}"},
        "timestamp": case.updated_at.isoformat(),
    }
    checks = ", ".join(v.check for v in case.violations) or "no violation"
    member = "someone" if case.user_id is None else f"<@{case.user_id}>"
    line = f"{case.label} {member}: {punishment} ({checks})"
    if failed:
        line += ", could not punish"
    return LogEntry(key=_key(case), embed=embed, line=line)


def _undo_text(case: Case) -> str:
    state = str(case.undo)
    if state == "scheduled" and case.undo_at is not None:
        return f"scheduled, {_when(case.undo_at)}"
    if state == "done":
        return "done: the punishment was lifted"
    if state == "failed":
        return "failed: the punishment could not be lifted"
    if state == "cancelled":
        return "cancelled"
    if state == "pardoned":
        by = "" if case.pardoned_by is None else f" by <@{case.pardoned_by}>"
        return f"pardoned{by}"
    return ""


def undo_entry(case: Case, change: str) -> LogEntry:
    """A short embed for a case's scheduled undo that ran (``change`` ``"undone"``) or a
    pardon (``"pardoned"``)."""
    undo = _undo_text(case) or change
    ok = str(case.undo) != "failed"
    member = "someone" if case.user_id is None else f"<@{case.user_id}> (`{case.user_id}`)"
    title = f"Case {case.label} \u00b7 {case.punishment.lower()} \u00b7 {change}"
    embed: Embed = {
        "title": _cut(title, _TITLE),
        "description": _cut(f"{member}\nundo {undo}", _DESCRIPTION),
        "color": _GREEN if ok else _DARK_RED,
        "footer": {"text": f"spamguard \u00b7 case {case.label}"},
        "timestamp": case.updated_at.isoformat(),
    }
    line = f"{case.label} {member}: undo {undo}"
    return LogEntry(key=(change, _key(case)[1]), embed=embed, line=line)


def report_entry(kind: str, text: str, at: datetime.datetime, *, started: bool) -> LogEntry:
    """An extension's report (a join raid's start or end) as a log entry."""
    title = f"{kind.replace('_', ' ').capitalize()} {'started' if started else 'over'}"
    embed: Embed = {
        "title": _cut(title, _TITLE),
        "description": _cut(text, _DESCRIPTION),
        "color": _RED if started else _GREEN,
        "timestamp": at.isoformat(),
    }
    return LogEntry(key=(kind, (started, at.isoformat())), embed=embed, line=f"{title}: {text}")


def automod_entry(execution: AutomodExecution, *, punished: bool) -> LogEntry:
    """A Discord AutoMod execution that counts on the escalation ladder."""
    rule = execution.rule_name or str(execution.rule_id)
    where = "" if execution.channel_id is None else f" in <#{execution.channel_id}>"
    lines = [
        f"<@{execution.user_id}> (`{execution.user_id}`){where}",
        f"rule {defuse(rule, 100)} (trigger type {execution.rule_trigger_type}, action type "
        f"{execution.action_type}); counted on the ladder"
        + (": it led to a case" if punished else ""),
    ]
    matched = execution.matched_content or execution.matched_keyword
    if matched:
        lines.append(f"matched: {defuse(matched, 100)}")
    if execution.content:
        lines.append(f"> {defuse(execution.content, 200)}")
    embed: Embed = {
        "title": "Discord AutoMod execution",
        "description": _cut("\n".join(lines), _DESCRIPTION),
        "color": _ORANGE,
        "timestamp": execution.at.isoformat(),
    }
    line = f"AutoMod rule {defuse(rule, 60)}: <@{execution.user_id}>"
    key = ("automod", (execution.user_id, execution.rule_id, execution.at.isoformat()))
    return LogEntry(key=key, embed=embed, line=line)


def _size(embed: Embed) -> int:
    """The characters Discord counts toward the 6000 of a message."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    size += len(embed.get("author", {}).get("name", ""))
    for field in embed.get("fields", ()):
        size += len(field["name"]) + len(field["value"])
    return size


def message_embeds(entries: Sequence[LogEntry]) -> tuple[Embed, ...]:
    """The embeds of one log message for ``entries``, in order, within Discord's limits:
    as many in full as fit (at most 9 when more follow), the rest one line each in a last
    embed ("and N more")."""
    full: list[Embed] = []
    used = 0
    for index, entry in enumerate(entries):
        rest = len(entries) - index - 1
        # Room for the summary of what follows, when something does.
        reserve = 0 if rest == 0 else 1200
        slots = MAX_EMBEDS if rest == 0 else MAX_EMBEDS - 1
        size = _size(entry.embed)
        if len(full) >= slots or used + size > MAX_EMBED_CHARS - reserve:
            full.append(_summary(entries[index:], MAX_EMBED_CHARS - used))
            return tuple(full)
        full.append(entry.embed)
        used += size
    return tuple(full)


def _summary(entries: Sequence[LogEntry], room: int) -> Embed:
    title = f"\u2026and {len(entries)} more"
    budget = min(_DESCRIPTION, room - len(title) - 40)
    lines: list[str] = []
    length = 0
    for index, entry in enumerate(entries):
        line = _cut(entry.line, 200)
        if length + len(line) + 1 > budget:
            lines.append(f"\u2026{len(entries) - index} not shown")
            break
        lines.append(line)
        length += len(line) + 1
    return {"title": title, "description": "\n".join(lines), "color": _GREY}
