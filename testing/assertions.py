"""Assertions about a simulation's plans, whose failures say what happened instead.

Each helper takes a :class:`~spamguard.testing.RunResult` (what :meth:`Simulation.run`
returns) and raises :class:`PolicyAssertionError` (an ``AssertionError``) with what fired,
the counts against the limits and the windows::

    PolicyAssertionError: expected max_messages to fire for alice (1001), but it never did.
      closest: 6/8 in 5s (user) at t=+4.50s, alice (1001) (message 1191350127034368006)
      what fired:
        t=+4.00s alice (1001): max_duplicates 5/5 in 30s -> TEMPMUTE
        t=+4.50s alice (1001): max_duplicates 6/5 in 30s -> already punished in this incident: clean only
      6 message(s) from t=+2.00s to t=+4.50s: 2 fired a check, 4 passed quietly
"""

from __future__ import annotations

__all__ = (
    "PolicyAssertionError",
    "assert_deleted",
    "assert_fired",
    "assert_not_deleted",
    "assert_not_fired",
    "assert_not_punished",
    "assert_punished",
    "assert_skipped",
)

import collections
import typing

from spamguard.core import Message, Punishment, SkipReason
from spamguard.reporting.describe import describe_punishment, describe_violation, format_seconds
from spamguard.testing.results import RunResult, Step
from spamguard.testing.world import SimMember

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.reporting.explanation import CheckMeasure


class PolicyAssertionError(AssertionError):
    """A policy did not do what a test expected; the message says what it did instead."""


def _fail(lines: Iterable[str]) -> typing.NoReturn:
    __tracebackhide__ = True
    raise PolicyAssertionError("\n".join(lines))


def _who(member: SimMember | int | None) -> str:
    if member is None:
        return ""
    if isinstance(member, SimMember):
        return f" for {member.name} ({member.id})"
    return f" for user {member}"


def _scope(result: RunResult, member: SimMember | int | None) -> RunResult:
    if not isinstance(result, RunResult):
        msg = f"expected the RunResult that Simulation.run() returns, got {type(result).__name__}"
        raise TypeError(msg)
    return result if member is None else result.for_member(member)


def _fired_lines(result: RunResult, limit: int = 10) -> list[str]:
    lines = []
    for step in result.steps:
        if step.plan.violations:
            checks = ", ".join(describe_violation(v) for v in step.plan.violations)
            lines.append(
                f"  t={step.at:+.2f}s {step.who}: {checks} -> {describe_punishment(step.plan)}"
            )
    if not lines:
        return ["  what fired: nothing"]
    extra = [f"  ... and {len(lines) - limit} more"] if len(lines) > limit else []
    return ["  what fired:", *("  " + line for line in lines[:limit]), *extra]


def _span(result: RunResult) -> str:
    steps = result.steps
    if not steps:
        return "  no message was decided"
    fired = sum(1 for s in steps if s.plan.violations)
    skipped = collections.Counter(
        str(s.plan.skipped_reason) for s in steps if s.plan.skipped_reason is not None
    )
    quiet = len(steps) - fired - sum(skipped.values())
    parts = [f"{fired} fired a check"]
    if skipped:
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(skipped.items()))
        parts.append(f"{sum(skipped.values())} skipped ({reasons})")
    parts.append(f"{quiet} passed quietly")
    return (
        f"  {len(steps)} message(s) from t={steps[0].at:+.2f}s to t={steps[-1].at:+.2f}s: "
        + ", ".join(parts)
    )


def _closest(result: RunResult, check: str) -> str | None:
    best: tuple[CheckMeasure, Step] | None = None
    for step in result.steps:
        if step.explanation is None:
            continue
        for measure in step.explanation.measures:
            if measure.check == check and (best is None or measure.ratio > best[0].ratio):
                best = (measure, step)
    if best is None:
        return None
    measure, step = best
    return (
        f"  closest: {measure.count}/{measure.limit} in {format_seconds(measure.interval)} "
        f"({measure.scope}) at t={step.at:+.2f}s, {step.who} (message {step.message.id})"
    )


def _check_ran(result: RunResult, check: str) -> bool:
    return any(
        m.check == check
        for step in result.steps
        if step.explanation is not None
        for m in step.explanation.measures
    )


def assert_fired(
    result: RunResult,
    check: str,
    *,
    member: SimMember | int | None = None,
    times: int | None = None,
) -> None:
    """Assert that ``check`` fired (for ``member``; exactly ``times`` times when given)."""
    __tracebackhide__ = True
    scoped = _scope(result, member)
    found = scoped.violations(check)
    if found and (times is None or len(found) == times):
        return
    head = (
        f"expected {check} to fire{_who(member)}, but it never did."
        if not found
        else f"expected {check} to fire {times} time(s){_who(member)}, but it fired {len(found)}."
    )
    lines = [head]
    closest = _closest(scoped, check)
    if closest is not None:
        lines.append(closest)
    elif not found and scoped.steps and not _check_ran(scoped, check):
        lines.append(f"  {check} never ran: no rule applying to these messages configures it")
    lines.extend(_fired_lines(scoped))
    lines.append(_span(scoped))
    _fail(lines)


