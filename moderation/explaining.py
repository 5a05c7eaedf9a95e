"""``explain``: why spamguard did (or did not) punish a message it decided."""

from __future__ import annotations

__all__ = ("explain_answer",)

import typing

from spamguard.moderation.answers import Answer
from spamguard.reporting.describe import message_names
from spamguard.reporting.explain import explanation_of

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime

_QUOTE: typing.Final = 200


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= _QUOTE else one_line[: _QUOTE - 3] + "..."


def explain_answer(
    runtime: Runtime, guild_id: int, message_id: int, channel_id: int | None
) -> Answer:
    """The explanation of a message the runtime decided, as ``spamguard explain`` renders
    it (in a code block), or a clear answer when the runtime keeps no decision on it.

    ``data``: ``guild_id``, ``message_id``, ``found``; when found, ``explanation`` (the
    :meth:`~spamguard.reporting.explanation.Explanation.to_dict` form)
    and ``complete`` (False: the windows no longer hold every message the decision counted).
    """
    decision = runtime.decisions.get(guild_id, message_id)
    if decision is None or (channel_id is not None and decision.message.channel_id != channel_id):
        kept = runtime.decisions.limit
        return Answer(
            ok=False,
            text=(
                f"spamguard has no decision on message {message_id} in this server: it "
                f"keeps the newest {kept} messages it decided since this process started. "
                "A message it never saw (sent before it started, in a channel it cannot read, "
                "by a bot, or too long ago) cannot be explained."
            ),
            data={"guild_id": guild_id, "message_id": message_id, "found": False},
        )
    message = decision.message
    explanation = explanation_of(
        runtime.guard,
        message,
        decision.plan,
        now=decision.decided_at,
        policy=decision.policy,
        counters_before=decision.counters(),
        counters_after=decision.counters(after=True),
        open_incident=decision.open_incident,
        later=True,
    )
    # Every check the message added to must still count it (its entry is in the window):
    # otherwise the windows were swept since, or live elsewhere (a consistent Redis store).
    complete = all(m.count >= m.adds for m in explanation.measures)
    names = message_names(message)
    who = names.get(message.author_id) or f"user {message.author_id}"
    where = names.get(message.channel_id) or f"channel {message.channel_id}"
    head = (
        f"Message {message.id} by {who} in {where} at "
        f"{decision.decided_at:%Y-%m-%d %H:%M:%S} UTC:\n> {_quote(message.content)}"
    )
    note = (
        ""
        if complete
        else "\n(The windows no longer hold every message this decision counted: the "
        "counts above are what is left.)"
    )
    # A fence inside the report would end the code block early.
    body = explanation.render(names).replace("```", "'''")
    return Answer(
        ok=True,
        text=f"{head}\n```\n{body}\n```{note}",
        data={
            "guild_id": guild_id,
            "message_id": message_id,
            "found": True,
            "complete": complete,
            "explanation": explanation.to_dict(),
        },
    )
