"""A throwaway 3-master Redis Cluster on 127.0.0.1, for tests and benchmarks of the Redis
stores.

Test infrastructure, not part of the package (``from support.redis_cluster import ...``).

::

    with RedisClusterNodes() as cluster:
        store = RedisStore(cluster.url)  # any node's URL: the store finds the others

Three ``redis-server --cluster-enabled yes`` processes (:class:`~support.redis_server.RedisServer`,
no persistence), joined by ``redis-cli --cluster create ... --cluster-replicas 0`` (the
``redis-cli`` beside the server binary, else on ``PATH``), each master holding a third of the
16384 slots. A node's cluster bus listens on its port + 10000, so ports are picked where both
are free.
"""

from __future__ import annotations

__all__ = (
    "ClusterClient",
    "RedisClusterNodes",
    "async_client",
    "find_redis_cli",
    "info_of_each",
    "is_cluster",
    "sync_client",
)

import pathlib
import random
import shutil
import socket
import subprocess
import time
import typing

import redis
import redis.asyncio as aioredis

from support.redis_server import INSTALL_HINT, RedisServer, RedisServerError, find_redis_server

_POLL = 0.05
_BUS_OFFSET = 10_000
_NODE_ARGS = (
    "--cluster-enabled", "yes",
    "--cluster-config-file", "nodes.conf",
    "--cluster-node-timeout", "2000",
)  # fmt: skip


def find_redis_cli(server: str | None = None) -> str | None:
    """The ``redis-cli`` (or Valkey's ``valkey-cli``) beside ``server`` (default:
    :func:`find_redis_server`), else the ``redis-cli`` on ``PATH``."""
    server = server or find_redis_server()
    if server:
        resolved = shutil.which(server)
        if resolved:
            for name in ("redis-cli", "valkey-cli"):
                beside = pathlib.Path(resolved).with_name(name)
                if beside.is_file():
                    return str(beside)
    return shutil.which("redis-cli")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_ports(count: int) -> list[int]:
    """``count`` ports below the ephemeral range whose bus ports (+10000) are free too."""
    rng = random.Random()
    ports: list[int] = []
    while len(ports) < count:
        port = rng.randrange(20_000, 30_000)
        if port not in ports and _bindable(port) and _bindable(port + _BUS_OFFSET):
            ports.append(port)
    return ports


class ClusterClient(redis.RedisCluster):
    """A synchronous cluster client that looks at every primary (:meth:`keys`,
    :meth:`info_of_each`)."""

    def keys(self, pattern: typing.Any = "*", **kwargs: typing.Any) -> typing.Any:
        """The keys matching ``pattern`` on every primary."""
        found: set[str] = set()
        for node in self.get_primaries():
            found.update(super().keys(pattern, target_nodes=node, **kwargs))
        return sorted(found)

    def info_of_each(self, section: str) -> list[dict[str, typing.Any]]:
        """``INFO section`` of each primary."""
        return [self.info(section, target_nodes=node) for node in self.get_primaries()]


def sync_client(url: str) -> redis.Redis | ClusterClient:
    """A synchronous client for ``url`` (``decode_responses=True``): a :class:`ClusterClient`
    when the server there is a cluster node, for tests that look at the stored keys."""
    if is_cluster(url):
        return ClusterClient.from_url(url, decode_responses=True)
    return redis.Redis.from_url(url, decode_responses=True)


def is_cluster(url: str) -> bool:
    """Whether the server at ``url`` is a Redis Cluster node."""
    with redis.Redis.from_url(url) as probe:
        return str(probe.info("cluster").get("cluster_enabled")) == "1"


def async_client(url: str) -> aioredis.Redis | aioredis.RedisCluster:
    """A redis-py asyncio client for ``url`` (``decode_responses=True``), a cluster client
    for a cluster node."""
    if is_cluster(url):
        return aioredis.RedisCluster.from_url(url, decode_responses=True)
    return aioredis.Redis.from_url(url, decode_responses=True)


def info_of_each(client: redis.Redis | ClusterClient, section: str) -> list[dict[str, typing.Any]]:
    """``INFO section`` of the server, or of each primary of a cluster."""
    if isinstance(client, ClusterClient):
        return client.info_of_each(section)
    return [client.info(section)]


class RedisClusterNodes:
    """Three cluster-enabled ``redis-server`` processes joined into one cluster.

    Args:
        executable: the server binary (default: :func:`~support.redis_server.find_redis_server`).
        masters: how many masters (3: the fewest ``redis-cli --cluster create`` accepts).
        start_timeout: seconds to wait for the cluster to report ``cluster_state:ok``.
    """

    def __init__(
        self, *, executable: str | None = None, masters: int = 3, start_timeout: float = 20.0
    ) -> None:
        server = executable or find_redis_server()
        cli = find_redis_cli(server)
        if server is None or cli is None:
            msg = f"a Redis Cluster needs redis-server and redis-cli: {INSTALL_HINT}"
            raise RedisServerError(msg)
        self.cli = cli
        self.start_timeout = start_timeout
        self.nodes = [
            RedisServer(executable=server, port=port, extra_args=_NODE_ARGS)
            for port in _cluster_ports(masters)
        ]

    @property
    def url(self) -> str:
        """The first node's URL (a cluster client finds every node from it)."""
        return self.nodes[0].url

    @property
    def ports(self) -> list[int]:
        """The nodes' ports."""
        return [node.port for node in self.nodes]

    def start(self) -> None:
        """Start the nodes, create the cluster and wait until every node reports it ok.

        Raises:
            RedisServerError: a node did not start, or the cluster did not form in time.
        """
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        created = subprocess.run(
            [self.cli, "--cluster", "create", *addresses, "--cluster-replicas", "0",
             "--cluster-yes"],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if created.returncode != 0:
            self.stop()
            msg = f"redis-cli --cluster create failed:\n{created.stdout}\n{created.stderr}"
            raise RedisServerError(msg)
        polls = max(1, round(self.start_timeout / _POLL))
        while not self._ok():
            polls -= 1
            if polls < 0:
                self.stop()
                msg = f"the cluster on {addresses} did not reach cluster_state:ok"
                raise RedisServerError(msg)
            time.sleep(_POLL)

    def _ok(self) -> bool:
        for port in self.ports:
            with redis.Redis(port=port, decode_responses=True) as client:
                info = client.cluster("info")
                state = info.get("cluster_state") if isinstance(info, dict) else str(info)
                if "ok" not in str(state):
                    return False
        return True

    def flush(self) -> None:
        """Empty every master."""
        for port in self.ports:
            with redis.Redis(port=port) as client:
                client.flushall()

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()

    def close(self) -> None:
        """Stop every node and remove their folders."""
        for node in self.nodes:
            node.close()

    def __enter__(self) -> RedisClusterNodes:
        self.start()
        return self

    def __exit__(self, *exc: typing.Any) -> None:
        self.close()
