"""Small, pure helpers the contrib extensions use to read and amend plans."""

from __future__ import annotations

__all__ = ("deleted_ids", "fired", "with_deleted")

import dataclasses
import typing

from spamguard.core.actions import DeleteMessages

if typing.TYPE_CHECKING:
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan, Violation


def fired(plan: Plan, check: str) -> Violation | None:
    """The plan's violation of ``check``, if that check fired."""
    for violation in plan.violations:
        if violation.check == check:
            return violation
    return None


def deleted_ids(plan: Plan) -> set[int]:
    """Ids of the messages the plan deletes."""
    return {
        message_id
        for action in plan.actions
        if isinstance(action, DeleteMessages)
        for message_id in action.message_ids
    }


def with_deleted(plan: Plan, message: MessageLike, *, reason: str) -> Plan:
    """``plan`` deleting ``message`` too (first, like the core's clean), unless it already
    does."""
    if message.id in deleted_ids(plan):
        return plan
    delete = DeleteMessages(
        channel_id=message.channel_id,
        message_ids=(message.id,),
        guild_id=message.guild_id,
        reason=reason,
    )
    return dataclasses.replace(plan, actions=(delete, *plan.actions))
