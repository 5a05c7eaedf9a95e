"""link_filter's look-alike domains and deny file, through a real guard."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spamguard.contrib.deny_file import RECHECK_SECONDS
from spamguard.contrib.link_filter import LinkFilter, LinkFilterSettings
from spamguard.core import DeleteMessages, Guard, PolicyError


def deleted(plan) -> list[int]:
    return [mid for a in plan.actions if isinstance(a, DeleteMessages) for mid in a.message_ids]


def lookalike_guard(policy, **lookalikes) -> Guard:
    settings = {"block_invites": False, "lookalikes": lookalikes or True}
    return Guard(policy(extensions={"link_filter": settings}), plugins=[LinkFilter()])


@pytest.mark.parametrize(
    "link",
    [
        "https://dlscord.com/gift",  # one letter swapped for a look-alike
        "https://dicsord.com/nitro",  # two letters swapped
        "https://discord.ru/gift",  # the name on another suffix
        "https://d\u0456scord.com/gift",  # a Cyrillic i
        "https://xn--dscord-pvf.com/gift",  # the same in punycode
        "https://XN--DSCORD-PVF.COM/gift",  # in capitals
        "https://disc0rd.gg/x",  # a digit for a letter
        "https://discord-gift-nitro.com/claim",  # extra words
        "https://discord.gg.free-nitro.ru/x",  # the name as a subdomain
        "https://steamcornmunity.com/tradeoffer",  # rn for m
        "https://steamcommunlty.com/id/x",
        "https://\uff44\uff49\uff53\uff43\uff4f\uff52\uff44\uff0e\uff52\uff55/x",  # full width
        "https://discord-nitro.pages.dev/x",  # on a public suffix of a hosting service
        "www.dlscord.com",
        "WWW.DLSCORD.COM",  # no "/" in the whole message: found all the same
    ],
)
def test_a_link_imitating_a_protected_domain_is_a_violation(msg, policy, link) -> None:
    guard = lookalike_guard(policy)
    plan = guard.process(msg(f"free nitro for everyone {link}"))
    assert [(v.check, v.count) for v in plan.violations] == [("link_filter", 1)]
    assert deleted(plan) == [plan.message_id]


@pytest.mark.parametrize(
    "link",
    [
        "https://discord.com/channels/1/2",
        "https://cdn.discordapp.com/attachments/1/2/cat.png",
        "https://media.discordapp.net/attachments/1/2/cat.png",
        "https://discord.gift/abc",
        "https://store.steampowered.com/app/1",
        "https://discordpy.readthedocs.io/en/stable/",
        "https://discord.js.org/docs",
        "https://github.com/Rapptz/discord.py",
        "https://disco.example/party",
        "https://disboard.org/servers",
        "https://www.youtube.com/watch?v=1",
        "http://127.0.0.1:8080/",
        "http://localhost/x",
        "https://co.uk/",
    ],
)
def test_genuine_and_unrelated_links_are_not_look_alikes(msg, policy, link) -> None:
    guard = lookalike_guard(policy)
    assert guard.process(msg(f"look {link}")).violations == ()


def test_the_users_own_domains_are_protected_too_and_ignore_wins(msg, policy) -> None:
    guard = lookalike_guard(policy, domains=["mybank.co.uk"], ignore=["discord.ru"], accuracy=90)
    assert guard.process(msg("https://rnybank.co.uk/login")).violations
    assert guard.process(msg("https://mybank.com/login")).violations
    assert not guard.process(msg("https://mybank.co.uk/login")).violations
    assert not guard.process(msg("https://www.discord.ru/x")).violations
    # At accuracy 90 one edit in a 7-letter name (86% alike) is no longer enough...
    assert not guard.process(msg("https://dlscord.com/x")).violations
    # ...but a look-alike letter still is: its skeleton is the name itself.
    assert guard.process(msg("https://d\u0456scord.com/x")).violations


def test_without_the_builtin_set_only_the_users_domains_are_protected(msg, policy) -> None:
    guard = lookalike_guard(policy, builtin=False, domains=["example.org"])
    assert not guard.process(msg("https://dlscord.com/x")).violations
    assert guard.process(msg("https://examp1e.org/x")).violations


def test_one_link_with_several_reasons_counts_once(msg, policy) -> None:
    settings = {"deny_domains": ["dlscord.com"], "lookalikes": {}}
    guard = Guard(policy(extensions={"link_filter": settings}), plugins=[LinkFilter()])
    plan = guard.process(msg("https://dlscord.com/a https://discord.ru/b https://ok.example/c"))
    assert [v.count for v in plan.violations] == [2]


@pytest.mark.parametrize(
    "content",
    [
        "http://[::1",  # a malformed authority
        "https://xn--zz-.com/x",  # punycode that hides ASCII
        "https://xn--99999999999999999999.com/x",  # not punycode at all
        "https://xn--.com/",  # an empty label
        "https://.../",
        "https:///path-only",
        "https://discord.com:notaport/x",
        "https://user@/x",
        "https://" + "a" * 5000 + ".com/",
    ],
)
def test_malformed_links_are_neither_a_crash_nor_a_false_positive(msg, policy, content) -> None:
    plugin = LinkFilter()
    guard = Guard(policy(extensions={"link_filter": {"lookalikes": {}}}), plugins=[plugin])
    assert guard.process(msg(content)).violations == ()


def test_hosts_whose_punycode_does_not_decode_are_counted(msg, policy) -> None:
    plugin = LinkFilter()
    guard = Guard(policy(extensions={"link_filter": {"lookalikes": {}}}), plugins=[plugin])
    guard.process(msg("https://xn--zz-.com/x https://xn--99999999999999999999.com/ https://ok.io"))
    assert plugin.undecodable_hosts == 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_after_a_scheme_is_judged_without_an_error(text: str) -> None:
    parsed = LinkFilterSettings.parse({"lookalikes": {}, "block_invites": False})
    assert parsed is not None
    offences = parsed.judge(f"https://{text} https://xn--{text}.com")
    assert offences.count >= 0


def test_lookalike_settings_are_checked(policy) -> None:
    bad = {"lookalikes": {"accuracy": 101, "domains": ["https://x.y/z"], "extra": 1}}
    with pytest.raises(PolicyError) as caught:
        Guard(policy(extensions={"link_filter": bad}), plugins=[LinkFilter()])
    assert [str(issue) for issue in caught.value.issues] == [
        "extensions.link_filter.lookalikes.extra: unknown key; allowed: domains, builtin, "
        "accuracy, ignore",
        "extensions.link_filter.lookalikes.domains.0: must be a domain like example.com (no "
        "scheme, no path), got 'https://x.y/z'",
        "extensions.link_filter.lookalikes.accuracy: must be an integer from 0 to 100, got 101",
    ]
    with pytest.raises(PolicyError, match=re.escape("lookalikes.domains: must name a domain")):
        LinkFilterSettings.parse({"lookalikes": {"builtin": False}})


# -- deny_file ---------------------------------------------------------------------------------


def test_a_missing_deny_file_is_an_error_naming_the_field(policy, tmp_path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(PolicyError) as caught:
        Guard(
            policy(extensions={"link_filter": {"deny_file": str(missing)}}),
            plugins=[LinkFilter()],
        )
    assert [str(issue) for issue in caught.value.issues] == [
        f"extensions.link_filter.deny_file: cannot read the domain list {str(missing)!r}: "
        "No such file or directory"
    ]


def test_an_unreadable_deny_file_is_an_error_naming_the_field(tmp_path) -> None:
    # A directory cannot be read as a file, whoever runs the test (root reads mode 000 files).
    with pytest.raises(PolicyError, match=r"extensions\.link_filter\.deny_file: cannot read"):
        LinkFilterSettings.parse({"deny_file": str(tmp_path)})
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PolicyError, match=r"extensions\.link_filter\.deny_file: cannot read"):
        LinkFilterSettings.parse({"deny_file": str(binary)})
    with pytest.raises(PolicyError, match=r"deny_file: must be the path of a file"):
        LinkFilterSettings.parse({"deny_file": 5})


def test_the_deny_file_lists_domains_and_is_read_again_when_it_changes(
    msg, policy, tmp_path, caplog
) -> None:
    deny = tmp_path / "deny.txt"
    deny.write_text(
        "# scam domains\ngrabify.link\n\n*.Evil.example  # and subdomains\nnot a domain\n"
    )
    guard = Guard(
        policy(extensions={"link_filter": {"deny_file": str(deny)}}), plugins=[LinkFilter()]
    )
    assert "1 line(s) are not domains" in caplog.text
    assert guard.process(msg("https://grabify.link/x", t=0)).violations
    assert guard.process(msg("https://a.evil.example/x", t=1)).violations
    assert not guard.process(msg("https://fresh.example/x", t=2)).violations

    deny.write_text("fresh.example\n")
    os.utime(deny, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    # Within RECHECK_SECONDS of the last look the file is not looked at again...
    assert not guard.process(msg("https://fresh.example/x", t=3)).violations
    # ...after them it is, and read again since it changed.
    assert guard.process(msg("https://fresh.example/x", t=2 + RECHECK_SECONDS)).violations
    assert not guard.process(msg("https://grabify.link/x", t=3 + RECHECK_SECONDS)).violations


def test_a_deny_file_that_vanishes_later_keeps_its_last_list(msg, policy, tmp_path) -> None:
    deny = tmp_path / "deny.txt"
    deny.write_text("grabify.link\n")
    guard = Guard(
        policy(extensions={"link_filter": {"deny_file": str(deny)}}), plugins=[LinkFilter()]
    )
    assert guard.process(msg("https://grabify.link/x", t=0)).violations
    deny.unlink()
    assert guard.process(msg("https://grabify.link/x", t=2 * RECHECK_SECONDS)).violations


def test_deny_file_entries_match_every_spelling_of_their_domain(msg, policy, tmp_path) -> None:
    deny = tmp_path / "deny.txt"
    deny.write_text("d\u0456scord.com\nxn--80ak6aa92e.com\n")
    guard = Guard(
        policy(extensions={"link_filter": {"deny_file": str(deny)}}), plugins=[LinkFilter()]
    )
    assert guard.process(msg("https://xn--dscord-pvf.com/x")).violations
    assert guard.process(msg("https://\u0430\u0440\u0440\u04cf\u0435.com/x")).violations
