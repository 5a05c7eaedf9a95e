"""Small, pure helpers the contrib extensions use to read and amend plans."""

from __future__ import annotations

__all__ = (
    "Findings",
    "delete_entries",
    "delete_when_fired",
    "deleted_ids",
    "fired",
    "with_deleted",
)

import dataclasses
import datetime
import typing

from spamguard.core.actions import DeleteMessages, delete_messages

_T = typing.TypeVar("_T")

if typing.TYPE_CHECKING:
    from spamguard.contrib.settings import SettingsCache
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan, Violation
    from spamguard.core.policy import GuildPolicy
    from spamguard.core.windows import Entry


class Findings(typing.Generic[_T]):
    """What a plugin's check found for a message, handed to its after-invoke step for the
    same message (the guard calls both synchronously in one ``process()`` call). Bounded:
    past ``limit`` findings never taken (a plan another plugin emptied), the oldest goes."""

    __slots__ = ("_items", "limit")

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._items: dict[tuple[int | None, int], _T] = {}

    def put(self, message: MessageLike, finding: _T) -> None:
        """Keep ``finding`` for ``message``'s after-invoke step."""
        items = self._items
        if len(items) >= self.limit:
            items.pop(next(iter(items)))
        items[(message.guild_id, message.id)] = finding

    def take(self, message: MessageLike) -> _T | None:
        """The finding kept for ``message``, once; None when there is none."""
        if not self._items:
            return None
        return self._items.pop((message.guild_id, message.id), None)


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


def delete_entries(
    entries: typing.Iterable[Entry], *, plan: Plan, message: MessageLike, reason: str
) -> tuple[DeleteMessages, ...]:
    """The deletes of the window ``entries`` that ``plan`` does not delete yet, grouped per
    channel (see :func:`~spamguard.core.actions.delete_messages`), decided at
    ``message``'s time."""
    already = deleted_ids(plan)
    return delete_messages(
        (
            (e.channel_id, e.message_id, datetime.datetime.fromtimestamp(e.ts, tz=datetime.UTC))
            for e in entries
            if e.message_id not in already
        ),
        now=message.created_at,
        guild_id=message.guild_id,
        reason=reason,
    )


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


def delete_when_fired(
    plan: Plan,
    message: MessageLike,
    check: str,
    settings: SettingsCache[typing.Any],
    policy: GuildPolicy,
    *,
    reason: str,
) -> Plan | None:
    """What a one-message check's ``spamguard_after_invoke`` returns: ``plan`` deleting
    ``message`` when ``check`` fired and the guild's settings have ``delete`` on, else None
    (the plan stays as it is)."""
    if not plan.violations or fired(plan, check) is None:
        return None
    current = settings.get(policy)
    if current is None or not current.delete:
        return None
    return with_deleted(plan, message, reason=reason)
