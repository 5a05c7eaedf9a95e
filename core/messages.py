"""The message and member shapes the core reads.

Adapters satisfy :class:`MessageLike` with their own objects or build a :class:`Message`
with :meth:`Message.from_adapter`; tests build :class:`Message` directly. The core only
ever reads these attributes.
"""

from __future__ import annotations

__all__ = (
    "DEFERRED_FIELDS",
    "EARLIEST_TIME",
    "LATEST_TIME",
    "MAX_ATTACHMENTS",
    "MEMBER_MESSAGE_TYPES",
    "Attachment",
    "MemberLike",
    "Message",
    "MessageDetails",
    "MessageLike",
    "check_time",
    "snowflake_seconds",
    "snowflake_time",
    "typed_by_member",
)

import dataclasses
import datetime
import typing

from spamguard.core.errors import MessageError

_DISCORD_EPOCH_MS = 1_420_070_400_000

EARLIEST_TIME: typing.Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
"""The earliest ``created_at`` (and ``now``) the core accepts: POSIX time 0. Discord's
own clock starts in 2015; logs written by hand often count seconds from 0."""

LATEST_TIME: typing.Final = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)
"""The first ``created_at`` (and ``now``) the core refuses. The decision adds to the time
(a punishment's end, at most ten years ahead) and subtracts from it (history windows,
the 14-day limit of bulk deletes); these bounds keep every result a date Python can hold,
from the year 1 to the year 9999, with centuries to spare."""


def check_time(field: str, value: datetime.datetime) -> None:
    """Refuse a time the core cannot decide on.

    Raises:
        MessageError: ``value`` is naive, or outside
            [:data:`EARLIEST_TIME`, :data:`LATEST_TIME`); the error names ``field``.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        problem = (
            "must be timezone-aware, e.g. datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), "
            f"got {value.isoformat()}"
        )
        raise MessageError(field, problem)
    if not EARLIEST_TIME <= value < LATEST_TIME:
        problem = f"must be between 1970-01-01 and 9000-01-01 (UTC), got {value.isoformat()}"
        raise MessageError(field, problem)


MAX_ATTACHMENTS: typing.Final = 20
"""Attachments a message carries at most as :class:`Attachment` values: Discord's own cap is
10 per message, and a forwarded message adds its snapshot's (see :attr:`Message.attachments`).
An adapter keeps the first ones; ``attachment_count`` still counts them all."""


@dataclasses.dataclass(frozen=True, slots=True)
class Attachment:
    """What a message's attached file looks like from its metadata alone (never downloaded):
    the same upload posted again (to another channel, by a taken-over account) has the same
    values. Frozen and hashable, so a set of them is a message's attachment signature."""

    filename: str
    """The file's name as uploaded (``"gift.png"``)."""
    size: int
    """Bytes."""
    content_type: str = ""
    """The media type Discord reports (``"image/png"``), ``""`` when it gives none."""
    width: int | None = None
    """Pixels, for images and videos; None when Discord gives none."""
    height: int | None = None
    """Pixels, for images and videos; None when Discord gives none."""


@typing.runtime_checkable
class MemberLike(typing.Protocol):
    """What the core needs to know about the author of a message."""

    @property
    def id(self) -> int:
        """The user's id."""

    @property
    def role_ids(self) -> frozenset[int]:
        """Ids of the member's roles, without the guild's @everyone role."""

    @property
    def is_bot(self) -> bool:
        """Whether the user is a bot account."""

    @property
    def is_admin(self) -> bool:
        """Whether the member has the administrator permission."""

    @property
    def can_manage_messages(self) -> bool:
        """Whether the member has manage-messages in the channel of the message."""

    @property
    def is_owner(self) -> bool:
        """Whether the member owns the guild."""


