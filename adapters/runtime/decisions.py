"""The runtime's recent decisions: what a moderator's ``explain`` reads.

For each message the runtime decides, :class:`RecentDecisions` keeps the message, its
plan and what an explanation needs from the moment of the decision (the guild's policy as
applied, the author's escalation counters before and after, an incident still open), for
the newest :data:`DEFAULT_DECISIONS` messages. The checks' counts are measured when asked,
from the windows, counting only the entries up to the message
(``spamguard.reporting.explain.explanation_of``, which ``spamguard.moderation`` calls): the explanation is the one
``spamguard explain`` renders for the same decision.
"""

from __future__ import annotations

__all__ = ("DEFAULT_DECISIONS", "Decision", "RecentDecisions")

import collections
import dataclasses
import typing

from spamguard.core.incident_tracker import IncidentTracker, OpenIncident

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core.engine import Guard
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

DEFAULT_DECISIONS: typing.Final = 5000
"""Messages whose decision the runtime keeps for ``explain`` (the newest; each holds the
message and its plan, a few kilobytes at most)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """One message the runtime decided, as an explanation needs it."""

    message: MessageLike
    """The message, as the guard saw it."""
    plan: Plan
    """What the guard decided."""
    decided_at: datetime.datetime
    """The decision's time (the message's ``created_at``)."""
    policy: GuildPolicy
    """The guild's policy the decision was made with (a moderator's dry run included)."""
    counters_before: dict[str, int]
    """The author's escalation counters before the message."""
    counters_after: dict[str, int]
    """And after it."""
    open_incident: OpenIncident | None
    """The author's incident open when the message came, as the runtime's plans showed it."""


class _Before(typing.NamedTuple):
    policy: GuildPolicy
    counters: dict[str, int]
    open_incident: OpenIncident | None


class RecentDecisions:
    """The newest ``limit`` decisions of a runtime, by guild and message id.

    The runtime calls :meth:`before` and :meth:`record` around each decision, under the
    author's lock; ``explain`` reads :meth:`get`.
    """

    def __init__(self, limit: int = DEFAULT_DECISIONS) -> None:
        if limit < 0:
            msg = f"the decisions kept must be 0 or more, got {limit!r}"
            raise ValueError(msg)
        self.limit = limit
        self._decisions: collections.OrderedDict[tuple[int, int], Decision] = (
            collections.OrderedDict()
        )
        self._incidents = IncidentTracker(limit=max(limit, 1))

    def __len__(self) -> int:
        return len(self._decisions)

    def before(self, guard: Guard, message: MessageLike) -> _Before | None:
        """What the explanation needs from before ``message`` is decided (None: nothing is
        kept of it: not a guild message, or no decision kept at all)."""
        guild_id = message.guild_id
        if guild_id is None or not self.limit:
            return None
        policy = guard.policy_for(guild_id)
        return _Before(
            policy,
            guard.member_counters(guild_id, message.author_id),
            self._incidents.open_incident(message, message.created_at, policy),
        )

    def record(
        self, guard: Guard, message: MessageLike, plan: Plan, before: _Before | None
    ) -> None:
        """Keep ``plan``, the decision on ``message`` (``before``: from :meth:`before`)."""
        guild_id = message.guild_id
        if before is None or guild_id is None:
            return
        when = message.created_at
        self._incidents.observe(message, plan, when, before.open_incident)
        key = (guild_id, message.id)
        decisions = self._decisions
        decisions.pop(key, None)  # an edit: the newest decision on it
        decisions[key] = Decision(
            message=message,
            plan=plan,
            decided_at=when,
            policy=before.policy,
            counters_before=before.counters,
            counters_after=guard.member_counters(guild_id, message.author_id),
            open_incident=before.open_incident,
        )
        while len(decisions) > self.limit:
            decisions.popitem(last=False)

    def get(self, guild_id: int, message_id: int) -> Decision | None:
        """The decision kept on a message of the guild, or None."""
        return self._decisions.get((guild_id, message_id))

    def forget_incident(self, guild_id: int, user_id: int) -> None:
        """Forget the member's open incident (a moderator pardoned it)."""
        self._incidents.forget(guild_id, user_id)
