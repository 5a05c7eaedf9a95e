"""A raid on a real bot: many new members flood one channel, and what the bot then asks of
Discord, read from the REST stand-in's request log.

Shared by the raid benchmark (``benchmarks/bench_raid.py``) and the contract suite's raid
test (``tests/adapter_contract/test_raid.py``), so both drive and count the same way:

* `raid_world`: the standard world plus ``raiders`` ordinary members who joined recently;
* `raid_policy`: "``count`` messages in ``interval`` s -> TIMEOUT, clean";
* `run_raid`: a protected bot of a library (attached with default options but the
  policy), fed every raider's messages as gateway MESSAGE_CREATE events interleaved over
  ``seconds`` of real time (``consume``: listeners overlap as with a real gateway), then
  waits until every raid message is deleted and every raider timed out, or ``cap``
  seconds passed, and closes the bot;
* `RaidResult`: the requests by kind, the floor (the fewest requests that handle the
  raid), which messages were deleted how often, which raiders were timed out how often,
  and the time from the last raid message to the last deletion.

The runtime's clock is the real one: message timestamps are the wall clock when each is
fed, so the guard, the runtime and the libraries' rate-limit handling all see real time.
"""

from __future__ import annotations

__all__ = (
    "RaidResult",
    "RaidWorld",
    "raid_policy",
    "raid_world",
    "run_raid",
)

import asyncio
import collections
import dataclasses
import datetime
import math
import time
import typing

from spamguard.core import Policy

from . import payloads
from .discord_api import DiscordAPI
from .library_harness import STARTUP_ROUTES

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .discord_api import RecordedRequest
    from .library_harness import BotHarness, LibraryHarness

JSON = dict[str, typing.Any]

BULK_DELETE: typing.Final = "/channels/{channel_id}/messages/bulk-delete"
SINGLE_DELETE: typing.Final = "/channels/{channel_id}/messages/{message_id}"
MEMBER: typing.Final = "/guilds/{guild_id}/members/{user_id}"

KINDS: typing.Final = ("timeout", "bulk delete", "single delete", "GET member", "other")
"""The kinds `RaidResult.kinds` counts requests by, in the order reports print them."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RaidWorld:
    """The standard world and the raiders, members of its guild."""

    world: payloads.GuildWorld
    """What the bot learns through GUILD_CREATE: the raiders are among its members only
    when they are cached (`raid_world`'s ``cached``)."""
    guild: payloads.Guild
    """The whole guild, raiders included: what Discord (the stand-in) knows."""
    raiders: tuple[payloads.Member, ...]
    """The raiding members, ordinary accounts without roles."""


def raid_world(raiders: int, *, cached: bool = False) -> RaidWorld:
    """`payloads.build_world` plus ``raiders`` members without roles ("raider00"...),
    accounts created and joined a day after the guild's other members.

    Unless ``cached``, GUILD_CREATE does not list the raiders, so the bot's library has
    them only from the ``member`` each MESSAGE_CREATE carries: the common case of a bot
    in a large guild that does not chunk its members, or without the members intent.
    """
    world = payloads.build_world()
    base = payloads.snowflake_time(world.guild.id) + datetime.timedelta(days=1)
    members = tuple(
        payloads.Member(
            user=payloads.User(
                id=payloads.snowflake(base, increment=i),
                username=f"raider{i:02}",
                global_name=f"Raider {i}",
            ),
            joined_at=base + datetime.timedelta(minutes=1, seconds=i),
        )
        for i in range(raiders)
    )
    guild = dataclasses.replace(world.guild, members=(*world.guild.members, *members))
    if cached:
        world = dataclasses.replace(world, guild=guild)
    return RaidWorld(world=world, guild=guild, raiders=members)


def raid_policy(*, count: int = 5, interval: int = 10, duration: int = 300) -> Policy:
    """ "``count`` messages in ``interval`` s -> TIMEOUT for ``duration`` s, clean"."""
    level = {
        "punishment": "TIMEOUT",
        "punishment_duration": duration,
        "clean": True,
        "max_messages": {"count": count, "interval": interval},
    }
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}})


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RaidResult:
    """What a raid made the bot send, read from the stand-in's request log."""

    library: str
    """The library under test."""
    raiders: tuple[int, ...] = dataclasses.field(repr=False)
    """The raiders' user ids."""
    punished: int
    """How many raiders posted enough messages to be punished."""
    sent: tuple[JSON, ...] = dataclasses.field(repr=False)
    """The raid's MESSAGE_CREATE payloads, in the order they were fed."""
    requests: tuple[RecordedRequest, ...] = dataclasses.field(repr=False)
    """Every request from the first raid message until the bot closed, but those the
    library makes on its own while starting."""
    fed_in: float
    """Seconds from the first raid message fed to the last."""
    last_sent: float
    """`time.monotonic` when the last raid message was fed."""

    @property
    def floor(self) -> int:
        """The fewest requests that handle the raid: one punishment per punished raider,
        one bulk delete per 100 raid messages."""
        return self.punished + math.ceil(len(self.sent) / 100)

    @property
    def ratio(self) -> float:
        """Requests (429s included) per request of the floor."""
        return len(self.requests) / self.floor

    def kinds(self) -> collections.Counter[str]:
        """Requests by kind (`KINDS`), 429s included."""
        return collections.Counter(_kind(r) for r in self.requests)

    def rate_limited(self) -> int:
        """Requests answered 429."""
        return sum(r.status == 429 for r in self.requests)

    def deletions(self) -> collections.Counter[int]:
        """How many successful requests deleted each raid message (0: never)."""
        counts = collections.Counter({int(m["id"]): 0 for m in self.sent})
        for r in self.requests:
            counts.update(i for i in deleted_ids(r) if i in counts)
        return counts

    def timeouts(self) -> collections.Counter[int]:
        """How many successful timeouts each raider got (0: none)."""
        counts = collections.Counter(dict.fromkeys(self.raiders, 0))
        counts.update(u for r in self.requests if (u := timed_out(r)) is not None and u in counts)
        return counts

    def last_deletion_after(self) -> float | None:
        """Seconds from the last raid message to the last request that deleted one (None:
        none was deleted)."""
        raid = {int(m["id"]) for m in self.sent}
        return self._after(r for r in self.requests if raid.intersection(deleted_ids(r)))

    def last_timeout_after(self) -> float | None:
        """Seconds from the last raid message to the last successful timeout (None: none)."""
        return self._after(r for r in self.requests if timed_out(r) is not None)

    def _after(self, requests: Iterable[RecordedRequest]) -> float | None:
        times = [r.monotonic for r in requests]
        return max(times) - self.last_sent if times else None