@typing.runtime_checkable
class MessageLike(typing.Protocol):
    """What the core reads from a message; :class:`Message` is the reference implementation.

    Notice templates also read, when an object has them, :class:`Message`'s optional
    ``author_avatar_url``, ``guild_icon_url``, ``bot_id``, ``bot_name`` and
    ``bot_avatar_url`` (an object without them renders those variables as empty), and
    extensions read ``attachments``, ``sticker_ids`` and ``forwarded`` when it has them
    (an object without them has no attachment metadata, stickers or forwarded text).
    """

    @property
    def id(self) -> int: ...
    @property
    def guild_id(self) -> int | None: ...
    @property
    def channel_id(self) -> int: ...
    @property
    def author_id(self) -> int: ...
    @property
    def content(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def author_is_bot(self) -> bool: ...
    @property
    def author_role_ids(self) -> frozenset[int]: ...
    @property
    def mention_ids(self) -> tuple[int, ...]: ...
    @property
    def role_mention_ids(self) -> tuple[int, ...]: ...
    @property
    def mentions_everyone(self) -> bool: ...
    @property
    def attachment_count(self) -> int: ...
    @property
    def sticker_count(self) -> int: ...
    @property
    def embed_count(self) -> int: ...
    @property
    def category_id(self) -> int | None: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def author_is_admin(self) -> bool: ...
    @property
    def author_can_manage_messages(self) -> bool: ...
    @property
    def author_is_owner(self) -> bool: ...
    @property
    def author_name(self) -> str: ...
    @property
    def guild_name(self) -> str: ...
    @property
    def channel_name(self) -> str: ...


DEFERRED_FIELDS: typing.Final = frozenset(
    {
        "author_name",
        "guild_name",
        "channel_name",
        "author_avatar_url",
        "guild_icon_url",
        "bot_id",
        "bot_name",
        "bot_avatar_url",
    }
)
"""The fields of a :meth:`Message.from_adapter` message that are worked out the first
time they are read: what notice templates show, which only a notice reads. Everything
else (the author's standing too: the default policy reads it for every message) an
adapter reads from the library message at once."""


class MessageDetails(typing.Protocol):
    """Where :meth:`Message.from_adapter` reads the :data:`DEFERRED_FIELDS` from: one
    attribute (usually a property over the library's objects) for each, of the same name
    and type as :class:`Message`'s field. Each is read at most once per message."""

    @property
    def author_name(self) -> str: ...
    @property
    def guild_name(self) -> str: ...
    @property
    def channel_name(self) -> str: ...
    @property
    def author_avatar_url(self) -> str: ...
    @property
    def guild_icon_url(self) -> str: ...
    @property
    def bot_id(self) -> int | None: ...
    @property
    def bot_name(self) -> str: ...
    @property
    def bot_avatar_url(self) -> str: ...


class _DetailsSlot:
    # The one slot of a Message that is not a field: the details a from_adapter message
    # reads its deferred fields from (unset on a Message built by its constructor).
    __slots__ = ("_details",)
    _details: MessageDetails


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Message(_DetailsSlot):
    """One guild (or DM) message, as the core sees it.

    Build one in a test with the six required fields; everything else has a neutral default.
    Adapters build theirs with :meth:`from_adapter`, which is cheaper and computes some
    fields only when they are read; both kinds are immutable values that compare by
    their fields.
    """

    id: int
    """The message's snowflake id; the core uses it to clean and to recognise redeliveries and edits."""
    guild_id: int | None
    """The guild the message was sent in; ``None`` for a direct message (always skipped)."""
    channel_id: int
    """The channel (or thread) the message was sent in."""
    author_id: int
    """The author's user id."""
    content: str
    """The text of the message (``""`` when it only has attachments or stickers)."""
    created_at: datetime.datetime
    """When the message was sent; timezone-aware, from :data:`EARLIEST_TIME` to before
    :data:`LATEST_TIME` (else :class:`~spamguard.core.MessageError`). This is the core's clock."""
    author_is_bot: bool = False
    """Whether the author is a bot account."""
    author_role_ids: frozenset[int] = frozenset()
    """The author's role ids, without the @everyone role."""
    mention_ids: tuple[int, ...] = ()
    """Users mentioned in the message, in order, duplicates removed by Discord."""
    role_mention_ids: tuple[int, ...] = ()
    """Roles mentioned in the message."""
    mentions_everyone: bool = False
    """Whether the message pinged @everyone or @here (and was allowed to)."""
    attachment_count: int = 0
    """Number of attached files."""
    sticker_count: int = 0
    """Number of stickers."""
    embed_count: int = 0
    """Number of embeds."""
    category_id: int | None = None
    """The category of the channel (for a thread, of its parent channel)."""
    parent_id: int | None = None
    """For a message in a thread, the thread's parent channel."""
    author_is_admin: bool = False
    """Whether the author has the administrator permission."""
    author_can_manage_messages: bool = False
    """Whether the author has manage-messages in this channel."""
    author_is_owner: bool = False
    """Whether the author owns the guild."""
    author_joined_at: datetime.datetime | None = None
    """When the author joined the guild (the gateway's member object), if known: the
    policy's ``new_members`` reads it (else the join the guard saw, else the account's age)."""
    attachments: tuple[Attachment, ...] = ()
    """The attached files' metadata, in order, a forwarded message's snapshot's after the
    message's own; at most :data:`MAX_ATTACHMENTS`. ``attachment_count`` is at least its
    length (a message built with ``attachments`` alone counts them)."""
    sticker_ids: tuple[int, ...] = ()
    """The ids of the message's stickers (a forwarded message's snapshot's too)."""
    forwarded: bool = False
    """Whether the message forwards another (Discord's ``message_snapshots``): ``content``
    then holds the message's own text followed by the forwarded text, and ``attachments``
    both messages' files, so a forwarded scam is checked like a typed one."""
    author_name: str = ""
    """Display name of the author, for templates (``$MEMBERNAME``)."""
    guild_name: str = ""
    """Name of the guild, for templates (``$GUILDNAME``)."""
    channel_name: str = ""
    """Name of the channel, for templates (``$CHANNELNAME``)."""
    author_avatar_url: str = ""
    """URL of the author's avatar as the guild shows it, for templates (``$MEMBERAVATAR``)."""
    guild_icon_url: str = ""
    """URL of the guild's icon, ``""`` when it has none, for templates (``$GUILDICON``)."""
    bot_id: int | None = None
    """The user id of the bot that received the message, for templates (``$BOTID``,
    ``$MENTIONBOT``); None: the guard's ``self_id``."""
    bot_name: str = ""
    """The bot's display name in the guild, for templates (``$BOTNAME``)."""
    bot_avatar_url: str = ""
    """URL of the bot's avatar as the guild shows it, for templates (``$BOTAVATAR``)."""

    def __post_init__(self) -> None:
        check_time("created_at", self.created_at)
        if len(self.attachments) > self.attachment_count:
            object.__setattr__(self, "attachment_count", len(self.attachments))
        if len(self.sticker_ids) > self.sticker_count:
            object.__setattr__(self, "sticker_count", len(self.sticker_ids))

    @classmethod
    def from_adapter(
        cls,
        details: MessageDetails,
        /,
        *,
        id: int,
        guild_id: int,
        channel_id: int,
        author_id: int,
        content: str,
        created_at: datetime.datetime,
        author_is_bot: bool,
        author_role_ids: frozenset[int],
        mention_ids: tuple[int, ...],
        role_mention_ids: tuple[int, ...],
        mentions_everyone: bool,
        attachment_count: int,
        sticker_count: int,
        embed_count: int,
        category_id: int | None,
        parent_id: int | None,
        author_is_admin: bool,
        author_can_manage_messages: bool,
        author_is_owner: bool,
        author_joined_at: datetime.datetime | None = None,
        attachments: tuple[Attachment, ...] = (),
        sticker_ids: tuple[int, ...] = (),
        forwarded: bool = False,
    ) -> Message:
        """The message an adapter converts from a Discord library's message.

        Unlike the constructor it trusts its arguments: they come typed from the library,
        and a time from Discord is within :data:`EARLIEST_TIME` and :data:`LATEST_TIME`,
        so ``created_at`` is not checked. The :data:`DEFERRED_FIELDS` are read from
        ``details`` the first time each is read from the message, then kept: a message
        that triggers no notice never pays for the names and avatars. Every read of ``details`` happens while
        the core decides about the message, which is when the adapter converted it.
        """
        message = object.__new__(cls)
        # Slots set directly: the frozen dataclass's __init__ and __post_init__ cost as
        # much as the rest of a conversion together (benchmarks/bench_conversion.py).
        fill = object.__setattr__
        fill(message, "id", id)
        fill(message, "guild_id", guild_id)
        fill(message, "channel_id", channel_id)
        fill(message, "author_id", author_id)
        fill(message, "content", content)
        fill(message, "created_at", created_at)
        fill(message, "author_is_bot", author_is_bot)
        fill(message, "author_role_ids", author_role_ids)
        fill(message, "mention_ids", mention_ids)
        fill(message, "role_mention_ids", role_mention_ids)
        fill(message, "mentions_everyone", mentions_everyone)
        fill(message, "attachment_count", attachment_count)
        fill(message, "sticker_count", sticker_count)
        fill(message, "embed_count", embed_count)
        fill(message, "category_id", category_id)
        fill(message, "parent_id", parent_id)
        fill(message, "author_is_admin", author_is_admin)
        fill(message, "author_can_manage_messages", author_can_manage_messages)
        fill(message, "author_is_owner", author_is_owner)
        fill(message, "author_joined_at", author_joined_at)
        fill(message, "attachments", attachments)
        fill(message, "sticker_ids", sticker_ids)
        fill(message, "forwarded", forwarded)
        fill(message, "_details", details)
        return message


class _Deferred:
    """A deferred field of :class:`Message`: its slot, filled from a
    :meth:`~Message.from_adapter` message's details the first time it is read.

    A descriptor on the deferred fields alone, not ``__getattr__`` on the class: a class
    with ``__getattr__`` has every attribute read go through it (CPython then no longer
    specialises them), which cost the guard ~6.7k instructions a message (comparable
    policy, pure; ``benchmarks/bench_instructions.py``).
    """

    __slots__ = ("name", "slot")

    def __init__(self, name: str, slot: typing.Any) -> None:
        self.name = name
        self.slot = slot

    def __get__(self, message: Message | None, owner: type | None = None) -> typing.Any:
        if message is None:
            return self.slot
        try:
            return self.slot.__get__(message, owner)
        except AttributeError:  # a from_adapter message's field, read for the first time
            value = getattr(message._details, self.name)
            self.slot.__set__(message, value)
            return value

    def __set__(self, message: Message, value: object) -> None:
        self.slot.__set__(message, value)


for _name in sorted(DEFERRED_FIELDS):
    setattr(Message, _name, _Deferred(_name, Message.__dict__[_name]))
del _name


def snowflake_seconds(snowflake: int) -> float:
    """The creation time encoded in a Discord snowflake id, as POSIX seconds."""
    return ((snowflake >> 22) + _DISCORD_EPOCH_MS) / 1000


def snowflake_time(snowflake: int) -> datetime.datetime:
    """The creation time encoded in a Discord snowflake id."""
    return datetime.datetime.fromtimestamp(snowflake_seconds(snowflake), tz=datetime.UTC)


MEMBER_MESSAGE_TYPES = frozenset({0, 19})
"""The Discord message types a member typed: DEFAULT (0) and REPLY (19). Every other type
(member join notice, pin, boost, thread created, slash command...) names the member as
its author without the member having written it."""


def typed_by_member(message_type: int, *, webhook_id: int | None) -> bool:
    """Whether a guild message was typed by a member, the only messages an adapter hands
    to the guard: one of :data:`MEMBER_MESSAGE_TYPES` (Discord's raw ``type``), and not sent
    by a webhook (a webhook is never a member, whatever name it posts under)."""
    return webhook_id is None and message_type in MEMBER_MESSAGE_TYPES
