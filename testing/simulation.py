"""A simulated guild: members say things at given times, a real guard decides.

::

    sim = Simulation("policy.yaml")
    alice = sim.member(name="alice")
    alice.spams("buy cheap nitro", times=6, every=0.5)
    result = sim.run()
    assert_punished(result, alice, "TEMPMUTE")

Everything the guard reads is made for you: snowflake ids whose time is the message's,
a clock starting at a fixed date (``at=`` is seconds from there), guilds, channels and
members. Messages are queued by ``says``; :meth:`Simulation.run` decides them in time order
with a real :class:`~spamguard.core.Guard` and returns their plans.
"""

from __future__ import annotations

__all__ = (
    "DEFAULT_START",
    "RunResult",
    "SimChannel",
    "SimGuild",
    "SimMember",
    "Simulation",
    "SimulationError",
    "Step",
    "load_policy",
)

import collections
import dataclasses
import datetime
import heapq
import itertools
import os
import pathlib
import typing
from collections.abc import Mapping, Sequence

from spamguard.core import Guard, Message, Plan, Policy, SpamguardError
from spamguard.testing.describe import describe_plan, format_seconds, message_names
from spamguard.testing.explain import Explainer, Explanation
from spamguard.testing.replay import LogRecord, ReplaySummary

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pluggy

    from spamguard.core import Action, ScheduledAction, Violation

DEFAULT_START = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.UTC)
"""Where a simulation's clock starts unless told otherwise (``at=0``)."""

_DISCORD_EPOCH_MS = 1_420_070_400_000

PolicySource = Policy | Mapping[str, typing.Any] | str | os.PathLike[str] | None
"""A :class:`Policy`, a policy document, a path to a policy file, or ``None`` (the default)."""

MemberRef = typing.Union["SimMember", int]
"""A simulated member or a user id."""


class SimulationError(SpamguardError, ValueError):
    """The simulation was asked something impossible, e.g. a message in the past."""