def deleted_ids(request: RecordedRequest) -> list[int]:
    """The messages a request deleted: the ids of a successful bulk or single delete."""
    if request.status >= 300:
        return []
    if request.method == "POST" and request.route == BULK_DELETE:
        return [int(i) for i in (request.json or {}).get("messages", ())]
    if request.method == "DELETE" and request.route == SINGLE_DELETE:
        return [int(request.params["message_id"])]
    return []


def timed_out(request: RecordedRequest) -> int | None:
    """The member a request timed out successfully, if it did."""
    ok = request.status < 300 and _is_timeout(request)
    return int(request.params["user_id"]) if ok else None


def _is_timeout(request: RecordedRequest) -> bool:
    return (
        request.method == "PATCH"
        and request.route == MEMBER
        and "communication_disabled_until" in (request.json or {})
    )


def _kind(request: RecordedRequest) -> str:
    if _is_timeout(request):
        return "timeout"
    if request.method == "POST" and request.route == BULK_DELETE:
        return "bulk delete"
    if request.method == "DELETE" and request.route == SINGLE_DELETE:
        return "single delete"
    if request.method == "GET" and request.route == MEMBER:
        return "GET member"
    return "other"


def raid_order(raiders: int, messages: int) -> list[tuple[int, int]]:
    """``(raider index, message number)`` in feeding order: round after round, each raider
    one message per round, as accounts posting at the same pace interleave."""
    return [(r, k) for k in range(messages) for r in range(raiders)]


async def run_raid(
    library: LibraryHarness,
    *,
    raiders: int = 40,
    messages: int = 8,
    seconds: float = 4.0,
    count: int = 5,
    cap: float = 30.0,
    cached: bool = False,
    policy: Policy | None = None,
    **options: typing.Any,
) -> RaidResult:
    """Raid a bot of ``library`` protected by ``policy`` (default: `raid_policy` with
    ``count``) and return what it sent.

    ``raiders`` members each post ``messages`` messages into the world's general channel,
    all fed evenly over ``seconds`` of real time. Then it waits until every raid message
    was deleted and every raider with ``count`` messages timed out, or ``cap`` seconds
    after the last raid message, and closes the bot (spamguard detaches first, flushing
    what it still holds: those requests count too). ``cached``: see `raid_world`.
    ``options`` go to ``attach`` (none: the defaults a user gets).
    """
    raid = raid_world(raiders, cached=cached)
    world = raid.world
    punished = raiders if messages >= count else 0
    async with DiscordAPI.for_world(world) as api:
        api.seed_guild(raid.guild)
        async with library.protected(
            world, api=api, policy=policy or raid_policy(count=count), **options
        ) as (harness, _protection):
            api.clear()
            started = time.monotonic()
            sent = await _feed(harness, raid, messages, seconds)
            last_sent = time.monotonic()
            await _wait_handled(api, sent, punished, deadline=last_sent + cap)
            await harness.settle(timeout=cap)
        requests = tuple(r for r in api.requests if r.route not in STARTUP_ROUTES)
    return RaidResult(
        library=library.name,
        raiders=tuple(m.id for m in raid.raiders),
        punished=punished,
        sent=tuple(sent),
        requests=requests,
        fed_in=last_sent - started,
        last_sent=last_sent,
    )


async def _feed(harness: BotHarness, raid: RaidWorld, messages: int, seconds: float) -> list[JSON]:
    """Feed the raid's MESSAGE_CREATE events at evenly spaced real times."""
    loop = asyncio.get_running_loop()
    order = raid_order(len(raid.raiders), messages)
    step = seconds / max(len(order) - 1, 1)
    start = loop.time()
    sent: list[JSON] = []
    for i, (r, k) in enumerate(order):
        # Absolute targets: a late message does not delay the ones after it.
        await asyncio.sleep(max(0.0, start + i * step - loop.time()))
        payload = raid.world.message(
            author=raid.raiders[r],
            content=f"free nitro at raid.example/{r} #{k}",
            created_at=datetime.datetime.now(tz=datetime.UTC),
        )
        harness.consume("MESSAGE_CREATE", payload)
        sent.append(payload)
    return sent


async def _wait_handled(
    api: DiscordAPI, sent: Sequence[JSON], punished: int, *, deadline: float
) -> None:
    """Poll the request log until every sent message was deleted and ``punished``
    raiders were timed out, or ``deadline`` (`time.monotonic`) passed."""
    pending = {int(m["id"]) for m in sent}
    timed_out_ids: set[int] = set()
    seen = 0
    while time.monotonic() < deadline:
        log = api.requests
        for r in log[seen:]:
            pending.difference_update(deleted_ids(r))
            if (user := timed_out(r)) is not None:
                timed_out_ids.add(user)
        seen = len(log)
        if not pending and len(timed_out_ids) >= punished:
            return
        await asyncio.sleep(0.02)
