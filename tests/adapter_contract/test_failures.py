"""Discord's errors are caught per action, classified, reported, followed by the next
action and, when the policy opts in, by the "failed to punish" notice.

Each status is scripted on every attempt within the library's ``failure_deadline``; what
it becomes depends on what the library retries or sleeps off
(``LibraryHarness.failure_kind``).
"""

from __future__ import annotations

import logging
import typing

import pytest

from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support import payloads
    from support.library_harness import Guarded, LibraryHarness

    from spamguard.core import Policy

MEMBER = "/guilds/{g}/members/{u}"
BULK = "/channels/{c}/messages/bulk-delete"
MESSAGES = "/channels/{c}/messages"
BULK_ROUTE = "/channels/{channel_id}/messages/bulk-delete"
STATUSES = [403, 404, 429, 500, 503]

# Each punishment: (policy punishment, action kind, method, path pattern, route).
PUNISHMENTS = [
    pytest.param(
        "TIMEOUT", "timeout", "PATCH", MEMBER, "/guilds/{guild_id}/members/{user_id}", id="timeout"
    ),
    pytest.param(
        "MUTE",
        "add_role",
        "PUT",
        "/guilds/{g}/members/{u}/roles/{r}",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        id="add_role",
    ),
    pytest.param(
        "KICK", "kick", "DELETE", MEMBER, "/guilds/{guild_id}/members/{user_id}", id="kick"
    ),
    pytest.param(
        "BAN", "ban", "PUT", "/guilds/{g}/bans/{u}", "/guilds/{guild_id}/bans/{user_id}", id="ban"
    ),
]

NOTICE = {"punishment": "$MEMBERNAME got a $PUNISHMENT", "punishment_delete_after": None}


def _failed_text(g: Guarded) -> str:
    return f"I could not punish Alice ({g.world.alice.id}): max_messages."


def _besides_bulk(g: Guarded) -> tuple[list[tuple[str, str | None, int]], list[int]]:
    """The routes of the requests other than bulk deletes, in order, and the statuses of
    the bulk deletes: they leave when their channel's gathering window ends, which a
    punishment that the library retries may outlast."""
    routes = g.routes()
    bulk = [status for method, route, status in routes if route == BULK_ROUTE]
    return [r for r in routes if r[1] != BULK_ROUTE], bulk


def _fail_always(g: Guarded, method: str, pattern: str, status: int) -> None:
    # retry_after only matters for a 429: longer than any library sleeps within the deadline.
    g.api.fail(method, pattern, status=status, times=None, retry_after=600)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(("punishment", "action", "method", "pattern", "route"), PUNISHMENTS)
async def test_a_failed_punishment_is_classified_and_sends_the_opt_in_failure_notice(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
    world: payloads.GuildWorld,
    status: int,
    punishment: str,
    action: str,
    method: str,
    pattern: str,
    route: str,
) -> None:
    kind = library.failure_kind(status)
    policy = policy_factory(
        punishment,
        clean=True,
        mute_role_id=world.muted_role.id,
        notices={**NOTICE, "failed_in_channel": True},
    )
    async with guard(policy, action_timeout=library.failure_deadline) as g:
        _fail_always(g, method, pattern, status)
        await g.spam(3)

        assert _besides_bulk(g) == (
            [
                ("POST", "/channels/{channel_id}/messages", 200),
                (method, route, status),
                ("POST", "/channels/{channel_id}/messages", 200),
            ],
            [204],
        )
        assert g.api.find("POST", MESSAGES)[-1].json["content"] == _failed_text(g)
        failed = g.recorder.outcome(action)
        assert (failed.ok, failed.failure) == (False, kind)
        assert g.protection.stats["runtime"]["actions_failed"] == {str(kind): 1}


@pytest.mark.parametrize("status", STATUSES)
async def test_a_failed_clean_is_classified_and_the_punishment_still_runs(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
    status: int,
) -> None:
    kind = library.failure_kind(status)
    policy = policy_factory("TIMEOUT", clean=True, notices=NOTICE)
    async with guard(policy, action_timeout=library.failure_deadline) as g:
        _fail_always(g, "POST", BULK, status)
        await g.spam(3)

        assert _besides_bulk(g) == (
            [
                ("POST", "/channels/{channel_id}/messages", 200),
                ("PATCH", "/guilds/{guild_id}/members/{user_id}", 200),
            ],
            [status],
        )
        delete = g.recorder.outcome("delete")
        assert (delete.ok, delete.failure) == (False, kind)
        # A failed clean is not a failed punishment: no "could not punish" notice.
        assert g.recorder.outcome("timeout").ok
        assert [r.json["content"] for r in g.api.find("POST", MESSAGES)] == ["Alice got a timeout"]
        assert g.protection.stats["runtime"]["actions_failed"] == {str(kind): 1}


