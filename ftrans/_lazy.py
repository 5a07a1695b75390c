"""``fnp``: ``ftrans.numpy`` imported on first use, so primitive rules can be written with it
while ``ftrans.numpy`` itself imports the primitives."""

from __future__ import annotations

from typing import Any


class _LazyModule:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)
        return value


fnp: Any = _LazyModule("ftrans.numpy")
