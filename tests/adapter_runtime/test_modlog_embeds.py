"""The log channel's embeds: a case of the largest size a case can reach, and a raid's worth
of cases, stay within Discord's embed limits as the stand-in enforces them."""

from __future__ import annotations

import datetime

from support.discord_api.embeds import embed_errors

from spamguard.adapters.runtime.modlog_embeds import case_entry, defuse, message_embeds
from spamguard.core.cases import Case, CaseAction, UndoState
from spamguard.core.plan import Violation
from spamguard.core.policy.modlog import ModLog

AT = datetime.datetime(2026, 12, 6, 21, 0, tzinfo=datetime.UTC)
SETTINGS = ModLog(channel_id=1, excerpts=10, excerpt_length=1000)


def _largest_case(number: int) -> Case:
    """A case with as much as a case keeps: 25 violations, 50 actions, 5 long excerpts."""
    violations = tuple(
        Violation(
            check=f"extension_check_with_a_long_name_{index}",
            count=999,
            limit=5,
            interval=86400.0,
            message_ids=(1, 2, 3),
            scope="user_channel",
        )
        for index in range(25)
    )
    actions = tuple(
        CaseAction(
            kind="timeout",
            ok=False,
            failure="forbidden",
            detail="ForbiddenError: 403 Forbidden (error code: 50013): Missing Permissions " * 3,
            summary=f"timeout until 2026-12-06 21:{index:02} UTC",
        )
        for index in range(50)
    )
    return Case(
        guild_id=10,
        number=number,
        user_id=223456789012345678 + number,
        opened_at=AT,
        updated_at=AT,
        violations=violations,
        actions=actions,
        punishment="TEMPBAN",
        channel_ids=tuple(range(100, 125)),
        excerpts=tuple("@everyone **free** nitro " * 8 for _ in range(5)),
        undo=UndoState.SCHEDULED,
        undo_at=AT + datetime.timedelta(hours=1),
    )


def test_the_largest_case_is_one_embed_within_discords_limits() -> None:
    entry = case_entry(_largest_case(7), SETTINGS, joined_at=AT)

    assert embed_errors({"embeds": [entry.embed]}) == {}
    assert entry.embed["title"] == "Case #7 \u00b7 tempban \u00b7 could not punish"
    actions = next(f["value"] for f in entry.embed["fields"] if f["name"] == "Actions")
    assert actions.endswith("more")  # cut at a line, saying how many are left out


def test_thirty_cases_are_one_message_within_discords_limits() -> None:
    entries = [case_entry(_largest_case(number), SETTINGS) for number in range(1, 31)]

    embeds = message_embeds(entries)

    assert embed_errors({"embeds": list(embeds)}) == {}
    shown = len(embeds) - 1
    assert 1 <= shown <= 9
    summary = embeds[-1]
    assert summary["title"] == f"\u2026and {30 - shown} more"
    assert summary["description"].splitlines()[0].startswith(f"#{shown + 1} <@")


def test_cases_that_fit_are_all_shown_in_full() -> None:
    small = ModLog(channel_id=1)
    entries = [
        case_entry(Case(guild_id=10, number=n, user_id=n, opened_at=AT, updated_at=AT), small)
        for n in range(1, 11)
    ]

    embeds = message_embeds(entries)

    assert [e["title"] for e in embeds] == [f"Case #{n} \u00b7 none" for n in range(1, 11)]


def test_quoted_text_pings_nobody_and_shows_its_markdown() -> None:
    assert (
        defuse("@everyone <@123> **bold**", 200) == "@\u200beveryone <@\u200b123> \\*\\*bold\\*\\*"
    )
    # Already defused text (a case's excerpt) is not broken twice.
    assert defuse("@\u200beveryone", 200) == "@\u200beveryone"
    assert defuse("a\nb   c" + "x" * 50, 10) == "a b cxxxx\u2026"
