"""8-bit codebook quantisation of weight arrays (small shipped files, numpy only).

A weight array is stored as ``uint8`` codes into a 256-entry ``float32`` codebook whose centroids are
fitted to the weights (quantile start + a few Lloyd iterations), so the dense middle of the
distribution gets fine steps and the rare large weights still keep their size (a quarter of
float32's size, half of float16's).
"""

from __future__ import annotations

import numpy as np

__all__ = ["quantize", "dequantize"]


def quantize(w: np.ndarray, levels: int = 256, iters: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes uint8, codebook float32)`` with ``codebook[codes] ≈ w`` (any shape).

    Levels are placed in the companded domain ``asinh(4 w / std)``: three quarters at quantiles (fine
    steps where most weights are), one quarter evenly over the whole range (the rare large weights),
    refined by Lloyd iterations; each level's value is the mean of the weights it codes.
    """
    if not 2 <= levels <= 256:
        raise ValueError("levels must be in 2..256 (uint8 codes)")
    flat = np.asarray(w, dtype=np.float32).ravel()
    book = np.zeros(levels, np.float32)
    if flat.size == 0:
        return np.zeros(np.shape(w), np.uint8), book
    uniq = np.unique(flat)
    if len(uniq) <= levels:  # already few values (e.g. quantised before): keep them exactly
        book[: len(uniq)] = uniq
        return np.searchsorted(uniq, flat).astype(np.uint8).reshape(np.shape(w)), book
    s = float(flat.std()) or 1.0
    u = np.arcsinh(flat.astype(np.float64) * (4.0 / s))
    n_q = levels - levels // 4
    bu = np.sort(
        np.concatenate(
            [np.quantile(u, (np.arange(n_q) + 0.5) / n_q), np.linspace(u.min(), u.max(), levels - n_q)]
        )
    )
    for _ in range(iters):
        codes = np.searchsorted((bu[1:] + bu[:-1]) / 2, u)
        cnt = np.bincount(codes, minlength=levels)
        bu = np.where(cnt > 0, np.bincount(codes, weights=u, minlength=levels) / np.maximum(cnt, 1), bu)
        bu = np.sort(bu)
    codes = np.searchsorted((bu[1:] + bu[:-1]) / 2, u)
    cnt = np.bincount(codes, minlength=levels)
    book[:] = np.where(
        cnt > 0,
        np.bincount(codes, weights=flat, minlength=levels) / np.maximum(cnt, 1),
        np.sinh(bu) * (s / 4.0),
    )
    return codes.astype(np.uint8).reshape(np.shape(w)), book


def dequantize(codes: np.ndarray, codebook: np.ndarray) -> np.ndarray:
    """``float32`` weights back from :func:`quantize`'s output."""
    return np.asarray(codebook, np.float32)[np.asarray(codes)]
