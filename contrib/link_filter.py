"""Links and Discord invites: allow or deny by domain, and catch server invites.

Configured under ``extensions.link_filter``::

    extensions:
      link_filter:
        allow_domains: [youtube.com, github.com]  # if given, every other domain is denied
        deny_domains: [grabify.link]              # always denied (subdomains too)
        block_invites: true                       # Discord server invites are violations...
        allowed_invites: [python]                 # ...except these invite codes
        lookalikes: {domains: [mybank.example]}   # links imitating protected domains
        deny_file: /etc/spamguard/deny.txt        # one denied domain a line, reread on change
        punishment: NONE
        delete: true
        enabled: true

A link is ``http(s)://...`` or ``www....``; a domain matches itself and its subdomains
(``youtube.com`` covers ``m.youtube.com``). Invites are found with or without a scheme
(``discord.gg/x``, ``discord.com/invite/x``, ``discordapp.com/invite/x``) and are judged
only by the invite settings, never by the domain lists. A link is judged once whichever
reasons it has: a denied domain (``deny_domains`` or the ``deny_file``), one outside
``allow_domains``, or a look-alike of a protected domain (:mod:`.lookalikes`). The
violation is named ``link_filter``; its ``count`` is the number of offending links.

Hosts are compared in their ASCII form (a Unicode name as ``xn--``), so a list entry
matches every spelling of its domain. A host with an ``xn--`` label that does not decode
is never called a look-alike (the lists still apply); the plugin counts it in
:attr:`LinkFilter.undecodable_hosts`.
"""

from __future__ import annotations

__all__ = (
    "LinkFilter",
    "LinkFilterSettings",
    "Offences",
    "find_invites",
    "find_link_hosts",
    "plugin",
)

import dataclasses
import logging
import re
import typing
import urllib.parse

from spamguard.contrib.deny_file import DenyFile
from spamguard.contrib.domains import UndecodableHostError, ascii_host, clean_domain, matches
from spamguard.contrib.lookalikes import Lookalikes
from spamguard.contrib.plans import delete_when_fired
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.core.context import EVERY_MESSAGE, NO_MESSAGES, CheckNeeds
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

NAME = "link_filter"

_LOGGER = logging.getLogger("spamguard.contrib.link_filter")

