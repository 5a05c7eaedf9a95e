"""Counting: what a message adds to each check, which window it goes in, and the one path
that records it there and runs the checks reading that window.

A check fires when the total in its window reaches its ``count`` and this message adds to
it. Windows keep running totals (and duplicate windows an index of their texts), so the
usual message costs O(1) per window.
"""

from __future__ import annotations

__all__ = (
    "AMOUNT",
    "Fired",
    "plugin_fired",
    "record_and_check",
    "window_key",
)

import logging
import operator
import typing

from spamguard.core.policy import Punishment, Scope
from spamguard.core.text import (
    count_emojis,
    count_invites,
    count_links,
    count_upper_case,
    normalise,
    pings_everyone,
)
from spamguard.core.windows import DuplicateWindow, Entry, SumWindow

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from spamguard.core.engine.compiled_policy import Applying, CompiledPolicy
    from spamguard.core.engine.members import MemberState
    from spamguard.core.engine.state import GuardState, WindowKey
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Violation
    from spamguard.core.policy import RuleConfig

_LOGGER = logging.getLogger("spamguard.engine.counting")

AMOUNT: Mapping[str, Callable[[MessageLike], int]] = {
    "max_messages": lambda m: 1,
    # @everyone/@here is one mention, whether Discord let it ping or only the text tried.
    "max_mentions": lambda m: (
        len(m.mention_ids)
        + len(m.role_mention_ids)
        + (1 if m.mentions_everyone or pings_everyone(m.content) else 0)
    ),
    "max_links": lambda m: count_links(m.content),
    "max_upper_case": lambda m: count_upper_case(m.content),
    "max_emojis": lambda m: count_emojis(m.content),
    "max_newlines": lambda m: m.content.count("\n"),
    "max_attachments": lambda m: m.attachment_count,
    "max_characters": lambda m: len(m.content),
    "max_stickers": lambda m: m.sticker_count,
    "max_invites": lambda m: count_invites(m.content),
}
"""What one message adds to each built-in check; ``max_duplicates`` counts normalised
texts instead (one per message with any text)."""


# Read once: a class attribute costs a look-up through the enum's type on every message.
_USER: typing.Final = Scope.USER
_USER_CHANNEL: typing.Final = Scope.USER_CHANNEL
_CHANNEL: typing.Final = Scope.CHANNEL


def window_key(
    name: str, scope: Scope, guild_id: int | None, channel_id: int, author_id: int
) -> WindowKey:
    """The key of the window ``name`` of a message's ``scope``: the name, the scope's tag
    and its ids (the layout of snapshots and of a shared store's keys)."""
    if scope is _USER:
        return (name, "u", guild_id, author_id)
    if scope is _USER_CHANNEL:
        return (name, "uc", guild_id, channel_id, author_id)
    if scope is _CHANNEL:
        return (name, "c", guild_id, channel_id)
    return (name, "g", guild_id)


class Fired:
    """One violation found for a message, with what deciding and cleaning it need."""

    __slots__ = (
        "duration",
        "entries",
        "order",
        "punishment",
        "rule",
        "since",
        "violation",
        "window",
    )

    def __init__(
        self,
        rule: RuleConfig | None,
        violation: Violation,
        entries: list[Entry],
        punishment: Punishment,
        duration: int,
        window: SumWindow | None = None,
        since: float = 0.0,
        order: int = 0,
    ) -> None:
        self.rule = rule
        """The rule of a built-in check; None for a plugin's check or an AutoMod execution."""
        self.violation = violation
        self.entries = entries
        """The entries behind the violation (may be left empty with a ``window``)."""
        self.punishment = punishment
        self.duration = duration
        self.window = window
        """For a built-in check whose violation covers all of its window's entries after
        ``since``: that window, so cleaning reads them there and uses its sweep mark."""
        self.since = since
        self.order = order
        """Position among the checks that ran: violations are reported in this order."""


_ORDER = operator.attrgetter("order")


Matched = tuple[int, tuple[int, ...], list[Entry]]
"""A duplicate window's answer: the count, and the ids and entries when it fires."""


