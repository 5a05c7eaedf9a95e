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

__all__ = ("DEFAULT_START", "PolicySource", "Simulation", "load_policy")

import dataclasses
import datetime
import heapq
import itertools
import os
import pathlib
import typing
from collections.abc import Mapping

from spamguard.core import Guard, MemberJoin, MemberLeave, Message, Plan, Policy, ScheduledAction
from spamguard.core.events import GuildTimer
from spamguard.reporting.describe import format_seconds, message_names
from spamguard.reporting.explain import Explainer
from spamguard.reporting.explanation import Explanation
from spamguard.reporting.logs import LogRecord
from spamguard.reporting.member_logs import MemberRecord
from spamguard.testing.clock import SimClock
from spamguard.testing.message_parts import count, said_parts
from spamguard.testing.results import MemberStep, RunResult, Step
from spamguard.testing.world import (
    MemberRef,
    SimChannel,
    SimGuild,
    SimMember,
    SimulationError,
    member_id,
)

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pluggy

    from spamguard.core import Attachment
    from spamguard.core.message_parts import MessageParts


DEFAULT_START = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.UTC)
"""Where a simulation's clock starts unless told otherwise (``at=0``)."""

_DISCORD_EPOCH_MS = 1_420_070_400_000

PolicySource = Policy | Mapping[str, typing.Any] | str | os.PathLike[str] | None
"""A :class:`Policy`, a policy document, a path to a policy file, or ``None`` (the default)."""


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


