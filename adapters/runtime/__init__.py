"""The library-agnostic runtime every adapter shares.

An adapter converts its library's events into core values and gives the
:class:`Runtime` an :class:`ActionExecutor` that performs one action with the library's
API; everything else is written once, here, for every library:

- :mod:`~spamguard.adapters.runtime.runtime`: the :class:`Runtime` (decisions through the
  store, serialised per member; start and stop);
- :mod:`~spamguard.adapters.runtime.execution`: plans carried out (punishments first, each
  action's outcome reported, undos kept) and the :class:`ActionExecutor` interface;
- :mod:`~spamguard.adapters.runtime.deletions`: deletions gathered per channel into bulk
  deletes, none twice, bounded (:class:`DeletionQueue`);
- :mod:`~spamguard.adapters.runtime.scheduler`: scheduled actions carried out when due;
- :mod:`~spamguard.adapters.runtime.hierarchy`: the refusal rules (owner, bot,
  administrators, role hierarchy) over a small :class:`MemberView` each library fills,
  and the members recent events showed (:class:`RecentMembers`);
- :mod:`~spamguard.adapters.runtime.automod`: AutoMod executions counted once, rules
  synced one guild at a time;
- :mod:`~spamguard.adapters.runtime.lifecycle`: the runtime started once, whichever
  listener asks first;
- :mod:`~spamguard.adapters.runtime.requests`: what every library's requests share
  (policy loading, audit-log reasons, bulk or single deletes, error classification);
- :mod:`~spamguard.adapters.runtime.protection`: what ``attach`` builds and returns, and
  the discord-anti-spam bridge;
- :mod:`~spamguard.adapters.runtime.stats`: the counters.
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
    "DeletionDropped",
    "DeletionQueue",
    "HierarchySource",
    "MemberView",
    "Protection",
    "ProtectionStats",
    "RecentMembers",
    "RoleView",
    "Runtime",
    "RuntimeStats",
    "RuntimeStatsDict",
    "StartOnce",
    "UnsupportedActionError",
    "audit_reason",
    "build_runtime",
    "classify_error",
    "compat_bridge",
    "delete_messages",
    "failure_for_status",
    "load_policy",
    "refusal",
    "split_delete",
    "utcnow",
)

from spamguard.adapters.runtime.automod import AUTOMOD_REPEAT_WINDOW
from spamguard.adapters.runtime.deletions import DeletionDropped, DeletionQueue
from spamguard.adapters.runtime.execution import PUNISHMENT_KINDS, ActionExecutor
from spamguard.adapters.runtime.hierarchy import (
    MEMBER_RULE_ACTIONS,
    ROLE_RULE_ACTIONS,
    HierarchySource,
    MemberView,
    RecentMembers,
    RoleView,
    refusal,
)
from spamguard.adapters.runtime.lifecycle import StartOnce
from spamguard.adapters.runtime.protection import (
    CompatBridge,
    Protection,
    build_runtime,
    compat_bridge,
)
from spamguard.adapters.runtime.requests import (
    DEFAULT_REASON,
    POLICY_ENV,
    UnsupportedActionError,
    audit_reason,
    classify_error,
    delete_messages,
    failure_for_status,
    load_policy,
    split_delete,
    utcnow,
)
from spamguard.adapters.runtime.runtime import Runtime
from spamguard.adapters.runtime.stats import ProtectionStats, RuntimeStats, RuntimeStatsDict