def load_policy(source: PolicySource) -> Policy:
    """A :class:`Policy` from any :data:`PolicySource`.

    Raises:
        PolicyError: the document or file is invalid.
    """
    if source is None:
        return Policy.default()
    if isinstance(source, Policy):
        return source
    if isinstance(source, Mapping):
        return Policy.from_dict(source)
    return Policy.from_file(pathlib.Path(source))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SimChannel:
    """A channel (or thread) of a simulated guild."""

    id: int
    name: str
    guild: SimGuild
    category_id: int | None = None
    """The channel's category (a thread's is its parent's)."""
    parent_id: int | None = None
    """For a thread, its parent channel."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SimMember:
    """A member of a simulated guild. Build one with :meth:`Simulation.member`."""

    id: int
    name: str
    guild: SimGuild
    role_ids: frozenset[int] = frozenset()
    is_bot: bool = False
    is_admin: bool = False
    can_manage_messages: bool = False
    is_owner: bool = False

    def says(
        self,
        content: str = "",
        *,
        at: float | datetime.datetime | None = None,
        after: float | None = None,
        channel: SimChannel | None = None,
        mentions: Iterable[MemberRef] = (),
        role_mentions: Iterable[int] = (),
        everyone: bool = False,
        attachments: int = 0,
        stickers: int = 0,
        embeds: int = 0,
    ) -> Message:
        """Queue a message; returns it (its ``id`` is what plans and deletes refer to).

        Args:
            content: the text.
            at: when, in seconds from the simulation's start (or a datetime). By default,
                ``after`` seconds after the simulation's latest message.
            after: seconds after the latest message (default: the simulation's ``gap``).
            channel: where; the guild's ``#general`` by default.
            mentions: members (or user ids) mentioned.
            role_mentions: role ids mentioned.
            everyone: whether it pings @everyone or @here.
            attachments: how many attachments it carries.
            stickers: how many stickers it carries.
            embeds: how many embeds it carries.
        """
        return self.guild.simulation._say(
            self,
            content,
            at=at,
            after=after,
            channel=channel,
            mentions=mentions,
            role_mentions=role_mentions,
            everyone=everyone,
            attachments=attachments,
            stickers=stickers,
            embeds=embeds,
        )

    def spams(
        self,
        content: str,
        *,
        times: int,
        every: float = 0.5,
        at: float | datetime.datetime | None = None,
        channel: SimChannel | None = None,
        **kwargs: typing.Any,
    ) -> tuple[Message, ...]:
        """Queue ``times`` copies of a message, ``every`` seconds apart (the first ``at``).

        ``kwargs`` are those of :meth:`says` (mentions, attachments...).
        """
        if times < 1:
            msg = f"spams(times=...) must be at least 1, got {times}"
            raise SimulationError(msg)
        first = self.says(content, at=at, channel=channel, **kwargs)
        rest = tuple(
            self.says(content, after=every, channel=channel, **kwargs) for _ in range(times - 1)
        )
        return (first, *rest)

    def edits(
        self,
        message: Message,
        content: str,
        *,
        at: float | datetime.datetime | None = None,
        after: float | None = None,
    ) -> Message:
        """Queue an edit of ``message``: same id and creation time, new content, decided ``at``."""
        return self.guild.simulation._edit(self, message, content, at=at, after=after)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SimGuild:
    """A simulated guild. The simulation makes one (``sim.default_guild``) on demand."""

    id: int
    name: str
    simulation: Simulation = dataclasses.field(repr=False, compare=False)
    owner_id: int | None = None

    @property
    def general(self) -> SimChannel:
        """The guild's default channel, ``#general``, made on first use."""
        return self.simulation._general(self)

    def channel(
        self,
        name: str = "channel",
        *,
        category: int | SimChannel | None = None,
        parent: SimChannel | None = None,
        id: int | None = None,
    ) -> SimChannel:
        """A new channel; with ``parent``, a thread of that channel."""
        category_id = category.id if isinstance(category, SimChannel) else category
        if parent is not None and category_id is None:
            category_id = parent.category_id
        made = SimChannel(
            id=self.simulation._new_small_id() if id is None else id,
            name=name,
            guild=self,
            category_id=category_id,
            parent_id=None if parent is None else parent.id,
        )
        self.simulation.names[made.id] = f"#{name}"
        return made

    def member(self, **kwargs: typing.Any) -> SimMember:
        """A new member of this guild (see :meth:`Simulation.member`)."""
        return self.simulation.member(guild=self, **kwargs)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One decided message."""

    index: int
    """Its position among every message the simulation decided, from 0."""
    at: float
    """Seconds from the simulation's start to the decision."""
    message: Message
    """The message."""
    plan: Plan
    """The guard's plan."""
    explanation: Explanation | None = None
    """Every check's count against its limit (``None`` with ``measure=False``)."""
    edit: bool = False
    """Whether this was an edit of an earlier message."""

    @property
    def who(self) -> str:
        """``alice (1002)``: the author's name and id."""
        name = self.message.author_name
        return f"{name} ({self.message.author_id})" if name else f"user {self.message.author_id}"

    def describe(self, names: Mapping[int, str] | None = None) -> str:
        """One line: when, who, what was said, and the plan (``names``: ids to names)."""
        content = " ".join(self.message.content.split())
        if len(content) > 40:
            content = content[:37] + "..."
        return f"t={self.at:+.2f}s {self.who} {content!r}: {describe_plan(self.plan, self.when, names or message_names(self.message))}"

    @property
    def when(self) -> datetime.datetime:
        """The decision time as a datetime."""
        return self.message.created_at if self.explanation is None else self.explanation.now


def _user_id(member: MemberRef) -> int:
    return member if isinstance(member, int) else member.id


class RunResult(Sequence[Plan]):
    """The plans of one :meth:`Simulation.run`, in decision order, with ways to ask about them.

    It is a sequence of :class:`~spamguard.core.Plan` (``result[-1].punishment``); ``steps``
    pairs each plan with its message and time.
    """

    __slots__ = ("due", "names", "steps")

    def __init__(
        self,
        steps: Sequence[Step],
        due: Sequence[tuple[float, ScheduledAction]] = (),
        names: Mapping[int, str] | None = None,
    ) -> None:
        self.steps: tuple[Step, ...] = tuple(steps)
        """Each decided message with its plan, in order."""
        self.due: tuple[tuple[float, ScheduledAction], ...] = tuple(due)
        """Scheduled actions (unbans, role removals) that fell due, as ``(at, action)``."""
        self.names: Mapping[int, str] = names or {}
        """Channel and user ids to names, for descriptions."""

    @typing.overload
    def __getitem__(self, index: int) -> Plan: ...
    @typing.overload
    def __getitem__(self, index: slice) -> Sequence[Plan]: ...
    def __getitem__(self, index: int | slice) -> Plan | Sequence[Plan]:
        if isinstance(index, slice):
            return tuple(step.plan for step in self.steps[index])
        return self.steps[index].plan

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"<RunResult of {len(self.steps)} message(s), {len(self.punished)} punished>"

    @property
    def plans(self) -> tuple[Plan, ...]:
        """Every plan, in order."""
        return tuple(step.plan for step in self.steps)

    def for_member(self, member: MemberRef) -> RunResult:
        """Only the steps of ``member``'s messages."""
        user_id = _user_id(member)
        return RunResult(
            [s for s in self.steps if s.message.author_id == user_id], self.due, self.names
        )

    def step_for(self, message: Message | int) -> Step:
        """The (last) step that decided ``message`` (or a message id).

        Raises:
            KeyError: the message was not decided in this run.
        """
        message_id = message if isinstance(message, int) else message.id
        for step in reversed(self.steps):
            if step.message.id == message_id:
                return step
        msg = f"message {message_id} was not decided in this run"
        raise KeyError(msg)

    def plan_for(self, message: Message | int) -> Plan:
        """The (last) plan for ``message`` (or a message id)."""
        return self.step_for(message).plan

    def violations(self, check: str | None = None) -> list[Violation]:
        """Every violation (of ``check`` only, when given), in order."""
        return [
            v
            for step in self.steps
            for v in step.plan.violations
            if check is None or v.check == check
        ]

    def fired(self) -> collections.Counter[str]:
        """How many times each check fired."""
        return collections.Counter(v.check for v in self.violations())

    def actions(self, kind: str | None = None) -> list[Action]:
        """Every action to carry out now (of ``kind`` only, e.g. ``"ban"``), in order."""
        return [
            a for step in self.steps for a in step.plan.actions if kind is None or a.kind == kind
        ]

    @property
    def punished(self) -> set[int]:
        """Ids of the members a plan punished (punishment other than NONE)."""
        return {s.message.author_id for s in self.steps if s.plan.punishment != "NONE"}

    def punishments(self, member: MemberRef | None = None) -> list[str]:
        """The punishments given (``NONE`` left out), in order; of ``member`` only, when given."""
        steps = self.steps if member is None else self.for_member(member).steps
        return [s.plan.punishment for s in steps if s.plan.punishment != "NONE"]

    @property
    def deleted(self) -> set[int]:
        """Ids of every message a delete action names."""
        return {
            mid
            for action in self.actions("delete")
            for mid in typing.cast("typing.Any", action).message_ids
        }

    def summary(self) -> ReplaySummary:
        """Totals per check and per action."""
        summary = ReplaySummary()
        for step in self.steps:
            summary.add(step.plan, step.when)
        return summary

    def describe(self, *, limit: int = 20) -> str:
        """What happened, one line per message that fired a check or was skipped.

        At most ``limit`` lines; quiet messages are summarised in a count.
        """
        if not self.steps:
            return "no message was decided"
        notable = [s for s in self.steps if s.plan.violations or s.plan.skipped_reason]
        lines = [s.describe(self.names or None) for s in notable[:limit]]
        if len(notable) > limit:
            lines.append(f"... and {len(notable) - limit} more")
        quiet = len(self.steps) - len(notable)
        span = f"t={self.steps[0].at:+.2f}s to t={self.steps[-1].at:+.2f}s"
        lines.append(
            f"{len(self.steps)} message(s) from {span}; {quiet} passed every check quietly"
        )
        return "\n".join(lines)


class _Queued(typing.NamedTuple):
    at: float
    seq: int
    message: Message
    edit: bool


class Simulation:
    """A guard and a simulated world to feed it: guilds, channels, members and a clock.

    Args:
        policy: a :class:`Policy`, a policy document (dict), a path to a policy file, or
            ``None`` for the bundled default policy.
        plugins: plugin objects for the guard (custom checks, vetoes...).
        plugin_manager: a ready plugin manager instead.
        load_entrypoints: also load installed extensions (entry-point group ``spamguard``).
        start: the datetime of ``at=0``.
        gap: seconds between two messages when ``says`` is given no time.
        measure: record every check's count against its limit for each message (for
            :meth:`explain` and readable assertion failures); turn off for huge runs.
        self_id: the bot's user id (its messages are skipped).

    Raises:
        PolicyError: the policy document or file is invalid.
    """

    def __init__(
        self,
        policy: PolicySource = None,
        *,
        plugins: Iterable[object] = (),
        plugin_manager: pluggy.PluginManager | None = None,
        load_entrypoints: bool = False,
        start: datetime.datetime = DEFAULT_START,
        gap: float = 1.0,
        measure: bool = True,
        self_id: int | None = None,
    ) -> None:
        if start.tzinfo is None:
            msg = "Simulation(start=...) must be timezone-aware, e.g. tzinfo=datetime.UTC"
            raise SimulationError(msg)
        self.policy = load_policy(policy)
        """The policy under test."""
        self.guard = Guard(
            self.policy,
            plugins=plugins,
            plugin_manager=plugin_manager,
            load_entrypoints=load_entrypoints,
            self_id=self_id,
        )
        """The real guard deciding every message."""
        self.start = start
        self.gap = gap
        self.measure = measure
        self.history: list[Step] = []
        """Every step decided so far, over all runs."""
        self.names: dict[int, str] = {}
        """Channel ids to ``#name`` and user ids to names, for descriptions."""
        self._explainer = Explainer(self.guard)
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self._small_ids = itertools.count(1001)
        self._latest = 0.0
        self._decided_until: float | None = None
        self._default_guild: SimGuild | None = None
        self._generals: dict[int, SimChannel] = {}
        self._members = itertools.count(1)

    # -- the world -------------------------------------------------------------------------

    def _new_id(self, at: float = 0.0) -> int:
        """A message snowflake whose time is ``at`` seconds after the start; unique."""
        ms = int((self.start.timestamp() + at) * 1000) - _DISCORD_EPOCH_MS
        return (max(ms, 0) << 22) | (next(self._ids) & 0x3FFFFF)

    def _new_small_id(self) -> int:
        # Guilds, channels and members get short ids (1001, 1002...): failure messages
        # and reports that name them stay readable; the core never reads time from them.
        return next(self._small_ids)

    def guild(self, name: str = "guild", *, id: int | None = None) -> SimGuild:
        """A new guild."""
        return SimGuild(id=self._new_small_id() if id is None else id, name=name, simulation=self)

    @property
    def default_guild(self) -> SimGuild:
        """The guild members and channels belong to unless told otherwise."""
        if self._default_guild is None:
            self._default_guild = self.guild()
        return self._default_guild

    def _general(self, guild: SimGuild) -> SimChannel:
        channel = self._generals.get(guild.id)
        if channel is None:
            channel = self._generals[guild.id] = guild.channel("general")
        return channel

    def channel(self, name: str = "channel", **kwargs: typing.Any) -> SimChannel:
        """A new channel of the default guild (see :meth:`SimGuild.channel`)."""
        return self.default_guild.channel(name, **kwargs)

    def member(
        self,
        *,
        name: str | None = None,
        roles: Iterable[int] = (),
        bot: bool = False,
        admin: bool = False,
        manage_messages: bool = False,
        owner: bool = False,
        id: int | None = None,
        guild: SimGuild | None = None,
    ) -> SimMember:
        """A new member.

        Args:
            name: a display name (``member1``, ``member2``... by default).
            roles: role ids (see the policy's ``role_levels`` and ``spam.roles``).
            bot: whether the member is a bot (see the policy's ``ignore_bots``).
            admin: whether the member is an administrator (exempt with ``exempt_admins``).
            manage_messages: whether the member may manage messages (exempt alike).
            owner: whether the member owns the guild (exempt alike).
            id: the user id (made up by default).
            guild: the guild (the default guild by default).
        """
        number = next(self._members)
        made = SimMember(
            id=self._new_small_id() if id is None else id,
            name=f"member{number}" if name is None else name,
            guild=self.default_guild if guild is None else guild,
            role_ids=frozenset(roles),
            is_bot=bot,
            is_admin=admin,
            can_manage_messages=manage_messages,
            is_owner=owner,
        )
        self.names[made.id] = made.name
        return made

    # -- the clock -------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Seconds from the start to the latest queued message (or :meth:`wait`)."""
        return self._latest

    def wait(self, seconds: float) -> float:
        """Move the clock on: the next message without a time comes ``seconds`` + ``gap`` later.

        Returns the new :attr:`now`.
        """
        if seconds < 0:
            msg = f"wait() takes seconds >= 0, got {seconds}"
            raise SimulationError(msg)
        self._latest += seconds
        return self._latest

    def _seconds(self, at: float | datetime.datetime) -> float:
        if isinstance(at, datetime.datetime):
            if at.tzinfo is None:
                msg = "at= must be timezone-aware, e.g. tzinfo=datetime.UTC"
                raise SimulationError(msg)
            return (at - self.start).total_seconds()
        return float(at)

    def _time(self, at: float | datetime.datetime | None, after: float | None) -> float:
        if at is not None and after is not None:
            msg = "give at= or after=, not both"
            raise SimulationError(msg)
        seconds = (
            self._latest + (self.gap if after is None else after)
            if at is None
            else self._seconds(at)
        )
        if self._decided_until is not None and seconds < self._decided_until:
            msg = (
                f"a message at t={seconds:g}s comes before t={self._decided_until:g}s, "
                "which run() already decided; queue messages in the future of the last run"
            )
            raise SimulationError(msg)
        self._latest = max(self._latest, seconds)
        return seconds

    def time_of(self, at: float) -> datetime.datetime:
        """The datetime ``at`` seconds after the start."""
        return self.start + datetime.timedelta(seconds=at)

    # -- messages --------------------------------------------------------------------------

    def _say(
        self,
        member: SimMember,
        content: str,
        *,
        at: float | datetime.datetime | None,
        after: float | None,
        channel: SimChannel | None,
        mentions: Iterable[MemberRef],
        role_mentions: Iterable[int],
        everyone: bool,
        attachments: int,
        stickers: int,
        embeds: int,
    ) -> Message:
        seconds = self._time(at, after)
        guild = member.guild
        where = guild.general if channel is None else channel
        if where.guild.id != guild.id:
            msg = f"channel #{where.name} belongs to guild {where.guild.id}, not {member.name}'s"
            raise SimulationError(msg)
        message = Message(
            id=self._new_id(seconds),
            guild_id=guild.id,
            channel_id=where.id,
            author_id=member.id,
            content=content,
            created_at=self.time_of(seconds),
            author_is_bot=member.is_bot,
            author_role_ids=member.role_ids,
            mention_ids=tuple(dict.fromkeys(_user_id(m) for m in mentions)),
            role_mention_ids=tuple(role_mentions),
            mentions_everyone=everyone,
            attachment_count=attachments,
            sticker_count=stickers,
            embed_count=embeds,
            category_id=where.category_id,
            parent_id=where.parent_id,
            author_is_admin=member.is_admin,
            author_can_manage_messages=member.can_manage_messages,
            author_is_owner=member.is_owner,
            author_name=member.name,
            guild_name=guild.name,
            channel_name=where.name,
        )
        self._push(seconds, message, edit=False)
        return message

    def _edit(
        self,
        member: SimMember,
        message: Message,
        content: str,
        *,
        at: float | datetime.datetime | None,
        after: float | None,
    ) -> Message:
        if message.author_id != member.id:
            msg = f"{member.name} cannot edit message {message.id}: another member wrote it"
            raise SimulationError(msg)
        seconds = self._time(at, after)
        edited = dataclasses.replace(message, content=content)
        self._push(seconds, edited, edit=True)
        return edited

    def _push(self, seconds: float, message: Message, *, edit: bool) -> None:
        heapq.heappush(self._queue, _Queued(seconds, next(self._seq), message, edit))

    def feed(self, messages: Iterable[Message | LogRecord]) -> int:
        """Queue ready-made messages (or records of :func:`~spamguard.testing.read_log`).

        Their time is their ``created_at`` (a record's ``now``), relative to :attr:`start`.
        Returns how many were queued.
        """
        count = 0
        for item in messages:
            if isinstance(item, LogRecord):
                message, when, edit = item.message, item.now, item.now != item.message.created_at
            else:
                message, when, edit = item, item.created_at, False
            seconds = self._time(when, None)
            self._push(seconds, message, edit=edit)
            for key, name in message_names(message).items():
                self.names.setdefault(key, name)
            count += 1
        return count

    @property
    def pending(self) -> int:
        """Messages queued and not yet decided."""
        return len(self._queue)

    def run(self, *, until: float | None = None) -> RunResult:
        """Decide the queued messages in time order (those up to ``until`` only, when given).

        Returns the plans of the messages decided by this call; :attr:`history` keeps all.
        Scheduled actions that fall due by the last decision (or ``until``) are in
        ``result.due``.
        """
        steps: list[Step] = []
        due: list[tuple[float, ScheduledAction]] = []
        while self._queue and (until is None or self._queue[0].at <= until):
            item = heapq.heappop(self._queue)
            when = self.time_of(item.at)
            due.extend(self._pop_due(when))
            now = None if when == item.message.created_at else when
            explanation: Explanation | None = None
            if self.measure:
                explanation = self._explainer.explain(item.message, now=now)
                plan = explanation.plan
            else:
                plan = self._explainer.process(item.message, now=now)
            step = Step(
                index=len(self.history),
                at=item.at,
                message=item.message,
                plan=plan,
                explanation=explanation,
                edit=item.edit,
            )
            steps.append(step)
            self.history.append(step)
            self._carry_out(plan, when)
            self._decided_until = item.at
        end = until if until is not None else self._decided_until
        if end is not None:
            due.extend(self._pop_due(self.time_of(end)))
            self._decided_until = max(self._decided_until or end, end)
            self._latest = max(self._latest, end)
        return RunResult(steps, due, self.names)

    def _carry_out(self, plan: Plan, when: datetime.datetime) -> None:
        # The simulated world carries every action out at once and successfully, as a
        # runtime would: each punishment's undo is kept, due its duration after ``when``.
        if plan.dry_run or not plan.scheduled:
            return
        for item in plan.undos_after(when):
            self.guard.schedule(item)

    def _pop_due(self, when: datetime.datetime) -> Iterator[tuple[float, ScheduledAction]]:
        for item in self.guard.pop_due(when):
            yield ((item.run_at - self.start).total_seconds(), item)

    def explain(self, message: Message | int) -> Explanation:
        """Why a decided message got its plan: every check's count against its limit.

        Raises:
            KeyError: the message was not decided yet.
            SimulationError: the simulation runs with ``measure=False``.
        """
        step = RunResult(self.history, (), self.names).step_for(message)
        if step.explanation is None:
            msg = "this simulation runs with measure=False: nothing was measured"
            raise SimulationError(msg)
        return step.explanation

    def results(self) -> RunResult:
        """Every step decided so far, over all runs, as one result."""
        return RunResult(self.history, (), self.names)

    def __repr__(self) -> str:
        return (
            f"<Simulation at t={format_seconds(self._latest)}: {len(self.history)} decided, "
            f"{len(self._queue)} queued>"
        )
