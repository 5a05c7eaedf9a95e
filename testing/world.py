"""The simulated world: guilds, their channels and members, who say things.

Every object belongs to a :class:`~spamguard.testing.simulation.Simulation`, which makes
them (``sim.member(...)``, ``sim.channel(...)``), hands out their ids and queues what they
say for its guard.
"""

from __future__ import annotations

__all__ = ("MemberRef", "SimChannel", "SimGuild", "SimMember", "SimulationError", "member_id")

import dataclasses
import typing

from spamguard.core import MemberJoin, MemberLeave, SpamguardError

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from spamguard.core import Attachment, Message
    from spamguard.core.message_parts import MessageParts
    from spamguard.testing.simulation import Simulation

MemberRef = typing.Union["SimMember", int]
"""A simulated member or a user id."""


class SimulationError(SpamguardError, ValueError):
    """The simulation was asked something impossible, e.g. a message in the past."""


def member_id(member: MemberRef) -> int:
    """The user id of a simulated member, or the id itself."""
    return member if isinstance(member, int) else member.id


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
        attachments: int | Iterable[Attachment] = 0,
        stickers: int | Iterable[int] = 0,
        embeds: int = 0,
        forwards: str | MessageParts | None = None,
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
            attachments: how many attachments it carries, or the files themselves
                (:class:`~spamguard.core.Attachment` values: name, size, type, pixels), as
                the message's ``attachments``.
            stickers: how many stickers it carries, or their ids.
            embeds: how many embeds it carries.
            forwards: the message it forwards (Discord's ``message_snapshots``): its text,
                or a :class:`~spamguard.core.message_parts.MessageParts` with its text,
                files and stickers; folded into the message as an adapter does (its text
                after ``content`` on a new line, its files after ``attachments``,
                ``forwarded`` set).
        """
        return self.guild.simulation.say(
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
            forwards=forwards,
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

    def joins(
        self,
        *,
        at: float | datetime.datetime | None = None,
        after: float | None = None,
        has_avatar: bool = False,
        global_name: str | None = None,
    ) -> MemberJoin:
        """Queue the member joining its guild (a ``MemberJoin`` with its name as username,
        its roles and bot flag); returns the event. ``at`` and ``after`` as for :meth:`says`."""
        simulation = self.guild.simulation
        seconds = simulation.clock.place(at, after)
        event = MemberJoin(
            guild_id=self.guild.id,
            user_id=self.id,
            joined_at=simulation.time_of(seconds),
            username=self.name,
            global_name=global_name,
            has_avatar=has_avatar,
            bot=self.is_bot,
            role_ids=self.role_ids,
        )
        simulation.queue(seconds, event)
        return event

    def leaves(
        self, *, at: float | datetime.datetime | None = None, after: float | None = None
    ) -> MemberLeave:
        """Queue the member leaving its guild; returns the event."""
        simulation = self.guild.simulation
        seconds = simulation.clock.place(at, after)
        event = MemberLeave(guild_id=self.guild.id, user_id=self.id, at=simulation.time_of(seconds))
        simulation.queue(seconds, event)
        return event

    def edits(
        self,
        message: Message,
        content: str,
        *,
        at: float | datetime.datetime | None = None,
        after: float | None = None,
    ) -> Message:
        """Queue an edit of ``message``: same id and creation time, new content, decided ``at``."""
        return self.guild.simulation.edit(self, message, content, at=at, after=after)


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
        return self.simulation.general_channel(self)

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
            id=self.simulation.small_id() if id is None else id,
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
