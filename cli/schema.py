"""``spamguard schema``: print the policy's JSON Schema, or the policy reference.

::

    spamguard schema > policy.schema.json        # for yaml-language-server and other editors
    spamguard schema --reference > policy.md     # every key, type, default, limit, example
"""

from __future__ import annotations

__all__ = ("run_schema",)

import sys
import typing

from spamguard.core.policy.json_schema import schema_text
from spamguard.core.policy.reference import reference_markdown

if typing.TYPE_CHECKING:
    import argparse


def run_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema (or, with ``--reference``, the Markdown reference) to stdout."""
    sys.stdout.write(reference_markdown() if args.reference else schema_text())
    return 0
