"""``explain``: for a message spamguard decided, the text ``spamguard explain`` renders."""

from __future__ import annotations

import typing

from spamguard.adapters.runtime.decisions import RecentDecisions
from spamguard.core import Guard, Policy
from spamguard.reporting import Explainer

if typing.TYPE_CHECKING:
    from support.moderated import ModeratedFactory

    from spamguard.core import Message


def _cli_render(policy: Policy, stream: list[Message], target: Message) -> str:
    """What ``spamguard explain`` renders for ``target`` after ``stream`` (its Explainer)."""
    explainer = Explainer(Guard(policy))
    for message in stream:
        if message is target:
            return explainer.explain(message).render()
        explainer.process(message)
    raise AssertionError("target not in the stream")


async def test_a_punished_message_is_explained_as_spamguard_explain_renders_it(
    moderated: ModeratedFactory,
) -> None:
    async with moderated() as m:
        stream = [m.message(f"spam {i}", t=i) for i in range(5)]
        for message in stream:
            await m.runtime.handle(message)
        punished = stream[2]
        answer = await m.moderation.explain(m.messages.GUILD, str(punished.id))
        assert answer.ok
        policy = Policy.from_file(m.policy_path)
        assert _cli_render(policy, stream, punished) in answer.text
        assert "max_messages" in answer.text
        assert "Decision: TIMEOUT" in answer.text
        assert answer.data["found"] is True and answer.data["complete"] is True
        assert answer.data["explanation"]["plan"]["punishment"] == "TIMEOUT"
        # The messages after it do not change what it says: counts stop at the message.
        later = await m.moderation.explain(m.messages.GUILD, punished.id)
        assert later.text == answer.text
        # Within the open incident, the next one only cleans: said the same way too.
        fourth = await m.moderation.explain(m.messages.GUILD, stream[3].id)
        assert _cli_render(policy, stream, stream[3]) in fourth.text
        assert "already punished" in fourth.text.replace("\n", " ")


async def test_an_unpunished_message_says_how_close_it_came(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        first = m.message("hello", t=0)
        await m.runtime.handle(first)
        link = f"https://discord.com/channels/{m.messages.GUILD}/{m.messages.CHANNEL}/{first.id}"
        answer = await m.moderation.explain(m.messages.GUILD, link)
        assert answer.ok
        assert "Not punished: no check reached its limit" in answer.text
        assert "1/3" in answer.text


async def test_a_message_never_seen_gets_a_clear_answer(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        await m.send("hello")
        answer = await m.moderation.explain(m.messages.GUILD, 987654321)
        assert not answer.ok
        assert "no decision on message 987654321" in answer.text
        assert answer.data == {
            "guild_id": m.messages.GUILD,
            "message_id": 987654321,
            "found": False,
        }


async def test_bad_references_are_refused_with_what_to_paste(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        sent = m.message("hello")
        await m.runtime.handle(sent)
        garbage = await m.moderation.explain(m.messages.GUILD, "the spam from earlier")
        assert not garbage.ok
        assert "Copy Message Link" in garbage.text
        other_guild = f"https://discord.com/channels/5/{m.messages.CHANNEL}/{sent.id}"
        elsewhere = await m.moderation.explain(m.messages.GUILD, other_guild)
        assert not elsewhere.ok
        assert "another server" in elsewhere.text
        # The right message id in a link to another channel is not that message.
        wrong_channel = f"https://discord.com/channels/{m.messages.GUILD}/77/{sent.id}"
        assert not (await m.moderation.explain(m.messages.GUILD, wrong_channel)).ok
        # Another guild's decision is not this guild's.
        assert not (await m.moderation.explain(m.messages.OTHER_GUILD, sent.id)).ok


async def test_the_runtime_keeps_only_its_newest_decisions(moderated: ModeratedFactory) -> None:
    async with moderated() as m:
        m.runtime.decisions = RecentDecisions(3)
        sent = [m.message(f"text {i}", t=i * 20) for i in range(5)]
        for message in sent:
            await m.runtime.handle(message)
        assert len(m.runtime.decisions) == 3
        assert not (await m.moderation.explain(m.messages.GUILD, sent[1].id)).ok
        assert (await m.moderation.explain(m.messages.GUILD, sent[2].id)).ok
        m.runtime.decisions = RecentDecisions(0)  # a bot that needs no explain
        await m.runtime.handle(m.message("more", t=200))
        assert len(m.runtime.decisions) == 0
