"""The spamguard command line: check, replay and explain policies.

The ``spamguard`` console script and ``python -m spamguard.cli`` run
:func:`spamguard.cli.main.main`.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()
