"""From a punishment to the actions that carry it out (and their scheduled undo)."""

from __future__ import annotations

__all__ = ("PunishmentActions", "punishment_actions")

import dataclasses
import datetime
import typing

from spamguard.core import actions as act
from spamguard.core import templates
from spamguard.core.plan import ScheduledAction
from spamguard.core.policy.fields import MAX_DURATION
from spamguard.core.policy.model import Punishment

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.messages import MessageLike
    from spamguard.core.policy.model import GuildPolicy


_SOFTBAN_LIFTED = "spamguard: softban (messages purged, ban lifted)"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PunishmentActions:
    """What one punishment turns into."""

    actions: tuple[act.Action, ...] = ()
    scheduled: tuple[ScheduledAction, ...] = ()
    on_failure: tuple[act.Action, ...] = ()


def _notice(
    template: typing.Any,
    values: Mapping[str, str],
    *,
    message: MessageLike,
    delete_after: float | None,
) -> act.SendMessage | None:
    if template is None:
        return None
    rendered = templates.render(template, values)
    content, embed = (rendered, None) if isinstance(rendered, str) else ("", rendered)
    return act.SendMessage(
        channel_id=message.channel_id,
        content=content,
        embed=embed,
        delete_after=delete_after,
        mention_user_ids=(message.author_id,),
        guild_id=message.guild_id,
    )


def punishment_actions(
    punishment: Punishment,
    *,
    policy: GuildPolicy,
    message: MessageLike,
    now: datetime.datetime,
    duration: int,
    reason: str,
    values: Mapping[str, str],
    dms: bool,
    delete_message_seconds: int | None = None,
) -> PunishmentActions:
    """The actions for ``punishment`` of ``message``'s author, in execution order.

    The DM (when ``dms``) comes first, while the member still shares a guild with the bot;
    then the channel notice; then the punishment itself. TEMPMUTE with a mute role and
    TEMPBAN propose their undo, tied to the punishment: it is kept only once the
    punishment succeeded, ``duration`` seconds after it completed (see
    :class:`~spamguard.core.plan.ScheduledAction`). SOFTBAN is a ban whose unban is such
    an undo due at once: it runs only if the ban succeeded, right after it, exactly once
    (the store claims it). The "failed to punish" notice is posted in the channel only
    when the policy's ``notices.failed_in_channel`` says so.

    ``delete_message_seconds`` is the history a BAN, TEMPBAN or SOFTBAN deletes (a
    plugin's own setting); None takes the policy's (``ban_delete_message_seconds``, or
    ``softban_delete_message_seconds`` for a SOFTBAN).
    """
    if punishment is Punishment.NONE:
        return PunishmentActions()
    guild_id = typing.cast("int", message.guild_id)
    user_id = message.author_id
    notices = policy.notices
    out: list[act.Action] = []
    scheduled: list[ScheduledAction] = []
    if dms and notices.dm is not None:
        rendered = templates.render(notices.dm, values)
        content, embed = (rendered, None) if isinstance(rendered, str) else ("", rendered)
        out.append(
            act.DirectMessage(user_id=user_id, content=content, embed=embed, guild_id=guild_id)
        )
    if punishment is Punishment.WARN:
        warning = _notice(
            notices.warn, values, message=message, delete_after=notices.warn_delete_after
        )
        if warning is not None:
            out.append(warning)
        return PunishmentActions(actions=tuple(out))
    notice = _notice(
        notices.punishment, values, message=message, delete_after=notices.punishment_delete_after
    )
    if notice is not None:
        out.append(notice)
    # The escalation ladder multiplies durations; keep the undo date representable.
    lasts = min(duration, MAX_DURATION)
    until = now + datetime.timedelta(seconds=lasts)
    mute_role = policy.mute_role_id
    match punishment:
        case Punishment.MUTE | Punishment.TEMPMUTE if mute_role is not None:
            add = act.AddRole(guild_id=guild_id, user_id=user_id, role_id=mute_role, reason=reason)
            out.append(add)
            if punishment is Punishment.TEMPMUTE:
                undo = act.RemoveRole(
                    guild_id=guild_id,
                    user_id=user_id,
                    role_id=mute_role,
                    reason="spamguard: temporary mute ended",
                )
                scheduled.append(ScheduledAction(until, undo, add, lasts))
        case Punishment.MUTE:
            seconds = act.MAX_TIMEOUT.total_seconds()
            out.append(
                act.timeout_for(
                    guild_id=guild_id, user_id=user_id, now=now, seconds=seconds, reason=reason
                )
            )
        case Punishment.TEMPMUTE | Punishment.TIMEOUT:
            out.append(
                act.timeout_for(
                    guild_id=guild_id, user_id=user_id, now=now, seconds=duration, reason=reason
                )
            )
        case Punishment.KICK:
            out.append(act.Kick(guild_id=guild_id, user_id=user_id, reason=reason))
        case Punishment.BAN | Punishment.TEMPBAN | Punishment.SOFTBAN:
            if delete_message_seconds is None:
                delete_message_seconds = (
                    policy.softban_delete_message_seconds
                    if punishment is Punishment.SOFTBAN
                    else policy.ban_delete_message_seconds
                )
            ban = act.Ban(
                guild_id=guild_id,
                user_id=user_id,
                reason=reason,
                delete_message_seconds=delete_message_seconds,
            )
            out.append(ban)
            if punishment is Punishment.TEMPBAN:
                undo_ban = act.Unban(
                    guild_id=guild_id, user_id=user_id, reason="spamguard: temporary ban ended"
                )
                scheduled.append(ScheduledAction(until, undo_ban, ban, lasts))
            elif punishment is Punishment.SOFTBAN:
                # Due as soon as the ban completed: the runtime wakes its scheduler when
                # the undo is kept, so the member can rejoin within moments.
                lifted = act.Unban(guild_id=guild_id, user_id=user_id, reason=_SOFTBAN_LIFTED)
                scheduled.append(ScheduledAction(now, lifted, ban, 0.0))
    # The spammer reads the channel: a failure is posted there only on request, and never
    # with a log channel, where the case shows it (the runtime logs it either way).
    failed = (
        _notice(notices.failed, values, message=message, delete_after=notices.failed_delete_after)
        if notices.failed_in_channel and policy.modlog is None
        else None
    )
    return PunishmentActions(
        actions=tuple(out),
        scheduled=tuple(scheduled),
        on_failure=() if failed is None else (failed,),
    )
