"""Plain-English descriptions of plans, actions and violations, for people to read.

Used by the assertion helpers' failure messages, :class:`~spamguard.reporting.Explanation`
and the ``spamguard`` command line; one place, so all three say things the same way.
"""

from __future__ import annotations

__all__ = (
    "ALREADY_PUNISHED",
    "SKIP_REASONS",
    "describe_action",
    "describe_plan",
    "describe_punishment",
    "describe_violation",
    "format_seconds",
    "message_names",
)

import typing

from spamguard.core import SkipReason

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from spamguard.core import Action, GuildTimer, MessageLike, Plan, Violation

SKIP_REASONS: Mapping[str, str] = {
    SkipReason.DM: "a direct message: DMs are never moderated",
    SkipReason.SELF: "the bot's own message",
    SkipReason.BOT: "the author is a bot and ignore_bots is on",
    SkipReason.IGNORED_GUILD: "the guild is in ignore.guilds",
    SkipReason.IGNORED_CHANNEL: "the channel (or the thread's parent) is in ignore.channels",
    SkipReason.IGNORED_CATEGORY: "the channel's category is in ignore.categories",
    SkipReason.IGNORED_USER: "the author is in ignore.users",
    SkipReason.IGNORED_ROLE: "the author has a role in ignore.roles",
    SkipReason.OWNER: "the author owns the guild and exempt_admins is on",
    SkipReason.ADMIN: "the author is an administrator and exempt_admins is on",
    SkipReason.MANAGE_MESSAGES: "the author can manage messages and exempt_admins is on",
    SkipReason.NO_RULES: "no level or role rule of the policy applies to the author",
    SkipReason.REDELIVERED: (
        "the same message (id and content), or the member's join, was processed before"
    ),
    SkipReason.VETOED: "a plugin's spamguard_pre_invoke hook vetoed it",
}
"""Why a message was not checked, by :class:`~spamguard.core.SkipReason` value."""


def format_seconds(seconds: float) -> str:
    """``5s``, ``2.5s``, ``5m``, ``1h30m``: a duration as people write it."""
    if seconds < 60 or seconds % 60:
        return f"{seconds:g}s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def message_names(message: MessageLike) -> dict[int, str]:
    """Names a message tells: its author's and its channel's (``#general``), by id."""
    names: dict[int, str] = {}
    if message.author_name:
        names[message.author_id] = message.author_name
    if message.channel_name:
        names[message.channel_id] = f"#{message.channel_name}"
    return names


def describe_violation(violation: Violation) -> str:
    """``max_messages 8/8 in 5s (user)``: the check, its count against its limit, the window."""
    scope = "" if violation.scope == "user" else f" ({violation.scope})"
    window = f" in {format_seconds(violation.interval)}" if violation.interval else ""
    return f"{violation.check} {violation.count}/{violation.limit}{window}{scope}"


def describe_action(
    action: Action | GuildTimer,
    now: datetime.datetime | None = None,
    names: Mapping[int, str] | None = None,
) -> str:
    """One action in a few words, e.g. ``delete 8 messages in #general``.

    ``now`` (the plan's decision time) turns a timeout's end into a duration; ``names``
    maps channel ids to ``#name`` and user ids to names (ids are shown otherwise).
    """
    data = typing.cast("typing.Any", action)
    known = names or {}

    def channel(channel_id: int) -> str:
        return known.get(channel_id) or f"channel {channel_id}"

    def user(user_id: int) -> str:
        return known.get(user_id) or f"user {user_id}"

    match action.kind:
        case "delete":
            count = len(data.message_ids)
            noun = "message" if count == 1 else "messages"
            return f"delete {count} {noun} in {channel(data.channel_id)}"
        case "timeout":
            if now is not None:
                length = format_seconds((data.until - now).total_seconds())
                return f"timeout {user(data.user_id)} for {length}"
            return f"timeout {user(data.user_id)} until {data.until.isoformat()}"
        case "remove_timeout":
            return f"end the timeout of {user(data.user_id)}"
        case "send":
            text = data.content or ("an embed" if data.embed else "")
            return f"post in {channel(data.channel_id)}: {_quote(text)}"
        case "dm":
            text = data.content or ("an embed" if data.embed else "")
            return f"DM {user(data.user_id)}: {_quote(text)}"
        case "add_role":
            return f"give {user(data.user_id)} role {data.role_id}"
        case "remove_role":
            return f"take role {data.role_id} from {user(data.user_id)}"
        case "kick":
            return f"kick {user(data.user_id)}"
        case "ban":
            extra = (
                f", deleting {format_seconds(data.delete_message_seconds)} of messages"
                if data.delete_message_seconds
                else ""
            )
            return f"ban {user(data.user_id)}{extra}"
        case "unban":
            return f"unban {user(data.user_id)}"
        case "incident_actions":
            paused = [
                f"{what} until {_until(until, now)}"
                for what, until in (
                    ("invites", data.invites_disabled_until),
                    ("DMs", data.dms_disabled_until),
                )
                if until is not None
            ]
            if paused:
                return "pause " + " and ".join(paused)
            if data.only_if_unchanged:
                return "lift the pause of invites and DMs, unless a moderator changed it"
            return "lift the pause of invites and DMs"
    # An extension's own action (a plugin's timer) may say what it does (``describe()``).
    describe = getattr(action, "describe", None)
    return str(describe()) if callable(describe) else str(action.kind)


def _until(until: datetime.datetime, now: datetime.datetime | None) -> str:
    if now is None:
        return until.isoformat()
    return f"{format_seconds((until - now).total_seconds())} from now"


def _quote(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return repr(flat)


ALREADY_PUNISHED = "already punished in this incident"
"""Why a plan whose checks ask for a punishment carries none out: the member's open incident
was already punished as severely (a punishment is upgraded, never repeated)."""


def describe_punishment(plan: Plan) -> str:
    """What a plan's line says after ``->``: its punishment (``TEMPMUTE``), or, when its
    checks ask for one the open incident already gave, ``already punished in this incident:
    clean only`` (it only deletes) or ``...: nothing more`` (it does nothing)."""
    if plan.punishment != "NONE" or all(v.punishment == "NONE" for v in plan.violations):
        return plan.punishment
    cleans = any(action.kind == "delete" for action in plan.actions)
    return f"{ALREADY_PUNISHED}: {'clean only' if cleans else 'nothing more'}"


def describe_plan(
    plan: Plan, now: datetime.datetime | None = None, names: Mapping[int, str] | None = None
) -> str:
    """What a plan does and why, on one line.

    ``skipped (bot)``, ``ok``, or ``max_messages 8/8 in 5s -> TEMPMUTE: delete 8
    messages in #general; timeout alice for 5m`` (``names`` as for :func:`describe_action`).
    """
    if plan.skipped_reason is not None:
        return f"skipped ({plan.skipped_reason})"
    if not plan.violations and not plan:
        return "ok"
    why = ", ".join(describe_violation(v) for v in plan.violations) or "no violation"
    what = "; ".join(describe_action(a, now, names) for a in plan.actions) or "nothing to do"
    dry = " [dry run]" if plan.dry_run else ""
    outcome = describe_punishment(plan)
    if outcome.startswith(ALREADY_PUNISHED):
        return f"{why} -> {outcome} ({what}){dry}"
    return f"{why} -> {outcome}: {what}{dry}"
