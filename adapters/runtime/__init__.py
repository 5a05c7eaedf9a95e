"""The library-agnostic runtime every adapter shares.

An adapter converts its library's events into core values and gives the
:class:`Runtime` an :class:`ActionExecutor` that performs one action with the library's
API; the runtime decides through the state store, carries plans out and schedules undos,
the same way for every library.

- :mod:`~spamguard.adapters.runtime.runtime`: the :class:`Runtime` (decisions, plans
  carried out, scheduled actions) and the :class:`ActionExecutor` interface;
- :mod:`~spamguard.adapters.runtime.requests`: what every library's requests share
  (policy loading, audit-log reasons, bulk or single deletes, HTTP statuses);
- :mod:`~spamguard.adapters.runtime.stats`: the counters;
- :mod:`~spamguard.adapters.runtime.protection`: what ``attach`` returns, and the
  discord-anti-spam bridge.
"""

from __future__ import annotations

__all__ = (
    "AUTOMOD_REPEAT_WINDOW",
    "DEFAULT_REASON",
    "MEMBER_RULE_ACTIONS",
    "POLICY_ENV",
    "PUNISHMENT_KINDS",
    "ROLE_RULE_ACTIONS",
    "ActionExecutor",
    "CompatBridge",
    "Protection",
    "ProtectionStats",
    "Runtime",
    "RuntimeStats",
    "RuntimeStatsDict",
    "audit_reason",
    "failure_for_status",
    "load_policy",
    "split_delete",
    "utcnow",
)

from spamguard.adapters.runtime.protection import CompatBridge, Protection
from spamguard.adapters.runtime.requests import (
    DEFAULT_REASON,
    POLICY_ENV,
    audit_reason,
    failure_for_status,
    load_policy,
    split_delete,
    utcnow,
)
from spamguard.adapters.runtime.runtime import (
    AUTOMOD_REPEAT_WINDOW,
    MEMBER_RULE_ACTIONS,
    PUNISHMENT_KINDS,
    ROLE_RULE_ACTIONS,
    ActionExecutor,
    Runtime,
)
from spamguard.adapters.runtime.stats import ProtectionStats, RuntimeStats, RuntimeStatsDict
