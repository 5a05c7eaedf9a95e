"""The moderators' operations on a protection: :class:`Moderation`.

Every operation is a coroutine that never raises into the bot: it returns an
:class:`~spamguard.moderation.answers.Answer` (``ok``, a text to send as it is, and the
facts as data). The slash command extensions only call these and send ``answer.text``.
"""

from __future__ import annotations

__all__ = ("Moderation",)

import logging
import typing

from spamguard.moderation.answers import Answer

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime import Protection
    from spamguard.adapters.runtime.runtime import Runtime

_LOGGER = logging.getLogger("spamguard.moderation")

_NOT_YET: typing.Final = "this operation is not available in this version of spamguard yet"


class Moderation:
    """What moderators can ask of and do to a protection, one guild at a time.

    Args:
        protection: what ``attach(bot)`` returned.

    Every method answers an :class:`Answer` and never raises (a failure is logged and
    answered with ``ok=False``).
    """

    def __init__(self, protection: Protection) -> None:
        self.protection = protection

    @property
    def runtime(self) -> Runtime:
        """The runtime the operations act on."""
        return self.protection.runtime

    async def status(self, guild_id: int) -> Answer:
        """What is enabled in the guild, dry run, raid mode and counts since start."""
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id})

    async def explain(
        self, guild_id: int, message_id: int | str, channel_id: int | None = None
    ) -> Answer:
        """Why spamguard did (or did not) punish a message it decided: each check's count
        against its limit and the decision, as ``spamguard explain`` renders it.

        ``message_id`` may be the id or the moderator's text (a message link or id, see
        :func:`~spamguard.moderation.references.parse_message_ref`).
        """
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id})

    async def cases(self, guild_id: int, user_id: int, *, limit: int = 10) -> Answer:
        """A member's cases in the guild, newest first."""
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id, "user_id": user_id})

    async def case(self, guild_id: int, number: int) -> Answer:
        """One case of the guild, by its number."""
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id, "number": number})

    async def pardon(self, guild_id: int, user_id: int, *, moderator_id: int) -> Answer:
        """Reset a member's ladder, counters and open incident, undo what spamguard did and
        still holds (timeout, mute role, temporary ban) with its scheduled undo cancelled,
        and mark the member's cases pardoned by ``moderator_id``."""
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id, "user_id": user_id})

    async def set_dry_run(self, guild_id: int, on: bool | None, *, moderator_id: int) -> Answer:
        """Turn dry run on or off for the guild, whatever the policy says (None: back to
        the policy's ``dry_run``)."""
        return Answer(ok=False, text=_NOT_YET, data={"guild_id": guild_id})

    async def reload(self) -> Answer:
        """Read the policy again from where it came from; an invalid policy is answered with
        every problem and its path, and the policy in use stays."""
        return Answer(ok=False, text=_NOT_YET)
