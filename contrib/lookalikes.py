"""Look-alike domains: a link whose domain imitates a protected one without being it.

``extensions.link_filter.lookalikes`` (read by :mod:`spamguard.contrib.link_filter`)::

    lookalikes:
      domains: [mybank.example]  # protected besides the built-in ones
      builtin: true              # protect BUILTIN_DOMAINS too
      accuracy: 85               # how alike (0-100) a word must be to a protected name
      ignore: [discord.me]       # never a look-alike

A link's host is judged on its registrable domain (the part a person can register:
``gift.discord-nitro.co.uk`` -> ``discord-nitro.co.uk``), found with the Public Suffix List
that the ``publicsuffixlist`` package bundles (never fetched). The host imitates a
protected domain whose name (``discord`` for ``discord.gg``) matches one of the host's
words: the registrable name whole and split at ``-``, ``_`` and ``.`` (subdomains
included: ``discord.gg.scam.example``), each compared on its skeleton (NFKC, look-alike
letters of other scripts as ASCII, ``0`` as ``o``, ``1`` as ``l``, ``rn`` as ``m``:
Unicode TR39), equal or at least ``accuracy`` alike by edit distance (optimal string
alignment: a swap of two letters is one edit). So ``dlscord.com``, ``discord.ru``,
``discord.com`` with a Cyrillic ``i`` (U+0456; or its punycode ``xn--dscord-pvf.com``),
``discord-gift-nitro.com`` and ``steamcornmunity.com`` are look-alikes;
``discord.com``, ``cdn.discordapp.com`` and ``discordpy.readthedocs.io`` are not.
"""

from __future__ import annotations

__all__ = ("BUILTIN_DOMAINS", "GENUINE_DOMAINS", "Lookalikes", "skeleton")

import dataclasses
import re
import typing

from rapidfuzz.distance import OSA

from spamguard.contrib.domains import ascii_host, clean_domain, matches, unicode_host
from spamguard.core.confusables import ASCII_LOOKALIKES
from spamguard.core.text import normalise

if typing.TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

    from spamguard.contrib.settings import SettingsReader

BUILTIN_DOMAINS: typing.Final = (
    "discord.com",
    "discord.gg",
    "discordapp.com",
    "discord.gift",
    "steamcommunity.com",
    "steampowered.com",
)
"""The domains protected unless ``builtin: false``."""

GENUINE_DOMAINS: typing.Final = (
    "discordapp.net",
    "discord.media",
    "discord.new",
    "discord.dev",
    "discord.co",
    "discord.js.org",
)
"""Real domains that would look like imitations of the built-in ones (Discord's own media,
template and redirect domains; the discord.js documentation): never look-alikes while the
built-in domains are protected."""

DEFAULT_ACCURACY: typing.Final = 85
"""One edit in a name of 7 letters (``dlscord``), two in one of 14 (``steamcomnunlty``)."""

_FIELDS: typing.Final = ("domains", "builtin", "accuracy", "ignore")
_WORD_SPLIT = re.compile(r"[-_.]+")
_ASCII_LOOKALIKES = str.maketrans(dict(ASCII_LOOKALIKES))
_MAX_REMEMBERED = 4096

_suffixes: PublicSuffixList | None = None


def _suffix_list() -> PublicSuffixList:
    """The Public Suffix List the ``publicsuffixlist`` package bundles, parsed once per
    process (about 0.2 s, when the first policy with ``lookalikes`` is read)."""
    global _suffixes  # noqa: PLW0603 - one parse per process, shared by every policy
    if _suffixes is None:
        from publicsuffixlist import PublicSuffixList

        _suffixes = PublicSuffixList()
    return _suffixes


def skeleton(text: str) -> str:
    """The form two names are compared in: :func:`~spamguard.core.text.normalise`d, then
    the ASCII look-alikes (``0`` as ``o``, ``1`` as ``l``, ``m`` as ``rn``)."""
    return normalise(text).translate(_ASCII_LOOKALIKES)


def _name(domain: str) -> str:
    """The registrable name of a protected domain: ``discord`` for ``discord.gg``."""
    suffix = _suffix_list().publicsuffix(domain) or ""
    return domain[: len(domain) - len(suffix)].strip(".") or domain


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Lookalikes:
    """The ``extensions.link_filter.lookalikes`` settings, ready to judge hosts."""

    domains: tuple[str, ...] = BUILTIN_DOMAINS
    """The protected domains (ASCII form): the built-in ones unless ``builtin: false``,
    then the user's."""
    accuracy: int = DEFAULT_ACCURACY
    """How alike (0-100, edit distance) a word of a host must be to a protected name."""
    ignore: frozenset[str] = frozenset()
    """Domains never judged look-alikes (with their subdomains): the protected ones, the
    genuine ones with the built-in set, and the user's ``ignore``."""
    names: tuple[tuple[str, str], ...] = ()
    """Each protected name's skeleton (``discord``, ``steamcornrnunity``) and the first
    protected domain with that name."""
    _verdicts: dict[str, str | None] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def read(cls, reader: SettingsReader) -> Lookalikes | None:
        """The ``lookalikes`` section of ``reader``'s settings; None when absent or false.
        Parses the Public Suffix List on first use."""
        section = reader.section("lookalikes", _FIELDS)
        if section is None:
            return None
        what = "a domain like example.com (no scheme, no path)"
        own = section.strings("domains", normalise=clean_domain, what=what)
        ignore = section.strings("ignore", normalise=clean_domain, what=what)
        builtin = section.boolean("builtin", True)
        accuracy = section.integer("accuracy", DEFAULT_ACCURACY, minimum=0, maximum=100)
        if not builtin and not own:
            section.add("domains", "must name a domain to protect when builtin is false")
        domains = tuple(dict.fromkeys((*(BUILTIN_DOMAINS if builtin else ()), *own)))
        names: dict[str, str] = {}
        for domain in domains:
            names.setdefault(skeleton(_name(unicode_host(domain))), domain)
        return cls(
            domains=domains,
            accuracy=accuracy,
            ignore=frozenset((*domains, *(GENUINE_DOMAINS if builtin else ()), *ignore)),
            names=tuple(names.items()),
        )

    def imitated(self, host: str) -> str | None:
        """The protected domain ``host`` imitates, or None (it is one, or like none).

        Raises:
            UndecodableHostError: an ``xn--`` label of ``host`` is not punycode.
        """
        try:
            return self._verdicts[host]
        except KeyError:
            pass
        verdict = self._judge(host)
        if len(self._verdicts) >= _MAX_REMEMBERED:
            self._verdicts.clear()
        self._verdicts[host] = verdict
        return verdict

    def _judge(self, host: str) -> str | None:
        name = unicode_host(host)
        if not name or name.replace(".", "").isdigit() or ":" in name:
            return None  # an IP address
        if matches(ascii_host(host), self.ignore):
            return None
        suffixes = _suffix_list()
        registrable = suffixes.privatesuffix(name)
        if registrable is None:
            return None  # a public suffix itself (co.uk), or one label (localhost)
        suffix = suffixes.publicsuffix(registrable) or ""
        head = name[: len(name) - len(suffix)].strip(".")
        label = registrable[: len(registrable) - len(suffix)].strip(".")
        words = {skeleton(label), *(skeleton(w) for w in _WORD_SPLIT.split(head) if w)}
        cutoff = self.accuracy / 100
        for protected_name, protected in self.names:
            for word in words:
                if (
                    word == protected_name
                    or OSA.normalized_similarity(word, protected_name) >= cutoff
                ):
                    return protected
        return None
