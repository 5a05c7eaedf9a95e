"""Reading an extension's settings from ``policy.extensions[<name>]``, with clear errors.

The policy schema keeps ``extensions`` free-form; each extension validates its own part
with a :class:`SettingsReader`, whose issues name the field the way the core's do
(``extensions.raid.members: must be a positive integer, got 0``), and caches the parsed
value per guild policy with a :class:`SettingsCache`.
"""

from __future__ import annotations

__all__ = ("SettingsCache", "SettingsReader")

import logging
import typing

from spamguard.core.errors import PolicyError
from spamguard.core.policy.fields import MAX_DURATION
from spamguard.core.policy.issues import Issues, join, show
from spamguard.core.policy.model import Punishment
from spamguard.core.policy.reader import (
    read_boolean,
    read_choice,
    read_ids,
    read_integer,
    read_mapping,
    read_seconds,
    read_template,
)

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.core.errors import PolicyIssue
    from spamguard.core.policy.model import GuildPolicy

_LOGGER = logging.getLogger("spamguard.contrib")

_S = typing.TypeVar("_S")

_MAX_CACHED = 64
_TIMEOUT_SECONDS = 28 * 86_400
"""Discord's longest timeout."""


class SettingsReader:
    """Reads one extension's settings mapping, collecting every problem.

    Values are read by the core's field reader (:mod:`spamguard.core.policy.reader`), so a
    setting is judged and a problem worded as a policy key of the same kind would be.

    Args:
        name: the extension's name (its key under ``extensions``).
        data: the raw settings (``None`` for an empty mapping).
        allowed: every key the extension knows; others are reported with a close match.
    """

    __slots__ = ("_data", "_found", "path")

    def __init__(self, name: str, data: object, allowed: Iterable[str]) -> None:
        self.path = f"extensions.{name}"
        self._found = Issues()
        self._data: dict[str, typing.Any] = {}
        if data is not None:
            self._data = read_mapping(
                self._found, self.path, data, allowed, what="a mapping of settings"
            )

    @property
    def issues(self) -> list[PolicyIssue]:
        """The problems found so far."""
        return self._found.items

    def add(self, field: str, message: str) -> None:
        """Record a problem with ``field`` (``""``: the whole mapping)."""
        self._found.add(join(self.path, field) if field else self.path, message)

    def integer(
        self, field: str, default: int, *, minimum: int = 1, maximum: int | None = None
    ) -> int:
        """An integer within ``minimum..maximum``."""
        return read_integer(
            self._found,
            join(self.path, field),
            self._data.get(field),
            default,
            minimum=minimum,
            maximum=maximum,
        )

    def optional_integer(self, field: str, *, minimum: int = 1) -> int | None:
        """An integer, or ``None`` when absent (the limit is off)."""
        if self._data.get(field) is None:
            return None
        return self.integer(field, minimum, minimum=minimum)

    def seconds(self, field: str, default: float) -> float:
        """A finite, positive number of seconds."""
        return read_seconds(self._found, join(self.path, field), self._data.get(field), default)

    def boolean(self, field: str, default: bool) -> bool:
        """``true`` or ``false``."""
        return read_boolean(self._found, join(self.path, field), self._data.get(field), default)

    def choice(self, field: str, default: str, choices: tuple[str, ...]) -> str:
        """One of ``choices`` (case-insensitive); returns the canonical spelling."""
        value = self._data.get(field)
        chosen = read_choice(self._found, join(self.path, field), value, choices)
        return default if chosen is None else chosen

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
            self.add(field, f"must be a list of strings, got {show(value)}")
            return ()
        result: list[str] = []
        for index, item in enumerate(value):
            cleaned = item.strip() if isinstance(item, str) else None
            if cleaned and normalise is not None:
                cleaned = normalise(cleaned)
            if not cleaned:
                self.add(f"{field}.{index}", f"must be {what}, got {show(item)}")
                continue
            result.append(cleaned)
        return tuple(result)

    def text(self, field: str, *, what: str = "a non-empty string") -> str | None:
        """One string (stripped), or None when the field is absent or ``null``."""
        value = self._data.get(field)
        if value is None:
            return None
        cleaned = value.strip() if isinstance(value, str) else ""
        if not cleaned:
            self.add(field, f"must be {what}, got {show(value)}")
            return None
        return cleaned

    def ids(self, field: str) -> frozenset[int]:
        """A list of Discord ids (numbers or digit strings); each bad one is reported at
        ``<field>.<index>``."""
        return read_ids(self._found, join(self.path, field), self._data.get(field))

    def template(self, field: str, default: object) -> typing.Any:
        """A notice: a text or an embed mapping with ``$VARIABLES``; ``true`` takes
        ``default``, absent, ``null`` or ``false`` gives None (no notice)."""
        value = self._data.get(field)
        if value is True:
            return default
        if value is False:
            return None
        return read_template(self._found, join(self.path, field), value, None)

    def punishment_duration(self, field: str, default: int, punishment: Punishment) -> int:
        """Seconds a TIMEOUT, TEMPMUTE or TEMPBAN lasts: a positive integer, at most
        Discord's 28 days for a TIMEOUT."""
        seconds = self.integer(field, default, maximum=MAX_DURATION)
        if punishment is Punishment.TIMEOUT and seconds > _TIMEOUT_SECONDS:
            self.add(
                field,
                f"a TIMEOUT lasts at most Discord's 28 days ({_TIMEOUT_SECONDS} seconds), "
                f"got {seconds}",
            )
        return seconds

    def section(self, field: str, allowed: Iterable[str]) -> SettingsReader | None:
        """The mapping at ``field`` (``lockdown: {...}``), read by a reader that reports into
        this one's problems at ``extensions.<name>.<field>.<key>``; None when the field is
        absent, ``null`` or ``false`` (the section is off), an empty mapping for ``true``."""
        value = self._data.get(field)
        if value is None or value is False:
            return None
        child = SettingsReader.__new__(SettingsReader)
        child.path = join(self.path, field)
        child._found = self._found
        child._data = (
            {}
            if value is True
            else read_mapping(
                self._found, child.path, value, allowed, what="a mapping of settings, or false"
            )
        )
        return child

    def finish(self) -> None:
        """Raise the problems found.

        Raises:
            PolicyError: listing every problem as ``extensions.<name>.<field>: ...``.
        """
        if self._found.items:
            raise PolicyError(self._found.items)


