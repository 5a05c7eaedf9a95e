"""``python -m spamguard``: the ``spamguard`` command."""

from __future__ import annotations

from spamguard.cli.main import main

raise SystemExit(main())
