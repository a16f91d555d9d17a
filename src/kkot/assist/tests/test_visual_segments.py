"""The visual index's base + delta segments: edits write a small delta, readers keep their base, compaction."""

import numpy as np
import pytest

from kkot.assist.models import VisualIndexState
from kkot.assist.services import visual
from kkot.assist.services.visual import segments as seg
from kkot.assist.services.visual import sync
from kkot.assist.tests.test_visual import _world
from kkot.catalog.models import Product
from kkot.ml.vision import VectorIndex

pytestmark = pytest.mark.django_db


def _unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


def test_segments_merge_base_and_delta_and_hide_voided_rows() -> None:
    base = VectorIndex(3, backend="exact")
    base.add([1, 2, 3], np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0]], np.float32))
    delta = seg.Delta(
        vectors={2: _unit([0, 0, 1]), 7: _unit([0.95, 0.05, 0])},  # 2 moved away, 7 is new
        colours={2: ["블루"], 7: ["레드"]},
        void={2, 3, 9},  # 3 was hidden; 9 never was in the base
    )
    s = seg.VisualSegments(base, {1: ["블랙"], 2: ["화이트"], 3: ["그린"]}, delta)
    assert len(s) == 3  # 1 (base), 2 and 7 (delta)
    assert 3 not in s and 2 in s and 7 in s and 9 not in s
    ids, scores = s.search(np.array([1, 0, 0], np.float32), k=3)
    assert ids.tolist() == [1, 7, 2]
    assert scores[0] == pytest.approx(1.0) and scores[2] == pytest.approx(0.0, abs=1e-6)
    assert s.colours(2) == ["블루"] and s.colours(1) == ["블랙"] and s.colours(3) == []


def test_an_edit_writes_a_delta_and_readers_keep_their_base(run_tasks, settings) -> None:
    _stores, made = _world(run_tasks)
    visual.visual_index_rebuild()
    ptr0 = seg.read_pointer()
    base_dir = visual.index_root() / f"v{ptr0['base']}"
    base_files = {p.name: p.stat().st_mtime_ns for p in base_dir.iterdir()}
    reader = visual.current_index()
    base_obj = seg._Cache.base

    shirt = made[("shirt", 0)]
    Product.objects.filter(pk=shirt.pk).update(status=Product.Status.HIDDEN)
    assert visual.visual_index_sync(product_ids=[shirt.pk]) == 5
    ptr1 = seg.read_pointer()
    assert ptr1["base"] == ptr0["base"] and ptr1["version"] > ptr0["version"] and ptr1["delta"]
    assert {p.name: p.stat().st_mtime_ns for p in base_dir.iterdir() if p.name in base_files} == base_files
    now = visual.current_index()
    assert now is not reader and seg._Cache.base is base_obj  # the delta loaded, the base kept
    assert shirt.pk not in now and len(now) == 5 == VisualIndexState.objects.get().items

    Product.objects.filter(pk=shirt.pk).update(status=Product.Status.ON_SALE)
    visual.visual_index_sync(product_ids=[shirt.pk])
    assert shirt.pk in visual.current_index() and len(visual.current_index()) == 6
    hits = visual.visual_similar(product_id=made[("shirt", 1)].pk, k=1)
    assert hits[0].product == shirt  # found again through the delta

    visual.reset_cache()  # another process starting now sees the same thing
    assert len(visual.current_index()) == 6 and shirt.pk in visual.current_index()


def test_a_big_delta_compacts_into_a_new_base(run_tasks, monkeypatch) -> None:
    _stores, made = _world(run_tasks)
    visual.visual_index_rebuild()
    base0 = seg.read_pointer()["base"]
    monkeypatch.setattr(sync, "COMPACT_MIN_ITEMS", 2)
    pids = [p.pk for p in made.values()][:2]
    visual.visual_index_sync(product_ids=pids)
    assert seg.read_pointer()["base"] == base0  # 2 changed: still a delta
    visual.visual_index_sync(product_ids=[made[("bag", 1)].pk])
    ptr = seg.read_pointer()
    assert ptr["base"] > base0 and ptr["delta"] is None and len(visual.current_index()) == 6
    old_bases = [d for d in visual.index_root().iterdir() if d.is_dir() and d.name.startswith("v")]
    assert len(old_bases) <= 2


def test_a_broken_delta_file_rebuilds_instead_of_losing_products(run_tasks) -> None:
    _stores, made = _world(run_tasks)
    visual.visual_index_rebuild()
    visual.visual_index_sync(product_ids=[made[("pants", 0)].pk])
    ptr = seg.read_pointer()
    (visual.index_root() / f"v{ptr['base']}" / f"{ptr['delta']}.npz").write_bytes(b"not a zip")
    assert visual.visual_index_sync(product_ids=[made[("pants", 1)].pk]) == 6
    assert seg.read_pointer()["delta"] is None
