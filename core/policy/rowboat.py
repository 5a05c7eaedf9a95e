"""Rowboat's configuration documents, read as spamguard policy documents.

Three Rowboat shapes load as they are:

- the body of Rowboat's spam plugin (``levels:``/``roles:`` at the top);
- a whole Rowboat guild config: ``plugins:`` holding ``spam:`` next to Rowboat's other
  plugins, with the guild's ``levels:`` (role id -> level), ``web:``, ``commands:`` and
  ``nickname:`` at the top. ``plugins.spam`` is the spam policy, the top-level ``levels``
  are its role levels, and ``plugins.infractions.mute_role`` is its mute role. What only
  Rowboat uses is ignored, one logged line per key;
- spamguard's own document, which may sit next to a guild config's keys (``escalation:``
  beside ``plugins:``).

:func:`translate` turns the first two into the third and tells where each translated
field came from, so a problem is reported at the path the user wrote.
"""

from __future__ import annotations

__all__ = ("IGNORED_TOP_KEYS", "READ", "translate")

import logging
import typing

if typing.TYPE_CHECKING:
    from spamguard.core.policy.issues import Issues

_LOGGER = logging.getLogger("spamguard.rowboat")

IGNORED_TOP_KEYS: tuple[str, ...] = ("web", "commands", "nickname")
"""Keys of a Rowboat guild config that only Rowboat uses: dashboard access, command
prefix and overrides, the bot's nickname."""

READ: typing.Mapping[str, typing.Mapping[str, str]] = {
    "spam": {},
    "infractions": {"mute_role": "mute_role_id"},
    "admin": {"mute_role": "mute_role_id"},
}
"""Rowboat plugin -> its key spamguard reads -> the spamguard key it becomes. Rowboat
kept the mute role in the admin plugin before it moved to infractions."""


def translate(
    issues: Issues, document: dict[str, typing.Any]
) -> tuple[dict[str, typing.Any], dict[str, str]]:
    """``document`` as a spamguard document, and where its translated keys came from.

    ``document`` has string keys (see :func:`.shape.normalise_keys`) and is not changed. The
    second value maps a spamguard top-level key to the path it was written at (``spam`` ->
    ``plugins.spam``) for the ones taken from Rowboat's places.
    """
    if "plugins" in document:
        return _guild_config(issues, document)
    if "spam" not in document and ("levels" in document or "roles" in document):
        # The spam plugin's body on its own.
        result = dict(document)
        result["spam"] = {k: result.pop(k) for k in ("levels", "roles") if k in result}
        return result, {}
    return document, {}


def _guild_config(
    issues: Issues, document: dict[str, typing.Any]
) -> tuple[dict[str, typing.Any], dict[str, str]]:
    result = {k: v for k, v in document.items() if k not in ("plugins", *IGNORED_TOP_KEYS)}
    came_from: dict[str, str] = {}
    refused: set[str] = set()
    for key in IGNORED_TOP_KEYS:
        if key in document:
            _LOGGER.info("%s: Rowboat's own setting, not spamguard's; ignored", key)

    def take(key: str, value: object, path: str) -> None:
        if key not in result:
            result[key] = value
            came_from[key] = path
        elif result[key] == value:
            pass  # the same value in two places: nothing to choose
        elif key in came_from:
            # Two Rowboat places (infractions and the older admin): the first one wins.
            _LOGGER.info("%s: %s is used instead; ignored", path, came_from[key])
        elif key not in refused:
            refused.add(key)
            issues.add(path, f"given twice, differently: here and as {key}; keep one")

    # In a guild config the top-level levels are Rowboat's role id -> level mapping.
    if "levels" in document:
        del result["levels"]
        take("role_levels", document["levels"], "levels")
    plugins = document["plugins"]
    if plugins is None:
        return result, came_from
    if not isinstance(plugins, dict):
        issues.add("plugins", "must be a mapping of Rowboat plugin name -> settings")
        return result, came_from
    for name in plugins:
        if name not in READ:
            _LOGGER.info(
                "plugins.%s: Rowboat's %s plugin has no spamguard part; ignored", name, name
            )
    for name, read in READ.items():
        if name not in plugins:
            continue
        path = f"plugins.{name}"
        settings = plugins[name]
        if settings is None:
            continue  # `spam:` with nothing under it: no rules, like Rowboat
        if name == "spam":
            take("spam", settings, path)
            continue
        if not isinstance(settings, dict):
            issues.add(path, f"must be a mapping of the {name} plugin's settings")
            continue
        for key, value in settings.items():
            target = read.get(key)
            if target is None:
                _LOGGER.info("%s.%s: used by Rowboat only; ignored", path, key)
            elif value is not None:
                take(target, value, f"{path}.{key}")
    return result, came_from
