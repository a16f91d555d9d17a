"""Shared Korean text utilities for ``kkot.ml`` (cleaning, spacing repair, sentence and clause splitting).

Fast paths are pure Python/regex; kiwipiepy is loaded lazily, once per process, only when a
function that needs it is called (see :mod:`kkot.ml.text.kiwi`).
"""

from kkot.ml.text.normalize import (
    Span,
    clean_text,
    has_meaningful_text,
    normalize,
    repair_spacing,
    split_clauses,
    split_sentences,
)

__all__ = [
    "Span",
    "clean_text",
    "has_meaningful_text",
    "normalize",
    "repair_spacing",
    "split_clauses",
    "split_sentences",
]
