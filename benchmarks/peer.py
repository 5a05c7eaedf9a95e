"""Drive discord-anti-spam 1.9.1 (the peer) offline, with real discord.py objects.

How the peer is fed, and why:

- Messages are real :class:`discord.Message` objects, built from the workload's
  ``MESSAGE_CREATE`` payloads against a real :class:`discord.state.ConnectionState` (the
  one a :class:`discord.Client` owns) whose guilds, roles, channels and members come from
  ``GUILD_CREATE`` payloads, exactly as the gateway code path builds them. No network is
  opened: nothing the peer calls with ``no_punish=True`` sends a request.
- They are built before timing starts, and afresh for every pass: discord.py caches
  properties such as ``clean_content`` on the object, so a second pass over the same
  objects would skip work the peer really does.
- The peer's only clock is ``antispam.util.get_aware_time()`` (wall time), which stamps each
  stored message and expires its 30 s window. A benchmark that replays 50 s of traffic in a
  few seconds would otherwise hold the whole run in one window. :class:`SimulatedClock`
  replaces the ``datetime`` name inside ``antispam.util`` so that function returns the
  simulated arrival time of the message being propagated, which is what the wall clock
  would read at 1,000 msg/s in production. No detection logic is touched; ``--peer-clock
  wall`` runs it on the real clock instead.
"""

from __future__ import annotations

__all__ = ("PeerWorld", "SimulatedClock", "build_world", "make_handler")

import contextlib
import dataclasses
import datetime
import typing

import antispam.util
import discord
from antispam import AntiSpamHandler, Options
from antispam.enums import Library
from discord.state import ConnectionState

if typing.TYPE_CHECKING:
    import types
    from collections.abc import Iterator, Sequence

    from workload import Workload


class SimulatedClock:
    """Stands in for :mod:`datetime` inside ``antispam.util`` while it is installed.

    ``antispam.util.get_aware_time()`` calls ``datetime.datetime.now(datetime.timezone.utc)``;
    with this clock installed that returns :attr:`current`, which the driver sets to each
    message's ``created_at`` before propagating it.
    """

    __slots__ = ("current", "datetime", "timezone")

    def __init__(self, start: datetime.datetime) -> None:
        self.current = start
        # get_aware_time reads ``datetime.datetime.now`` and ``datetime.timezone.utc``.
        self.datetime = self
        self.timezone = datetime.timezone

    def now(self, tz: datetime.tzinfo | None = None) -> datetime.datetime:
        """The simulated time (always UTC-aware, like the peer's own clock)."""
        return self.current

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Install the clock in ``antispam.util`` for the duration of a ``with`` block."""
        original = antispam.util.datetime
        antispam.util.datetime = typing.cast("types.ModuleType", self)
        try:
            yield
        finally:
            antispam.util.datetime = original


@dataclasses.dataclass(slots=True, kw_only=True)
class PeerWorld:
    """A discord.py client whose cache holds the workload's guilds, as after GUILD_CREATE."""

    client: discord.Client
    """The bot; discord-anti-spam reads ``client.user`` to skip its own messages."""
    state: ConnectionState
    """The client's connection state: the cache that real messages resolve against."""

    def build_messages(self, payloads: Sequence[dict[str, typing.Any]]) -> list[discord.Message]:
        """Turn ``MESSAGE_CREATE`` payloads into messages, as ``parse_message_create`` does."""
        state = self.state
        messages = []
        for payload in payloads:
            data = typing.cast("typing.Any", payload)  # a MessageCreateEvent TypedDict
            channel, _guild = state._get_guild_channel(data)
            # A guild text channel here; discord.py's own parse_message_create ignores the same.
            messages.append(discord.Message(state=state, channel=channel, data=data))  # type: ignore[arg-type]
        return messages


def build_world(workload: Workload, guild_payloads: Sequence[dict[str, typing.Any]]) -> PeerWorld:
    """Make a client whose cache holds every guild, without connecting anywhere."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    # max_messages=None: the bench builds messages directly, the client keeps no copies.
    client = discord.Client(intents=intents, max_messages=None)
    state = client._connection
    state.user = discord.ClientUser(
        state=state,
        data={
            "id": str(workload.bot_user_id),
            "username": "antispam-bot",
            "global_name": "antispam-bot",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
        },
    )
    for data in guild_payloads:
        state._add_guild_from_data(data)  # type: ignore[arg-type]
    return PeerWorld(client=client, state=state)


def make_handler(client: discord.Client) -> AntiSpamHandler:
    """The peer with its default options, except ``no_punish=True`` (decide, do not act)."""
    return AntiSpamHandler(client, Library.DPY, options=Options(no_punish=True))
