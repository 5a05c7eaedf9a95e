"""One library of the discord.py family (discord.py, nextcord, disnake) as the family's
shared code sees it.

A :class:`Flavour` names the library's modules and the few places the libraries differ:
the AutoMod event's name, the intent's name, how ``HTTPClient.send_message`` takes a
message (:data:`_DIFFERENCES`). ``spamguard.adapters.discordpy``,
``spamguard.adapters.nextcord`` and ``spamguard.adapters.disnake`` build theirs with
:func:`flavour` and bind its ``attach``, ``compat_bridge`` and ``setup``. Whether
``add_cog`` is a coroutine (discord.py) or not (nextcord, disnake) needs no flavour: the
binding completes whichever the library returns (:mod:`spamguard.adapters.dpy.binding`).
"""

from __future__ import annotations

__all__ = ("Flavour", "Library", "UnsupportedLibraryError", "flavour")

import dataclasses
import importlib
import typing

from spamguard.adapters.dpy import binding
from spamguard.core.errors import SpamguardError
from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    import os
    import types
    from collections.abc import Awaitable, Iterable, Mapping, Sequence

    from spamguard.adapters import GuardRuntimeOptions
    from spamguard.adapters.runtime import CompatBridge, Protection
    from spamguard.adapters.stores.base import Store
    from spamguard.core.engine import Guard
    from spamguard.core.policy import Policy

Library = typing.Literal["discord", "nextcord", "disnake"]
"""The libraries of the discord.py family spamguard supports, by import name (discord.py's
is ``discord``)."""

JSON = dict[str, typing.Any]

MessageSender = typing.Callable[..., "Awaitable[typing.Any]"]
"""``(module, http, channel_id, *, content, embeds, allowed_mentions)``: send one message
with the library's ``HTTPClient.send_message``, returning Discord's message JSON."""


class UnsupportedLibraryError(SpamguardError, ImportError):
    """The package importable under the library's name is another library: py-cord also
    installs as ``discord``, and spamguard's discord.py adapter does not serve it."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Flavour:
    """One discord.py descendant: its modules and the few names that differ."""

    name: Library
    """Import name of the library (``discord`` for discord.py)."""
    adapter: str
    """spamguard's module for the library under ``spamguard.adapters``, also the extra's
    name (``discordpy``, ``nextcord``, ``disnake``)."""
    title: str
    """The library's name for people (``discord.py``), in messages."""
    module: types.ModuleType
    """The library's top-level module (classes: ``Member``, ``Thread``, ``Forbidden``...)."""
    commands: types.ModuleType
    """The library's ``ext.commands`` module (``Cog``)."""
    automod_event: str
    """Listener name of the AutoMod execution event."""
    automod_intent: str
    """Name of the ``Intents`` flag that delivers AutoMod executions."""
    sender: MessageSender
    """How the library's ``HTTPClient.send_message`` takes a message (:meth:`send_message`)."""
    snapshot_attribute: str | None = None
    """The ``Message`` attribute holding a forward's snapshots (``message_snapshots``,
    nextcord 3's ``snapshots``), None where the library drops them (nextcord 2.6): found
    on the installed version's ``Message`` (:mod:`spamguard.adapters.dpy.forwards`)."""

    def attach(
        self,
        bot: typing.Any,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        store: Store | None = None,
        plugins: Iterable[object] = (),
        action_timeout: float | None = None,
        **options: typing.Unpack[GuardRuntimeOptions],
    ) -> Protection:
        """Protect ``bot``, a bot of this library that holds Cogs (adds the ``SpamGuard`` Cog).

        Args:
            bot: the bot (``commands.Bot``, disnake's ``InteractionBot``, their sharded
                forms).
            policy: a :class:`~spamguard.core.policy.Policy`, a policy file, or None for
                the file named by ``$SPAMGUARD_POLICY`` or else the default policy.
            store: where state lives (default: in memory).
            plugins: plugin objects for the guard.
            action_timeout: seconds each action may take, retries and rate-limit sleeps
                included (the libraries sleep on any ``retry_after``, however long);
                default None: no deadline.
            options: ``poll_interval`` and ``clock`` (for the runtime),
                ``load_entrypoints`` (default True: installed extensions join) and
                ``plugin_manager`` (for the guard).

        Returns:
            The protection: ``guard``, ``stats`` and ``await protection.detach()``.

        Raises:
            UnsupportedBotError: ``bot`` cannot hold a Cog.
            AlreadyAttachedError: spamguard already protects ``bot``.
            PolicyError: the policy file is invalid.
            TypeError: an unknown option.
        """
        bound = binding.bind(
            self,
            bot,
            policy=policy,
            store=store,
            plugins=plugins,
            action_timeout=action_timeout,
            options=options,
        )
        bound.add_now()
        return bound.protection

    # The flavour's module (nextcord.py, disnake.py) answers spamguard_make_compat_bridge.
    @hookimpl(specname="spamguard_make_compat_bridge")
    def compat_bridge(self, bot: typing.Any, guard: Guard) -> CompatBridge:
        """What :class:`spamguard.contrib.antispam.AntiSpamHandler` uses to carry its plans
        out on ``bot``: this library's messages in, real HTTP calls out."""
        return binding.compat_bridge(self, bot, guard)

    def setup(self, bot: typing.Any, options: Mapping[str, typing.Any]) -> None:
        """What a synchronous ``load_extension`` entry point does (nextcord's and
        disnake's): :meth:`attach` with ``options``."""
        self.attach(bot, **options)

    async def setup_async(self, bot: typing.Any) -> None:
        """What an awaited ``load_extension`` entry point does (discord.py's, which
        passes no options): :meth:`attach` with the policy of ``$SPAMGUARD_POLICY`` or
        the default one, awaiting the library's ``add_cog``."""
        await binding.bind(self, bot).add()

    async def send_message(
        self,
        http: typing.Any,
        channel_id: int,
        *,
        content: str | None,
        embeds: Sequence[Mapping[str, typing.Any]],
        allowed_mentions: typing.Any,
    ) -> JSON:
        """Send one message with the bot's ``HTTPClient``: ``content``, ``embeds`` as
        Discord's JSON (up to 10), ``allowed_mentions`` the library's ``AllowedMentions``;
        returns the created message's JSON."""
        data = await self.sender(
            self.module,
            http,
            channel_id,
            content=content,
            embeds=[dict(embed) for embed in embeds] or None,
            allowed_mentions=allowed_mentions,
        )
        return typing.cast("JSON", data)


