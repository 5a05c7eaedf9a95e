"""What a plugin's hook can see: a custom check (``spamguard_check_message``) its
:class:`CheckContext`, a join check (``spamguard_check_member_join``) its :class:`JoinContext`, a timer falling due
(``spamguard_guild_timer``) its :class:`TimerContext`."""

from __future__ import annotations

__all__ = (
    "EVERY_MESSAGE",
    "NO_MESSAGES",
    "CheckContext",
    "CheckNeeds",
    "JoinContext",
    "MessageScope",
    "TimerContext",
    "build_check_context",
)

import dataclasses
import datetime
import typing

from spamguard.core.policy import Scope

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core.events import GuildTimer, MemberJoin
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import GuildPolicy
    from spamguard.core.windows import DuplicateWindow, Entry, SumWindow


class MessageScope(typing.Protocol):
    """What a :class:`CheckContext` reads the guard's state through: the guard's state
    itself (one object for every message, so a message costs one context, not two)."""

    def message_history(self, message: MessageLike, seconds: float, now_ts: float) -> list[Entry]:
        """See :meth:`CheckContext.history`."""
        ...

    def plugin_window(
        self,
        message: MessageLike,
        name: str,
        scope: Scope,
        interval: float,
        text: bool,
        now_ts: float,
    ) -> SumWindow | DuplicateWindow:
        """See :meth:`CheckContext.window`."""
        ...


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CheckNeeds:
    """What a plugin's ``spamguard_check_message`` reads under one guild policy: its
    answer to ``spamguard_declare_needs``, asked once per policy.

    The guard works the answers out with the policy, so a check is called only for the
    messages it looks at, and each member's texts are recorded once for every check
    reading them.
    """

    messages: bool = True
    """False: the check is not called under this policy at all (the plugin is not
    configured there)."""
    channels: frozenset[int] | None = None
    """Only messages in these channels or in their threads; None: every channel."""
    texts: float = 0.0
    """Seconds of each member's recent texts the check reads through
    :attr:`CheckContext.texts` (0: none)."""


EVERY_MESSAGE: typing.Final = CheckNeeds()
"""A check reading every message and no kept texts: what a plugin not implementing
``spamguard_declare_needs`` gets."""
NO_MESSAGES: typing.Final = CheckNeeds(messages=False)
"""A check not called under the policy at all."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """The surroundings of one message, handed to custom checks."""

    message: MessageLike
    """The message being checked."""
    policy: GuildPolicy
    """The guild's settings; a plugin reads its own under ``policy.extensions[name]``."""
    now: datetime.datetime
    """The decision time."""
    now_ts: float
    """:attr:`now` as POSIX seconds (``now.timestamp()``, computed once by the guard)."""
    texts: DuplicateWindow | None
    """The member's recent messages in this guild with their normalised texts (this one
    included when it has any text), oldest first: the duplicate window the guard keeps of
    each member's texts for as long as a check's :attr:`CheckNeeds.texts` or the policy's
    ``user``-scoped ``max_duplicates`` asks; None unless some check of the guild's policy
    declared ``texts``. Read it, never add to it: the guard records each message there
    once, before the plugins' checks run."""
    _scope: MessageScope

    def history(self, seconds: float) -> list[Entry]:
        """The member's messages in this guild over the last ``seconds`` (this one included),
        oldest first, as window entries (id, channel, time, normalised text)."""
        return self._scope.message_history(self.message, seconds, self.now_ts)

    def window(
        self, name: str, *, interval: float, scope: Scope = Scope.USER, text: bool = False
    ) -> SumWindow | DuplicateWindow:
        """A window owned by the calling check, for this message's ``scope``.

        The guard keeps it (expired to ``interval``, bounded, snapshotted); the check adds
        this message's entry itself with ``window.add(Entry(...))``. ``text=True`` gives a
        :class:`~spamguard.core.windows.DuplicateWindow` for similarity checks.
        """
        return self._scope.plugin_window(self.message, name, scope, interval, text, self.now_ts)


class _CheckContextFields:
    __slots__ = CheckContext.__slots__


if tuple(f.name for f in dataclasses.fields(CheckContext)) != (
    "message",
    "policy",
    "now",
    "now_ts",
    "texts",
    "_scope",
):  # pragma: no cover - a guard against editing the class without build_check_context
    msg = "CheckContext's fields changed: update build_check_context"
    raise AssertionError(msg)

_new = object.__new__


def build_check_context(
    message: MessageLike,
    policy: GuildPolicy,
    now: datetime.datetime,
    now_ts: float,
    scope: MessageScope,
    texts: DuplicateWindow | None = None,
) -> CheckContext:
    """``CheckContext(...)`` with the same fields, built without the dataclass __init__
    (the guard builds one per message whenever a plugin checks messages).

    Kept for speed, as :func:`spamguard.core.plan.build_plan` is: the frozen dataclass's
    __init__ costs 4.3 us a call against 0.9 us here, about 5% of a message's cost under
    the comparable policy once any plugin checks messages (issue 15). The unfrozen twin
    class with the same slots is filled, then turned into a :class:`CheckContext`.
    """
    context: typing.Any = _new(_CheckContextFields)
    context.message = message
    context.policy = policy
    context.now = now
    context.now_ts = now_ts
    context.texts = texts
    context._scope = scope
    context.__class__ = CheckContext
    return context  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JoinContext:
    """The surroundings of one member join, handed to ``spamguard_check_member_join``."""

    join: MemberJoin
    """The join being decided."""
    policy: GuildPolicy
    """The guild's settings; a plugin reads its own under ``policy.extensions[name]``."""
    now: datetime.datetime
    """The decision time (the join's ``joined_at``)."""
    _window: Callable[[str, float, bool], SumWindow | DuplicateWindow]
    _joined_at: Callable[[int], datetime.datetime | None]

    def window(
        self, name: str, *, interval: float, text: bool = False
    ) -> SumWindow | DuplicateWindow:
        """A window of the whole guild owned by the calling plugin (two plugins asking for
        the same ``name`` get windows of their own).

        The guard keeps it (expired to ``interval``, bounded to
        :data:`~spamguard.core.windows.MAX_ENTRIES` entries, snapshotted, kept by the
        Redis store); the plugin adds this join's entry itself with
        ``window.add(Entry(...))``. ``text=True`` gives a
        :class:`~spamguard.core.windows.DuplicateWindow`, to compare names.
        """
        return self._window(name, interval, text)

    def member_joined_at(self, user_id: int) -> datetime.datetime | None:
        """When the guard saw ``user_id`` join this guild (and not leave since), if it
        still remembers (see the policy's ``new_members``)."""
        return self._joined_at(user_id)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TimerContext:
    """The surroundings of a :class:`~spamguard.core.events.GuildTimer` falling due, handed
    to ``spamguard_guild_timer``."""

    timer: GuildTimer
    """The timer that fell due."""
    policy: GuildPolicy
    """The guild's settings; a plugin reads its own under ``policy.extensions[name]``."""
    now: datetime.datetime
    """The decision time (the timer's ``at``: the runtime's clock may be later)."""
    _window: Callable[[str, float, bool], SumWindow | DuplicateWindow]

    def window(
        self, name: str, *, interval: float, text: bool = False
    ) -> SumWindow | DuplicateWindow:
        """The calling plugin's guild window ``name``: the same window its
        :meth:`JoinContext.window` gives at a join of this guild."""
        return self._window(name, interval, text)
