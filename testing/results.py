"""What a simulation run decided: each message's step, and ways to ask about them."""

from __future__ import annotations

__all__ = ("MemberStep", "RunResult", "Step")

import collections
import dataclasses
import typing
from collections.abc import Mapping, Sequence

from spamguard.core import MemberJoin, Plan
from spamguard.reporting.describe import describe_plan, message_names
from spamguard.reporting.replay import ReplaySummary
from spamguard.testing.world import member_id

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core import Action, MemberLeave, Message, ScheduledAction, Violation
    from spamguard.reporting.explanation import Explanation
    from spamguard.testing.world import MemberRef


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One decided message."""

    index: int
    """Its position among every message the simulation decided, from 0."""
    at: float
    """Seconds from the simulation's start to the decision."""
    message: Message
    """The message."""
    plan: Plan
    """The guard's plan."""
    explanation: Explanation | None = None
    """Every check's count against its limit (``None`` with ``measure=False``)."""
    edit: bool = False
    """Whether this was an edit of an earlier message."""

    @property
    def who(self) -> str:
        """``alice (1002)``: the author's name and id."""
        name = self.message.author_name
        return f"{name} ({self.message.author_id})" if name else f"user {self.message.author_id}"

    def describe(self, names: Mapping[int, str] | None = None) -> str:
        """One line: when, who, what was said, and the plan (``names``: ids to names)."""
        content = " ".join(self.message.content.split())
        if len(content) > 40:
            content = content[:37] + "..."
        return f"t={self.at:+.2f}s {self.who} {content!r}: {describe_plan(self.plan, self.when, names or message_names(self.message))}"

    @property
    def when(self) -> datetime.datetime:
        """The decision time as a datetime."""
        return self.message.created_at if self.explanation is None else self.explanation.now


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberStep:
    """One decided member join or leave."""

    at: float
    """Seconds from the simulation's start to the decision."""
    event: MemberJoin | MemberLeave
    """The event."""
    plan: Plan
    """The guard's plan (a join's lockdown, its joiner's timeout...)."""

    @property
    def join(self) -> bool:
        """Whether the event is a join (else a leave)."""
        return isinstance(self.event, MemberJoin)

    @property
    def when(self) -> datetime.datetime:
        """The decision time as a datetime."""
        event = self.event
        return event.joined_at if isinstance(event, MemberJoin) else event.at


class RunResult(Sequence[Plan]):
    """The plans of one :meth:`Simulation.run`, in decision order, with ways to ask about them.

    It is a sequence of :class:`~spamguard.core.Plan` (``result[-1].punishment``); ``steps``
    pairs each plan with its message and time.
    """

    __slots__ = ("due", "member_steps", "names", "steps")

    def __init__(
        self,
        steps: Sequence[Step],
        due: Sequence[tuple[float, ScheduledAction]] = (),
        names: Mapping[int, str] | None = None,
        member_steps: Sequence[MemberStep] = (),
    ) -> None:
        self.member_steps: tuple[MemberStep, ...] = tuple(member_steps)
        """Each decided member join or leave with its plan, in order (not among the
        sequence's plans, which are the messages')."""
        self.steps: tuple[Step, ...] = tuple(steps)
        """Each decided message with its plan, in order."""
        self.due: tuple[tuple[float, ScheduledAction], ...] = tuple(due)
        """Scheduled actions (unbans, role removals) that fell due, as ``(at, action)``."""
        self.names: Mapping[int, str] = names or {}
        """Channel and user ids to names, for descriptions."""

    @typing.overload
    def __getitem__(self, index: int) -> Plan: ...
    @typing.overload
    def __getitem__(self, index: slice) -> Sequence[Plan]: ...
    def __getitem__(self, index: int | slice) -> Plan | Sequence[Plan]:
        if isinstance(index, slice):
            return tuple(step.plan for step in self.steps[index])
        return self.steps[index].plan

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"<RunResult of {len(self.steps)} message(s), {len(self.punished)} punished>"

    @property
    def plans(self) -> tuple[Plan, ...]:
        """Every plan, in order."""
        return tuple(step.plan for step in self.steps)

    def for_member(self, member: MemberRef) -> RunResult:
        """Only the steps of ``member``'s messages."""
        user_id = member_id(member)
        return RunResult(
            [s for s in self.steps if s.message.author_id == user_id], self.due, self.names
        )

    def step_for(self, message: Message | int) -> Step:
        """The (last) step that decided ``message`` (or a message id).

        Raises:
            KeyError: the message was not decided in this run.
        """
        message_id = message if isinstance(message, int) else message.id
        for step in reversed(self.steps):
            if step.message.id == message_id:
                return step
        msg = f"message {message_id} was not decided in this run"
        raise KeyError(msg)

    def plan_for(self, message: Message | int) -> Plan:
        """The (last) plan for ``message`` (or a message id)."""
        return self.step_for(message).plan

    def violations(self, check: str | None = None) -> list[Violation]:
        """Every violation (of ``check`` only, when given), in order."""
        return [
            v
            for step in self.steps
            for v in step.plan.violations
            if check is None or v.check == check
        ]

    def fired(self) -> collections.Counter[str]:
        """How many times each check fired."""
        return collections.Counter(v.check for v in self.violations())

    def actions(self, kind: str | None = None) -> list[Action]:
        """Every action to carry out now (of ``kind`` only, e.g. ``"ban"``, or
        ``"incident_actions"`` for a join's lockdown), messages' and member events' alike,
        in time order."""
        timed = [(step.at, step.plan) for step in self.steps]
        if self.member_steps:
            timed = sorted(
                [*timed, *((step.at, step.plan) for step in self.member_steps)],
                key=lambda pair: pair[0],
            )
        return [a for _at, plan in timed for a in plan.actions if kind is None or a.kind == kind]

    @property
    def punished(self) -> set[int]:
        """Ids of the members a plan punished (punishment other than NONE)."""
        return {s.message.author_id for s in self.steps if s.plan.punishment != "NONE"}

    def punishments(self, member: MemberRef | None = None) -> list[str]:
        """The punishments given (``NONE`` left out), in order; of ``member`` only, when given."""
        steps = self.steps if member is None else self.for_member(member).steps
        return [s.plan.punishment for s in steps if s.plan.punishment != "NONE"]

    @property
    def deleted(self) -> set[int]:
        """Ids of every message a delete action names."""
        return {
            mid
            for action in self.actions("delete")
            for mid in typing.cast("typing.Any", action).message_ids
        }

    def summary(self) -> ReplaySummary:
        """Totals per check and per action."""
        summary = ReplaySummary()
        for step in self.steps:
            summary.add(step.plan, step.when)
        for member_step in self.member_steps:
            summary.add_member_event(member_step.plan, member_step.when, join=member_step.join)
        return summary

    def describe(self, *, limit: int = 20) -> str:
        """What happened, one line per message that fired a check or was skipped.

        At most ``limit`` lines; quiet messages are summarised in a count.
        """
        if not self.steps:
            return "no message was decided"
        notable = [s for s in self.steps if s.plan.violations or s.plan.skipped_reason]
        lines = [s.describe(self.names or None) for s in notable[:limit]]
        if len(notable) > limit:
            lines.append(f"... and {len(notable) - limit} more")
        quiet = len(self.steps) - len(notable)
        span = f"t={self.steps[0].at:+.2f}s to t={self.steps[-1].at:+.2f}s"
        lines.append(
            f"{len(self.steps)} message(s) from {span}; {quiet} passed every check quietly"
        )
        return "\n".join(lines)
