"""Lazy, process-wide kiwipiepy analyser (loading the model takes a few seconds, so do it once)."""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
_KIWI: Any = None


def get_kiwi() -> Any:
    """Return the shared :class:`kiwipiepy.Kiwi` instance, loading it on first use."""
    global _KIWI
    if _KIWI is None:
        with _LOCK:
            if _KIWI is None:
                from kiwipiepy import Kiwi

                _KIWI = Kiwi(num_workers=-1)
    return _KIWI


def kiwi_loaded() -> bool:
    """True once :func:`get_kiwi` has loaded the model in this process."""
    return _KIWI is not None


def morphemes(text: str) -> list[tuple[str, str, int, int]]:
    """Kiwi morphemes of ``text`` as ``(form, tag, start, end)`` with offsets into ``text``."""
    if not text.strip():
        return []
    return [(t.form, t.tag, t.start, t.start + t.len) for t in get_kiwi().tokenize(text)]
