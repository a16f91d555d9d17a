"""The one place the assistant touches :mod:`kkot.ml.vision`: lazy, once-per-process model objects.

Everything here is Django-free except the optional adult-content detector setting.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from kkot.ml.vision import checks as ml_checks
from kkot.ml.vision.io import LoadedImage


@functools.lru_cache(maxsize=1)
def encoder():
    """kkot's VisualEncoder (CNN + shape + colour parts; ``KKOT_VISION_MODEL`` may point at a stronger model)."""
    from kkot.ml.vision import VisualEncoder

    return VisualEncoder()


@functools.lru_cache(maxsize=1)
def model_version() -> str:
    """Identifies the embedding model; vectors of another version are recomputed before they are indexed."""
    from kkot.ml.vision.embedding import DEFAULT_MODEL_DIR

    h = hashlib.sha1()
    for name in ("config.json", "weights.npz", "hog_pca.npz"):
        f = DEFAULT_MODEL_DIR / name
        if f.exists():
            st = f.stat()
            h.update(f"{name}:{st.st_size}".encode())
    if (DEFAULT_MODEL_DIR / "config.json").exists():
        h.update((DEFAULT_MODEL_DIR / "config.json").read_bytes())
    return f"{DEFAULT_MODEL_DIR.name}:{h.hexdigest()[:10]}"


def adult_detector():
    """The optional adult-content detector named by ``settings.KKOT_ADULT_DETECTOR`` (dotted path to a
    callable ``rgb uint8 array -> probability``); None when not installed (the check then says unavailable)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "KKOT_ADULT_DETECTOR", "")
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        return None


def text_detector():
    """Text/watermark regions for the ``text_overlay`` check, chosen by ``settings.KKOT_TEXT_DETECTOR``: ``auto``
    (default) uses the OCR text detector when the optional extra ``kkot[ocr]`` is installed, else the heuristic."""
    from django.conf import settings

    from kkot.ml.vision.text_overlay import text_detector as _choose

    return _choose(getattr(settings, "KKOT_TEXT_DETECTOR", "auto"))


def analyse(
    img: LoadedImage, *, representative: bool, detector=None
) -> tuple[ml_checks.ImageReport, np.ndarray]:
    """Checks, colours, hashes and the search vector from ONE decoded image."""
    with single_thread():
        report = ml_checks.analyse_loaded(img, representative=representative, adult_detector=detector,
                                          text_detector=text_detector())
        vec = encoder().encode([img.array()])[0].astype(np.float32)
    return report, vec


def encode_query(rgb: np.ndarray) -> np.ndarray:
    with single_thread():
        return encoder().encode([rgb])[0].astype(np.float32)


def encode_many(arrays: list[np.ndarray]) -> np.ndarray:
    with single_thread():
        return encoder().encode(arrays).astype(np.float32)


def single_thread():
    """One BLAS thread for one image: many threads on a tiny matrix cost more than they save (3-10x measured
    on a busy 2-core machine), and web/worker processes run many requests at once anyway."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def to_signed(h: int) -> int:
    """A 64-bit unsigned hash as a signed BigIntegerField value (and back with :func:`to_unsigned`)."""
    return h - (1 << 64) if h >= (1 << 63) else h


def to_unsigned(h: int) -> int:
    return h + (1 << 64) if h < 0 else h