class SettingsCache(typing.Generic[_S]):
    """Parsed settings per guild policy, parsed once (policies are immutable values).

    Args:
        name: the extension's key under ``policy.extensions``.
        parse: builds the settings from the raw mapping, or returns None when they switch
            the extension off (``enabled: false``); raises
            :class:`~spamguard.core.errors.PolicyError`.
    """

    __slots__ = ("_cache", "_last", "_parse", "name")

    def __init__(self, name: str, parse: Callable[[object], _S | None]) -> None:
        self.name = name
        self._parse = parse
        self._cache: dict[int, tuple[Mapping[str, typing.Any], _S | None]] = {}
        # The last answer: most bots run one policy, asked about on every message.
        self._last: tuple[Mapping[str, typing.Any] | None, _S | None] = (None, None)

    def get(self, policy: GuildPolicy) -> _S | None:
        """The guild's settings, or None when the extension is not configured there.

        Invalid settings (a policy the guard did not validate, e.g. swapped in at run
        time) are logged once and switch the extension off for that policy: a settings
        mistake never raises into the bot's event loop.
        """
        extensions = policy.extensions
        last = self._last
        if last[0] is extensions:
            return last[1]
        cached = self._cache.get(id(extensions))
        if cached is not None and cached[0] is extensions:
            self._last = cached
            return cached[1]
        settings: _S | None = None
        if self.name in extensions:
            try:
                settings = self._parse(extensions[self.name])
            except PolicyError as error:
                _LOGGER.error("spamguard extension %r is switched off: %s", self.name, error)
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[id(extensions)] = self._last = (extensions, settings)
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
