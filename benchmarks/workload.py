"""The deterministic message stream both anti-spam libraries are fed in the benchmark.

One seeded :class:`random.Random` draws members, guilds, channels and every message; the
same :class:`Workload` is then rendered two ways, so both sides see identical traffic:

- :func:`spamguard_messages` builds :class:`spamguard.core.Message` values;
- :func:`guild_create_payloads` and :func:`message_create_payloads` build the Discord
  gateway ``GUILD_CREATE`` / ``MESSAGE_CREATE`` payload dicts that a Discord library turns
  into its own objects (see ``peer.py``).

The default shape is the one the throughput issue asks for: 50,000 messages from 1,000
members in 5 guilds with 10 channels each; 10% of the members are spammers who send the
same text with small random edits several times a second; arrival is simulated at
1,000 messages per second, so ``created_at`` advances 1 ms per message from a fixed epoch.
"""

from __future__ import annotations

__all__ = (
    "EPOCH",
    "SPAM_STYLES",
    "Event",
    "GuildInfo",
    "MemberInfo",
    "Workload",
    "generate",
    "guild_create_payloads",
    "message_create_payloads",
    "spamguard_messages",
)

import collections
import dataclasses
import datetime
import random
import typing

if typing.TYPE_CHECKING:
    from spamguard.core import Message

EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
"""When the first simulated message arrives."""

_DISCORD_EPOCH_MS = 1_420_070_400_000
_SNOWFLAKE_BASE_MS = 1_700_000_000_000  # Nov 2023: when the guilds, channels and users were made

# A plain vocabulary, so normal chat has varied words and lengths, as in real channels.
_VOCABULARY = (
    "the be to of and a in that have it for not on with he as you do at this but his by from "
    "they we say her she or an will my one all would there their what so up out if about who "
    "get which go me when make can like time no just him know take people into year your good "
    "some could them see other than then now look only come its over think also back after "
    "use two how our work first well way even new want because any these give day most us "
    "game play stream match win lost team rank patch server build map boss raid loot quest "
    "guild level skill item drop craft trade event season ranked queue lag ping mod bot role "
    "channel voice music song album movie show episode book anime art draw photo meme joke "
    "coffee tea pizza lunch dinner sleep tired morning night weekend today tomorrow later "
    "school class exam homework project code python rust bug fix deploy release test review "
    "cat dog bird weather rain snow sun cold hot summer winter trip train bus car bike walk "
    "nice cool great awesome weird funny sad happy sure maybe probably really actually honestly"
)
_WORDS = tuple(_VOCABULARY.split())
_SHORT_REPLIES = ("lol", "ok", "gg", "yes", "no", "true", "nice", "same", "thanks", "wait what")
_EMOJI = (":joy:", ":fire:", ":eyes:", ":pray:", ":skull:", ":100:", ":wave:", ":tada:")

# Each spammer repeats one of these (with its own code in it) and edits it a little each time.
_SPAM_TEMPLATES = (
    "FREE NITRO for everyone claim yours now at https://dlscord-gift.example/{code} hurry",
    "@everyone I am leaving and giving away my steam inventory https://steamcornmunity.example/{code}",
    "hey check out my new server it has giveaways every day join here discord.gg/{code} !!!",
    "Earn 500 dollars a day from home with crypto trading DM me for details code {code}",
    "who wants free robux?? just login here https://rblx-free.example/{code} and get 10000 robux",
    "selling cheap boosts and accounts best prices on the market contact me now ref {code}",
)
_EDIT_CHARS = "abcdefghijklmnopqrstuvwxyz!?.1234567890"