async def _send_as_keywords(
    module: types.ModuleType,
    http: typing.Any,
    channel_id: int,
    *,
    content: str | None,
    embeds: list[JSON] | None,
    allowed_mentions: typing.Any,
) -> typing.Any:
    # nextcord and disnake: the message's fields as keywords, the embeds as JSON.
    return await http.send_message(
        channel_id, content, embeds=embeds, allowed_mentions=allowed_mentions.to_dict()
    )


async def _send_as_parameters(
    module: types.ModuleType,
    http: typing.Any,
    channel_id: int,
    *,
    content: str | None,
    embeds: list[JSON] | None,
    allowed_mentions: typing.Any,
) -> typing.Any:
    # discord.py 2.x: one MultipartParameters, built by the library's own
    # handle_message_parameters (as Messageable.send does). The embed joins the payload as
    # the JSON the core built: an Embed.from_dict/to_dict round trip could rewrite it.
    params = module.http.handle_message_parameters(
        content=content, allowed_mentions=allowed_mentions
    )
    if embeds:
        params.payload["embeds"] = embeds
    return await http.send_message(channel_id, params=params)


# What differs between the libraries; everything else is discord.py's shape.
_DIFFERENCES: Mapping[str, Mapping[str, typing.Any]] = {
    "discord": {
        "adapter": "discordpy",
        "title": "discord.py",
        "automod_event": "on_automod_action",
        "automod_intent": "auto_moderation_execution",
        "sender": _send_as_parameters,
    },
    "nextcord": {
        "adapter": "nextcord",
        "title": "nextcord",
        "automod_event": "on_auto_moderation_action_execution",
        "automod_intent": "auto_moderation_execution",
        "sender": _send_as_keywords,
    },
    "disnake": {
        "adapter": "disnake",
        "title": "disnake",
        "automod_event": "on_automod_action_execution",
        "automod_intent": "automod_execution",
        "sender": _send_as_keywords,
    },
}

# The attributes a forward's snapshots may be on, the first the library's Message has.
_SNAPSHOT_ATTRIBUTES: typing.Final = ("message_snapshots", "snapshots")

# The ``__title__`` each library's top-level module declares: py-cord installs as
# ``discord`` too, with ``__title__ = "pycord"`` (discord.py's is "discord").
_TITLES: Mapping[str, str] = {"discord": "discord"}


def flavour(name: Library) -> Flavour:
    """Import the library ``name`` (``discord``, ``nextcord`` or ``disnake``) and describe it.

    Raises:
        ImportError: the library is not installed; the message says what to install.
        UnsupportedLibraryError: another library is installed under that name (py-cord
            as ``discord``).
    """
    differences = _DIFFERENCES[name]
    title, extra = differences["title"], differences["adapter"]
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if exc.name != name:
            # The library is there but broken (a missing dependency of its own).
            raise
        msg = f"spamguard's {title} adapter needs {title}: pip install 'spamguard[{extra}]'"
        raise ImportError(msg, name=name) from exc
    declared = getattr(module, "__title__", name)
    if declared != _TITLES.get(name, declared):
        msg = (
            f"spamguard's {title} adapter needs {title}, but the installed {name!r} package "
            f"is {declared} (__title__ {declared!r}), which spamguard does not support; "
            f"install {title} in its place: pip install 'spamguard[{extra}]'"
        )
        raise UnsupportedLibraryError(msg, name=name)
    commands = importlib.import_module(f"{name}.ext.commands")
    snapshots = [a for a in _SNAPSHOT_ATTRIBUTES if hasattr(module.Message, a)]
    return Flavour(
        name=name,
        module=module,
        commands=commands,
        snapshot_attribute=snapshots[0] if snapshots else None,
        **differences,
    )
