"""Named exceptions raised by spamguard's core."""

from __future__ import annotations

__all__ = (
    "MessageError",
    "PolicyError",
    "PolicyIssue",
    "ScheduleError",
    "SnapshotError",
    "SpamguardError",
)

import dataclasses


class SpamguardError(Exception):
    """Base class of every exception spamguard raises on purpose."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PolicyIssue:
    """One thing wrong with a policy document."""

    path: str
    """Dotted path of the offending field, e.g. ``spam.levels.0.max_messages.count``."""

    message: str
    """What is allowed there and what was found, e.g. ``must be a positive integer, got -1``."""

    def __str__(self) -> str:
        return f"{self.path or '<policy>'}: {self.message}"


class PolicyError(SpamguardError, ValueError):
    """A policy document is invalid.

    ``str(error)`` lists every problem found, one per line, each as ``path: message``;
    ``error.issues`` holds them as :class:`PolicyIssue` values.
    """

    def __init__(
        self, issues: tuple[PolicyIssue, ...] | list[PolicyIssue], *, source: str = ""
    ) -> None:
        self.issues: tuple[PolicyIssue, ...] = tuple(issues)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "\n".join(str(issue) for issue in self.issues))


class MessageError(SpamguardError, ValueError):
    """A message (or a decision time) the core cannot decide on, e.g. a naive ``created_at``.

    ``str(error)`` is ``field: problem``.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        """The offending field, e.g. ``created_at``."""
        self.problem = problem
        """What is wrong and what is allowed."""
        super().__init__(f"{field}: {problem}")


class SnapshotError(SpamguardError, ValueError):
    """A state snapshot cannot be restored (wrong version or malformed data)."""


class ScheduleError(SpamguardError, ValueError):
    """A scheduled action cannot be kept (its ``run_at`` is timezone-naive)."""
