"""``python -m spamguard.cli``: the ``spamguard`` command."""

from __future__ import annotations

from spamguard.cli.main import main

raise SystemExit(main())
