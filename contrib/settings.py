"""Reading an extension's settings from ``policy.extensions[<name>]``, with clear errors.

The policy schema keeps ``extensions`` free-form; each extension validates its own part
with a :class:`SettingsReader`, whose issues name the field the way the core's do
(``extensions.raid.members: must be a positive integer, got 0``), and caches the parsed
value per guild policy with a :class:`SettingsCache`.
"""

from __future__ import annotations

__all__ = ("SettingsCache", "SettingsReader")

import difflib
import logging
import typing

from spamguard.core.errors import PolicyError, PolicyIssue
from spamguard.core.policy import Punishment

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.core.policy import GuildPolicy

_LOGGER = logging.getLogger("spamguard.contrib")

_S = typing.TypeVar("_S")

_MAX_CACHED = 64


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


class SettingsReader:
    """Reads one extension's settings mapping, collecting every problem.

    Args:
        name: the extension's name (its key under ``extensions``).
        data: the raw settings (``None`` for an empty mapping).
        allowed: every key the extension knows; others are reported with a close match.
    """

    __slots__ = ("_data", "issues", "path")

    def __init__(self, name: str, data: object, allowed: Iterable[str]) -> None:
        self.path = f"extensions.{name}"
        self.issues: list[PolicyIssue] = []
        self._data: dict[str, typing.Any] = {}
        if data is None:
            return
        if not isinstance(data, dict):
            self.add("", f"must be a mapping of settings, got {_show(data)}")
            return
        known = tuple(allowed)
        for key, value in data.items():
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.add(str(key), f"unknown key{suggestion}; allowed: {', '.join(known)}")
            else:
                self._data[key] = value

    def add(self, field: str, message: str) -> None:
        """Record a problem with ``field`` (``""``: the whole mapping)."""
        path = f"{self.path}.{field}" if field else self.path
        self.issues.append(PolicyIssue(path=path, message=message))

    def integer(
        self, field: str, default: int, *, minimum: int = 1, maximum: int | None = None
    ) -> int:
        """An integer within ``minimum..maximum``."""
        value = self._data.get(field)
        if value is None:
            return default
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        if maximum is not None:
            kind = f"an integer from {minimum} to {maximum}"
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            self.add(field, f"must be {kind}, got {_show(value)}")
            return default
        return value

    def optional_integer(self, field: str, *, minimum: int = 1) -> int | None:
        """An integer, or ``None`` when absent (the limit is off)."""
        if self._data.get(field) is None:
            return None
        return self.integer(field, minimum, minimum=minimum)

    def seconds(self, field: str, default: float) -> float:
        """A positive number of seconds."""
        value = self._data.get(field)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.add(field, f"must be a positive number of seconds, got {_show(value)}")
            return default
        return float(value)

    def boolean(self, field: str, default: bool) -> bool:
        """``true`` or ``false``."""
        value = self._data.get(field)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(field, f"must be true or false, got {_show(value)}")
            return default
        return value

    def choice(self, field: str, default: str, choices: tuple[str, ...]) -> str:
        """One of ``choices`` (case-insensitive); returns the canonical spelling."""
        value = self._data.get(field)
        if value is None:
            return default
        if isinstance(value, str):
            for choice in choices:
                if choice.lower() == value.lower():
                    return choice
        self.add(field, f"must be one of {', '.join(choices)}, got {_show(value)}")
        return default

    def punishment(
        self, field: str, default: Punishment, allowed: tuple[Punishment, ...] = tuple(Punishment)
    ) -> Punishment:
        """A punishment name (NONE, WARN, TIMEOUT, ...)."""
        name = self.choice(field, default.value, tuple(p.value for p in allowed))
        return Punishment(name)

    def strings(
        self,
        field: str,
        *,
        normalise: Callable[[str], str | None] | None = None,
        what: str = "a non-empty string",
    ) -> tuple[str, ...]:
        """A list of strings, each passed through ``normalise`` (which returns the clean
        value, or None to reject it as not ``what``)."""
        value = self._data.get(field)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            self.add(field, f"must be a list of strings, got {_show(value)}")
            return ()
        result: list[str] = []
        for index, item in enumerate(value):
            cleaned = item.strip() if isinstance(item, str) else None
            if cleaned and normalise is not None:
                cleaned = normalise(cleaned)
            if not cleaned:
                self.add(f"{field}.{index}", f"must be {what}, got {_show(item)}")
                continue
            result.append(cleaned)
        return tuple(result)

    def finish(self) -> None:
        """Raise the problems found.

        Raises:
            PolicyError: listing every problem as ``extensions.<name>.<field>: ...``.
        """
        if self.issues:
            raise PolicyError(self.issues)


class SettingsCache(typing.Generic[_S]):
    """Parsed settings per guild policy, parsed once (policies are immutable values).

    Args:
        name: the extension's key under ``policy.extensions``.
        parse: builds the settings from the raw mapping, or returns None when they switch
            the extension off (``enabled: false``); raises
            :class:`~spamguard.core.errors.PolicyError`.
    """

    __slots__ = ("_cache", "_parse", "name")

    def __init__(self, name: str, parse: Callable[[object], _S | None]) -> None:
        self.name = name
        self._parse = parse
        self._cache: dict[int, tuple[Mapping[str, typing.Any], _S | None]] = {}

    def get(self, policy: GuildPolicy) -> _S | None:
        """The guild's settings, or None when the extension is not configured there.

        Invalid settings (a policy the guard did not validate, e.g. swapped in at run
        time) are logged once and switch the extension off for that policy: a settings
        mistake never raises into the bot's event loop.
        """
        extensions = policy.extensions
        cached = self._cache.get(id(extensions))
        if cached is not None and cached[0] is extensions:
            return cached[1]
        settings: _S | None = None
        if self.name in extensions:
            try:
                settings = self._parse(extensions[self.name])
            except PolicyError as error:
                _LOGGER.error("spamguard extension %r is switched off: %s", self.name, error)
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[id(extensions)] = (extensions, settings)
        return settings

    def issues(self, policy: GuildPolicy) -> list[PolicyIssue]:
        """The problems with the guild's settings (for ``spamguard_validate_policy``)."""
        if self.name not in policy.extensions:
            return []
        try:
            self._parse(policy.extensions[self.name])
        except PolicyError as error:
            return list(error.issues)
        return []