def record_and_check(
    state: GuardState,
    compiled: CompiledPolicy,
    applying: Applying,
    message: MessageLike,
    ts: float,
    now_ts: float,
    edited: bool,
) -> list[Fired]:
    """Record ``message`` (sent at ``ts``) in every window of ``compiled``'s slots and run
    the checks of ``applying`` that read each window, at ``now_ts``.

    A check fires only when this message adds to it (an ``edited`` message: when its new
    content adds more; a typo fixed fires nothing again). A window a new message adds
    nothing to is left as it is, neither created nor expired: its entries expire when a
    message adds to it (or at prune), so a late delivery still finds the entries of its
    own interval, however much later the messages between them were sent. An edit touches
    every window, since its new content may take away what it added.
    """
    guild_id = message.guild_id
    author_id = message.author_id
    channel_id = message.channel_id
    parent_id = message.parent_id
    message_id = message.id
    text: str | None = None
    fired: list[Fired] = []
    by_slot = applying.by_slot
    for slot in compiled.slots:
        whitelist = slot.whitelist
        if whitelist and (channel_id in whitelist or parent_id in whitelist):
            continue
        amount_of = slot.amount
        if amount_of is None:
            if text is None:
                text = normalise(message.content)
            amount = 1 if text else 0
        else:
            amount = amount_of(message)
        if not amount and not edited:
            continue
        key = window_key(slot.window_name, slot.scope, guild_id, channel_id, author_id)
        window = state.open_window(key, slot.horizon, amount_of is None, now_ts)
        if ts <= now_ts - window.horizon:
            continue  # too old to be in this window at all
        checks = by_slot[slot.index]
        found: Matched | None = None
        entry = window.find(message_id) if edited else None
        if entry is not None:  # an edit of a message the window holds
            if amount_of is None:
                assert isinstance(window, DuplicateWindow) and text is not None
                if entry.text == text:
                    continue
                window.replace_text(message_id, text)
            else:
                before = entry.amount
                window.replace(message_id, amount)
                if amount <= before:
                    continue
        elif not amount:
            continue
        elif amount_of is not None:
            window.record(ts, message_id, channel_id, author_id, amount)
        else:
            assert isinstance(window, DuplicateWindow) and text is not None
            if not checks:
                window.record_text(ts, message_id, channel_id, author_id, text)
                continue
            first = checks[0]
            found = window.record_and_match(
                ts,
                message_id,
                channel_id,
                author_id,
                text,
                first.accuracy,
                now_ts - first.interval,
                first.count,
                first.clean,
            )
        if not text and amount_of is None:
            continue  # an edit that took the text away
        for check in checks:
            cutoff = now_ts - check.interval
            if amount_of is not None:
                count = window.total_since(cutoff)
                if count >= check.count:
                    ids = window.ids_since(cutoff)
                    fired.append(check.fired(count, ids, [], window, cutoff))
                continue
            assert isinstance(window, DuplicateWindow) and text is not None
            if found is None:
                found = window.duplicates(
                    text, check.accuracy, cutoff, check.count, entries=check.clean
                )
            count, message_ids, selected = found
            found = None
            if count >= check.count:
                # Every entry of the window: its entries are read there (selected is empty).
                whole = count == len(window.times)
                fired.append(check.fired(count, message_ids, selected, window if whole else None))
    if len(fired) > 1:
        fired.sort(key=_ORDER)
    return fired


def plugin_fired(
    violations: Sequence[Violation],
    message: MessageLike,
    member: MemberState,
    rules: tuple[RuleConfig, ...],
) -> list[Fired]:
    """The plugins' ``violations`` of ``message`` (from ``spamguard_check_message``, see
    :func:`~spamguard.core.engine.deciding.decide_message`), each with its punishment and the member's entries behind it."""
    duration = rules[0].punishment_duration if rules else 300
    fired = []
    for violation in violations:
        try:
            punishment = Punishment(violation.punishment.upper())
        except ValueError:
            _LOGGER.warning(
                "plugin check %s asked for unknown punishment %r",
                violation.check,
                violation.punishment,
            )
            punishment = Punishment.NONE
        entries = [
            Entry(ts, mid, channel, message.author_id)
            for mid in violation.message_ids
            if (found := member.recent.get(mid)) is not None
            for ts, channel, _crc in (found,)
        ]
        lasts = violation.punishment_duration
        fired.append(
            Fired(None, violation, entries, punishment, duration if lasts is None else lasts)
        )
    return fired
