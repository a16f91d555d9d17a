"""Perceptual hashes (numpy/scipy; no extra dependency) and near-duplicate search.

``dhash`` (gradient hash) and ``phash`` (DCT hash) are 64-bit integers; two photos of the same picture
(re-encoded, resized, slightly brightened) differ in only a few bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.fft import dctn

__all__ = ["DuplicatePair", "colour_signature", "dhash", "find_duplicates", "hamming", "phash"]


def _grey(img: Image.Image | np.ndarray, size: tuple[int, int]) -> np.ndarray:
    im = img if isinstance(img, Image.Image) else Image.fromarray(np.asarray(img, dtype=np.uint8))
    return np.asarray(im.convert("L").resize(size, Image.Resampling.BOX), dtype=np.float32)


def _bits_to_int(bits: np.ndarray) -> int:
    return int(np.packbits(bits.astype(np.uint8).ravel()).view(">u8")[0])


def dhash(img: Image.Image | np.ndarray) -> int:
    """64-bit difference hash: is each pixel brighter than its right neighbour (9x8 grey thumbnail)."""
    g = _grey(img, (9, 8))
    return _bits_to_int(g[:, 1:] > g[:, :-1])


def phash(img: Image.Image | np.ndarray) -> int:
    """64-bit perceptual hash: signs of the low 8x8 DCT coefficients of a 32x32 grey thumbnail vs median."""
    g = _grey(img, (32, 32))
    low = dctn(g, norm="ortho")[:8, :8].ravel()
    return _bits_to_int(low > np.median(low[1:]))


def colour_signature(img: Image.Image | np.ndarray) -> np.ndarray:
    """4x4 grid of mean RGB (48 uint8): tells colour variants of the same design apart."""
    im = img if isinstance(img, Image.Image) else Image.fromarray(np.asarray(img, dtype=np.uint8))
    return np.asarray(im.convert("RGB").resize((4, 4), Image.Resampling.BOX), dtype=np.uint8).ravel()


def hamming(a: int, b: int) -> int:
    return int((a ^ b).bit_count())


@dataclass(frozen=True)
class DuplicatePair:
    i: int
    j: int
    distance: int  # max of the pHash and dHash distances
    same_product: bool | None  # None when no product ids were given


def find_duplicates(
    hashes: Sequence[tuple[int, int]],
    *,
    product_ids: Sequence[object] | None = None,
    signatures: Sequence[np.ndarray] | None = None,
    max_distance: int = 8,
    max_colour_diff: float = 16.0,
) -> list[DuplicatePair]:
    """Pairs of near-duplicate images among ``hashes`` ((phash, dhash) per image).

    With ``signatures`` (:func:`colour_signature`), pairs whose mean absolute colour difference exceeds
    ``max_colour_diff`` are not duplicates (same design photographed in another colour).

    With ``product_ids``, ``same_product`` tells a re-used photo across different products (False) from a
    duplicate inside one product (True). O(n^2) in vectorised numpy: fine for a store's few thousand photos.
    """
    if not hashes:
        return []
    arr = np.array([[h[0], h[1]] for h in hashes], dtype=np.uint64)
    out: list[DuplicatePair] = []
    for i in range(len(arr) - 1):
        x = arr[i + 1 :] ^ arr[i]
        d = np.bitwise_count(x).max(axis=1) if hasattr(np, "bitwise_count") else _popcount(x).max(axis=1)
        for k in np.flatnonzero(d <= max_distance):
            j = i + 1 + int(k)
            if signatures is not None:
                diff = np.abs(signatures[i].astype(np.int16) - signatures[j].astype(np.int16)).mean()
                if float(diff) > max_colour_diff:
                    continue
            same = None if product_ids is None else product_ids[i] == product_ids[j]
            out.append(DuplicatePair(i, j, int(d[k]), same))
    return out


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    c = np.zeros(x.shape, np.int64)
    while x.any():
        c += (x & np.uint64(1)).astype(np.int64)
        x >>= np.uint64(1)
    return c
