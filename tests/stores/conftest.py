"""Fixtures of the state-store tests: real redis-server processes, a policy, message streams.

The Redis tests run against a real ``redis-server`` started here on a free loopback port
(no persistence, own temporary folder), found by
:func:`support.redis_server.find_redis_server`, and those that take ``redis_url`` once more
against a real 3-master Redis Cluster (:mod:`support.redis_cluster`). Without one the tests skip with
the install hint, except under CI, where a missing server fails the run.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import random
import shutil
import typing

import pytest
import redis
from support.redis_cluster import RedisClusterNodes
from support.redis_server import INSTALL_HINT, RedisServer, find_redis_server

from spamguard.core import Message, Policy

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900
OTHER_GUILD = 901
CHANNELS = (50, 51, 52)

POLICY_DOC: dict[str, typing.Any] = {
    "version": 1,
    "spam": {
        "levels": {
            "0": {
                "punishment": "TEMPBAN",
                "punishment_duration": 600,
                "clean": True,
                "clean_count": 50,
                "clean_duration": 600,
                "max_messages": {"count": 6, "interval": 5},
                "max_duplicates": {"count": 4, "interval": 30, "accuracy": 90},
                "max_mentions": {"count": 8, "interval": 30, "punishment": "KICK"},
                "max_links": {
                    "count": 5,
                    "interval": 60,
                    "scope": "channel",
                    "punishment": "TIMEOUT",
                },
                "max_attachments": {
                    "count": 9,
                    "interval": 20,
                    "scope": "guild",
                    "punishment": "WARN",
                },
            }
        }
    },
    "incident_window": 8,
}
"""Member, channel and guild scopes, a duplicate window, and a TEMPBAN with its unban."""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def redis_executable() -> str:
    """The redis-server binary; a missing one fails under CI and skips elsewhere."""
    found = find_redis_server()
    if found is None or shutil.which(found) is None:
        message = f"no redis-server for the store tests ({found or 'none found'}): {INSTALL_HINT}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def redis_server(redis_executable: str) -> Iterator[RedisServer]:
    """One server for the session; tests that stop a server get their own."""
    with RedisServer(executable=redis_executable) as server:
        yield server


@pytest.fixture(scope="session")
def redis_cluster(redis_executable: str) -> Iterator[RedisClusterNodes]:
    """One 3-master Redis Cluster for the session."""
    with RedisClusterNodes(executable=redis_executable) as cluster:
        yield cluster


REDIS_KINDS = ("server", "cluster")
"""What the Redis tests run against: a single server, a 3-master Redis Cluster."""


@pytest.fixture
def empty_redis(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """The URL of the session's single server (``"server"``) or of its Redis Cluster
    (``"cluster"``), emptied first."""

    def url(kind: str) -> str:
        if kind == "cluster":
            cluster: RedisClusterNodes = request.getfixturevalue("redis_cluster")
            cluster.flush()
            return cluster.url
        server: RedisServer = request.getfixturevalue("redis_server")
        with redis.Redis(port=server.port) as client:
            client.flushall()
        return server.url

    return url


@pytest.fixture(params=REDIS_KINDS)
def redis_url(request: pytest.FixtureRequest, empty_redis: Callable[[str], str]) -> str:
    """An emptied URL of the single server, then of the Redis Cluster: every test that
    takes it runs against both."""
    return empty_redis(request.param)


@pytest.fixture
def own_redis_cluster(redis_executable: str) -> Iterator[RedisClusterNodes]:
    """A 3-master cluster of this test's own, whose nodes it may stop and start again."""
    with RedisClusterNodes(executable=redis_executable) as cluster:
        yield cluster


@pytest.fixture
def own_redis_server(redis_executable: str) -> Iterator[RedisServer]:
    """A server of this test's own, which it may stop, pause and start again."""
    with RedisServer(executable=redis_executable) as server:
        yield server


@pytest.fixture
def policy_doc() -> dict[str, typing.Any]:
    """:data:`POLICY_DOC`, for processes that build their own policy."""
    return POLICY_DOC


@pytest.fixture
def policy(policy_doc: dict[str, typing.Any]) -> Policy:
    return Policy.from_dict(policy_doc)


def message(
    mid: int,
    author: int,
    content: str,
    at: float,
    *,
    channel: int = CHANNELS[0],
    guild: int = GUILD,
    **extra: typing.Any,
) -> Message:
    """A message ``at`` seconds after T0."""
    return Message(
        id=mid,
        guild_id=guild,
        channel_id=channel,
        author_id=author,
        content=content,
        created_at=T0 + datetime.timedelta(seconds=at),
        **extra,
    )


def make_stream(seed: int = 7, length: int = 360) -> list[Message]:
    """A deterministic mix of one guild's traffic (and a little of another guild's).

    Chatty members; a duplicate spammer; a fast poster; a mention spammer; link posters
    sharing a channel (a channel-scoped check); attachments from everyone (guild scope);
    redeliveries (same id and content) and edits (same id, new content).
    """
    rng = random.Random(seed)
    messages: list[Message] = []
    at = 0.0
    for index in range(length):
        at += rng.choice((0.05, 0.2, 0.5, 1.0, 3.0))
        if messages and rng.random() < 0.05:
            old = rng.choice(messages[-10:])
            if rng.random() < 0.5:
                messages.append(old)  # redelivered
            else:
                messages.append(dataclasses.replace(old, content=old.content + " (edited)"))
            continue
        author = rng.choice((11, 12, 13, 14, 15, 16, 17))
        channel = rng.choice(CHANNELS)
        extra: dict[str, typing.Any] = {}
        if author == 11:
            content = rng.choice(("free nitro at scam.example", "free nitro at scam.example!!"))
        elif author == 12:
            content = f"msg {index}"
        elif author == 13:
            content = "hey " + " ".join(f"<@{u}>" for u in (21, 22, 23))
            extra["mention_ids"] = (21, 22, 23)
        elif author == 14:
            content = f"see https://example.com/{index} and https://example.org/{index}"
        else:
            content = rng.choice(("hello", "how are you", "nice", f"number {index}", "lol"))
        if rng.random() < 0.15:
            extra["attachment_count"] = rng.randint(1, 3)
        guild = OTHER_GUILD if rng.random() < 0.1 else GUILD
        messages.append(
            message(1_000_000 + index, author, content, at, channel=channel, guild=guild, **extra)
        )
    return messages


@pytest.fixture
def stream() -> Callable[..., list[Message]]:
    """:func:`make_stream`."""
    return make_stream


@pytest.fixture
def make_message() -> Callable[..., Message]:
    """:func:`message`."""
    return message


def tempban_flood(author: int, first: int = 10) -> list[Message]:
    """Four duplicates in 1.5 s from ``author``: :data:`POLICY_DOC`'s TEMPBAN (600 s)."""
    return [message(first + i, author, "buy now", i * 0.5) for i in range(4)]


@pytest.fixture
def flood() -> Callable[..., list[Message]]:
    """:func:`tempban_flood`."""
    return tempban_flood


def message_to_dict(msg: Message) -> dict[str, typing.Any]:
    """A JSON form of a message, for the worker processes."""
    data = {f.name: getattr(msg, f.name) for f in dataclasses.fields(msg)}
    data["created_at"] = msg.created_at.isoformat()
    data["author_role_ids"] = sorted(msg.author_role_ids)
    return data


@pytest.fixture
def encode_message() -> Callable[[Message], dict[str, typing.Any]]:
    """:func:`message_to_dict`."""
    return message_to_dict
