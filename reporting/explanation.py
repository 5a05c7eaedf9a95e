"""What the explain tool reports: each check's measure, and the explanation of one message.

:class:`~spamguard.reporting.explain.Explainer` builds them; ``str(explanation)`` is the
readable report the testing kit and ``spamguard explain`` print.
"""

from __future__ import annotations

__all__ = ("CheckMeasure", "Explanation", "MeasureStatus")

import dataclasses
import enum
import typing

from spamguard.reporting.describe import (
    describe_action,
    describe_violation,
    format_seconds,
    message_names,
)

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from spamguard.core import MessageLike, Plan


class MeasureStatus(enum.StrEnum):
    """What one check made of one message."""

    FIRED = "fired"
    """The window's total reached the limit and this message added to it."""
    UNDER_LIMIT = "under limit"
    """The window's total stayed below the limit."""
    NOT_COUNTED = "not counted"
    """This message adds nothing to the check (no link for max_links...), so it cannot fire it."""
    WHITELISTED = "whitelisted"
    """The check does not run in this channel (``channel_whitelist``)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CheckMeasure:
    """One check of one rule, measured for one message."""

    rule: str
    """The rule's key: ``level:0``, ``role:1234`` or ``role:*``."""
    check: str
    """The check's name, e.g. ``max_messages``."""
    scope: str
    """Whose messages share the window: ``user``, ``user_channel``, ``channel``, ``guild``."""
    interval: float
    """The window's length, seconds."""
    count: int
    """The total inside the window, this message included (0 when whitelisted)."""
    limit: int
    """The check's ``count``: it fires when the total reaches this."""
    adds: int
    """What this message adds to the total."""
    status: MeasureStatus
    """Whether it fired, and if not, why not."""
    punishment: str
    """The punishment the configuration asks for when this check fires."""

    @property
    def ratio(self) -> float:
        """``count / limit``: how close the check came to firing."""
        return self.count / self.limit

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        return {
            "rule": self.rule,
            "check": self.check,
            "scope": self.scope,
            "interval": self.interval,
            "count": self.count,
            "limit": self.limit,
            "adds": self.adds,
            "status": str(self.status),
            "punishment": self.punishment,
        }


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why one message got the plan it got. ``str(explanation)`` is a readable report."""

    message: MessageLike
    """The message explained."""
    plan: Plan
    """The guard's plan for it."""
    now: datetime.datetime
    """The decision time."""
    measures: tuple[CheckMeasure, ...]
    """Every built-in check that ran, with its count against its limit."""
    rules: tuple[str, ...]
    """Keys of the rules that applied to the author."""
    rules_not_applying: tuple[tuple[str, str], ...]
    """``(rule key, why not)`` for the policy's other rules."""
    counters_before: dict[str, int]
    """The author's escalation counters before the message."""
    counters_after: dict[str, int]
    """And after it."""
    open_incident: tuple[datetime.datetime, str] | None
    """``(last violation, punishment so far)`` of an incident open when the message came."""
    incident_window: float
    """The policy's ``incident_window``, seconds."""
    reason: str
    """One or two sentences: why it was (or was not) punished."""

    @property
    def fired(self) -> tuple[CheckMeasure, ...]:
        """The built-in checks that fired."""
        return tuple(m for m in self.measures if m.status is MeasureStatus.FIRED)

    @property
    def closest(self) -> CheckMeasure | None:
        """The check that came closest to its limit (highest ``count / limit``)."""
        counted = [m for m in self.measures if m.status is not MeasureStatus.WHITELISTED]
        return max(counted, key=lambda m: m.ratio, default=None)

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        return {
            "message_id": self.message.id,
            "guild_id": self.message.guild_id,
            "channel_id": self.message.channel_id,
            "user_id": self.message.author_id,
            "content": self.message.content,
            "now": self.now.isoformat(),
            "rules": list(self.rules),
            "rules_not_applying": [{"rule": k, "why": w} for k, w in self.rules_not_applying],
            "checks": [m.to_dict() for m in self.measures],
            "plugin_violations": [
                v.to_dict() for v in self.plan.violations if v.check not in self._builtin()
            ],
            "counters_before": self.counters_before,
            "counters_after": self.counters_after,
            "open_incident": None
            if self.open_incident is None
            else {
                "last_violation": self.open_incident[0].isoformat(),
                "punishment": self.open_incident[1],
            },
            "reason": self.reason,
            "plan": self.plan.to_dict(),
        }

    def _builtin(self) -> set[str]:
        return {m.check for m in self.measures}

    def render(self, names: Mapping[int, str] | None = None) -> str:
        """The report ``str()`` gives: checks as a table, then the decision and actions.

        ``names`` maps channel and user ids to names for the actions (by default, the
        message's own author and channel names).
        """
        known = dict(message_names(self.message))
        known.update(names or {})
        lines: list[str] = []
        if self.plan.skipped_reason is not None:
            lines.append(f"Not checked: {self.reason}.")
            return "\n".join(lines)
        lines.append(f"Rules that apply: {', '.join(self.rules) or 'none'}")
        lines.extend(f"  (not {key}: {why})" for key, why in self.rules_not_applying)
        if self.measures:
            rows = [("rule", "check", "scope", "window", "count/limit", "adds", "result")]
            rows.extend(
                (
                    m.rule,
                    m.check,
                    m.scope,
                    format_seconds(m.interval),
                    f"{m.count}/{m.limit}",
                    str(m.adds),
                    m.status.value.upper() if m.status is MeasureStatus.FIRED else m.status.value,
                )
                for m in self.measures
            )
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for row in rows:
                lines.append(
                    "  "
                    + "  ".join(
                        cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                    ).rstrip()
                )
        builtin = self._builtin()
        plugin = [v for v in self.plan.violations if v.check not in builtin]
        lines.extend(f"  plugin check {describe_violation(v)}: FIRED" for v in plugin)
        lines.append(f"Decision: {self.plan.punishment}. {self.reason}")
        if self.plan.actions:
            lines.append("Actions:")
            lines.extend(f"  - {describe_action(a, self.now, known)}" for a in self.plan.actions)
        if self.plan.scheduled:
            lines.append("Scheduled:")
            lines.extend(
                f"  - at {s.run_at.isoformat()}: {describe_action(s.action, None, known)}"
                for s in self.plan.scheduled
            )
        if self.plan.dry_run:
            lines.append("Dry run: the policy has dry_run on, so nothing is carried out.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
