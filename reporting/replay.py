"""What a replay did: running totals over its plans, per check and per action.

``spamguard replay`` and :meth:`spamguard.testing.RunResult.summary` report a
:class:`ReplaySummary`; the logs they replay are read by :mod:`spamguard.reporting.logs`.
"""

from __future__ import annotations

__all__ = ("ReplaySummary",)

import collections
import dataclasses
import typing

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core import Plan


@dataclasses.dataclass(slots=True)
class ReplaySummary:
    """Running totals over the plans of a replay, per check and per action.

    Feed it with :meth:`add`; read the counters, or :meth:`to_dict` for JSON.
    """

    messages: int = 0
    """Messages processed."""
    checked: int = 0
    """Messages that were checked (not skipped)."""
    skipped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Skipped messages by reason."""
    checks: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Violations by check name."""
    check_members: dict[str, set[tuple[int | None, int | None]]] = dataclasses.field(
        default_factory=dict
    )
    """Check name -> the (guild, user) pairs it fired on."""
    actions: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Actions by kind (``delete``, ``timeout``, ``send``...)."""
    punishments: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Plans by punishment (``NONE`` excluded)."""
    deleted_messages: int = 0
    """Message ids named by delete actions."""
    punished: set[tuple[int | None, int | None]] = dataclasses.field(default_factory=set)
    """(guild, user) pairs that were punished."""
    plans_with_actions: int = 0
    """Plans with something to carry out."""
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None
    errors: int = 0
    """Log lines that could not be read."""
    joins: int = 0
    """Member joins processed."""
    leaves: int = 0
    """Member leaves processed."""

    def add(self, plan: Plan, at: datetime.datetime | None = None) -> None:
        """Count one message's plan (decided at ``at``)."""
        self.messages += 1
        self._add(plan, at, message=True)

    def add_member_event(
        self, plan: Plan, at: datetime.datetime | None = None, *, join: bool
    ) -> None:
        """Count the plan of a member joining (``join``) or leaving, decided at ``at``."""
        if join:
            self.joins += 1
        else:
            self.leaves += 1
        self._add(plan, at, message=False)

    def _add(self, plan: Plan, at: datetime.datetime | None, *, message: bool) -> None:
        # Member events count in the time span, actions and punishments; ``checked`` and
        # ``skipped`` are about messages.
        if at is not None:
            if self.first_at is None or at < self.first_at:
                self.first_at = at
            if self.last_at is None or at > self.last_at:
                self.last_at = at
        if plan.skipped_reason is not None:
            if message:
                self.skipped[str(plan.skipped_reason)] += 1
            return
        self.checked += message
        who = (plan.guild_id, plan.user_id)
        for violation in plan.violations:
            self.checks[violation.check] += 1
            self.check_members.setdefault(violation.check, set()).add(who)
        for action in plan.actions:
            self.actions[action.kind] += 1
            if action.kind == "delete":
                self.deleted_messages += len(action.message_ids)  # type: ignore[union-attr]
        if plan.punishment != "NONE":
            self.punishments[plan.punishment] += 1
            self.punished.add(who)
        if plan:
            self.plans_with_actions += 1

    @property
    def duration(self) -> float:
        """Seconds between the first and the last event."""
        if self.first_at is None or self.last_at is None:
            return 0.0
        return (self.last_at - self.first_at).total_seconds()

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        return {
            "messages": self.messages,
            "checked": self.checked,
            "skipped": dict(sorted(self.skipped.items())),
            "plans_with_actions": self.plans_with_actions,
            "members_punished": len(self.punished),
            "deleted_messages": self.deleted_messages,
            "checks": {
                name: {"fired": count, "members": len(self.check_members.get(name, ()))}
                for name, count in self.checks.most_common()
            },
            "actions": dict(self.actions.most_common()),
            "punishments": dict(self.punishments.most_common()),
            "first_at": None if self.first_at is None else self.first_at.isoformat(),
            "last_at": None if self.last_at is None else self.last_at.isoformat(),
            "duration_seconds": self.duration,
            "errors": self.errors,
            "joins": self.joins,
            "leaves": self.leaves,
        }
