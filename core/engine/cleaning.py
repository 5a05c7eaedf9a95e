"""Cleaning: the delete actions for exactly the messages behind a decision's violations.

A rule with ``clean`` deletes the messages that made up its violations (and the one that
triggered them), the newest ``clean_count`` within ``clean_duration``, never one twice:
each deleted id gets a *clean mark* in the state.
"""

from __future__ import annotations

__all__ = ("clean",)

import datetime
import itertools
import typing

from spamguard.core import actions as act
from spamguard.core.engine.members import MAX_CLEAN_MARKS

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

    from spamguard.core.engine.counting import Fired
    from spamguard.core.engine.members import DryRunState
    from spamguard.core.engine.state import GuardState
    from spamguard.core.messages import MessageLike
    from spamguard.core.windows import Entry

_BULK_DELETE_MAX_AGE: typing.Final = act.BULK_DELETE_MAX_AGE.total_seconds()
_CLEANED: typing.Final = "spamguard: spam cleaned"
"""The audit-log reason of a clean's deletes."""


def _unswept_subset(
    item: Fired, horizon: float, cleaned: dict[int, float], limit: int
) -> list[Entry]:
    """:meth:`SumWindow.unswept` for entries that are some of a window's (duplicates of
    one text among others), or for a dry run's clean (which must leave the window's sweep
    mark to real deletes), without a sweep mark: which are cleaned is tested in C."""
    uncleaned = list(itertools.filterfalse(cleaned.__contains__, item.violation.message_ids))
    if not uncleaned:
        return []
    fresh = set(uncleaned)
    wanted = min(limit, len(uncleaned))
    newest: list[Entry] = []
    entries: Sequence[Entry] = item.entries
    if not entries and item.window is not None:
        entries = item.window.entries  # the violation is the window's entries after `since`
    for entry in reversed(entries):
        if entry.ts <= horizon:
            break
        if entry.message_id in fresh:
            newest.append(entry)
            if len(newest) == wanted:
                break
    return newest


def _utc(ts: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)


def clean(
    state: GuardState,
    message: MessageLike,
    fired: list[Fired],
    now_ts: float,
    when: datetime.datetime,
    guild_id: int,
    sent_at: float,
    dry: DryRunState | None,
) -> tuple[act.DeleteMessages, ...]:
    """Delete actions for the messages behind the violations of rules with ``clean``
    (and ``message`` itself, sent at ``sent_at``, POSIX seconds), marked cleaned in
    ``state`` (in ``dry`` when deciding in dry run)."""
    picked: dict[int, tuple[int, float]] = {}
    cleaned = state.cleaned if dry is None else dry.cleaned
    cleaning = False
    for item in fired:
        rule = item.rule
        if rule is None:
            # A plugin's violation is cleaned when any applicable rule cleans.
            rule = next((f.rule for f in fired if f.rule is not None and f.rule.clean), None)
        if rule is None or not rule.clean:
            continue
        cleaning = True
        horizon = now_ts - rule.clean_duration
        entries = item.entries
        if item.rule is not None:
            # A built-in check's entries come from a window, oldest first: the newest
            # clean_count not cleaned yet are found from the end.
            if item.window is not None and dry is None:
                # All of the window's entries after some time: in a flood, its sweep
                # mark says where the ones cleaned already start (really deleted:
                # a dry run leaves the mark alone).
                newest = item.window.unswept(item.since, horizon, cleaned, rule.clean_count)
            else:
                newest = _unswept_subset(item, horizon, cleaned, rule.clean_count)
            for entry in reversed(newest):
                picked[entry.message_id] = (entry.channel_id, entry.ts)
            continue
        candidates = [e for e in entries if e.ts > horizon and e.message_id not in cleaned]
        for entry in candidates[-rule.clean_count :]:
            picked[entry.message_id] = (entry.channel_id, entry.ts)
    if not cleaning:
        return ()
    if message.id not in cleaned:
        picked[message.id] = (message.channel_id, sent_at)
    for message_id, (_channel, ts) in picked.items():
        cleaned[message_id] = ts
    # Bounded by count as well as by time (prune): a flood of 10k messages a second
    # would else keep every cleaned id for the policy's whole history. The marks are
    # in the order they were made: a quarter over the bound, the oldest go at once
    # (one copy per limit/4 marks, not a deletion per mark).
    limit = MAX_CLEAN_MARKS * max(1, len(state.members))
    if len(cleaned) > limit + limit // 4:
        kept = dict(itertools.islice(cleaned.items(), len(cleaned) - limit, None))
        if dry is None:
            state.cleaned = kept
        else:
            dry.cleaned = kept
    if len(picked) == 1:
        # What delete_messages() gives for one message, without its grouping (times
        # are whole microseconds, far above the float error of these seconds).
        ((message_id, (channel, ts)),) = picked.items()
        if ts <= now_ts - _BULK_DELETE_MAX_AGE:
            return ()
        return (act.delete_one(channel, message_id, guild_id, _CLEANED),)
    return act.delete_messages(
        ((channel, mid, _utc(ts)) for mid, (channel, ts) in picked.items()),
        now=when,
        guild_id=guild_id,
        reason=_CLEANED,
    )
