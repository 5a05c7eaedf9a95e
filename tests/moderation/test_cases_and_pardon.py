"""``cases``, ``case`` and ``pardon`` on a real runtime and its memory store (the requests
each library sends for a pardon: tests/adapter_contract/test_pardon.py)."""

from __future__ import annotations

import typing

from spamguard.core import RemoveTimeout, Unban

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from support.moderated import ModeratedFactory

TEMPBAN = """\
version: 1
spam:
  levels:
    0:
      punishment: TEMPBAN
      punishment_duration: 600
      max_messages: {count: 3, interval: 10}
"""


async def test_cases_lists_a_members_cases_and_case_shows_one_in_full(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        guild, user = m.messages.GUILD, m.messages.USER
        for i in range(3):
            await m.send(f"spam @everyone {i}", t=i)
        await m.runtime.deletions.flush()
        listed = await m.moderation.cases(guild, user)
        assert listed.ok
        assert "#1 2024-05-01 12:00 UTC: TIMEOUT (max_messages 3/3 in 10s)" in listed.text
        assert [case["number"] for case in listed.data["cases"]] == [1]
        one = await m.moderation.case(guild, 1)
        assert one.ok
        assert one.text.startswith(f"Case #1: member {user}, TIMEOUT")
        assert "- max_messages 3/3 in 10s" in one.text
        assert "- deleted 3 messages in channel 2000: done" in one.text
        assert "> spam @\u200beveryone 2" in one.text  # defused once, never pinging
        assert one.data["case"]["user_id"] == user


async def test_no_case_and_an_unknown_number_are_said_plainly(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        none = await m.moderation.cases(m.messages.GUILD, 42)
        assert none.ok and none.text == "Member 42 has no case in this server."
        missing = await m.moderation.case(m.messages.GUILD, 9)
        assert not missing.ok
        assert "no case #9" in missing.text


async def test_a_pardon_ends_the_timeout_resets_the_member_and_marks_its_case(
    moderated: ModeratedFactory, kinds: Callable[[list[object]], list[str]]
) -> None:
    async with moderated() as m:
        guild, user = m.messages.GUILD, m.messages.USER
        for i in range(3):
            await m.send(f"spam {i}", t=i)
        await m.runtime.deletions.flush()
        m.executor.sent.clear()
        answer = await m.moderation.pardon(guild, user, moderator_id=77)
        assert answer.ok, answer.text
        assert m.executor.sent == [
            RemoveTimeout(
                guild_id=guild, user_id=user, reason="spamguard: pardoned by moderator 77"
            )
        ]
        assert "timeout ended: done" in answer.text
        assert "Cases marked pardoned: #1" in answer.text
        assert answer.data["counters_before"]["violations"] == 1
        case = await m.runtime.cases.get(guild, 1)
        assert case is not None and case.pardoned_by == 77
        assert "pardoned by moderator 77" in (await m.moderation.case(guild, 1)).text
        # The member starts again: two more messages are no violation (its window is gone),
        # and the explanation of the next one opens no "incident still open".
        assert (await m.send("again", t=4)).violations == ()
        assert (await m.send("again", t=5)).violations == ()
        plan = await m.send("again", t=6)
        assert plan.punishment == "TIMEOUT"
        explained = await m.moderation.explain(guild, plan.message_id)
        assert "still open" not in explained.text
        # A second pardon: the new case is pardoned, the first stays as it was.
        second = await m.moderation.pardon(guild, user, moderator_id=78)
        assert second.data["cases"] == [2]


async def test_a_pardon_lifts_a_tempban_now_and_cancels_its_unban(
    moderated: ModeratedFactory, kinds: Callable[[list[object]], list[str]]
) -> None:
    async with moderated(TEMPBAN) as m:
        guild, user = m.messages.GUILD, m.messages.USER
        for i in range(3):
            await m.send(f"spam {i}", t=i)
        assert kinds(m.executor.sent) == ["ban"]
        assert len(m.runtime.guard.pending()) == 1
        answer = await m.moderation.pardon(guild, user, moderator_id=77)
        assert answer.ok, answer.text
        assert m.executor.sent[1:] == [
            Unban(guild_id=guild, user_id=user, reason="spamguard: pardoned by moderator 77")
        ]
        assert m.runtime.guard.pending() == ()
        assert [item["action"]["kind"] for item in answer.data["cancelled"]] == ["unban"]
        assert "ban lifted (its scheduled unban cancelled): done" in answer.text


async def test_a_pardon_for_a_member_with_no_case_says_there_is_nothing_to_pardon(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        await m.send("hello")
        answer = await m.moderation.pardon(m.messages.GUILD, 4242, moderator_id=77)
        assert not answer.ok
        assert answer.data["found"] is False
        assert "nothing to pardon" in answer.text
        assert m.executor.sent == []


async def test_a_pardon_while_spamguard_is_not_running_says_so(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        for i in range(3):
            await m.send(f"spam {i}", t=i)
        await m.runtime.stop()
        answer = await m.moderation.pardon(m.messages.GUILD, m.messages.USER, moderator_id=77)
        assert not answer.ok
        assert "not running" in answer.text
        assert answer.data["started"] is False
