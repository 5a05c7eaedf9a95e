"""The deciding engine: a :class:`Guard` turns events into plans over a :class:`GuardState`.

Its modules, in the order a message visits them:

- ``guard``: :class:`Guard`, the orchestration (events in, plans out);
- ``deciding``: one message's path to its plan, a function of (state, message, policy);
- ``compiled_policy``: a guild policy worked out once (windows, checks per role set,
  exemptions);
- ``counting``: what a message adds to each check, and the one path that records it and
  runs the checks;
- ``incidents``: incidents and the escalation ladder, from violations to a plan;
- ``cleaning``: the deletes for exactly the messages behind the violations;
- ``state``: :class:`GuardState`, everything remembered, with snapshot, restore and slices
  (``members``: per-member state; ``scheduler``: scheduled actions; ``snapshot``: the
  snapshot's field checks).
"""

from __future__ import annotations

from spamguard.core.engine.counting import AMOUNT, window_key
from spamguard.core.engine.guard import Guard
from spamguard.core.engine.members import MAX_CLEAN_MARKS, MAX_RECENT, DryRunState, MemberState
from spamguard.core.engine.scheduler import Schedule
from spamguard.core.engine.state import (
    PRUNE_EVERY,
    SNAPSHOT_VERSION,
    Footprint,
    GuardState,
    WindowKey,
    WindowSpec,
)

__all__ = (
    "AMOUNT",
    "MAX_CLEAN_MARKS",
    "MAX_RECENT",
    "PRUNE_EVERY",
    "SNAPSHOT_VERSION",
    "DryRunState",
    "Footprint",
    "Guard",
    "GuardState",
    "MemberState",
    "Schedule",
    "WindowKey",
    "WindowSpec",
    "window_key",
)