def assert_not_fired(
    result: RunResult, check: str | None = None, *, member: SimMember | int | None = None
) -> None:
    """Assert that ``check`` (any check, when ``None``) never fired (for ``member``)."""
    __tracebackhide__ = True
    scoped = _scope(result, member)
    found = scoped.violations(check)
    if not found:
        return
    what = check or "no check"
    head = (
        f"expected {what} not to fire{_who(member)}, but it fired {len(found)} time(s)."
        if check
        else f"expected {what} to fire{_who(member)}, but {len(found)} violation(s) happened."
    )
    _fail([head, *_fired_lines(scoped)])


def _punishment(value: str | Punishment | None) -> str | None:
    if value is None:
        return None
    try:
        return str(Punishment(str(value).upper()))
    except ValueError:
        allowed = ", ".join(p.value for p in Punishment)
        msg = f"unknown punishment {value!r}; use one of {allowed}"
        raise ValueError(msg) from None


def assert_punished(
    result: RunResult,
    member: SimMember | int | None = None,
    punishment: str | Punishment | None = None,
) -> None:
    """Assert that ``member`` (anyone, when ``None``) was punished (with ``punishment``)."""
    __tracebackhide__ = True
    expected = _punishment(punishment)
    scoped = _scope(result, member)
    given = scoped.punishments()
    if given and (expected is None or expected in given):
        return
    target = (
        member.name
        if isinstance(member, SimMember)
        else ("anyone" if member is None else f"user {member}")
    )
    head = f"expected {target} to be punished{f' with {expected}' if expected else ''}, " + (
        f"but got {', '.join(given)}." if given else "but no punishment was given."
    )
    lines = [head]
    if not scoped.violations():
        best = _best_overall(scoped)
        if best is not None:
            lines.append(best)
    lines.extend(_fired_lines(scoped))
    lines.append(_span(scoped))
    _fail(lines)


def _best_overall(result: RunResult) -> str | None:
    candidates = [
        (m, step)
        for step in result.steps
        if step.explanation is not None
        for m in step.explanation.measures
    ]
    if not candidates:
        return None
    measure, step = max(candidates, key=lambda pair: pair[0].ratio)
    return (
        f"  closest to a limit: {measure.check} {measure.count}/{measure.limit} in "
        f"{format_seconds(measure.interval)} at t={step.at:+.2f}s, {step.who}"
    )


def assert_not_punished(result: RunResult, member: SimMember | int | None = None) -> None:
    """Assert that ``member`` (nobody, when ``None``) was punished."""
    __tracebackhide__ = True
    scoped = _scope(result, member)
    punished = [s for s in scoped.steps if s.plan.punishment != "NONE"]
    if not punished:
        return
    target = (
        f"{member.name} not"
        if isinstance(member, SimMember)
        else ("nobody" if member is None else f"user {member} not")
    )
    lines = [f"expected {target} to be punished, but {len(punished)} punishment(s) were given:"]
    for step in punished[:10]:
        checks = ", ".join(describe_violation(v) for v in step.plan.violations)
        lines.append(f"  t={step.at:+.2f}s {step.who}: {step.plan.punishment} for {checks}")
    _fail(lines)


def _ids(messages: Iterable[Message | int]) -> list[int]:
    return [m.id if isinstance(m, Message) else m for m in messages]


def assert_deleted(result: RunResult, messages: Iterable[Message | int]) -> None:
    """Assert that every message in ``messages`` (or id) is named by a delete action."""
    __tracebackhide__ = True
    wanted = _ids(messages)
    deleted = _scope(result, None).deleted
    missing = [mid for mid in wanted if mid not in deleted]
    if not missing:
        return
    _fail(
        [
            f"expected {len(wanted)} message(s) deleted, but {len(missing)} were not: "
            + ", ".join(map(str, missing[:10])),
            f"  deleted: {len(deleted)} message(s)",
            *_fired_lines(result),
        ]
    )


def assert_not_deleted(result: RunResult, messages: Iterable[Message | int]) -> None:
    """Assert that no message in ``messages`` (or id) is named by a delete action."""
    __tracebackhide__ = True
    deleted = _scope(result, None).deleted
    hit = [mid for mid in _ids(messages) if mid in deleted]
    if not hit:
        return
    _fail(
        [
            f"expected these messages kept, but {len(hit)} were deleted: "
            + ", ".join(map(str, hit[:10])),
            *_fired_lines(result),
        ]
    )


def assert_skipped(
    result: RunResult,
    reason: str | SkipReason | None = None,
    *,
    member: SimMember | int | None = None,
) -> None:
    """Assert that every message (of ``member``) was skipped (for ``reason``)."""
    __tracebackhide__ = True
    scoped = _scope(result, member)
    expected = None if reason is None else str(SkipReason(str(reason)))
    wrong = [
        s
        for s in scoped.steps
        if s.plan.skipped_reason is None
        or (expected is not None and str(s.plan.skipped_reason) != expected)
    ]
    if scoped.steps and not wrong:
        return
    if not scoped.steps:
        _fail([f"expected skipped messages{_who(member)}, but no message was decided"])
    lines = [
        f"expected every message{_who(member)} to be skipped"
        + (f" ({expected})" if expected else "")
        + f", but {len(wrong)} of {len(scoped.steps)} were not:"
    ]
    for step in wrong[:10]:
        got = step.plan.skipped_reason or "checked"
        lines.append(f"  t={step.at:+.2f}s {step.who}: {got}")
    _fail(lines)
