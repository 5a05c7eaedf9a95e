"""spamguard's pure core: messages in, plans out.

No asyncio, no network, no Discord library and no clock: time arrives with each message
(``created_at``) or as ``now=``. Everything a user touches is importable from here.
"""

from __future__ import annotations

from spamguard.core._version import __version__
from spamguard.core.actions import (
    Action,
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Kick,
    RemoveRole,
    RemoveTimeout,
    SendMessage,
    SetIncidentActions,
    Timeout,
    Unban,
    action_from_dict,
    action_to_dict,
)
from spamguard.core.compiled import compiled_modules
from spamguard.core.context import (
    EVERY_MESSAGE,
    NO_MESSAGES,
    CheckContext,
    CheckNeeds,
    JoinContext,
    TimerContext,
)
from spamguard.core.engine import Guard, GuardState
from spamguard.core.errors import (
    MessageError,
    PolicyError,
    PolicyIssue,
    ScheduleError,
    SnapshotError,
    SpamguardError,
)
from spamguard.core.events import (
    AutomodExecution,
    GuildTimer,
    MemberJoin,
    MemberLeave,
    MessageEdit,
)
from spamguard.core.hookspecs import hookimpl
from spamguard.core.messages import (
    Attachment,
    MemberLike,
    Message,
    MessageLike,
    snowflake_time,
)
from spamguard.core.outcomes import ActionOutcome, FailureKind
from spamguard.core.plan import Plan, ScheduledAction, SkipReason, Violation
from spamguard.core.plugin_manager import get_plugin_manager
from spamguard.core.policy import (
    CheckConfig,
    Counting,
    Escalation,
    GuildPolicy,
    Notices,
    Policy,
    Punishment,
    RuleConfig,
    Scope,
    StoreMode,
)
from spamguard.core.windows import Entry

__all__ = (
    "EVERY_MESSAGE",
    "NO_MESSAGES",
    "Action",
    "ActionOutcome",
    "AddRole",
    "Attachment",
    "AutomodExecution",
    "Ban",
    "CheckConfig",
    "CheckContext",
    "CheckNeeds",
    "Counting",
    "DeleteMessages",
    "DirectMessage",
    "Entry",
    "Escalation",
    "FailureKind",
    "Guard",
    "GuardState",
    "GuildPolicy",
    "GuildTimer",
    "JoinContext",
    "Kick",
    "MemberJoin",
    "MemberLeave",
    "MemberLike",
    "Message",
    "MessageEdit",
    "MessageError",
    "MessageLike",
    "Notices",
    "Plan",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "Punishment",
    "RemoveRole",
    "RemoveTimeout",
    "RuleConfig",
    "ScheduleError",
    "ScheduledAction",
    "Scope",
    "SendMessage",
    "SetIncidentActions",
    "SkipReason",
    "SnapshotError",
    "SpamguardError",
    "StoreMode",
    "Timeout",
    "TimerContext",
    "Unban",
    "Violation",
    "__version__",
    "action_from_dict",
    "action_to_dict",
    "compiled_modules",
    "get_plugin_manager",
    "hookimpl",
    "snowflake_time",
)
