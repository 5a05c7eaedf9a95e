"""The runtime's recent decisions: what a moderator's ``explain`` reads.

For each message the runtime decides, :class:`RecentDecisions` keeps the message, its
plan and what an explanation needs from the moment of the decision (the guild's policy as
applied, the author's escalation counters before and after, an incident still open), for
the newest :data:`DEFAULT_DECISIONS` messages. The checks' counts are measured when asked,
from the windows, counting only the entries up to the message
(``spamguard.reporting.explain.explanation_of``, which ``spamguard.moderation`` calls):
the explanation is the one ``spamguard explain`` renders for the same decision.

What it costs, measured on the development machine (CPU time, best of five, 8,000
messages of 200 members): noting a decision takes about 3 µs; a memory-store runtime
without a library went from 24 to 31 µs per message with it (the rest: the kept messages'
weight on the garbage collector). A runtime that needs no ``explain`` sets
``runtime.decisions = RecentDecisions(0)``.
"""

from __future__ import annotations

__all__ = ("DEFAULT_DECISIONS", "Decision", "RecentDecisions")

import collections
import typing

from spamguard.core.engine.state import COUNTER_NAMES
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


class Decision(typing.NamedTuple):
    """One message the runtime decided, as an explanation needs it (a named tuple: one is
    made per message, and a tuple is made fastest)."""

    message: MessageLike
    """The message, as the guard saw it."""
    plan: Plan
    """What the guard decided."""
    decided_at: datetime.datetime
    """The decision's time (the message's ``created_at``)."""
    policy: GuildPolicy
    """The guild's policy the decision was made with (a moderator's dry run included)."""
    counters_before: tuple[int, ...]
    """The author's escalation counters before the message, in
    :data:`~spamguard.core.engine.state.COUNTER_NAMES`' order (see :meth:`counters`)."""
    counters_after: tuple[int, ...]
    """And after it."""

    def counters(self, *, after: bool = False) -> dict[str, int]:
        """The author's escalation counters before (or ``after``) the message, by name."""
        return dict(
            zip(COUNTER_NAMES, self.counters_after if after else self.counters_before, strict=True)
        )

    open_incident: OpenIncident | None
    """The author's incident open when the message came, as the runtime's plans showed it."""


class _Before(typing.NamedTuple):
    policy: GuildPolicy
    counters: tuple[int, ...]
    open_incident: OpenIncident | None


_NO_COUNTS: typing.Final = (0,) * len(COUNTER_NAMES)


def _counters(guard: Guard, policy: GuildPolicy, guild_id: int, user_id: int) -> tuple[int, ...]:
    """The member's escalation counters in :data:`COUNTER_NAMES`' order (read per message:
    attributes of the member's state, no dictionary, unless the guild is in dry run)."""
    if policy.dry_run:
        counts = guard.member_counters(guild_id, user_id)
        return tuple(counts[name] for name in COUNTER_NAMES)
    member = guard.state.member(guild_id, user_id)
    if member is None:
        return _NO_COUNTS
    return (
        member.warn_count,
        member.timeout_count,
        member.kick_count,
        member.ban_count,
        member.violations,
    )


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
            _counters(guard, policy, guild_id, message.author_id),
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
        after = before.counters
        if plan.violations:
            self._incidents.observe(message, plan, when, before.open_incident)
            after = _counters(guard, before.policy, guild_id, message.author_id)
        key = (guild_id, message.id)
        decisions = self._decisions
        decisions.pop(key, None)  # an edit: the newest decision on it
        decisions[key] = Decision(
            message, plan, when, before.policy, before.counters, after, before.open_incident
        )
        if len(decisions) > self.limit:
            decisions.popitem(last=False)

    def get(self, guild_id: int, message_id: int) -> Decision | None:
        """The decision kept on a message of the guild, or None."""
        return self._decisions.get((guild_id, message_id))

    def forget_incident(self, guild_id: int, user_id: int) -> None:
        """Forget the member's open incident (a moderator pardoned it)."""
        self._incidents.forget(guild_id, user_id)
