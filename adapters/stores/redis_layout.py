"""How :class:`~spamguard.adapters.stores.redis_consistent.ConsistentRedisStore` lays the guard's state out
in Redis: key names, and the encodings between Redis values and the core's exchange format
(:meth:`spamguard.core.GuardState.slice`).

Keys are prefixed and guild-scoped (``<prefix>:{g:<guild_id>}:...``, see :func:`guild_base`:
the braces are a Redis Cluster hash tag, so every key of a guild is in one slot and every
script touches one slot):

``w:<check>:<scope tag>:<ids>``
    a window: a sorted set scored by ``created_at``, one member per message
    (``id|channel|author|amount|text``, unique by message id, so two messages of the same
    millisecond never collide and a redelivery adds nothing). Trimmed to the window's
    horizon at each load, capped at :data:`~spamguard.core.windows.MAX_ENTRIES`, and given
    a TTL of the horizon (plus ``ttl_slack``) at each write: Redis memory is bounded by
    the windows.
``r:<user_id>``
    the member's recent messages (``id|channel|checksum`` by time), which make a
    redelivered message (same id, same content) a no-op and an edited one a replacement.
``m:<user_id>``
    the member's escalation counters, open incident, and when it joined or left (JSON),
    absent while at defaults; kept while counters matter (forever without an escalation
    ``decay``, like the in-memory guard), else for the policy's horizon (a join time for
    as long as ``new_members`` reads it).
``joins``
    the guild's join windows (see :mod:`~spamguard.adapters.stores.redis_joins`).
``cleaned``
    ids already put in a delete action, so no message is deleted twice; by the message's
    time, cut to the horizon and to the newest ``max_clean_marks`` at each write.
``lock:u:<user_id>``, ``lock:c:<channel_id>``, ``lock:g``
    locks held from load to save (see :mod:`~spamguard.adapters.stores.redis_consistent`).

Scheduled actions are split into :data:`SCHEDULE_BUCKETS` buckets by guild (see
:func:`schedule_bucket`), each with its own hash tag ``{s:<bucket>}`` so that no command
or script touches two Redis Cluster slots (:func:`schedule_keys`):

``<prefix>:{s:<bucket>}:scheduled``
    the bucket's pending actions: a sorted set by due time, each member an action's JSON
    (:meth:`~spamguard.core.plan.ScheduledAction.to_dict`);
``<prefix>:{s:<bucket>}:claimed``
    the actions a process claimed and has not acknowledged yet, scored by the end of their
    lease (Redis server time, milliseconds); see
    :mod:`~spamguard.adapters.stores.redis_scheduled`.

Before the split they sat in one sorted set, ``<prefix>:scheduled``, moved into the buckets
when a store opens.
"""

from __future__ import annotations

__all__ = (
    "DEFAULT_MEMBER",
    "SCHEDULE_BUCKETS",
    "Before",
    "Keys",
    "as_milliseconds",
    "as_score",
    "decode_items",
    "decode_load",
    "encode_item",
    "guild_base",
    "message_keys",
    "save_changes",
    "schedule_bucket",
    "schedule_bucket_of",
    "schedule_keys",
)

import json
import logging
import math
import typing
import zlib

from spamguard.core.engine import MemberState
from spamguard.core.engine.joins import joins_history
from spamguard.core.engine.snapshot import check_member
from spamguard.core.errors import SnapshotError
from spamguard.core.plan import ScheduledAction
from spamguard.core.policy import Scope

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from spamguard.core.engine import Footprint, Guard

_LOGGER = logging.getLogger("spamguard.store.redis")

DEFAULT_MEMBER: typing.Final = {k: v for k, v in MemberState().to_dict().items() if k != "recent"}
"""A member's state at defaults (no recent messages): stored as no key at all."""


class Keys(typing.NamedTuple):
    """The keys one message's decision reads and writes."""

    locks: tuple[str, ...]
    member: str
    recent: str
    cleaned: str
    windows: tuple[str, ...]


class Before(typing.NamedTuple):
    """The raw state a decision was loaded from: what its save compares against."""

    member: str
    recent: dict[str, str]
    cleaned: frozenset[str]
    windows: tuple[dict[str, str], ...]


def guild_base(prefix: str, guild_id: int) -> str:
    """The start of every key of a guild's state: ``<prefix>:{g:<guild_id>}``. The part in
    braces is the key's Redis Cluster hash tag, the same for all of a guild's keys (a key
    set aside as ``<key>:bad:...`` keeps it)."""
    return f"{prefix}:{{g:{guild_id}}}"


