"""A domain list the operator keeps in a file (``extensions.link_filter.deny_file``).

One domain a line (its subdomains included), ``#`` starts a comment, blank lines are
skipped; a line that is not a domain is skipped with a warning. The file is read when the
policy is read: a missing or unreadable file is a
:class:`~spamguard.core.errors.PolicyError` naming the field.

Where the IO lives, and why: the core reads no file and no clock, and contrib checks run
once per message. Reading the file per message would put a blocking read on the event
loop's path for every message. So :class:`DenyFile` reads it once at load, then at most
once every :data:`RECHECK_SECONDS` of message time (the decision time the check is handed,
not a clock) asks the file system for its modification time and size (one ``stat``, a few
microseconds), and reads it again only when they changed. An edit is in force within a
few seconds of the next message; a file that vanished or went unreadable later is logged
and its last list kept, so a botched edit never switches the filter off.
"""

from __future__ import annotations

__all__ = ("RECHECK_SECONDS", "DenyFile", "parse_domains")

import logging
import math
import os
import typing

from spamguard.contrib.domains import clean_domain

_LOGGER = logging.getLogger("spamguard.contrib.link_filter")

RECHECK_SECONDS: typing.Final = 5.0
"""How often (in message time) the file's modification time is looked at."""


def parse_domains(text: str) -> tuple[frozenset[str], tuple[int, ...]]:
    """The domains of a deny file's ``text`` (ASCII form) and the numbers of the lines that
    held something else."""
    domains: set[str] = set()
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        domain = clean_domain(entry)
        if domain is None:
            bad.append(number)
        else:
            domains.add(domain)
    return frozenset(domains), tuple(bad)


def _stamp(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class DenyFile:
    """The domains of one deny file, read again when the file changes.

    Build it with :meth:`load` (which reads the file); :meth:`domains` returns the list in
    force at a message's time.
    """

    __slots__ = ("_checked", "_domains", "_stamp", "path")

    def __init__(self, path: str, domains: frozenset[str], stamp: tuple[int, int, int]) -> None:
        self.path = path
        """The file's path, as the policy gave it."""
        self._domains = domains
        self._stamp = stamp
        self._checked = -math.inf

    @classmethod
    def load(cls, path: str) -> DenyFile:
        """Read the file at ``path``.

        Raises:
            OSError: it is missing or unreadable.
            UnicodeDecodeError: it is not UTF-8 text.
        """
        with open(path, encoding="utf-8") as file:
            stamp = _stamp(os.fstat(file.fileno()))
            text = file.read()
        domains, bad = parse_domains(text)
        if bad:
            _LOGGER.warning(
                "deny_file %s: %d line(s) are not domains and are skipped (first: line %d)",
                path,
                len(bad),
                bad[0],
            )
        return cls(path, domains, stamp)

    def domains(self, now: float) -> frozenset[str]:
        """The denied domains at ``now`` (a POSIX timestamp of message time): the file is
        looked at again when :data:`RECHECK_SECONDS` have passed since the last look (or
        time went backwards, as in a replay), and read again if it changed."""
        if self._checked <= now < self._checked + RECHECK_SECONDS:
            return self._domains
        self._checked = now
        try:
            stamp = _stamp(os.stat(self.path))
            if stamp != self._stamp:
                fresh = DenyFile.load(self.path)
                self._domains, self._stamp = fresh._domains, fresh._stamp
                _LOGGER.info("deny_file %s read again: %d domains", self.path, len(self._domains))
        except (OSError, UnicodeDecodeError) as error:
            _LOGGER.warning(
                "deny_file %s cannot be read (%s); its last %d domains stay in force",
                self.path,
                error,
                len(self._domains),
            )
        return self._domains
