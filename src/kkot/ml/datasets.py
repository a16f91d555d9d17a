"""Locating the public datasets in ``../shared/datasets`` (never bundled with kkot).

Resolution order: ``$KKOT_DATASETS``; then a ``shared/datasets`` folder next to any parent of the
repository. Tests call :func:`require_dataset`, which skips on a laptop without the data but fails
loudly when ``KKOT_REQUIRE_DATASETS=1`` (set by CI), as the datasets README demands.
"""

from __future__ import annotations

import os
from pathlib import Path


class DatasetMissing(FileNotFoundError):
    pass


def datasets_root() -> Path | None:
    env = os.environ.get("KKOT_DATASETS")
    if env:
        p = Path(env).expanduser()
        return p if p.is_dir() else None
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return None


def dataset_dir(name: str) -> Path:
    """Return the folder of dataset ``name`` or raise :class:`DatasetMissing` with a clear message."""
    root = datasets_root()
    if root is None:
        raise DatasetMissing(
            "Datasets folder not found: set KKOT_DATASETS to the path of shared/datasets."
        )
    path = root / name
    if not path.is_dir():
        raise DatasetMissing(f"Dataset {name!r} not found under {root}.")
    return path


def require_dataset(name: str) -> Path:
    """For tests: the dataset folder, else skip (laptop) or fail (CI, ``KKOT_REQUIRE_DATASETS=1``)."""
    try:
        return dataset_dir(name)
    except DatasetMissing as exc:
        import pytest

        if os.environ.get("KKOT_REQUIRE_DATASETS") == "1":
            pytest.fail(f"required dataset missing in CI: {exc}")
        pytest.skip(str(exc))
        raise  # unreachable
