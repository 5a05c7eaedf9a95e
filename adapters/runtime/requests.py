"""Helpers every adapter's requests share: the policy to load, audit-log reasons, which
messages a delete sends in bulk, what an HTTP status means."""

from __future__ import annotations

__all__ = (
    "DEFAULT_REASON",
    "LEFT_AS_SET",
    "POLICY_ENV",
    "ActionSkipped",
    "UnsupportedActionError",
    "audit_reason",
    "classify_error",
    "delete_messages",
    "failure_for_status",
    "incident_actions_json",
    "load_policy",
    "parse_time",
    "require_unchanged",
    "split_delete",
    "unsupported_action",
    "utcnow",
)

import datetime
import os
import typing

from spamguard.core.actions import BULK_DELETE_MAX_AGE
from spamguard.core.errors import SpamguardError
from spamguard.core.messages import snowflake_time
from spamguard.core.outcomes import FailureKind
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

    from spamguard.core.actions import DeleteMessages, SetIncidentActions

POLICY_ENV = "SPAMGUARD_POLICY"
"""Environment variable naming a policy file, used when an adapter is given no policy."""

DEFAULT_REASON = "spamguard"
"""Audit-log reason for an action that carries none."""

# A bulk delete fails as a whole when one message is older than 14 days; messages this
# close to the limit (the plan may be a few seconds old) are deleted one by one instead.
_BULK_MARGIN = datetime.timedelta(minutes=5)


def load_policy(policy: Policy | str | os.PathLike[str] | None = None) -> Policy:
    """The policy an adapter uses: ``policy`` itself or the file it names, else the file
    named by ``$SPAMGUARD_POLICY``, else :meth:`Policy.default`.

    Raises:
        spamguard.core.PolicyError: the file cannot be read or the policy is invalid.
    """
    if isinstance(policy, Policy):
        return policy
    if policy is not None:
        return Policy.from_file(policy)
    path = os.environ.get(POLICY_ENV)
    if path:
        return Policy.from_file(path)
    return Policy.default()


def audit_reason(text: str) -> str:
    """The audit-log reason to send for an action's ``reason``."""
    return text or DEFAULT_REASON


def split_delete(action: DeleteMessages, now: datetime.datetime) -> tuple[list[int], list[int]]:
    """``(bulk, single)``: ids for one bulk-delete request, and ids to delete one by one.

    Messages near Discord's 14-day bulk limit (by their snowflake time) go one by one, and
    so does a lone message (bulk delete takes 2 to 100 ids).
    """
    cutoff = now - BULK_DELETE_MAX_AGE + _BULK_MARGIN
    bulk = [m for m in action.message_ids if snowflake_time(m) > cutoff]
    single = [m for m in action.message_ids if snowflake_time(m) <= cutoff]
    if len(bulk) == 1:
        single.insert(0, bulk.pop())
    return bulk, single


async def delete_messages(
    action: DeleteMessages, now: datetime.datetime, client: typing.Any
) -> None:
    """Carry a :class:`~spamguard.core.actions.DeleteMessages` out with the library's
    client, whose two methods every supported library names alike:
    ``delete_messages(channel_id, ids, reason=...)`` once for the recent messages (an
    action holds at most 100 ids, the most one request takes), then
    ``delete_message(channel_id, id, reason=...)`` for each other one (:func:`split_delete`)."""
    reason = audit_reason(action.reason)
    recent, older = split_delete(action, now)
    if recent:
        await client.delete_messages(action.channel_id, recent, reason=reason)
    for message_id in older:
        await client.delete_message(action.channel_id, message_id, reason=reason)


def incident_actions_json(action: SetIncidentActions) -> dict[str, str | None]:
    """The body of ``PUT /guilds/{guild_id}/incident-actions``: both times as ISO 8601, or
    null for a pause lifted (Discord lifts a field left out too, so both are sent)."""
    invites, dms = action.invites_disabled_until, action.dms_disabled_until
    return {
        "invites_disabled_until": None if invites is None else invites.isoformat(),
        "dms_disabled_until": None if dms is None else dms.isoformat(),
    }


class ActionSkipped(Exception):
    """Raised by an executor that sends nothing because the action's precondition no longer
    holds; its text says why (the outcome's ``detail``, reported ``ok`` and ``skipped``)."""


LEFT_AS_SET: typing.Final = (
    "not sent: the guild's incident actions are no longer the ones spamguard set "
    "(a moderator changed them), left as they are"
)
"""The detail of a lockdown's lift skipped because the guild shows other incident actions."""


def parse_time(value: object) -> datetime.datetime | None:
    """An ISO 8601 time of Discord's JSON (None, or unreadable: None)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=datetime.UTC)


def require_unchanged(
    action: SetIncidentActions,
    invites_until: datetime.datetime | None,
    dms_until: datetime.datetime | None,
) -> None:
    """Go ahead with ``action`` only if the guild's current incident actions (as read by
    the adapter) are what its precondition expects.

    Raises:
        ActionSkipped: ``only_if_unchanged`` and the guild shows other pauses.
    """
    if not action.unchanged(invites_until, dms_until):
        raise ActionSkipped(LEFT_AS_SET)


def failure_for_status(status: int) -> FailureKind:
    """The failure kind of an HTTP error status no library-specific class matched."""
    if status == 429:
        return FailureKind.RATE_LIMITED
    if status >= 500:
        return FailureKind.SERVER_ERROR
    return FailureKind.ERROR


def utcnow() -> datetime.datetime:
    """The system clock, UTC: the runtime's and the executors' default clock."""
    return datetime.datetime.now(tz=datetime.UTC)


def classify_error(
    error: BaseException,
    failures: Sequence[tuple[type[BaseException], FailureKind]],
    http_error: type[BaseException],
) -> FailureKind:
    """The failure kind of a library's exception: the first of ``failures`` it is an
    instance of, else by the HTTP status of an ``http_error`` (its ``status``), else
    :attr:`~FailureKind.TIMEOUT` for a timeout and :attr:`~FailureKind.ERROR` for the rest."""
    for error_type, kind in failures:
        if isinstance(error, error_type):
            return kind
    if isinstance(error, http_error):
        return failure_for_status(int(getattr(error, "status", 0)))
    if isinstance(error, TimeoutError):
        return FailureKind.TIMEOUT
    return FailureKind.ERROR


class UnsupportedActionError(SpamguardError, TypeError):
    """The adapter does not know how to carry out this kind of action."""


def unsupported_action(library: str, action: object) -> UnsupportedActionError:
    """The error an executor raises for an action kind it does not know."""
    kind = getattr(action, "kind", type(action).__name__)
    return UnsupportedActionError(f"the {library} adapter cannot carry out {kind!r} actions")
