"""Bot processes for the multi-process store tests: ``tests/stores/store_worker.py`` run as a
child process with its own Guard and ConsistentRedisStore, driven over its stdin and stdout.

Test infrastructure, not part of the package (``from support.store_workers import ...``).
"""

from __future__ import annotations

__all__ = ("WORKER", "StoreWorker", "StoreWorkerError")

import json
import pathlib
import signal
import subprocess
import sys
import typing

from spamguard.core.errors import SpamguardError

WORKER = pathlib.Path(__file__).parent.parent / "stores" / "store_worker.py"
"""The worker script (its docstring lists the commands it answers)."""


class StoreWorkerError(SpamguardError, RuntimeError):
    """A worker process exited or answered something else than expected."""


class StoreWorker:
    """One bot process (``store_worker.py``) with its own Guard and ConsistentRedisStore.

    Args:
        url: the Redis URL.
        policy_doc: the policy, as a document.
        script: the worker script (another one answering the same way: the benchmarks').
        setup: more of the worker's set-up line (``prefix``, ``claim_lease``).
    """

    def __init__(
        self,
        url: str,
        policy_doc: dict[str, typing.Any] | None,
        *,
        script: pathlib.Path = WORKER,
        **setup: typing.Any,
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.send({"url": url, "prefix": "spamguard", "policy": policy_doc, **setup})
        ready = self.receive()
        if ready != {"ready": True, "failures": 0}:
            msg = f"the worker did not start cleanly: {ready}"
            raise StoreWorkerError(msg)

    def send(self, command: dict[str, typing.Any]) -> None:
        """Send one command line."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict[str, typing.Any]:
        """The answer to the last command.

        Raises:
            StoreWorkerError: the worker exited instead.
        """
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            msg = f"worker exited with {self.process.wait(timeout=5)}"
            raise StoreWorkerError(msg)
        return typing.cast("dict[str, typing.Any]", json.loads(line))

    def ask(self, command: dict[str, typing.Any]) -> dict[str, typing.Any]:
        """Send ``command`` and return its answer."""
        self.send(command)
        return self.receive()

    def kill(self) -> None:
        """End the process with SIGKILL (a crash: nothing is flushed or closed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def close(self) -> None:
        """Close the worker's store and wait for it to exit (killed if it does not)."""
        try:
            if self.process.poll() is None:
                self.send({"op": "close"})
                self.receive()
                self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None:
                    pipe.close()
