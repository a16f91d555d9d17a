"""Checks against the real datasets (skipped on a laptop without them, failing in CI)."""

from __future__ import annotations

import numpy as np

from kkot.ml.datasets import require_dataset
from kkot.ml.vision.checks import check_image
from kkot.ml.vision.data import CLOTHING_CLASSES, load_square


def test_real_photos_load_and_check() -> None:
    root = require_dataset("clothing_dataset_small") / "test"
    files = sorted((root / "shoes").glob("*.jpg"))[:5]
    assert len(files) == 5
    for f in files:
        rep = check_image(f)
        assert rep.result("file").status == "pass"
        assert rep.result("resolution").status == "fail"  # the dataset is resized to <= 320 px
        assert rep.size is not None and max(rep.size) <= 320


def test_shipped_model_on_clothing_test_sample() -> None:
    from kkot.ml.vision.embedding import default_embedder

    root = require_dataset("clothing_dataset_small") / "test"
    model = default_embedder()
    imgs, ys = [], []
    for ci, c in enumerate(CLOTHING_CLASSES):
        for f in sorted((root / c).glob("*.jpg"))[:6]:
            imgs.append(load_square(f, 64))
            ys.append(ci)
    acc = float((model.predict_proba(np.stack(imgs)).argmax(1) == np.array(ys)).mean())
    assert acc >= 0.6, acc
