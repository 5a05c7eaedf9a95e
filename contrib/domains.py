"""Domain names as links carry them: the ASCII (``xn--``) form lists are compared in, the
Unicode form look-alikes are judged in, and what a list entry may be.

A link's host arrives as typed: ``discord.com``, ``discord.com`` with a Cyrillic ``i``
(U+0456), ``xn--dscord-pvf.com`` (the same, in punycode), or in full-width letters. Browsers
fold a host with NFKC and lower case before looking it up (UTS #46), and so do these
functions, so that every spelling of one domain compares equal.
"""

from __future__ import annotations

__all__ = ("UndecodableHostError", "ascii_host", "clean_domain", "matches", "unicode_host")

import re
import unicodedata

_DOMAIN_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
# Full stops browsers take as the dot between labels (UTS #46 maps them to ".").
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class UndecodableHostError(ValueError):
    """A host with an ``xn--`` label that is not valid punycode, or is ASCII in disguise."""


def _fold(host: str) -> str:
    return unicodedata.normalize("NFKC", host).translate(_DOTS).lower().strip(".")


def ascii_host(host: str) -> str:
    """``host`` folded (NFKC, lower case) with each non-ASCII label in its ``xn--`` form:
    the form domain lists are compared in. ASCII hosts only lose a trailing dot."""
    if host.isascii():
        return host.lower().strip(".")
    labels = _fold(host).split(".")
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in labels
    )


def unicode_host(host: str) -> str:
    """``host`` folded (NFKC, lower case) with each ``xn--`` label decoded: the form
    look-alikes are judged in.

    Raises:
        UndecodableHostError: an ``xn--`` label is not valid punycode, or decodes to
            nothing outside ASCII (IDNA refuses such a label, and so do browsers).
    """
    labels = _fold(host).split(".")
    if "xn--" not in host.lower():
        return ".".join(labels)
    decoded = []
    for label in labels:
        if not label.startswith("xn--"):
            decoded.append(label)
            continue
        try:
            text = label[4:].encode("ascii").decode("punycode").lower()
        except (UnicodeError, ValueError) as error:
            raise UndecodableHostError(f"{host!r}: {label!r} is not punycode") from error
        if text.isascii():  # empty, or ASCII in disguise: IDNA refuses both, and browsers
            raise UndecodableHostError(f"{host!r}: {label!r} hides no Unicode name")
        decoded.append(text)
    return ".".join(decoded)


def clean_domain(value: str) -> str | None:
    """A list entry as a domain in ASCII form (``*.`` and dots around it dropped, a
    Unicode name in its ``xn--`` form), or None when it is not a domain (a URL, a path,
    a single label)."""
    domain = value.strip().lower().removeprefix("*.").strip(".")
    if not domain.isascii():
        domain = ascii_host(domain)
    return domain if _DOMAIN_RE.match(domain) else None


def matches(host: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (both in ASCII form)."""
    if host in domains:
        return True
    dot = host.find(".")
    while dot != -1:
        if host[dot + 1 :] in domains:
            return True
        dot = host.find(".", dot + 1)
    return False
