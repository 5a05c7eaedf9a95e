"""What the checks count in a message's text: links, invites, emojis, capitals, duplicates.

Each ``count_*`` function is pure and cheap; the guard only calls the ones a policy uses.
"""

from __future__ import annotations

__all__ = (
    "COMPARED_LENGTH",
    "count_emojis",
    "count_invites",
    "count_links",
    "count_upper_case",
    "is_symbolic",
    "normalise",
    "pings_everyone",
)

import re
import string
import typing
import unicodedata

from spamguard.core.confusables import SKELETON

# Rowboat's definition of a link: a scheme and everything up to the next space.
_LINK_RE = re.compile(r"https?://[^\s<>]+", re.IGNORECASE)
_INVITE_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:discord(?:app)?\.com/invite|discord\.gg|dsc\.gg)/[\w-]+",
    re.IGNORECASE,
)
_CUSTOM_EMOJI_RE = re.compile(r"<a?:\w{2,32}:\d{15,21}>")
# One match per pictograph: modifiers, variation selectors and joiners attach to the one
# before them, so a family emoji or a skin-toned thumb counts once.
_UNICODE_EMOJI_RE = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2}"  # flags: a pair of regional indicators
    "|[\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U0001f000-\U0001faff]"
    ")"
    "(?:[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\u20e3]"
    "|\u200d[\u2600-\u27bf\U0001f000-\U0001faff][\ufe0f]?)*"
)
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_ASCII_CAPITALS = string.ascii_uppercase.encode()
# The table's lookup, for "".join(map(_LOOK_ALIKE, text, text)): each character, or its
# ASCII look-alike. str.translate with the table took three times as long on short chat
# (it raises and clears a KeyError for every character the table does not hold).
_LOOK_ALIKE: typing.Final = SKELETON.get
# Text with none of the table's characters skips the lookup: one regex search (a fraction
# of a microsecond on chat). The table's characters beyond U+FFFF are left to the lookup
# with every other one there (emoji among them): a character class holding them is scanned
# item by item for every character, 50 times slower than the class below.
_MAY_LOOK_ALIKE_RE = re.compile(
    "["
    + "".join(re.escape(character) for character in SKELETON if character <= "\uffff")
    + "\U00010000-\U0010ffff]"
)

COMPARED_LENGTH: typing.Final = 4000
"""Characters of a message's content that duplicates are compared on: Discord's cap on
content (for Nitro members; 2,000 otherwise), so every message Discord delivers is compared
whole. Longer text (a replay, direct API use) is compared on its first 4,000 characters:
normalising costs the length, and a fuzzy comparison the product of two lengths. Two texts
alike that far are duplicates for spam, whatever follows."""


def count_links(content: str) -> int:
    """Number of ``http(s)://`` links."""
    if "://" not in content:
        return 0
    return len(_LINK_RE.findall(content))


def count_invites(content: str) -> int:
    """Number of Discord invite links (discord.gg, discord.com/invite, ...), with or without scheme."""
    if "/" not in content:
        return 0
    return len(_INVITE_RE.findall(content))


def count_emojis(content: str) -> int:
    """Number of emojis: custom ``<:name:id>`` ones plus Unicode pictographs."""
    custom = len(_CUSTOM_EMOJI_RE.findall(content)) if "<" in content else 0
    if content.isascii():
        return custom
    return custom + len(_UNICODE_EMOJI_RE.findall(content))


def pings_everyone(content: str) -> bool:
    """Whether the text pings (or tries to ping) ``@everyone`` or ``@here``.

    Discord's own ``mention_everyone`` flag is only set when the author may ping everyone;
    a spammer without that permission still writes the text, and a moderator counts it
    as the mass ping it attempts. Discord matches the words anywhere, so this does too.
    """
    return "@everyone" in content or "@here" in content


def count_upper_case(content: str) -> int:
    """Number of upper-case letters (characters :meth:`str.isupper` calls upper case)."""
    # No "content == content.lower()" shortcut: letters such as U+1D538 are upper case
    # and have no lower-case form, so lower() leaves them as they are.
    if content.isascii():
        # The capitals deleted in C: str.isupper per character is an interpreter call
        # each (8 ms for a 100,000-character message, 6 times slower at any length).
        return len(content) - len(content.encode().translate(None, _ASCII_CAPITALS))
    return sum(map(str.isupper, content))


_last_normalised: tuple[str, str] = ("", "")
"""The last text :func:`normalise` was given, and its answer: the guard and the plugins
checking the same message normalise the same string object."""


def normalise(content: str) -> str:
    """The text duplicates are compared on: the first :data:`COMPARED_LENGTH` characters
    of ``content``, zero-width characters removed, compatibility forms folded (NFKC:
    full-width and mathematical letters become plain ones), look-alike letters of other
    scripts replaced by the ASCII ones they imitate (Unicode TR39's confusables, see
    :mod:`spamguard.core.confusables`), casefolded, runs of white space folded to one
    space; at most :data:`COMPARED_LENGTH` characters.

    ``free nitro`` spelt in full-width letters, in mathematical bold, or with Cyrillic and
    Greek look-alikes all give ``free nitro``. ASCII text is only lowered and folded:
    ``fr33`` stays ``fr33`` (digits for letters are the fuzzy comparison's business, and
    ordinary chat must cost no more than it did).

    The last answer is kept: asked again about the same string object (the guard, then an
    extension, for one message), the answer is not computed twice.
    """
    global _last_normalised  # noqa: PLW0603 - a one-entry cache, replaced in one store
    last = _last_normalised
    if last[0] is content:
        return last[1]
    compared = content[:COMPARED_LENGTH]
    if compared.isascii():
        # Every zero-width character is outside ASCII, and casefold() is lower() there:
        # skipping str.translate (a dict lookup per character, microseconds per message)
        # gives the same text. ASCII is NFKC-normal and has no look-alikes in the table.
        # Most messages are folded already (ASCII white space that split() folds is a
        # space or a control character, which isprintable() rejects), and the test is
        # cheaper than splitting them into words.
        text = compared.lower()
        if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
            text = " ".join(text.split())
    else:
        text = _normalise_unicode(compared)
    _last_normalised = (content, text)
    return text


def _normalise_unicode(content: str) -> str:
    """:func:`normalise` of text outside ASCII."""
    # NFKC first (it makes full-width and mathematical letters ASCII), then the look-alikes
    # (the table holds both cases: a capital's prototype may differ from its small
    # letter's), then casefold. casefold() may lengthen text ("\u00df" becomes "ss"), and
    # NFKC too ("\ufdfa" becomes 18 letters).
    text = unicodedata.normalize("NFKC", _ZERO_WIDTH_RE.sub("", content))
    if _MAY_LOOK_ALIKE_RE.search(text) is not None:
        text = "".join(map(_LOOK_ALIKE, text, text))
    text = text.casefold()
    return " ".join(text.split())[:COMPARED_LENGTH]


def is_symbolic(normalised: str) -> bool:
    """True for text with no letter or digit (emoji-only, punctuation-only).

    Such messages only duplicate each other when identical: fuzzy similarity between two
    different short strings of symbols says nothing about spam.
    """
    if normalised[:1].isalnum():  # most text starts with a letter or digit
        return False
    return not any(map(str.isalnum, normalised))
