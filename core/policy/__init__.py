"""What a guild allows: the policy, its document format and the tools built on it.

Importing this package loads only the policy values (:mod:`.model`); the rest loads when
used. A newcomer's map of the package:

- :mod:`.model`: the validated, immutable :class:`Policy` and its parts;
- :mod:`.fields`, :mod:`.rule_keys` and :mod:`.keys`: every key a document may hold, as
  data (kinds, defaults, limits, docs), which the validator, the JSON Schema and the
  reference read;
- :mod:`.issues` and :mod:`.reader`: the collector of problems and the one reader of field
  values, shared with the extensions' settings (:mod:`spamguard.contrib.settings`);
- :mod:`.shape`, :mod:`.parse` and :mod:`.files`: a document's size limits, its
  validation into a :class:`Policy`, and reading one from a YAML, TOML or JSON file;
- :mod:`.rowboat`: Rowboat's documents, translated; :mod:`.automod`,
  :mod:`.automod_parse` and :mod:`.rust_regex`: Discord's native AutoMod rules;
- :mod:`.punishments`: from a punishment to the actions that carry it out;
- :mod:`.json_schema` (with :mod:`.json_schema_values` and :mod:`.json_schema_automod`)
  and :mod:`.reference`: the JSON Schema and the reference page, generated from the key
  tables.
"""

from __future__ import annotations

__all__ = (
    "CHECK_NAMES",
    "SEVERITY",
    "CheckConfig",
    "Counting",
    "Escalation",
    "GuildPolicy",
    "Ignore",
    "NewMembers",
    "Notices",
    "Policy",
    "Punishment",
    "RuleConfig",
    "Scope",
    "StoreMode",
)

from spamguard.core.policy.model import (
    CHECK_NAMES,
    SEVERITY,
    CheckConfig,
    Counting,
    Escalation,
    GuildPolicy,
    Ignore,
    NewMembers,
    Notices,
    Policy,
    Punishment,
    RuleConfig,
    Scope,
    StoreMode,
)
