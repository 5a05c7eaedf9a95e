"""The adapters' shared rules, written once in spamguard.adapters.runtime, without a library.

Every library's executor fills the same small view (:class:`HierarchySource`), starts its
runtime through :class:`StartOnce` and leaves AutoMod repeats and rule syncs to the
runtime: these tests pin those rules down on plain values.
"""

from __future__ import annotations

import asyncio
import datetime
import typing

import pytest
from support.executors import RecordingExecutor

from spamguard.adapters.runtime import (
    MemberView,
    RoleView,
    Runtime,
    StartOnce,
    UnsupportedActionError,
    classify_error,
    delete_messages,
    refusal,
)
from spamguard.adapters.runtime.automod import AUTOMOD_REPEAT_WINDOW, RepeatFilter
from spamguard.adapters.store_memory import MemoryStore
from spamguard.core import Ban, DeleteMessages, Guard, Kick, Policy, SendMessage
from spamguard.core.actions import AddRole
from spamguard.core.events import AutomodExecution
from spamguard.core.outcomes import FailureKind

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD, OWNER, BOT, ADMIN, MOD, MEMBER, STRANGER = 1, 10, 20, 30, 40, 50, 60
LOW_ROLE, HIGH_ROLE = 100, 200


class Guild:
    """One guild as a library's cache would show it (a real HierarchySource)."""

    library = "testlib"

    def __init__(self, *, cached: bool = True, bot_known: bool = True, names: bool = False) -> None:
        self.cached = cached
        self.bot_known = bot_known

        def role(position: int, name: str) -> RoleView:
            return RoleView(position=position, name=name if names else None)

        self.members = {
            OWNER: MemberView(top_role=role(1, "owner"), is_administrator=True),
            BOT: MemberView(top_role=role(5, "Bot"), is_administrator=False),
            ADMIN: MemberView(top_role=role(2, "Admins"), is_administrator=True),
            MOD: MemberView(top_role=role(7, "Mods"), is_administrator=False),
            MEMBER: MemberView(top_role=role(3, "Members"), is_administrator=False),
        }
        self.roles = {LOW_ROLE: role(4, "Muted"), HIGH_ROLE: role(6, "Staff")}
        self.lookups: list[int] = []

    def owner_id(self, guild_id: int) -> int | None:
        return OWNER if self.cached and guild_id == GUILD else None

    def bot_id(self) -> int | None:
        return BOT if self.bot_known else None

    async def member(self, guild_id: int, user_id: int) -> MemberView | None:
        self.lookups.append(user_id)
        return self.members.get(user_id)

    def role(self, guild_id: int, role_id: int) -> RoleView | None:
        return self.roles.get(role_id)


def _kick(user_id: int) -> Kick:
    return Kick(guild_id=GUILD, user_id=user_id, reason="spam")


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        (OWNER, f"user {OWNER} owns guild {GUILD}"),
        (BOT, "the target is the bot itself"),
        (ADMIN, f"member {ADMIN} is an administrator of guild {GUILD}"),
        (MOD, f"member {MOD}'s top role (position 7) is not below the bot's top role (position 5)"),
    ],
)
async def test_a_punishment_is_refused_for_whom_the_bot_may_not_act_on(
    user_id: int, expected: str
) -> None:
    assert await refusal(_kick(user_id), Guild()) == expected


async def test_a_member_below_the_bot_and_a_user_who_left_are_not_refused() -> None:
    guild = Guild()

    assert await refusal(_kick(MEMBER), guild) is None
    # A ban of a user who is no member (any more) is left to Discord.
    assert await refusal(Ban(guild_id=GUILD, user_id=STRANGER, reason=""), guild) is None


async def test_the_refusal_names_the_roles_when_the_library_knows_their_names() -> None:
    detail = await refusal(_kick(MOD), Guild(names=True))

    assert detail == (
        f"member {MOD}'s top role 'Mods' (position 7) is not below "
        "the bot's top role 'Bot' (position 5)"
    )


async def test_without_the_guild_or_the_bots_own_id_a_punishment_is_refused() -> None:
    uncached = await refusal(_kick(MEMBER), Guild(cached=False))
    unknown_bot = await refusal(_kick(MEMBER), Guild(bot_known=False))

    assert uncached is not None and "not in the testlib cache" in uncached
    assert unknown_bot is not None and "bot's own member" in unknown_bot


async def test_a_role_at_or_above_the_bots_top_role_is_neither_given_nor_taken() -> None:
    guild = Guild()

    high = await refusal(AddRole(guild_id=GUILD, user_id=MEMBER, role_id=HIGH_ROLE), guild)
    low = await refusal(AddRole(guild_id=GUILD, user_id=MEMBER, role_id=LOW_ROLE), guild)

    assert high == f"role {HIGH_ROLE} (position 6) is not below the bot's top role (position 5)"
    assert low is None


