"""discord-anti-spam's kick and ban texts, added around the core's Kick or Ban."""

from __future__ import annotations

__all__ = ("with_punishment_notices",)

import dataclasses
import typing

from spamguard.contrib.antispam.options import translate_template
from spamguard.core import actions as act
from spamguard.core import templates

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan


def with_punishment_notices(
    plan: Plan,
    message: MessageLike,
    options: Mapping[str, typing.Any],
    *,
    counters: Mapping[str, int],
    bot_id: int | None,
) -> Plan:
    """Add discord-anti-spam's kick and ban texts around the core's Kick or Ban: the DM
    to the member before, the guild notice after, and the failure texts; ``counters`` are
    the member's (after this message)."""
    word = {"KICK": "kick", "BAN": "ban"}.get(plan.punishment)
    if word is None:
        return plan
    index = next((i for i, a in enumerate(plan.actions) if isinstance(a, act.Kick | act.Ban)), None)
    if index is None:
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

    def render(option: str) -> tuple[str, dict[str, typing.Any] | None]:
        rendered = templates.render(translate_template(options[option]), values)
        return (rendered, None) if isinstance(rendered, str) else ("", rendered)

    content, embed = render(f"user_{word}_message")
    dm = act.DirectMessage(
        user_id=message.author_id, content=content, embed=embed, guild_id=guild_id
    )
    content, embed = render(f"guild_{word}_message")
    notice = act.SendMessage(
        channel_id=message.channel_id,
        content=content,
        embed=embed,
        delete_after=options[f"guild_{word}_message_delete_after"],
        mention_user_ids=(message.author_id,),
        guild_id=guild_id,
    )
    content, embed = render(f"user_failed_{word}_message")
    failed = (
        act.SendMessage(
            channel_id=message.channel_id,
            content=f"I do not have permission to {word}: <@{message.author_id}>",
            delete_after=options[f"guild_{word}_message_delete_after"],
            mention_user_ids=(message.author_id,),
            guild_id=guild_id,
        ),
        act.DirectMessage(
            user_id=message.author_id, content=content, embed=embed, guild_id=guild_id
        ),
    )
    actions = (
        *plan.actions[:index],
        dm,
        plan.actions[index],
        notice,
        *plan.actions[index + 1 :],
    )
    return dataclasses.replace(plan, actions=actions, on_failure=failed)