_INVITE_RE = re.compile(
    r"(?:https?://)?(?:www\.)?"
    r"(?:discord(?:app)?\.com/invite|discord\.gg)"
    r"/(?P<code>[\w-]+)",
    re.IGNORECASE,
)
_LINK_RE = re.compile(r"(?:https?://|www\.)[^\s<>]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\">*_~|"


def find_invites(content: str) -> list[str]:
    """The codes of the Discord invites in ``content``, in order."""
    if "/" not in content:
        return []
    return [match.group("code") for match in _INVITE_RE.finditer(content)]


def find_link_hosts(content: str) -> list[str]:
    """The lower-case host of every link in ``content`` that is not a Discord invite."""
    if "://" not in content and ("." not in content or "www." not in content.lower()):
        return []
    stripped = _INVITE_RE.sub(" ", content)
    hosts = []
    for match in _LINK_RE.finditer(stripped):
        link = match.group(0).rstrip(_TRAILING)
        if not link.lower().startswith(("http://", "https://")):
            link = f"http://{link}"
        try:
            host = urllib.parse.urlsplit(link).hostname
        except ValueError:
            # A malformed authority ("http://[::1"); treat the text up to "/" as the host.
            host = link.split("://", 1)[1].split("/", 1)[0].lower()
        if host:
            hosts.append(host.rstrip("."))
    return hosts


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Offences:
    """What :meth:`LinkFilterSettings.judge` found in one message."""

    count: int = 0
    """Links and invites the settings forbid."""
    undecodable: int = 0
    """Hosts with an ``xn--`` label that does not decode (never called look-alikes)."""


_NO_OFFENCES: typing.Final = Offences()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class LinkFilterSettings:
    """The guild's ``extensions.link_filter`` settings."""

    allow_domains: tuple[str, ...] = ()
    """When not empty, links to any other domain are violations."""
    deny_domains: tuple[str, ...] = ()
    """Links to these domains (and their subdomains) are violations."""
    block_invites: bool = True
    """Discord server invites are violations."""
    allowed_invites: frozenset[str] = frozenset()
    """Invite codes that are always allowed (compared case-sensitively, as Discord does)."""
    lookalikes: Lookalikes | None = None
    """Links whose domain imitates a protected one are violations (None: not looked for)."""
    deny_file: DenyFile | None = None
    """Links to the domains listed in this file (read again when it changes) are
    violations."""
    punishment: Punishment = Punishment.NONE
    """What the member gets besides the deletion."""
    delete: bool = True
    """Delete the message."""

    @classmethod
    def parse(cls, data: object) -> LinkFilterSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.link_filter.<field>``.
        """
        fields = (
            "allow_domains",
            "deny_domains",
            "block_invites",
            "allowed_invites",
            "lookalikes",
            "deny_file",
            "punishment",
            "delete",
            "enabled",
        )
        reader = SettingsReader(NAME, data, fields)
        defaults = cls()
        domain = "a domain like example.com (no scheme, no path)"
        settings = cls(
            allow_domains=reader.strings("allow_domains", normalise=clean_domain, what=domain),
            deny_domains=reader.strings("deny_domains", normalise=clean_domain, what=domain),
            block_invites=reader.boolean("block_invites", defaults.block_invites),
            allowed_invites=frozenset(
                reader.strings(
                    "allowed_invites",
                    normalise=lambda code: code.rsplit("/", 1)[-1] or None,
                    what="an invite code like 'python' or a link to it",
                )
            ),
            lookalikes=Lookalikes.read(reader),
            deny_file=_deny_file(reader),
            punishment=reader.punishment("punishment", defaults.punishment),
            delete=reader.boolean("delete", defaults.delete),
        )
        enabled = reader.boolean("enabled", True)
        reader.finish()
        return settings if enabled else None

    def offending(self, content: str, now: float = 0.0) -> int:
        """How many links or invites in ``content`` these settings forbid (``now``: the
        message's time as a POSIX timestamp, for the ``deny_file`` check)."""
        return self.judge(content, now).count

    def judge(self, content: str, now: float = 0.0) -> Offences:
        """The links and invites in ``content`` these settings forbid, and the hosts that
        could not be judged (``now`` as for :meth:`offending`)."""
        count = undecodable = 0
        if self.block_invites:
            count += sum(1 for code in find_invites(content) if code not in self.allowed_invites)
        hosts = find_link_hosts(content)
        if not hosts:
            return Offences(count=count) if count else _NO_OFFENCES
        denied_by_file = self.deny_file.domains(now) if self.deny_file is not None else ()
        for host in hosts:
            name = ascii_host(host)
            if (
                matches(name, self.deny_domains)
                or (denied_by_file and matches(name, denied_by_file))
                or (self.allow_domains and not matches(name, self.allow_domains))
            ):
                count += 1
                continue
            if self.lookalikes is None:
                continue
            try:
                imitated = self.lookalikes.imitated(host)
            except UndecodableHostError as error:
                _LOGGER.debug("link_filter: a host is not judged for look-alikes: %s", error)
                undecodable += 1
                continue
            if imitated is not None:
                count += 1
        return Offences(count=count, undecodable=undecodable)


def _deny_file(reader: SettingsReader) -> DenyFile | None:
    """The ``deny_file`` setting, read now; a problem with it is reported on the field."""
    path = reader.text("deny_file", what="the path of a file of domains, one a line")
    if path is None:
        return None
    try:
        return DenyFile.load(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        reader.add("deny_file", f"cannot read the domain list {path!r}: {reason}")
        return None


class LinkFilter:
    """The ``link_filter`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME
    after_invoke_needs_violations: typing.ClassVar[bool] = True
    """Its ``spamguard_after_invoke`` only amends plans where its own check fired."""

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, LinkFilterSettings.parse)
        self.undecodable_hosts = 0
        """Link hosts never judged for look-alikes because an ``xn--`` label of theirs does
        not decode (malformed punycode, or ASCII in disguise)."""

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_declare_needs(self, policy: GuildPolicy) -> CheckNeeds:
        return EVERY_MESSAGE if self.settings.get(policy) is not None else NO_MESSAGES

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation] | None:
        content = message.content
        # Every invite holds a "/", every link "://" or "www." (see find_link_hosts): most
        # chat holds neither, sentences ending in "." included.
        if "/" not in content and ("." not in content or "www." not in content.lower()):
            return None
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        now = 0.0 if settings.deny_file is None else context.now_ts
        offences = settings.judge(content, now)
        self.undecodable_hosts += offences.undecodable
        count = offences.count
        if not count:
            return None
        return [
            Violation(
                check=NAME,
                count=count,
                limit=1,
                interval=0.0,
                message_ids=(message.id,),
                scope=str(Scope.USER),
                punishment=str(settings.punishment),
            )
        ]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        return delete_when_fired(
            plan, message, NAME, self.settings, policy, reason="spamguard: link not allowed"
        )


plugin = LinkFilter()
"""The instance the ``link_filter`` entry point registers."""