async def test_actions_without_a_member_are_never_looked_up() -> None:
    guild = Guild()
    notice = SendMessage(channel_id=7, content="hi", guild_id=GUILD)

    assert await refusal(notice, guild) is None
    assert guild.lookups == []


def _execution(at: datetime.datetime, *, rule_id: int = 5) -> AutomodExecution:
    return AutomodExecution(
        guild_id=GUILD,
        user_id=MEMBER,
        rule_id=rule_id,
        rule_trigger_type=1,
        action_type=1,
        at=at,
        channel_id=7,
        message_id=8,
        content="buy now",
    )


def test_the_events_of_one_automod_trigger_count_once_within_the_window() -> None:
    repeats = RepeatFilter()

    first = repeats.repeated(_execution(T0))
    alert = repeats.repeated(_execution(T0 + datetime.timedelta(seconds=1)))
    other_rule = repeats.repeated(_execution(T0, rule_id=6))
    later = repeats.repeated(_execution(T0 + AUTOMOD_REPEAT_WINDOW))

    assert (first, alert, other_rule, later) == (False, True, False, False)


class _OpenCounting(MemoryStore):
    def __init__(self, failures: int = 0) -> None:
        super().__init__()
        self.opens = 0
        self.failures = failures

    async def open(self, guard: Guard) -> None:
        self.opens += 1
        await asyncio.sleep(0)
        if self.opens <= self.failures:
            msg = "the store is down"
            raise OSError(msg)
        await super().open(guard)


def _runtime(store: MemoryStore) -> Runtime:
    return Runtime(
        Guard(Policy.default(), load_entrypoints=False), RecordingExecutor(), store=store
    )


async def test_concurrent_listeners_start_the_runtime_once() -> None:
    store = _OpenCounting()
    runtime = _runtime(store)
    prepared: list[bool] = []
    starter = StartOnce(runtime, lambda: prepared.append(True))

    results = await asyncio.gather(*(starter.ready() for _ in range(5)))

    assert results == [True] * 5
    assert (store.opens, prepared, runtime.started) == (1, [True], True)
    await runtime.stop()


async def test_a_failed_start_is_counted_and_retried_at_the_next_event() -> None:
    store = _OpenCounting(failures=1)
    runtime = _runtime(store)
    starter = StartOnce(runtime)

    assert await starter.ready() is False
    assert runtime.stats.errors == 1
    assert await starter.ready() is True
    assert store.opens == 2
    await runtime.stop()


async def test_a_closed_starter_starts_nothing() -> None:
    store = _OpenCounting()
    runtime = _runtime(store)
    starter = StartOnce(runtime)
    starter.closed = True

    assert await starter.ready() is False
    assert store.opens == 0


class _HTTPError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Forbidden(_HTTPError):
    pass


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_Forbidden(403), FailureKind.FORBIDDEN),
        (_HTTPError(429), FailureKind.RATE_LIMITED),
        (_HTTPError(502), FailureKind.SERVER_ERROR),
        (_HTTPError(400), FailureKind.ERROR),
        (TimeoutError(), FailureKind.TIMEOUT),
        (ValueError(), FailureKind.ERROR),
    ],
)
def test_a_library_error_is_classified_by_class_then_by_status(
    error: BaseException, kind: FailureKind
) -> None:
    assert classify_error(error, [(_Forbidden, FailureKind.FORBIDDEN)], _HTTPError) is kind


async def test_a_delete_sends_recent_messages_in_bulk_and_a_lone_one_singly() -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    recent = [((int(now.timestamp() * 1000) - 1420070400000) << 22) + i for i in range(3)]
    calls: list[tuple[str, typing.Any]] = []

    class Client:
        async def delete_messages(self, channel: int, ids: list[int], *, reason: str) -> None:
            calls.append(("bulk", (channel, ids, reason)))

        async def delete_message(self, channel: int, message_id: int, *, reason: str) -> None:
            calls.append(("single", (channel, message_id, reason)))

    await delete_messages(
        DeleteMessages(channel_id=7, message_ids=tuple(recent), guild_id=GUILD, reason=""),
        now,
        Client(),
    )
    await delete_messages(
        DeleteMessages(channel_id=7, message_ids=(recent[0],), guild_id=GUILD, reason="x"),
        now,
        Client(),
    )

    assert calls == [("bulk", (7, recent, "spamguard")), ("single", (7, recent[0], "x"))]


def test_an_unsupported_action_error_is_one_type_for_every_library() -> None:
    from spamguard.adapters.runtime.requests import unsupported_action

    error = unsupported_action("testlib", SendMessage(channel_id=7, content="hi"))

    assert isinstance(error, UnsupportedActionError)
    assert "testlib adapter cannot carry out 'send'" in str(error)
