"""The DM that tells a member their account looks taken over (``compromised``, ``honeypot``).

Both extensions take a ``dm`` setting: absent, ``null`` or ``false`` sends nothing, ``true``
sends the extension's own text, a string or an embed mapping is the guild's template with
the notice ``$VARIABLES`` (:mod:`spamguard.core.templates`; member-supplied values are
defused, and a :class:`~spamguard.core.actions.DirectMessage` pings no one).
"""

from __future__ import annotations

__all__ = ("with_account_dm",)

import dataclasses
import typing

from spamguard.core import actions as act
from spamguard.core import templates

if typing.TYPE_CHECKING:
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan, Violation


def with_account_dm(
    plan: Plan, message: MessageLike, template: object, violation: Violation
) -> Plan:
    """``plan`` sending ``message``'s author the DM ``template`` first (before a kick or a
    ban ends the last guild the bot shares with them); ``$COUNT``, ``$LIMIT`` and
    ``$VIOLATION`` and ``$PUNISHMENT`` are ``violation``'s."""
    values = templates.variables(
        message,
        now=message.created_at,
        warn_count=0,
        kick_count=0,
        violation=violation.check,
        count=violation.count,
        limit=violation.limit,
        punishment=violation.punishment,
    )
    rendered = templates.render(template, values)
    content, embed = (rendered, None) if isinstance(rendered, str) else ("", rendered)
    dm = act.DirectMessage(
        user_id=message.author_id, content=content, embed=embed, guild_id=message.guild_id
    )
    return dataclasses.replace(plan, actions=(dm, *plan.actions))