SCHEDULE_BUCKETS: typing.Final = 16
"""How many buckets the scheduled actions are split into (each its own cluster slot)."""


def schedule_bucket(item: ScheduledAction) -> int:
    """The bucket of ``item``: its guild's (:func:`schedule_bucket_of`), 0 without a guild."""
    guild_id = getattr(item.action, "guild_id", None)
    if not isinstance(guild_id, int):
        return 0
    return schedule_bucket_of(guild_id)


def schedule_bucket_of(guild_id: int) -> int:
    """The bucket of a guild's scheduled actions: from its id (CRC-32, the same in every
    process; snowflakes' low bits are too often zero to take them as they are)."""
    return zlib.crc32(str(guild_id).encode()) % SCHEDULE_BUCKETS


def schedule_keys(prefix: str, bucket: int) -> tuple[str, str]:
    """The keys of one bucket of scheduled actions: (pending, claimed)."""
    base = f"{prefix}:{{s:{bucket}}}"
    return f"{base}:scheduled", f"{base}:claimed"


def message_keys(prefix: str, spot: Footprint) -> Keys:
    """The keys of ``spot``'s state; its locks sorted (no two messages wait in a cycle)."""
    base = guild_base(prefix, spot.guild_id)
    locks = [f"{base}:lock:u:{spot.user_id}"]
    scopes = {spec.scope for spec in spot.windows}
    if Scope.CHANNEL in scopes:
        locks.append(f"{base}:lock:c:{spot.channel_id}")
    if Scope.GUILD in scopes:
        locks.append(f"{base}:lock:g")
    return Keys(
        locks=tuple(sorted(locks)),
        member=f"{base}:m:{spot.user_id}",
        recent=f"{base}:r:{spot.user_id}",
        cleaned=f"{base}:cleaned",
        # The guard's key is (check, scope tag, guild id, *ids): the guild is in `base`.
        windows=tuple(
            f"{base}:w:" + ":".join(str(part) for part in (spec.key[:2] + spec.key[3:]))
            for spec in spot.windows
        ),
    )


def as_score(value: float) -> str:
    """A sorted-set score, exactly (``repr`` of the float)."""
    return repr(float(value))


def as_milliseconds(seconds: float) -> str:
    """Seconds as whole milliseconds (at least 1), rounded up: a TTL or a lock's life."""
    return str(max(1, math.ceil(seconds * 1000)))


def encode_item(item: ScheduledAction) -> str:
    """A scheduled action as its member of the scheduled set."""
    return json.dumps(item.to_dict(), sort_keys=True, separators=(",", ":"))


def decode_items(raw: Iterable[str]) -> list[ScheduledAction]:
    """Members of the scheduled set as actions; one that does not decode is logged and
    dropped."""
    items = []
    for encoded in raw:
        try:
            items.append(ScheduledAction.from_dict(json.loads(encoded)))
        except (ValueError, KeyError, TypeError):
            _LOGGER.exception("dropping an unreadable scheduled action from Redis: %r", encoded)
    return items


def _encode_entry(entry: Sequence[typing.Any]) -> str:
    _ts, mid, channel, author, amount, text = entry
    return f"{mid}|{channel}|{author}|{amount}|{text}"


def _pairs(flat: Sequence[str]) -> Iterable[tuple[str, float]]:
    return ((flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2))


def _diff(before: dict[str, str], after: dict[str, str], ttl: str) -> dict[str, typing.Any]:
    """Sorted-set changes from member -> score maps: what to add and what to remove."""
    add: list[str] = []
    for member, score in after.items():
        if member not in before:
            add += (score, member)
    return {"add": add, "rem": [m for m in before if m not in after], "ttl": ttl}


