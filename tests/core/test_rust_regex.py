"""AutoMod ``regex_patterns`` against the syntax of Rust's ``regex`` crate, which Discord
compiles them with.

Every verdict below was checked against the crate itself (regex 1.x, through a Python
binding of it, outside this test suite): ACCEPTED compile there, REFUSED do not. Python's
``re`` disagrees on many of them, which is why it is no stand-in.
"""

from __future__ import annotations

import re

import pytest

from spamguard.core import Policy, PolicyError
from spamguard.core.policy.rust_regex import syntax_error

ACCEPTED = [
    r"(?i)free\s*nitro",
    r"discord\.gg/\w+",
    r"https?://(www\.)?steamcommunity\.(ru|net)",
    r"\b(buy|sell)\s+followers?\b",
    r"[A-Z]{10,}",
    r"^.{500,}$",
    r"<@!?\d{17,20}>",
    r"(?m)^#{1,6} ",
    r"\$\{jndi:",
    r"[\u0400-\u04FF]+",
    r"[\x{1F600}-\x{1F64F}]",
    r"\p{Han}{5,}",
    r"\pL",
    r"[[:alpha:]]",
    r"[[:^alpha:]]",
    r"[a-z&&[^aeiou]]",
    r"[\p{L}--\p{Ll}]",
    r"[a--b]",
    r"[]a]",
    r"[^\]]",
    r"[a-]",
    r"[-a]",
    r"(?P<name>a)",
    r"(?<name>a)",
    r"(?i-s:a)",
    r"(?x) a # a comment with a ( in it",
    r"a{ 2 }",
    r"a{2,}",
    r"a{1,2}{3}",
    r"a**",
    r"^*",
    r"\b{start}",
    r"\/\-\#\<\ ",
    r"\v\f\a",
    r"a|",
    r"|",
    r"()",
    r"a}",
    r"}",
    r"a]",
]

REFUSED = {
    r"(": "unclosed group",
    r"(a|b": "unclosed group",
    r"a)": "unopened group",
    r"a(?:b|c))": "unopened group",
    r"[a": "unclosed character class",
    r"[]": "unclosed character class",
    r"[^]": "unclosed character class",
    r"[[]": "unclosed character class",
    r"(?=.*nitro)": "look-around",
    r"(?!a)": "look-around",
    r"(?<=a)b": "look-around",
    r"(?<!a)b": "look-around",
    r"(.)\1{5,}": "backreferences",
    r"(a)\1": "backreferences",
    r"\0": "backreferences",
    r"[\1]": "backreferences",
    r"\k<x>": "backreferences",
    r"(?P<n>a)(?P=n)": "backreferences",
    r"(?>a)": "unrecognized flag",
    r"(?#comment)": "unrecognized flag",
    r"(?a)b": "unrecognized flag",
    r"(?(1)a|b)": "unrecognized flag",
    r"(?)": "empty flag group",
    r"(?i-)a": "dangling flag negation",
    r"\Z": "unrecognized escape",
    r"\G": "unrecognized escape",
    r"\e": "unrecognized escape",
    r"\Qa\E": "unrecognized escape",
    "\\é": "unrecognized escape",
    "\\": "incomplete escape",
    r"\x4": "incomplete hexadecimal",
    r"\xZZ": "invalid hexadecimal",
    r"\x{110000}": "not a Unicode scalar value",
    r"*a": "repetition operator missing expression",
    r"a|*": "repetition operator missing expression",
    r"(*a)": "repetition operator missing expression",
    r"(?i)*": "repetition operator missing expression",
    r"{1}": "repetition operator missing expression",
    r"a{": "unclosed counted repetition",
    r"a{1": "unclosed counted repetition",
    r"a{,5}": "a counted repetition is",
    r"x{}": "a counted repetition is",
    r"a{2,1}": "invalid repetition",
    r"[z-a]": "invalid range",
    r"[\d-z]": "invalid range boundary",
    r"[a-\d]": "invalid range boundary",
    r"(?P<1a>x)": "invalid capture group name",
    r"(?P<>x)": "empty capture group name",
    r"(?<n>a)(?<n>b)": "duplicate capture group name",
}


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_patterns_the_rust_crate_compiles_are_accepted(pattern: str) -> None:
    assert syntax_error(pattern) is None


@pytest.mark.parametrize(("pattern", "reason"), list(REFUSED.items()))
def test_patterns_the_rust_crate_refuses_are_refused_with_the_reason(
    pattern: str, reason: str
) -> None:
    problem = syntax_error(pattern)
    assert problem is not None
    assert reason in problem
    assert re.search(r"\(at character \d+\)$", problem)


def test_python_re_is_no_stand_in() -> None:
    # Python compiles these; Discord refuses them.
    for pattern in (r"(?=.*nitro)", r"(.)\1{5,}", r"\Z", r"(?>a)", r"a{,5}"):
        re.compile(pattern)
        assert syntax_error(pattern) is not None


def test_a_refused_pattern_is_a_policy_error_naming_its_index() -> None:
    rule = {
        "name": "scams",
        "trigger": "keyword",
        "regex_patterns": [r"(?i)free\s*nitro", "(", r"(?=.*steam)gift"],
        "actions": [{"type": "block_message"}],
    }
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"automod": {"rules": [rule]}})
    assert [str(issue) for issue in info.value.issues] == [
        "automod.rules.0.regex_patterns.1: Discord's regex syntax (Rust's) refuses it: "
        "unclosed group: a '(' without its ')' (at character 1)",
        "automod.rules.0.regex_patterns.2: Discord's regex syntax (Rust's) refuses it: "
        "look-around (look-ahead and look-behind: (?=, (?!, (?<=, (?<!) is not supported "
        "(at character 1)",
    ]


def test_member_profile_rules_are_checked_too_and_per_guild() -> None:
    rule = {
        "name": "names",
        "trigger": "member_profile",
        "regex_patterns": [r"(a)\1"],
        "actions": [{"type": "block_member_interaction"}],
    }
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"guilds": {"42": {"automod": {"rules": [rule]}}}})
    ((issue),) = info.value.issues
    assert issue.path == "guilds.42.automod.rules.0.regex_patterns.0"
    assert "backreferences (\\1) are not supported" in issue.message
