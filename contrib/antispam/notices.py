"""discord-anti-spam's texts around a punishment, added to the core's plan: the DM to the
member before a timeout, kick or ban, the guild notice after it (in the guild's log
channel, or for 0.x options in the channel of the spam), and the texts for a failure."""

from __future__ import annotations

__all__ = ("with_punishment_notices",)

import dataclasses
import typing

from spamguard.contrib.antispam.options import translate_template
from spamguard.core import actions as act
from spamguard.core import templates

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.contrib.antispam.dataclasses import Options
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan

_WORDS: Mapping[str, str] = {"WARN": "warn", "TIMEOUT": "timeout", "KICK": "kick", "BAN": "ban"}
_PUNISHING = (act.Timeout, act.Kick, act.Ban)


def with_punishment_notices(
    plan: Plan,
    message: MessageLike,
    options: Options,
    *,
    log_channel_id: int | None,
    counters: Mapping[str, int],
    bot_id: int | None,
) -> Plan:
    """Add discord-anti-spam's notices to the core's WARN, TIMEOUT, KICK or BAN plan;
    ``counters`` are the member's (after this message), ``log_channel_id`` the guild's."""
    word = _WORDS.get(plan.punishment)
    if word is None:
        return plan
    guild_id = typing.cast("int", message.guild_id)
    violation = plan.violations[0]
    values = templates.variables(
        message,
        now=message.created_at,
        bot_id=bot_id,
        warn_count=counters["warn_count"],
        kick_count=counters["kick_count"] + counters["ban_count"],
        violation=violation.check,
        count=violation.count,
        limit=violation.limit,
        punishment=plan.punishment,
    )
    mention = f"<@{message.author_id}>"

    def render(option: str) -> tuple[str, dict[str, typing.Any] | None]:
        rendered = templates.render(translate_template(getattr(options, option)), values)
        # mention_on_embed: an embed notice also mentions the member in its text.
        return (rendered, None) if isinstance(rendered, str) else (mention, rendered)

    def post(channel_id: int, option: str, delete_after: float | None) -> act.SendMessage:
        content, embed = render(option) if option in _OPTION_NAMES else (option, None)
        return act.SendMessage(
            channel_id=channel_id,
            content=content,
            embed=embed,
            delete_after=delete_after,
            mention_user_ids=(message.author_id,),
            guild_id=guild_id,
        )

    def direct(option: str) -> act.DirectMessage:
        content, embed = render(option)
        if embed is not None:
            content = ""
        return act.DirectMessage(
            user_id=message.author_id, content=content, embed=embed, guild_id=guild_id
        )

    target = message.channel_id if options.guild_log_in_channel else log_channel_id
    delete_after = getattr(options, f"guild_log_{word}_message_delete_after")
    if word == "warn":
        if options.guild_log_in_channel or target is None:
            return plan
        notice = post(target, "guild_log_warn_message", delete_after)
        return dataclasses.replace(plan, actions=(*plan.actions, notice))
    index = next((i for i, a in enumerate(plan.actions) if isinstance(a, _PUNISHING)), None)
    if index is None:
        return plan
    after = () if target is None else (post(target, f"guild_log_{word}_message", delete_after),)
    failed: tuple[act.SendMessage | act.DirectMessage, ...]
    if word == "timeout":
        failed = (direct("member_failed_timeout_message"),)
        if target is not None:
            failed = (post(target, "guild_failed_timeout_message", delete_after), *failed)
    else:
        failed = (direct(f"member_failed_{word}_message"),)
        if target is not None:
            text = (
                f"I do not have permission to {word}: {mention}"
                if options.guild_log_in_channel
                else f"An error occurred trying to {word}: {mention}"
            )
            failed = (post(target, text, delete_after), *failed)
    actions = (
        *plan.actions[:index],
        direct(f"member_{word}_message"),
        plan.actions[index],
        *after,
        *plan.actions[index + 1 :],
    )
    return dataclasses.replace(plan, actions=actions, on_failure=failed)


_OPTION_NAMES = frozenset(
    f"{prefix}_{word}_message"
    for prefix in ("guild_log", "member", "member_failed", "guild_failed")
    for word in ("warn", "timeout", "kick", "ban")
)
