"""The handler's state: saving and loading it, pruning it, its cache, and template previews."""

from __future__ import annotations

__all__ = ("StateMethods",)

import ast
import copy
import logging
import typing

from spamguard.contrib.antispam.abc import Cache
from spamguard.contrib.antispam.dataclasses.options import options_to_data
from spamguard.contrib.antispam.options import options_from_any, translate_template
from spamguard.core import templates
from spamguard.core.engine import Guard

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping

    from spamguard.contrib.antispam.base_plugin import BasePlugin
    from spamguard.contrib.antispam.dataclasses import Options
    from spamguard.contrib.antispam.enums import Library
    from spamguard.contrib.antispam.extensions import ExtensionRegistry
    from spamguard.contrib.antispam.guilds import GuildOptions
    from spamguard.contrib.antispam.handler import AntiSpamHandler
    from spamguard.core.messages import MessageLike

_LOGGER = logging.getLogger(__name__)


class StateMethods:
    """Mixed into :class:`~spamguard.contrib.antispam.AntiSpamHandler`."""

    if typing.TYPE_CHECKING:
        options: Options
        library: Library | None
        cache: Cache
        guard: Guard
        extensions: dict[str, typing.Any]
        _guild_options: GuildOptions
        _extensions: ExtensionRegistry
        _latest: datetime.datetime | None

        def _rebuild(self) -> None: ...

        async def _ensure_init(self) -> None: ...

        def _bot_id(self) -> int | None: ...

        def to_message(self, message: typing.Any) -> MessageLike | None: ...

        def register_plugin(self, plugin: object, force_overwrite: bool = False) -> None: ...

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """The handler's whole state as JSON-serialisable data: options, guilds (options,
        log channel), the guard's snapshot (members, windows, counters), and the state of
        plugins that implement ``save_to_dict``; give it to :meth:`load_from_dict`."""
        await self._ensure_init()
        data: dict[str, typing.Any] = {
            "options": options_to_data(self.options),
            "cache": type(self.cache).__name__,
            "guilds": self._guild_options.to_data(),
            "extensions": copy.deepcopy(self.extensions),
            "state": self.guard.snapshot(),
            **await self._extensions.save_states(),
        }
        _LOGGER.info("Saved AntiSpamHandler state")
        return data

    @staticmethod
    async def load_from_dict(
        bot: object,
        data: Mapping[str, typing.Any],
        library: Library | None = None,
        *,
        raise_on_exception: bool = True,
        plugins: Iterable[type[BasePlugin]] = (),
        **handler_kwargs: typing.Any,
    ) -> AntiSpamHandler:
        """A handler with the state of :meth:`save_to_dict`'s output.

        Args:
            bot: your bot.
            data: what :meth:`save_to_dict` returned (possibly through JSON).
            library: the bot's library, as for the constructor.
            raise_on_exception: raise on bad data; when False, return a fresh handler
                (``AntiSpamHandler(bot, library)`` with ``handler_kwargs``) instead.
            plugins: plugin classes whose saved state to restore (by class name).
            **handler_kwargs: constructor arguments (``executor=``, ``converter=``...).
        """
        from spamguard.contrib.antispam.handler import AntiSpamHandler

        by_name = {cls.__name__: cls for cls in plugins}
        try:
            handler = AntiSpamHandler(
                bot,
                library,
                options=options_from_any(data["options"]),
                extensions=data.get("extensions"),
                **handler_kwargs,
            )
            handler._guild_options.load_data(data["guilds"])
            handler._rebuild()
            handler.guard = Guard.restore(
                handler.guard.policy,
                data["state"],
                plugin_manager=handler.guard.plugin_manager,
                self_id=handler.guard.self_id,
            )
            for key, pre_invoke in (("pre_invoke_plugins", True), ("after_invoke_plugins", False)):
                for class_name, state in data.get(key, {}).items():
                    cls = by_name.get(class_name)
                    if cls is None:
                        _LOGGER.debug("Skipping state loading for %s", class_name)
                        continue
                    plugin = await cls.load_from_dict(handler, state)
                    plugin.is_pre_invoke = pre_invoke
                    handler.register_plugin(plugin)
        except Exception:
            if raise_on_exception:
                raise
            _LOGGER.info("Failed to load AntiSpamHandler from state, returning a generic instance")
            return AntiSpamHandler(bot, library, **handler_kwargs)
        _LOGGER.info("Loaded AntiSpamHandler from state")
        return handler

    async def clean_cache(self, strict: bool = False) -> None:
        """Prune the state: expired windows and idle members (at the time of the newest
        message propagated), and cache records plugins left empty; ``strict`` drops every
        member record (spamguard keeps no messages in them)."""
        if self._latest is not None:
            self.guard.prune(self._latest)
        async for guild in self.cache.get_all_guilds():
            for member in tuple(guild.members.values()):
                if strict or not member.addons:
                    del guild.members[member.id]
            if not guild.members and not guild.addons:
                await self.cache.delete_guild(guild.id)
        _LOGGER.info("Cleaned the internal cache")

    def set_cache(self, cache: Cache) -> None:
        """Use ``cache`` for plugins' records.

        Raises:
            ValueError: not a :class:`~spamguard.contrib.antispam.abc.Cache` (1.9.1's
                error; its Redis and Mongo caches are not supported, see
                :mod:`spamguard.contrib.antispam.caches`).
        """
        if not isinstance(cache, Cache):
            msg = "Expected `cache` that inherits from the `Cache` Protocol"
            raise ValueError(msg)
        self.cache = cache
        _LOGGER.info("Changed the AntiSpamHandler cache to use %s", type(cache).__name__)

    async def visualize(
        self, content: str, message: typing.Any, warn_count: int = 1, kick_count: int = 2
    ) -> str | dict[str, typing.Any]:
        """``content`` (a template, or an embed written as a dict literal ``"{...}"``) with
        its ``$VARIABLES`` replaced for ``message``'s author: a text, or an embed as
        Discord's JSON (1.9.1 returned the library's Embed).

        Raises:
            ValueError: ``message`` cannot be read, or ``content`` is not a valid literal.
        """
        core_message = self.to_message(message)
        if core_message is None:
            msg = "spamguard does not moderate this message"
            raise ValueError(msg)
        template: typing.Any = ast.literal_eval(content) if content.startswith("{") else content
        values = templates.variables(
            core_message,
            now=core_message.created_at,
            bot_id=self._bot_id(),
            warn_count=warn_count,
            kick_count=kick_count,
            violation="max_duplicates",
            count=0,
            limit=0,
            punishment="NONE",
        )
        return typing.cast(
            "str | dict[str, typing.Any]",
            templates.render(translate_template(template), values),
        )
