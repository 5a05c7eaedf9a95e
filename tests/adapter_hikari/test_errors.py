"""Discord's errors are caught per action, classified, reported, and never stop the plan."""

from __future__ import annotations

import typing

import pytest

from spamguard.core import FailureKind

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core import Policy

    from .conftest import Guarded, GuardedFactory

MEMBER = "/guilds/{g}/members/{u}"
BULK = "/channels/{c}/messages/bulk-delete"
MESSAGES = "/channels/{c}/messages"


def _policy(policy_factory: Callable[..., Policy], punishment: str = "TIMEOUT") -> Policy:
    return policy_factory(
        punishment=punishment,
        clean=True,
        notices={"punishment": "$MEMBERNAME got a $PUNISHMENT", "punishment_delete_after": None},
    )


async def _spam(g: Guarded) -> None:
    for i in range(3):
        await g.send(content=f"spam {i}")


def _outcome(g: Guarded, kind: str) -> typing.Any:
    (outcome,) = [o for o in g.recorder.outcomes if o.action.kind == kind]
    return outcome


def _failed_text(g: Guarded) -> str:
    return f"I could not punish Alice ({g.world.alice.id}): max_messages."


# hikari raises RateLimitTooLongError at once when Discord asks to wait longer than
# max_rate_limit; max_retries=0 (the harness default) makes a 5xx raise at once.
ERRORS = [
    pytest.param(403, {}, FailureKind.FORBIDDEN, id="403"),
    pytest.param(404, {}, FailureKind.NOT_FOUND, id="404"),
    pytest.param(429, {"retry_after": 30.0}, FailureKind.RATE_LIMITED, id="429"),
    pytest.param(500, {}, FailureKind.SERVER_ERROR, id="500"),
    pytest.param(503, {}, FailureKind.SERVER_ERROR, id="503"),
]


# Each punishment: (policy punishment, action kind, method, path template, route).
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


@pytest.mark.parametrize(("status", "extra", "kind"), ERRORS)
@pytest.mark.parametrize(("punishment", "action", "method", "pattern", "route"), PUNISHMENTS)
async def test_failed_punishment_is_classified_and_sends_the_opt_in_failure_notice(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    world: typing.Any,
    status: int,
    extra: dict[str, typing.Any],
    kind: FailureKind,
    punishment: str,
    action: str,
    method: str,
    pattern: str,
    route: str,
) -> None:
    policy = policy_factory(
        punishment=punishment,
        clean=True,
        mute_role_id=world.muted_role.id,
        notices={
            "punishment": "$MEMBERNAME got a $PUNISHMENT",
            "punishment_delete_after": None,
            "failed_in_channel": True,
        },
    )
    async with guarded(policy, max_rate_limit=1.0) as g:
        g.api.fail(method, pattern, status=status, **extra)
        await _spam(g)

        assert [(r.method, r.route, r.status) for r in g.api.requests] == [
            ("POST", "/channels/{channel_id}/messages/bulk-delete", 204),
            ("POST", "/channels/{channel_id}/messages", 200),
            (method, route, status),
            ("POST", "/channels/{channel_id}/messages", 200),
        ]
        assert g.api.requests[-1].json["content"] == _failed_text(g)
        failed = _outcome(g, action)
        assert (failed.ok, failed.failure) == (False, kind)
        assert g.protection.stats["runtime"]["actions_failed"] == {str(kind): 1}


@pytest.mark.parametrize(("status", "extra", "kind"), ERRORS)
async def test_failed_clean_does_not_stop_the_punishment(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    status: int,
    extra: dict[str, typing.Any],
    kind: FailureKind,
) -> None:
    async with guarded(_policy(policy_factory), max_rate_limit=1.0) as g:
        g.api.fail("POST", BULK, status=status, **extra)
        await _spam(g)

        assert [(r.method, r.route, r.status) for r in g.api.requests] == [
            ("POST", "/channels/{channel_id}/messages/bulk-delete", status),
            ("POST", "/channels/{channel_id}/messages", 200),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", 200),
        ]
        delete = _outcome(g, "delete")
        assert (delete.ok, delete.failure) == (False, kind)
        # A failed clean is not a failed punishment: no "could not punish" notice.
        assert _outcome(g, "timeout").ok