SPAM_STYLES = ("edits", "counter")
"""How spammers vary their text (see :func:`generate`)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GuildInfo:
    """One simulated guild."""

    id: int
    """The guild's snowflake id (also the id of its @everyone role)."""
    name: str
    """The guild's name."""
    owner_id: int
    """The member who owns the guild (a normal member, never a spammer)."""
    category_id: int
    """The one category that holds every text channel."""
    channel_ids: tuple[int, ...]
    """The guild's text channels."""
    role_ids: tuple[int, ...]
    """Assignable roles, without @everyone."""
    mod_role_id: int
    """The bot's role: kick, ban, manage messages and moderate members."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MemberInfo:
    """One simulated member; each belongs to exactly one guild."""

    id: int
    """The user's snowflake id."""
    name: str
    """Username (also used as display name)."""
    guild_id: int
    """The guild the member talks in."""
    role_ids: tuple[int, ...]
    """The member's roles, without @everyone."""
    home_channel_id: int
    """The channel the member posts in most."""
    is_spammer: bool
    """Whether the member sends near-duplicate spam."""
    spam_text: str
    """The spammer's base text (empty for a normal member)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One message in the stream, independent of any library."""

    id: int
    """The message's snowflake id (its timestamp is :attr:`created_at`)."""
    guild_id: int
    """The guild it was sent in."""
    channel_id: int
    """The channel it was sent in."""
    author_id: int
    """Who sent it."""
    content: str
    """The text."""
    created_at: datetime.datetime
    """Simulated arrival time, timezone-aware UTC."""
    mention_ids: tuple[int, ...]
    """Users mentioned in the text (``<@id>``)."""
    is_spam: bool
    """Whether a spammer sent it."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    """A whole generated stream and the world it happens in."""

    seed: int
    """The seed it was generated from."""
    rate: int
    """Simulated arrivals per second."""
    bot_user_id: int
    """The user id of the bot that runs the anti-spam library (a member of every guild)."""
    guilds: tuple[GuildInfo, ...]
    """Every guild."""
    members: tuple[MemberInfo, ...]
    """Every member, normal and spammer."""
    events: tuple[Event, ...]
    """Every message, in arrival order."""

    @property
    def spammer_ids(self) -> frozenset[int]:
        """Ids of the members who spam."""
        return frozenset(m.id for m in self.members if m.is_spammer)

    @property
    def duration(self) -> datetime.timedelta:
        """Simulated time from the first message to the last."""
        if not self.events:
            return datetime.timedelta(0)
        return self.events[-1].created_at - self.events[0].created_at


def _snowflake(ms: int, increment: int) -> int:
    return ((ms - _DISCORD_EPOCH_MS) << 22) | (increment & 0xFFF)


def _normal_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice(_SHORT_REPLIES)
    words = rng.choices(_WORDS, k=rng.randint(2, 24))
    if roll > 0.92:
        words.append(rng.choice(_EMOJI))
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.capitalize()
    return text + rng.choice(("", "", "", ".", "?", "!", "..."))


def _edit_spam(rng: random.Random, base: str) -> str:
    """Make a small edit that fuzzy matching still sees as the same text."""
    chars = list(base)
    for _ in range(rng.randint(0, 2)):
        kind = rng.randrange(4)
        pos = rng.randrange(len(chars))
        if kind == 0:
            chars[pos] = rng.choice(_EDIT_CHARS)
        elif kind == 1:
            chars.insert(pos, rng.choice(_EDIT_CHARS))
        elif kind == 2 and len(chars) > 1:
            del chars[pos]
        else:
            chars[pos] = chars[pos].swapcase()
    text = "".join(chars)
    if rng.random() < 0.3:
        text += rng.choice((" !!", " pls", " " + rng.choice(_EMOJI), " ."))
    return text


def generate(
    *,
    messages: int = 50_000,
    members: int = 1_000,
    guilds: int = 5,
    channels_per_guild: int = 10,
    spammer_share: float = 0.10,
    spammer_rate: float = 3.0,
    typing_gap: float = 1.0,
    rate: int = 1_000,
    seed: int = 20_240_101,
    spam_style: str = "edits",
) -> Workload:
    """Generate the stream; the same arguments always give the same workload.

    ``spam_style`` is how spammers vary their text: ``"edits"``, 0-2 small random edits
    of one text (so the text as written recurs often); ``"counter"``, the same edits and
    then a random six-digit number, as spam does to dodge exact matching, so that no two
    spam messages are the same text.

    ``spammer_rate`` is how many messages per second each spammer sends on average, at
    random moments. The rest of the ``rate`` arrivals per second come from normal members,
    each chosen at random among those who have not posted in the last ``typing_gap``
    seconds: a person needs a moment to type the next line. (With 1,000 messages a second
    from 1,000 members everyone posts about once a second; drawn without that floor, a
    few would post 8 lines in 5 s by chance, which no one chatting does.)
    """
    if members < guilds or guilds < 1 or channels_per_guild < 1 or rate < 1:
        msg = "need at least one guild, one channel per guild and one member per guild"
        raise ValueError(msg)
    if spam_style not in SPAM_STYLES:
        msg = f"spam_style must be one of {', '.join(SPAM_STYLES)}, got {spam_style!r}"
        raise ValueError(msg)
    rng = random.Random(seed)
    next_id = iter(range(1, 1 << 20))

    def make_id() -> int:
        return _snowflake(_SNOWFLAKE_BASE_MS, 0) + (next(next_id) << 12)

    bot_user_id = make_id()
    guild_ids = [make_id() for _ in range(guilds)]
    guild_channels = {gid: tuple(make_id() for _ in range(channels_per_guild)) for gid in guild_ids}
    guild_roles = {gid: tuple(make_id() for _ in range(4)) for gid in guild_ids}

    spammer_count = round(members * spammer_share)
    spammer_slots = set(rng.sample(range(members), spammer_count))
    member_list: list[MemberInfo] = []
    for n in range(members):
        gid = guild_ids[n % guilds]
        is_spammer = n in spammer_slots
        spam_text = ""
        if is_spammer:
            code = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=8))
            spam_text = rng.choice(_SPAM_TEMPLATES).format(code=code)
        member_list.append(
            MemberInfo(
                id=make_id(),
                name=f"user{n:04d}",
                guild_id=gid,
                role_ids=tuple(rng.sample(guild_roles[gid], rng.randint(0, 2))),
                home_channel_id=rng.choice(guild_channels[gid]),
                is_spammer=is_spammer,
                spam_text=spam_text,
            )
        )

    guild_list = []
    for index, gid in enumerate(guild_ids):
        owner = next(m for m in member_list if m.guild_id == gid and not m.is_spammer)
        guild_list.append(
            GuildInfo(
                id=gid,
                name=f"guild-{index}",
                owner_id=owner.id,
                category_id=make_id(),
                channel_ids=guild_channels[gid],
                role_ids=guild_roles[gid],
                mod_role_id=make_id(),
            )
        )

    spammers = [m for m in member_list if m.is_spammer]
    normals = [m for m in member_list if not m.is_spammer]
    by_guild: dict[int, list[MemberInfo]] = {gid: [] for gid in guild_ids}
    for m in member_list:
        by_guild[m.guild_id].append(m)
    spam_probability = min(1.0, len(spammers) * spammer_rate / rate) if spammers else 0.0
    # Normal members who may post now, and those still typing, oldest first.
    available = list(normals)
    typing_until: collections.deque[tuple[datetime.datetime, MemberInfo]] = collections.deque()
    gap = datetime.timedelta(seconds=typing_gap)

    epoch_ms = int(EPOCH.timestamp() * 1000)
    events: list[Event] = []
    for i in range(messages):
        offset_us = i * 1_000_000 // rate
        created_at = EPOCH + datetime.timedelta(microseconds=offset_us)
        while typing_until and typing_until[0][0] <= created_at:
            available.append(typing_until.popleft()[1])
        is_spam = rng.random() < spam_probability or not normals
        if is_spam:
            author = rng.choice(spammers)
        else:
            if available:
                pick = rng.randrange(len(available))
                available[pick], available[-1] = available[-1], available[pick]
                author = available.pop()
            else:  # everyone is typing: the one who started first posts early
                author = typing_until.popleft()[1]
            typing_until.append((created_at + gap, author))
        if rng.random() < (0.8 if is_spam else 0.6):
            channel_id = author.home_channel_id
        else:
            channel_id = rng.choice(guild_channels[author.guild_id])
        mention_ids: tuple[int, ...] = ()
        if is_spam:
            content = _edit_spam(rng, author.spam_text)
            if spam_style == "counter":
                content += f" {rng.randrange(1_000_000):06d}"
        else:
            content = _normal_text(rng)
            if rng.random() < 0.05:
                other = rng.choice(by_guild[author.guild_id])
                mention_ids = (other.id,)
                content = f"<@{other.id}> {content}"
        events.append(
            Event(
                id=_snowflake(epoch_ms + offset_us // 1000, i),
                guild_id=author.guild_id,
                channel_id=channel_id,
                author_id=author.id,
                content=content,
                created_at=created_at,
                mention_ids=mention_ids,
                is_spam=is_spam,
            )
        )

    return Workload(
        seed=seed,
        rate=rate,
        bot_user_id=bot_user_id,
        guilds=tuple(guild_list),
        members=tuple(member_list),
        events=tuple(events),
    )


def spamguard_messages(workload: Workload) -> list[Message]:
    """Render the stream as :class:`spamguard.core.Message` values."""
    from spamguard.core import Message

    members = {m.id: m for m in workload.members}
    category = {c: g.category_id for g in workload.guilds for c in g.channel_ids}
    owners = {g.id: g.owner_id for g in workload.guilds}
    role_sets = {m.id: frozenset(m.role_ids) for m in workload.members}
    return [
        Message(
            id=e.id,
            guild_id=e.guild_id,
            channel_id=e.channel_id,
            author_id=e.author_id,
            content=e.content,
            created_at=e.created_at,
            author_role_ids=role_sets[e.author_id],
            mention_ids=e.mention_ids,
            category_id=category[e.channel_id],
            author_is_owner=owners[e.guild_id] == e.author_id,
            author_name=members[e.author_id].name,
        )
        for e in workload.events
    ]


# --- Discord gateway payloads -------------------------------------------------------------

_JOINED_AT = "2023-11-14T22:13:20.000000+00:00"
_PERMISSIONS_EVERYONE = 0x0000_0000_0001_CC40  # view, send, embed, attach, history, reactions
_PERMISSIONS_MOD = 0x0000_0100_0000_2006  # kick, ban, manage messages, moderate members


# The fields Discord sends that nothing here varies (hikari reads them all).
_ROLE_EXTRAS: dict[str, typing.Any] = {
    "description": None,
    "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
    "icon": None,
    "unicode_emoji": None,
    "flags": 0,
}
_GUILD_EXTRAS: dict[str, typing.Any] = {
    "splash": None,
    "discovery_splash": None,
    "banner": None,
    "description": None,
    "region": "deprecated",
    "afk_channel_id": None,
    "afk_timeout": 300,
    "widget_enabled": False,
    "widget_channel_id": None,
    "application_id": None,
    "system_channel_id": None,
    "system_channel_flags": 0,
    "rules_channel_id": None,
    "public_updates_channel_id": None,
    "safety_alerts_channel_id": None,
    "max_presences": None,
    "max_members": 500_000,
    "max_video_channel_users": 25,
    "max_stage_video_channel_users": 50,
    "vanity_url_code": None,
    "premium_subscription_count": 0,
    "premium_progress_bar_enabled": False,
    "nsfw": False,
    "nsfw_level": 0,
    "presences": [],
    "voice_states": [],
    "stage_instances": [],
    "guild_scheduled_events": [],
}


def _user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, typing.Any]:
    payload: dict[str, typing.Any] = {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "flags": 0,
    }
    if bot:
        payload["bot"] = True  # Discord omits ``bot`` for humans rather than sending false
    return payload


def _member_payload(role_ids: tuple[int, ...]) -> dict[str, typing.Any]:
    return {
        "nick": None,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in role_ids],
        "joined_at": _JOINED_AT,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def guild_create_payloads(workload: Workload) -> list[dict[str, typing.Any]]:
    """One ``GUILD_CREATE`` payload per guild, with its roles, channels and members.

    The bot is a member of every guild with a role that may kick, ban and time out.
    """
    payloads = []
    for guild in workload.guilds:
        roles = [
            {
                "id": str(guild.id),
                "name": "@everyone",
                "permissions": str(_PERMISSIONS_EVERYONE),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                **_ROLE_EXTRAS,
            },
            {
                "id": str(guild.mod_role_id),
                "name": "antispam-bot",
                "permissions": str(_PERMISSIONS_MOD),
                "position": 10,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                **_ROLE_EXTRAS,
            },
        ]
        roles.extend(
            {
                "id": str(role_id),
                "name": f"role-{n}",
                "permissions": "0",
                "position": n + 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": True,
                **_ROLE_EXTRAS,
            }
            for n, role_id in enumerate(guild.role_ids)
        )
        channels: list[dict[str, typing.Any]] = [
            {
                "id": str(guild.category_id),
                "type": 4,
                "name": "Text Channels",
                "position": 0,
                "permission_overwrites": [],
                "parent_id": None,
                "guild_id": str(guild.id),
                "flags": 0,
            }
        ]
        channels.extend(
            {
                "id": str(channel_id),
                "type": 0,
                "name": f"chat-{n}",
                "position": n,
                "parent_id": str(guild.category_id),
                "topic": None,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "permission_overwrites": [],
                "guild_id": str(guild.id),
                "last_pin_timestamp": None,
                "flags": 0,
            }
            for n, channel_id in enumerate(guild.channel_ids)
        )
        members = [
            {
                **_member_payload((guild.mod_role_id,)),
                "user": _user_payload(workload.bot_user_id, "antispam-bot", bot=True),
            }
        ]
        members.extend(
            {**_member_payload(m.role_ids), "user": _user_payload(m.id, m.name)}
            for m in workload.members
            if m.guild_id == guild.id
        )
        payloads.append(
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "owner_id": str(guild.owner_id),
                "roles": roles,
                "channels": channels,
                "threads": [],
                "members": members,
                "member_count": len(members),
                "emojis": [],
                "stickers": [],
                "features": [],
                "large": False,
                "unavailable": False,
                "verification_level": 0,
                "default_message_notifications": 0,
                "explicit_content_filter": 0,
                "mfa_level": 0,
                "premium_tier": 0,
                "preferred_locale": "en-US",
                "joined_at": _JOINED_AT,
                **_GUILD_EXTRAS,
            }
        )
    return payloads


def message_create_payloads(workload: Workload) -> list[dict[str, typing.Any]]:
    """One ``MESSAGE_CREATE`` payload per event, as the gateway sends it for a guild message."""
    members = {m.id: m for m in workload.members}
    payloads = []
    for e in workload.events:
        author = members[e.author_id]
        payloads.append(
            {
                "type": 0,
                "id": str(e.id),
                "channel_id": str(e.channel_id),
                "guild_id": str(e.guild_id),
                "author": _user_payload(author.id, author.name),
                "member": _member_payload(author.role_ids),
                "content": e.content,
                "timestamp": e.created_at.isoformat(),
                "edited_timestamp": None,
                "tts": False,
                "mention_everyone": False,
                "mentions": [
                    {
                        **_user_payload(uid, members[uid].name),
                        "member": _member_payload(members[uid].role_ids),
                    }
                    for uid in e.mention_ids
                ],
                "mention_roles": [],
                "attachments": [],
                "embeds": [],
                "pinned": False,
                "flags": 0,
                "components": [],
            }
        )
    return payloads
