"""Where a runtime's policy came from, and reading it again: :class:`PolicySource`,
:class:`PolicyReload`.

``attach(bot, policy="spamguard.yaml")`` keeps the file's path, so a moderator's
``reload`` reads the same file again (in a worker thread). A new policy replaces the
guard's only once it is entirely valid, extensions' settings included; otherwise the
answer lists every problem with its path and the policy in use stays. The swap happens
between two decisions (the guard decides synchronously), so messages being processed are
decided wholly with one policy or the other.
"""

from __future__ import annotations

__all__ = ("PolicyReload", "PolicySource", "ReloadResult")

import asyncio
import dataclasses
import logging
import os
import pathlib
import typing

from spamguard.adapters.runtime.requests import POLICY_ENV
from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from spamguard.core.engine import Guard

_LOGGER = logging.getLogger("spamguard.runtime")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PolicySource:
    """The file a runtime's policy is read from."""

    path: pathlib.Path | None
    """The policy file; None: the bundled default policy."""
    from_env: bool = False
    """The path came from ``$SPAMGUARD_POLICY``."""

    @classmethod
    def of(cls, policy: Policy | str | os.PathLike[str] | None) -> PolicySource | None:
        """Where :func:`~spamguard.adapters.runtime.requests.load_policy` reads ``policy``
        from: the file it names, else ``$SPAMGUARD_POLICY``'s, else the default policy;
        None for a :class:`Policy` value (nothing to read again)."""
        if isinstance(policy, Policy):
            return None
        if policy is not None:
            return cls(path=pathlib.Path(policy))
        path = os.environ.get(POLICY_ENV)
        if path:
            return cls(path=pathlib.Path(path), from_env=True)
        return cls(path=None)

    def describe(self) -> str:
        """The source in words, e.g. ``spamguard.yaml ($SPAMGUARD_POLICY)``."""
        if self.path is None:
            return "the default policy"
        return f"{self.path} (${POLICY_ENV})" if self.from_env else str(self.path)

    def read(self) -> Policy:
        """Read and validate the policy (blocking: file IO).

        Raises:
            PolicyError: the file cannot be read or parsed, or the policy is invalid
                (every problem, with its path).
        """
        return Policy.default() if self.path is None else Policy.from_file(self.path)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ReloadResult:
    """What a reload did."""

    ok: bool
    """The new policy is in use."""
    source: str
    """Where it was read from (:meth:`PolicySource.describe`), or why there is nothing to read."""
    issues: tuple[PolicyIssue, ...] = ()
    """Every problem found (``ok`` is False): path and message."""
    error: str = ""
    """The problem in one text (a file that cannot be read names no path)."""
    notes: tuple[str, ...] = ()
    """What the new policy changes that takes effect only at the next start."""


class PolicyReload:
    """Reads a runtime's policy again, one reload at a time.

    Args:
        source: where the policy came from (None: it was given as a value).
    """

    def __init__(self, source: PolicySource | None) -> None:
        self.source = source
        self._lock = asyncio.Lock()

    async def reload(self, guard: Guard) -> ReloadResult:
        """Read the policy again and give it to ``guard`` when it is valid; never raises."""
        source = self.source
        if source is None:
            return ReloadResult(
                ok=False,
                source="a Policy value given to attach()",
                error="the policy was given as a value, not read from a file: there is "
                "nothing to read again (give attach() the file's path to reload it)",
            )
        async with self._lock:
            where = source.describe()
            try:
                policy = await asyncio.to_thread(source.read)
                # Extensions' settings too (what Guard checks when it is built).
                guard.hooks.validate_policy(policy)
            except PolicyError as exc:
                _LOGGER.warning("spamguard kept its policy: %s is invalid:\n%s", where, exc)
                return ReloadResult(ok=False, source=where, issues=exc.issues, error=str(exc))
            except Exception as exc:
                _LOGGER.exception("spamguard kept its policy: reading %s failed", where)
                return ReloadResult(ok=False, source=where, error=f"{type(exc).__name__}: {exc}")
            old = guard.policy
            notes = []
            if (policy.store_url, policy.store_mode) != (old.store_url, old.store_mode):
                notes.append("the state store's settings (store:) take effect at the next start")
            guard.policy = policy
            _LOGGER.info("spamguard reloaded its policy from %s", where)
            return ReloadResult(ok=True, source=where, notes=tuple(notes))
