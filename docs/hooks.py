"""mkdocs hooks: pages made from the repository when the site is built.

- ``reference/policy.md``: the policy reference, generated from the tables the validator
  reads (``spamguard.core.policy.rule_keys`` and ``keys``), so no key, default or limit is written twice;
- ``changelog.md``: ``CHANGELOG.md`` at the repository's root.
"""

from __future__ import annotations

import pathlib
import typing

from mkdocs.structure.files import File, Files

from spamguard.core.policy.reference import reference_markdown

if typing.TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

ROOT = pathlib.Path(__file__).resolve().parents[1]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages."""
    generated = {
        "reference/policy.md": reference_markdown(),
        "changelog.md": (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
    }
    for src_uri, content in generated.items():
        files.append(File.generated(config, src_uri, content=content))
    return files
