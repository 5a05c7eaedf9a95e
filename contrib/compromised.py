"""Compromised accounts: the same content from one member in many channels within seconds.

A taken-over account posts one scam (often only images, or a forwarded message) into every
channel it can see, then moves on. Configured under ``extensions.compromised`` (``{}`` takes
every default)::

    extensions:
      compromised:
        channels: 3               # distinct channels the same content reached...
        interval: 60              # ...within this many seconds
        accuracy: 90              # text similarity 0-100 (rapidfuzz ratio, normalised text)
        min_length: 8             # shorter texts never match by text ("hi", "gm")
        punishment: TIMEOUT       # any punishment; SOFTBAN purges a day and lifts the ban
        punishment_duration: 86400  # seconds, for TIMEOUT, TEMPMUTE, TEMPBAN
        delete: true              # delete every copy, in every channel it reached
        dm: null                  # true: the built-in DM; or a template (text or embed)
        enabled: true

"The same content" is a similar normalised text (confusables folded by
:func:`spamguard.core.text.normalise`), or the identical set of attachment signatures
(filename, size, content type, width, height: metadata only, nothing is downloaded). An
empty or short text never matches by text, so image-only messages match by their files
alone: three different photos in three channels are not a spray. A forwarded message
counts with its snapshot's text and files (the adapters fold them into the message).

The violation is named ``compromised``; its author gets ``punishment`` through the core for
``punishment_duration`` (escalation and incidents as for any check). Every copy is deleted
once, those of earlier channels too, and later copies of the same spray as they arrive.
The exemptions (admins, ignored roles, channels and users) apply as to every check.

The texts are the member's the guard keeps for every check (``CheckContext.texts``, asked
for ``interval`` seconds through ``spamguard_declare_needs``): this extension records
none itself, and a message of ordinary chat (from a member with fewer recent texts than
``channels``, and no files) costs it one look at their number. Files go in a window of
its own, and the copies already handled in another, opened only when a spray is found.
"""

from __future__ import annotations

__all__ = ("Compromised", "CompromisedSettings", "attachment_signature", "plugin")

import dataclasses
import hashlib
import typing

from spamguard.contrib.account_notice import with_account_dm
from spamguard.contrib.plans import Findings, delete_entries, fired
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.contrib.text_windows import record_text
from spamguard.core.context import NO_MESSAGES, CheckNeeds
from spamguard.core.hookspecs import hookimpl
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import Attachment, MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy
    from spamguard.core.windows import Entry

NAME = "compromised"
_FILES = "compromised_files"
"""This extension's window of attachment signatures, matched exactly (texts are read in
the member's text window the guard keeps, :attr:`CheckContext.texts`)."""
_HANDLED = "compromised_handled"
"""This extension's window of the copies already handled (deleted once)."""
_USER: typing.Final = Scope.USER

DEFAULT_DM = (
    "Your account posted the same message in $COUNT channels of $GUILDNAME within seconds, "
    "as taken-over accounts do. If that was not you, change your password, turn on "
    "two-factor authentication and remove unknown authorised apps."
)
"""The DM sent with ``dm: true``."""


def attachment_signature(attachments: Iterable[Attachment]) -> str:
    """One string for a set of attachments: equal for the same files in any order (and
    any repeats), ``""`` without any."""
    parts = sorted(
        {
            f"{a.filename}\x1f{a.size}\x1f{a.content_type}\x1f{a.width}\x1f{a.height}"
            for a in attachments
        }
    )
    if not parts:
        return ""
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=12).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CompromisedSettings:
    """The guild's ``extensions.compromised`` settings."""

    channels: int = 3
    """Distinct channels the same content must reach."""
    interval: float = 60.0
    """The window, seconds."""
    accuracy: int = 90
    """Similarity (0-100) from which two texts are the same."""
    min_length: int = 8
    """Normalised texts shorter than this never match by text."""
    punishment: Punishment = Punishment.TIMEOUT
    """What the member gets."""
    punishment_duration: int = 86_400
    """Seconds, for TIMEOUT, TEMPMUTE and TEMPBAN (a TIMEOUT at most 28 days)."""
    delete: bool = True
    """Delete every copy in every channel it reached."""
    dm: typing.Any = None
    """The DM template sent when a spray is detected, or None."""

    @classmethod
    def parse(cls, data: object) -> CompromisedSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.compromised.<field>``.
        """
        fields = (
            "channels",
            "interval",
            "accuracy",
            "min_length",
            "punishment",
            "punishment_duration",
            "delete",
            "dm",
            "enabled",
        )
        reader = SettingsReader(NAME, data, fields)
        defaults = cls()
        punishment = reader.punishment("punishment", defaults.punishment)
        settings = cls(
            channels=reader.integer("channels", defaults.channels, minimum=2),
            interval=reader.seconds("interval", defaults.interval),
            accuracy=reader.integer("accuracy", defaults.accuracy, minimum=0, maximum=100),
            min_length=reader.integer("min_length", defaults.min_length, minimum=0),
            punishment=punishment,
            punishment_duration=reader.punishment_duration(
                "punishment_duration", defaults.punishment_duration, punishment
            ),
            delete=reader.boolean("delete", defaults.delete),
            dm=reader.template("dm", DEFAULT_DM),
        )
        enabled = reader.boolean("enabled", True)
        reader.finish()
        return settings if enabled else None


class _Finding(typing.NamedTuple):
    """What the check found, for the after-invoke step of the same message."""

    to_delete: tuple[Entry, ...]
    """The spray's copies not deleted yet (this one included)."""
    first: bool
    """No copy of this spray was handled before: the detection is new."""


