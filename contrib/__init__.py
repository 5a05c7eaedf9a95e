"""Optional extensions, written as pluggy plugins like any third party's."""

from __future__ import annotations

__all__: tuple[str, ...] = ()
