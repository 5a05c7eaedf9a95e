"""The moderators' operations on a protection: :class:`Moderation`.

Every operation is a coroutine that never raises into the bot: it returns an
:class:`~spamguard.moderation.answers.Answer` (``ok``, a text to send as it is, and the
facts as data). The slash command extensions only call these and send ``answer.text``.
"""

from __future__ import annotations

__all__ = ("Moderation",)

import functools
import logging
import typing

from spamguard.moderation.answers import Answer
from spamguard.moderation.case_text import case_answer, cases_answer
from spamguard.moderation.explaining import explain_answer
from spamguard.moderation.pardoning import pardon_answer
from spamguard.moderation.raid_watch import watch_raids
from spamguard.moderation.references import MessageRefError, parse_message_ref
from spamguard.moderation.status import status_answer
from spamguard.moderation.steering import dry_run_answer, reload_answer

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from spamguard.adapters.runtime import Protection
    from spamguard.adapters.runtime.runtime import Runtime

_LOGGER = logging.getLogger("spamguard.moderation")

_P = typing.ParamSpec("_P")


def _never_raises(
    operation: Callable[_P, Awaitable[Answer]],
) -> Callable[_P, Awaitable[Answer]]:
    """An operation that answers a failure (logged) instead of raising it."""

    @functools.wraps(operation)
    async def answered(*args: _P.args, **kwargs: _P.kwargs) -> Answer:
        try:
            return await operation(*args, **kwargs)
        except Exception as exc:
            _LOGGER.exception("spamguard's %s operation failed", operation.__name__)
            return Answer(
                ok=False,
                text=f"spamguard could not do that: {type(exc).__name__} (details in the "
                "bot's log).",
                data={"error": type(exc).__name__},
            )

    return answered


class Moderation:
    """What moderators can ask of and do to a protection, one guild at a time.

    Args:
        protection: what ``attach(bot)`` returned.

    Every method answers an :class:`Answer` and never raises (a failure is logged and
    answered with ``ok=False``). Each method's docstring names the keys of ``data``.
    """

    def __init__(self, protection: Protection) -> None:
        self.protection = protection
        self._raids = watch_raids(protection.runtime.guard)

    @property
    def runtime(self) -> Runtime:
        """The runtime the operations act on."""
        return self.protection.runtime

    @_never_raises
    async def status(self, guild_id: int) -> Answer:
        """What is enabled in the guild (rules, checks, extensions), dry run, raid mode
        and counts (see :func:`~spamguard.moderation.status.status_answer` for ``data``)."""
        return status_answer(self.runtime, self._raids, guild_id)

    @_never_raises
    async def explain(
        self, guild_id: int, message_id: int | str, channel_id: int | None = None
    ) -> Answer:
        """Why spamguard did (or did not) punish a message it decided: each check's count
        against its limit and the decision, the text ``spamguard explain`` renders.

        ``message_id`` may be the id or the moderator's text (a message link or id, see
        :func:`~spamguard.moderation.references.parse_message_ref`); a link to another
        server's message is refused. See :func:`~spamguard.moderation.explaining.explain_answer`
        for ``data``.
        """
        if isinstance(message_id, str):
            try:
                linked_guild, linked_channel, message_id = parse_message_ref(message_id)
            except MessageRefError as exc:
                return Answer(ok=False, text=str(exc), data={"guild_id": guild_id})
            if linked_guild is not None and linked_guild != guild_id:
                return Answer(
                    ok=False,
                    text="That link is to a message of another server: explain works on "
                    "this server's messages only.",
                    data={"guild_id": guild_id, "message_id": message_id},
                )
            channel_id = channel_id if linked_channel is None else linked_channel
        return explain_answer(self.runtime, guild_id, message_id, channel_id)

    @_never_raises
    async def cases(self, guild_id: int, user_id: int, *, limit: int = 10) -> Answer:
        """A member's newest cases in the guild (at most ``limit``), one line each. See
        :func:`~spamguard.moderation.case_text.cases_answer` for ``data``."""
        return await cases_answer(self.runtime, guild_id, user_id, limit)

    @_never_raises
    async def case(self, guild_id: int, number: int) -> Answer:
        """One case of the guild, by its number: member, violations, actions and their
        outcomes, excerpts, undo. See :func:`~spamguard.moderation.case_text.case_answer`
        for ``data``."""
        return await case_answer(self.runtime, guild_id, number)

    @_never_raises
    async def pardon(self, guild_id: int, user_id: int, *, moderator_id: int) -> Answer:
        """Forgive a member: its escalation ladder, counters and open incident are reset;
        what spamguard did to it and still holds is undone (a timeout ended, the mute role
        taken back, a temporary ban lifted), its scheduled undo cancelled; its cases are
        marked pardoned by ``moderator_id``. A ban without an end and a kick stay (said in
        the answer). A member with no case and nothing held gets ``ok=False`` and says so.
        See :func:`~spamguard.moderation.pardoning.pardon_answer` for ``data``."""
        return await pardon_answer(self.runtime, guild_id, user_id, moderator_id)

    @_never_raises
    async def set_dry_run(self, guild_id: int, on: bool | None, *, moderator_id: int) -> Answer:
        """Turn dry run on or off for the guild whatever the policy says (None: back to the
        policy's ``dry_run``); kept in spamguard's state, so it survives a restart. See
        :func:`~spamguard.moderation.steering.dry_run_answer` for ``data``."""
        return dry_run_answer(self.runtime, guild_id, on, moderator_id)

    @_never_raises
    async def reload(self) -> Answer:
        """Read the policy again from where it came from (the file given to ``attach``, or
        ``$SPAMGUARD_POLICY``'s); an invalid policy is answered with every problem and its
        path, and the policy in use stays. See
        :func:`~spamguard.moderation.steering.reload_answer` for ``data``."""
        return await reload_answer(self.runtime)