def _window(context: CheckContext, name: str, interval: float) -> DuplicateWindow:
    window = context.window(name, interval=interval, scope=_USER, text=True)
    assert isinstance(window, DuplicateWindow)
    return window


class Compromised:
    """The ``compromised`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME
    after_invoke_needs_violations: typing.ClassVar[bool] = True
    """Its ``spamguard_after_invoke`` only amends plans where its own check fired."""

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, CompromisedSettings.parse)
        self._pending: Findings[_Finding] = Findings()

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_declare_needs(self, policy: GuildPolicy) -> CheckNeeds:
        # The guard records every member's texts once, for its own max_duplicates and
        # for this check: reading them here costs a look, not a second window.
        settings = self.settings.get(policy)
        return NO_MESSAGES if settings is None else CheckNeeds(texts=settings.interval)

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation] | None:
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        texts = context.texts
        # Ordinary chat stops here, nothing compared: a message without files from a
        # member with fewer recent texts than ``channels`` cannot complete a spray.
        if not message.attachment_count and (texts is None or len(texts.times) < settings.channels):
            return None
        interval = settings.interval
        cutoff = context.now_ts - interval
        # The channels the member's recent texts (and files) reached bound those of the
        # copies: under ``channels``, nothing is compared.
        reached = 0 if texts is None else texts.channels_since(cutoff)
        attachments = getattr(message, "attachments", ())
        signatures: DuplicateWindow | None = None
        files = ""
        if attachments:
            files = attachment_signature(attachments)
            # Files are matched exactly, in a window of this extension's own, opened only
            # for messages carrying any.
            signatures = _window(context, _FILES, interval)
            record_text(signatures, message, files)
            reached += signatures.channels_since(cutoff)
        if reached < settings.channels:
            return None
        text = normalise(message.content)
        similar: set[str] = set()
        if texts is not None and len(text) >= settings.min_length:
            # Shorter texts never match by text, those held in the window neither.
            shortest = settings.min_length
            similar = {
                t for t in texts.similar_texts(text, settings.accuracy) if len(t) >= shortest
            }
        # Each copy is an entry holding a similar text (or the files): fewer such entries
        # in the whole window than ``channels`` (the usual answer) cannot be a spray.
        copies = 0 if texts is None else sum(texts.texts[similar_text] for similar_text in similar)
        if signatures is not None:
            copies += signatures.texts.get(files, 0)
        if copies < settings.channels:
            return None
        same: dict[int, Entry] = {}
        if similar and texts is not None:
            same.update((e.message_id, e) for e in texts.entries_in(similar, cutoff))
        if signatures is not None:
            same.update((e.message_id, e) for e in signatures.entries_in({files}, cutoff))
        channels = {entry.channel_id for entry in same.values()}
        if len(channels) < settings.channels:
            return None
        entries = sorted(same.values(), key=lambda entry: (entry.ts, entry.message_id))
        violation = Violation(
            check=NAME,
            count=len(channels),
            limit=settings.channels,
            interval=interval,
            message_ids=tuple(entry.message_id for entry in entries),
            scope=str(Scope.USER),
            punishment=str(settings.punishment),
            punishment_duration=settings.punishment_duration,
        )
        # Each copy is deleted once: the handled ones are kept in a window of this
        # extension's own (snapshotted with the others), opened only when a spray is found.
        handled = context.window(_HANDLED, interval=interval, scope=_USER)
        done = set(handled.message_ids)
        fresh = [entry for entry in entries if entry.message_id not in done]
        for entry in fresh:
            handled.record(entry.ts, entry.message_id, entry.channel_id, entry.author_id)
        to_delete = tuple(fresh) if settings.delete else ()
        self._pending.put(message, _Finding(to_delete, first=len(fresh) == len(entries)))
        return [violation]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        finding = self._pending.take(message)
        violation = fired(plan, NAME)
        if finding is None or violation is None:
            return None
        amended = plan
        deletes = delete_entries(
            finding.to_delete,
            plan=plan,
            message=message,
            reason=f"spamguard: compromised account ({violation.count} channels)",
        )
        if deletes:
            amended = dataclasses.replace(plan, actions=(*deletes, *plan.actions))
        settings = self.settings.get(policy)
        if finding.first and settings is not None and settings.dm is not None:
            amended = with_account_dm(amended, message, settings.dm, violation)
        return None if amended is plan else amended


plugin = Compromised()
"""The instance the ``compromised`` entry point registers."""