async def test_action_past_its_deadline_fails_as_timeout_and_the_next_one_runs(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    # Discord asks to wait 2 s (below max_rate_limit, so hikari would sleep it off); the
    # action's own deadline is 0.2 s.
    async with guarded(_policy(policy_factory), action_timeout=0.2) as g:
        g.api.fail("POST", BULK, status=429, retry_after=2.0)
        await _spam(g)

        delete = _outcome(g, "delete")
        assert (delete.ok, delete.failure) == (False, FailureKind.TIMEOUT)
        assert "0.2s" in delete.detail
        assert [(r.method, r.route) for r in g.api.requests][-2:] == [
            ("POST", "/channels/{channel_id}/messages"),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}"),
        ]


async def test_refused_dm_does_not_stop_the_kick(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="KICK", dms=True)) as g:
        # 50007: the member does not accept DMs from this server.
        g.api.fail("POST", MESSAGES, status=403, code=50007)
        await _spam(g)

        assert [(r.method, r.route, r.status) for r in g.api.requests] == [
            ("POST", "/users/@me/channels", 200),
            ("POST", "/channels/{channel_id}/messages", 403),
            ("DELETE", "/guilds/{guild_id}/members/{user_id}", 204),
        ]
        dm = _outcome(g, "dm")
        assert dm.failure is FailureKind.FORBIDDEN
        assert "Cannot send messages to this user" in dm.detail
        assert _outcome(g, "kick").ok


async def test_failure_notice_that_fails_too_is_only_reported(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    policy = policy_factory(punishment="KICK", notices={"failed_in_channel": True})
    async with guarded(policy) as g:
        g.api.fail("DELETE", MEMBER, status=403)
        g.api.fail("POST", MESSAGES, status=403)
        await _spam(g)

        assert [(r.method, r.status) for r in g.api.requests] == [("DELETE", 403), ("POST", 403)]
        assert [(o.action.kind, o.failure) for o in g.recorder.outcomes] == [
            ("kick", FailureKind.FORBIDDEN),
            ("send", FailureKind.FORBIDDEN),
        ]
        assert g.protection.stats["runtime"]["errors"] == 0


async def test_failed_scheduled_unban_is_reported_not_raised(
    guarded: GuardedFactory, policy_factory: Callable[..., Policy]
) -> None:
    async with guarded(policy_factory(punishment="TEMPBAN", duration=60)) as g:
        await _spam(g)
        g.api.fail("DELETE", "/guilds/{g}/bans/{u}", status=500)
        g.clock.advance(60)

        assert await g.run_due() == 1
        unban = _outcome(g, "unban")
        assert (unban.ok, unban.failure) == (False, FailureKind.SERVER_ERROR)


@pytest.mark.parametrize(("status", "extra", "kind"), ERRORS)
async def test_a_tempban_that_failed_is_never_lifted(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    status: int,
    extra: dict[str, typing.Any],
    kind: FailureKind,
) -> None:
    # An unban for a ban that never happened could lift a moderator's ban placed since.
    async with guarded(policy_factory(punishment="TEMPBAN", duration=60), max_rate_limit=1.0) as g:
        g.api.fail("PUT", "/guilds/{g}/bans/{u}", status=status, **extra)
        await _spam(g)
        assert _outcome(g, "ban").failure is kind

        g.clock.advance(3600)
        assert await g.run_due() == 0
        assert not g.api.find("DELETE", "/guilds/{g}/bans/{u}")
        assert await g.protection.runtime.store.next_due() is None
