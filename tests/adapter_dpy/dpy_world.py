"""Helpers of the nextcord/disnake adapter tests: a protected bot, policies, a clock.

Not collected (no ``test_`` prefix). Everything is real: the library's ``commands.Bot``
logged in to the REST stand-in, gateway payloads fed through its parsers
(`support.dpy_harness`), and spamguard attached with the adapter under test.
"""

from __future__ import annotations

__all__ = (
    "LIBRARY",
    "ManualClock",
    "OutcomeRecorder",
    "Protected",
    "adapter",
    "hierarchy_world",
    "make_policy",
    "protected_bot",
)

import contextlib
import dataclasses
import datetime
import importlib
import os
import types
import typing

from support import payloads
from support.dpy_harness import DpyHarness, dpy_bot

from spamguard.core import hookimpl
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from support.discord_api import DiscordAPI

    from spamguard.adapters.runtime import Protection
    from spamguard.core.outcomes import ActionOutcome

LIBRARY: typing.Final = typing.cast(
    "typing.Literal['nextcord', 'disnake']", os.environ["SPAMGUARD_TEST_LIBRARY"]
)
"""The library under test (checked by conftest)."""


def adapter() -> types.ModuleType:
    """``spamguard.adapters.nextcord`` or ``spamguard.adapters.disnake``."""
    return importlib.import_module(f"spamguard.adapters.{LIBRARY}")


class ManualClock:
    """A wall clock the test moves by hand (starts at the real time)."""

    def __init__(self) -> None:
        self.now = datetime.datetime.now(tz=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


class OutcomeRecorder:
    """A plugin keeping every outcome the adapter reports."""

    def __init__(self) -> None:
        self.outcomes: list[ActionOutcome] = []

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        self.outcomes.append(outcome)

    def by_kind(self, kind: str) -> list[ActionOutcome]:
        return [o for o in self.outcomes if o.action.kind == kind]


def make_policy(
    punishment: str = "TIMEOUT",
    *,
    count: int = 3,
    clean: bool = True,
    duration: int = 60,
    rule: dict[str, typing.Any] | None = None,
    **top: typing.Any,
) -> Policy:
    """Level-0 members may send ``count - 1`` messages per 10 seconds; then ``punishment``."""
    level: dict[str, typing.Any] = {
        "punishment": punishment,
        "punishment_duration": duration,
        "clean": clean,
        "max_messages": {"count": count, "interval": 10},
    }
    level |= rule or {}
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Protected:
    """A ready offline bot with spamguard attached."""

    h: DpyHarness
    protection: Protection
    clock: ManualClock
    recorder: OutcomeRecorder

    @property
    def api(self) -> DiscordAPI:
        return self.h.api

    @property
    def world(self) -> payloads.GuildWorld:
        return self.h.world

    async def spam(self, n: int, **message: typing.Any) -> list[dict[str, typing.Any]]:
        """Send ``n`` messages one after the other (default: alice in general)."""
        return [await self.h.send_message(content=f"message {i}", **message) for i in range(n)]

    def actions(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request after login, in order."""
        return [(r.method, r.path) for r in self.api.requests if r.route not in _STARTUP_ROUTES]


# Requests the library makes on its own while logging in and getting ready.
_STARTUP_ROUTES = frozenset(
    {
        "/users/@me",
        "/oauth2/applications/@me",
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    }
)


@contextlib.asynccontextmanager
async def protected_bot(
    policy: Policy | None = None,
    *,
    world: payloads.GuildWorld | None = None,
    api: DiscordAPI | None = None,
    action_timeout: float = 2.0,
    bot_options: dict[str, typing.Any] | None = None,
    **options: typing.Any,
) -> AsyncIterator[Protected]:
    """A ready bot protected by ``policy`` (default: TIMEOUT at 3 messages in 10 s).

    ``bot_options`` go to the library's ``commands.Bot``; ``options`` to ``attach``.
    """
    clock = options.pop("clock", None) or ManualClock()
    recorder = OutcomeRecorder()
    async with dpy_bot(
        LIBRARY, world or payloads.build_world(), api=api, **(bot_options or {})
    ) as h:
        protection = adapter().attach(
            h.bot,
            policy=policy or make_policy(),
            plugins=[recorder],
            action_timeout=action_timeout,
            clock=clock,
            poll_interval=0.02,
            load_entrypoints=False,
            **options,
        )
        try:
            yield Protected(h=h, protection=protection, clock=clock, recorder=recorder)
            await h.settle()
        finally:
            await protection.detach()


def hierarchy_world() -> tuple[
    payloads.GuildWorld, payloads.Member, payloads.Member, payloads.Role
]:
    """The standard world plus a "Senior" role above the bot's and a "Staff" role the bot
    shares as its top role.

    Returns the world, `sam` (Senior: above the bot), `pat` (Staff: level with the bot)
    and the Senior role.
    """
    world = payloads.build_world()
    at = world.guild.channels[0].id
    base = payloads.snowflake_time(at)
    staff = payloads.Role(
        id=payloads.snowflake(base, increment=101), name="Staff", permissions=0, position=5
    )
    senior = payloads.Role(
        id=payloads.snowflake(base, increment=102), name="Senior", permissions=0, position=6
    )
    sam = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(base, increment=103), username="sam", global_name="Sam"
        ),
        joined_at=base,
        role_ids=(senior.id,),
    )
    pat = payloads.Member(
        user=payloads.User(
            id=payloads.snowflake(base, increment=104), username="pat", global_name="Pat"
        ),
        joined_at=base,
        role_ids=(staff.id,),
    )
    bot = dataclasses.replace(world.bot, role_ids=(*world.bot.role_ids, staff.id))
    members = tuple(bot if m.id == bot.id else m for m in world.guild.members)
    guild = dataclasses.replace(
        world.guild,
        roles=(*world.guild.roles, staff, senior),
        members=(*members, sam, pat),
    )
    return dataclasses.replace(world, guild=guild, bot=bot), sam, pat, senior
