"""Dataset readers for training and benchmarks (decoded, resized arrays cached under /tmp).

``clothing_dataset_small`` (CC0, ship-safe) trains the shipped embedding model;
``fashion_product_images_small_subset`` is for internal evaluation only.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kkot.ml.datasets import dataset_dir

__all__ = ["CLOTHING_CLASSES", "FashionRows", "cache_dir", "load_clothing", "load_fashion", "load_square", "square_resize"]

CLOTHING_CLASSES: tuple[str, ...] = (
    "dress", "hat", "longsleeve", "outwear", "pants", "shirt", "shoes", "shorts", "skirt", "t-shirt",
)


def cache_dir() -> Path:
    d = Path(os.environ.get("KKOT_VISION_CACHE", "/tmp/kkot_vision_cache"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def square_resize(arr: np.ndarray, size: int) -> np.ndarray:
    """Pad an RGB uint8 array to a square on its (median) border colour, then area-resize to ``size``."""
    from PIL import Image

    arr = np.asarray(arr)[..., :3].astype(np.uint8)
    im = Image.fromarray(arr)
    w, h = im.size
    side = max(w, h)
    edge = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]]).astype(np.float32)
    fill = tuple(int(v) for v in np.median(edge, axis=0))
    canvas = Image.new("RGB", (side, side), fill)
    canvas.paste(im, ((side - w) // 2, (side - h) // 2))
    return np.asarray(canvas.resize((size, size), Image.Resampling.BOX), dtype=np.uint8)


def load_square(path: Path, size: int) -> np.ndarray:
    """Decode an image (through :func:`load_image`), pad it to a square and resize."""
    from kkot.ml.vision.io import load_image

    return square_resize(np.asarray(load_image(path, max_side=size * 3).image), size)


def _cached(key: str, paths: list[Path], size: int) -> np.ndarray:
    digest = hashlib.sha1(("\n".join(str(p) for p in paths) + f"|{size}").encode()).hexdigest()[:12]
    f = cache_dir() / f"{key}_{size}_{digest}.npy"
    if f.exists():
        return np.load(f, allow_pickle=False)
    from tqdm import tqdm

    out = np.zeros((len(paths), size, size, 3), np.uint8)
    for i, p in enumerate(tqdm(paths, desc=f"decode {key} @{size}px", leave=False)):
        out[i] = load_square(p, size)
    np.save(f, out)
    return out


def load_clothing(split: str, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, size, size, 3), labels int (N,)) for a split: train, validation or test."""
    root = dataset_dir("clothing_dataset_small") / split
    paths: list[Path] = []
    labels: list[int] = []
    for ci, cname in enumerate(CLOTHING_CLASSES):
        for p in sorted((root / cname).iterdir()):
            if p.suffix.lower() in (".jpg", ".jpeg", ".png"):
                paths.append(p)
                labels.append(ci)
    return _cached(f"clothing_{split}", paths, size), np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class FashionRows:
    ids: list[str]
    article_type: list[str]
    base_colour: list[str]
    title: list[str]
    gender: list[str]


def load_fashion(size: int = 64) -> tuple[np.ndarray, FashionRows]:
    """All images of fashion_product_images_small_subset with their labels (internal evaluation only)."""
    root = dataset_dir("fashion_product_images_small_subset")
    rows = []
    with open(root / "styles_for_local_images.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if (root / "images" / f"{r['id']}.jpg").exists():
                rows.append(r)
    paths = [root / "images" / f"{r['id']}.jpg" for r in rows]
    meta = FashionRows(
        ids=[r["id"] for r in rows],
        article_type=[r["articleType"] for r in rows],
        base_colour=[r["baseColour"] for r in rows],
        title=[r["productDisplayName"] for r in rows],
        gender=[r["gender"] for r in rows],
    )
    return _cached("fashion", paths, size), meta