async def test_an_action_past_its_deadline_fails_as_timeout_and_the_next_one_runs(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    # Discord asks to wait 2 s, which every library would sleep off; the action's own
    # deadline is 0.2 s.
    policy = policy_factory("TIMEOUT", clean=True, notices=NOTICE)
    async with guard(policy, action_timeout=0.2) as g:
        g.api.fail("POST", BULK, status=429, retry_after=2.0)
        await g.spam(3)

        delete = g.recorder.outcome("delete")
        assert (delete.ok, delete.failure) == (False, FailureKind.TIMEOUT)
        assert "0.2s" in delete.detail
        assert _besides_bulk(g) == (
            [
                ("POST", "/channels/{channel_id}/messages", 200),
                ("PATCH", "/guilds/{guild_id}/members/{user_id}", 200),
            ],
            [429],
        )
        assert g.recorder.outcome("timeout").ok


async def test_a_rate_limited_punishment_times_out_and_is_only_logged(
    guard: GuardFactory, policy_factory: Callable[..., Policy], caplog: pytest.LogCaptureFixture
) -> None:
    async with guard(policy_factory("KICK"), action_timeout=0.3) as g:
        g.api.fail("DELETE", MEMBER, status=429, retry_after=60.0)
        with caplog.at_level(logging.WARNING, logger="spamguard.runtime"):
            await g.spam(3)

        assert g.recorder.outcome("kick").failure is FailureKind.TIMEOUT
        # Not announced where the spammer reads it (notices.failed_in_channel is off).
        assert not g.api.find("POST", MESSAGES)
        (logged,) = [r for r in caplog.records if "could not punish" in r.getMessage()]
        assert f"member {g.world.alice.id} of guild {g.world.guild_id}" in logged.getMessage()


async def test_a_short_rate_limit_is_waited_out_by_the_library(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guard(policy_factory("KICK")) as g:
        g.api.fail("DELETE", MEMBER, status=429, retry_after=0.05)
        await g.spam(3)

        assert [r.status for r in g.api.find("DELETE", MEMBER)] == [429, 204]
        assert g.recorder.outcome("kick").ok


@pytest.mark.parametrize(
    ("punishment", "method", "route"),
    [
        ("KICK", "DELETE", "/guilds/{guild_id}/members/{user_id}"),
        ("BAN", "PUT", "/guilds/{guild_id}/bans/{user_id}"),
    ],
)
async def test_a_refused_dm_does_not_stop_the_punishment(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    punishment: str,
    method: str,
    route: str,
) -> None:
    async with guard(policy_factory(punishment, dms=True)) as g:
        # 50007: the member does not accept DMs from this server.
        g.api.fail("POST", MESSAGES, status=403, code=50007)
        await g.spam(3)

        assert g.routes() == [
            ("POST", "/users/@me/channels", 200),
            ("POST", "/channels/{channel_id}/messages", 403),
            (method, route, 204),
        ]
        dm = g.recorder.outcome("dm")
        assert dm.failure is FailureKind.FORBIDDEN
        assert "50007" in dm.detail
        assert "Cannot send messages to this user" in dm.detail
        assert g.recorder.outcome(punishment.lower()).ok


async def test_a_failure_notice_that_fails_too_is_only_reported(
    guard: GuardFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory("KICK", notices={"failed_in_channel": True})
    async with guard(policy) as g:
        g.api.fail("DELETE", MEMBER, status=403)
        g.api.fail("POST", MESSAGES, status=403)
        await g.spam(3)

        assert [(r.method, r.status) for r in g.requests] == [("DELETE", 403), ("POST", 403)]
        assert [(o.action.kind, o.failure) for o in g.recorder.outcomes] == [
            ("kick", FailureKind.FORBIDDEN),
            ("send", FailureKind.FORBIDDEN),
        ]
        assert g.protection.stats["runtime"]["errors"] == 0