def decode_load(
    spot: Footprint, keys: Keys, reply: Sequence[typing.Any]
) -> tuple[dict[str, typing.Any], Before, dict[str, str]]:
    """The load script's reply as an exchange-format slice, the raw state it came from,
    and the keys that could not be read (key -> why): each is left out, as if absent."""
    _ok, member_raw, recent_flat, windows_flat, cleaned_flat = reply
    unreadable: dict[str, str] = {}
    member = dict(DEFAULT_MEMBER)
    if member_raw:
        try:
            stored = json.loads(member_raw)
            if not isinstance(stored, dict):
                msg = f"a JSON object is expected, got {type(stored).__name__}"
                raise SnapshotError(msg)
            member.update(stored)
            check_member({**member, "recent": []}, "member")
        except (ValueError, SnapshotError) as exc:
            unreadable[keys.member] = str(exc)
            member, member_raw = dict(DEFAULT_MEMBER), ""
    recent_raw = dict(zip(recent_flat[::2], recent_flat[1::2], strict=True))
    recent = []
    try:
        for encoded, score in _pairs(recent_flat):
            mid, channel, crc = encoded.split("|")
            recent.append([int(mid), score, int(channel), int(crc)])
    except ValueError as exc:
        unreadable[keys.recent] = f"an entry is not id|channel|checksum ({exc})"
        recent, recent_raw = [], {}
    member["recent"] = recent
    windows = []
    raw_windows = []
    for spec, key, flat in zip(spot.windows, keys.windows, windows_flat, strict=True):
        entries = []
        raw = dict(zip(flat[::2], flat[1::2], strict=True))
        try:
            for encoded, score in _pairs(flat):
                mid, channel, author, amount, text = encoded.split("|", 4)
                entries.append([score, int(mid), int(channel), int(author), int(amount), text])
        except ValueError as exc:
            unreadable[key] = f"an entry is not id|channel|author|amount|text ({exc})"
            entries, raw = [], {}
        windows.append([list(spec.key), "text" if spec.text else "sum", spec.horizon, entries])
        raw_windows.append(raw)
    cleaned = list(_pairs(cleaned_flat))
    state = {
        "members": [[spot.guild_id, spot.user_id, member]] if member_raw or recent else [],
        "windows": windows,
        "cleaned": [[int(mid), ts] for mid, ts in cleaned],
    }
    before = Before(
        member=member_raw or "",
        recent=recent_raw,
        cleaned=frozenset(mid for mid, _ts in cleaned),
        windows=tuple(raw_windows),
    )
    return state, before, unreadable


def save_changes(
    guard: Guard,
    spot: Footprint,
    now_ts: float,
    before: Before,
    after: dict[str, typing.Any],
    *,
    ttl_slack: float,
    max_clean_marks: int,
) -> dict[str, typing.Any]:
    """The save script's argument: what the decision changed, with TTLs."""
    slack = ttl_slack
    horizon_ttl = as_milliseconds(spot.horizon + slack)
    changes: dict[str, typing.Any] = {}

    member: dict[str, typing.Any] = {}
    recent: dict[str, str] = {}
    for _g, _u, data in after.get("members", ()):
        member = dict(data)
        for mid, ts, channel, crc in member.pop("recent"):
            recent[f"{mid}|{channel}|{crc}"] = as_score(ts)
    if member == DEFAULT_MEMBER:
        member = {}
    encoded = json.dumps(member, sort_keys=True, separators=(",", ":")) if member else ""
    if encoded != before.member:
        changes["m"] = encoded
        changes["mttl"] = _member_ttl(guard, spot, member, slack)
    changes["r"] = _diff(before.recent, recent, horizon_ttl)

    cleaned: list[str] = []
    for mid, ts in after.get("cleaned", ()):
        if str(mid) not in before.cleaned:
            cleaned += (as_score(ts), str(mid))
    if cleaned:
        changes["c"] = {
            "add": cleaned,
            "cut": as_score(now_ts - spot.horizon),
            "keep": str(max_clean_marks),
            "ttl": horizon_ttl,
        }

    windows = []
    for spec, (_key, _kind, _horizon, entries), old in zip(
        spot.windows, after.get("windows", ()), before.windows, strict=True
    ):
        new = {_encode_entry(entry): as_score(entry[0]) for entry in entries}
        windows.append(_diff(old, new, as_milliseconds(spec.horizon + slack)))
    changes["w"] = windows
    return changes


def _member_ttl(guard: Guard, spot: Footprint, member: dict[str, typing.Any], slack: float) -> str:
    """``"0"`` (no TTL) while escalation counters matter with no decay to end them."""
    counters = any(
        member.get(name)
        for name in ("warn_count", "timeout_count", "kick_count", "ban_count", "violations")
    )
    ladder = guard.policy_for(spot.guild_id).escalation
    decay = None if ladder is None else ladder.decay
    if counters and decay is None:
        return "0"
    keep = max(spot.horizon, decay or 0)
    if member.get("joined_at") is not None or member.get("left_at") is not None:
        # As long as the in-memory guard keeps them: new_members reads the join time.
        keep = max(keep, joins_history(guard.policy))
    return as_milliseconds(keep + slack)