class _Queued(typing.NamedTuple):
    at: float
    seq: int
    message: Message | MemberJoin | MemberLeave
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
        self.clock = SimClock(start, gap)
        """The simulation's time: seconds from ``start``."""
        self.measure = measure
        self.history: list[Step] = []
        """Every step decided so far, over all runs."""
        self.member_history: list[MemberStep] = []
        """Every member join and leave decided so far, over all runs."""
        self.names: dict[int, str] = {}
        """Channel ids to ``#name`` and user ids to names, for descriptions."""
        self._explainer = Explainer(self.guard)
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self._small_ids = itertools.count(1001)
        self._default_guild: SimGuild | None = None
        self._generals: dict[int, SimChannel] = {}
        self._members = itertools.count(1)

    # -- the world -------------------------------------------------------------------------

    def _new_id(self, at: float = 0.0) -> int:
        """A message snowflake whose time is ``at`` seconds after the start; unique."""
        ms = int((self.start.timestamp() + at) * 1000) - _DISCORD_EPOCH_MS
        return (max(ms, 0) << 22) | (next(self._ids) & 0x3FFFFF)

    def small_id(self) -> int:
        """A fresh short id (1001, 1002...) for a guild, channel or member."""
        # Guilds, channels and members get short ids (1001, 1002...): failure messages
        # and reports that name them stay readable; the core never reads time from them.
        return next(self._small_ids)

    def guild(self, name: str = "guild", *, id: int | None = None) -> SimGuild:
        """A new guild."""
        return SimGuild(id=self.small_id() if id is None else id, name=name, simulation=self)

    @property
    def default_guild(self) -> SimGuild:
        """The guild members and channels belong to unless told otherwise."""
        if self._default_guild is None:
            self._default_guild = self.guild()
        return self._default_guild

    def general_channel(self, guild: SimGuild) -> SimChannel:
        """``guild``'s ``#general`` (:attr:`SimGuild.general`), made on first use."""
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
            id=self.small_id() if id is None else id,
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
    def start(self) -> datetime.datetime:
        """The datetime of ``at=0``."""
        return self.clock.start

    @property
    def gap(self) -> float:
        """Seconds between two messages when ``says`` is given no time."""
        return self.clock.gap

    @property
    def now(self) -> float:
        """Seconds from the start to the latest queued message (or :meth:`wait`)."""
        return self.clock.latest

    def wait(self, seconds: float) -> float:
        """Move the clock on: the next message without a time comes ``seconds`` + ``gap`` later.

        Returns the new :attr:`now`.
        """
        return self.clock.wait(seconds)

    def time_of(self, at: float) -> datetime.datetime:
        """The datetime ``at`` seconds after the start."""
        return self.clock.time_of(at)

    # -- messages --------------------------------------------------------------------------

    def say(
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
        attachments: int | Iterable[Attachment],
        stickers: int | Iterable[int],
        embeds: int,
        forwards: str | MessageParts | None = None,
    ) -> Message:
        """Queue ``member``'s message (what :meth:`SimMember.says` does, with every argument
        given); returns it."""
        seconds = self.clock.place(at, after)
        guild = member.guild
        where = guild.general if channel is None else channel
        if where.guild.id != guild.id:
            msg = f"channel #{where.name} belongs to guild {where.guild.id}, not {member.name}'s"
            raise SimulationError(msg)
        text, files, file_count, sticker_ids, forwarded = said_parts(
            content, attachments, stickers, forwards
        )
        message = Message(
            id=self._new_id(seconds),
            guild_id=guild.id,
            channel_id=where.id,
            author_id=member.id,
            content=text,
            created_at=self.time_of(seconds),
            author_is_bot=member.is_bot,
            author_role_ids=member.role_ids,
            mention_ids=tuple(dict.fromkeys(member_id(m) for m in mentions)),
            role_mention_ids=tuple(role_mentions),
            mentions_everyone=everyone,
            attachments=files,
            attachment_count=max(file_count, count(attachments)),
            sticker_ids=sticker_ids,
            sticker_count=max(len(sticker_ids), count(stickers)),
            forwarded=forwarded,
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

    def edit(
        self,
        member: SimMember,
        message: Message,
        content: str,
        *,
        at: float | datetime.datetime | None,
        after: float | None,
    ) -> Message:
        """Queue ``member``'s edit of ``message`` (what :meth:`SimMember.edits` does)."""
        if message.author_id != member.id:
            msg = f"{member.name} cannot edit message {message.id}: another member wrote it"
            raise SimulationError(msg)
        seconds = self.clock.place(at, after)
        edited = dataclasses.replace(message, content=content)
        self._push(seconds, edited, edit=True)
        return edited

    def queue(self, seconds: float, event: MemberJoin | MemberLeave) -> None:
        """Queue a member joining or leaving (what :meth:`SimMember.joins` and
        :meth:`SimMember.leaves` make), decided ``seconds`` from the start."""
        self._push(seconds, event, edit=False)

    def _push(
        self, seconds: float, message: Message | MemberJoin | MemberLeave, *, edit: bool
    ) -> None:
        heapq.heappush(self._queue, _Queued(seconds, next(self._seq), message, edit))

    def feed(self, messages: Iterable[Message | LogRecord | MemberRecord]) -> int:
        """Queue ready-made messages (or records of :func:`~spamguard.testing.read_log`,
        member joins and leaves included).

        Their time is their ``created_at`` (a record's ``now``), relative to :attr:`start`.
        Returns how many were queued.
        """
        count = 0
        for item in messages:
            if isinstance(item, MemberRecord):
                self._push(self.clock.place(item.now, None), item.event, edit=False)
                count += 1
                continue
            if isinstance(item, LogRecord):
                message, when, edit = item.message, item.now, item.now != item.message.created_at
            else:
                message, when, edit = item, item.created_at, False
            seconds = self.clock.place(when, None)
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
        member_steps: list[MemberStep] = []
        due: list[tuple[float, ScheduledAction]] = []
        while self._queue and (until is None or self._queue[0].at <= until):
            item = heapq.heappop(self._queue)
            when = self.time_of(item.at)
            due.extend(self._pop_due(when))
            if not isinstance(item.message, Message):
                member_step = MemberStep(
                    at=item.at, event=item.message, plan=self.guard.handle(item.message)
                )
                member_steps.append(member_step)
                self.member_history.append(member_step)
                # A plugin's timers (a join raid's end) are kept like the undos.
                self._carry_out(member_step.plan, when)
                self.clock.decided_until = item.at
                continue
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
            self.clock.decided_until = item.at
        end = until if until is not None else self.clock.decided_until
        if end is not None:
            due.extend(self._pop_due(self.time_of(end)))
            self.clock.decided(end)
        return RunResult(steps, due, self.names, member_steps)

    def _carry_out(self, plan: Plan, when: datetime.datetime) -> None:
        # The simulated world carries every action out at once and successfully, as a
        # runtime would: each punishment's undo is kept, due its duration after ``when``.
        if plan.dry_run or not plan.scheduled:
            return
        for item in plan.undos_after(when):
            self.guard.schedule(item)

    def _pop_due(self, when: datetime.datetime) -> Iterator[tuple[float, ScheduledAction]]:
        # A plugin's guild timer is handed back to the guard, as the runtime does: its
        # plan is carried out, and its actions fall due at the timer's time (a join raid's
        # end); a timer it sets may fall due by ``when`` too.
        due = self.guard.pop_due(when)
        while due:
            for item in due:
                if isinstance(item.action, GuildTimer):
                    plan = self.guard.handle(item.action)
                    self._carry_out(plan, item.action.at)
                    for action in () if plan.dry_run else plan.actions:
                        yield self._due(ScheduledAction(item.run_at, action))
                else:
                    yield self._due(item)
            due = self.guard.pop_due(when)

    def _due(self, item: ScheduledAction) -> tuple[float, ScheduledAction]:
        return ((item.run_at - self.start).total_seconds(), item)

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
        return RunResult(self.history, (), self.names, self.member_history)

    def __repr__(self) -> str:
        return (
            f"<Simulation at t={format_seconds(self.clock.latest)}: {len(self.history)} decided, "
            f"{len(self._queue)} queued>"
        )
