"""Reports for people: what a plan does, why a message got it, what a replay did.

The command line (``spamguard replay``, ``spamguard explain``, ``spamguard check``) and the
testing kit (:mod:`spamguard.testing`) both report through this package, so both say things
the same way. It depends on the core only.

- :mod:`spamguard.reporting.describe`: plans, actions and violations in plain English;
- :mod:`spamguard.reporting.explain`: an :class:`Explainer` that measures every check of a
  decision, giving an :class:`Explanation` (:mod:`spamguard.reporting.explanation`);
- :mod:`spamguard.reporting.logs`: the JSON-lines message logs a replay reads;
- :mod:`spamguard.reporting.replay`: a :class:`ReplaySummary` of what a replay did.
"""

from __future__ import annotations

from spamguard.reporting.describe import describe_action, describe_plan, describe_violation
from spamguard.reporting.explain import Explainer
from spamguard.reporting.explanation import CheckMeasure, Explanation, MeasureStatus
from spamguard.reporting.logs import LogError, LogRecord, iter_log, parse_line, read_log
from spamguard.reporting.member_logs import MemberRecord
from spamguard.reporting.replay import ReplaySummary

__all__ = (
    "CheckMeasure",
    "Explainer",
    "Explanation",
    "LogError",
    "LogRecord",
    "MeasureStatus",
    "MemberRecord",
    "ReplaySummary",
    "describe_action",
    "describe_plan",
    "describe_violation",
    "iter_log",
    "parse_line",
    "read_log",
)
