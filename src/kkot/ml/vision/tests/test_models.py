"""Index, CNN export/inference, category predictor, colours and outfit rules."""

from __future__ import annotations

import numpy as np
import pytest

from kkot.ml.vision.category import CategoryPredictor, predict_category
from kkot.ml.vision.cnn import CnnEmbedder, conv_plan
from kkot.ml.vision.colour import COLOUR_NAMES, FASHION_COLOUR_MAP, dominant_colours
from kkot.ml.vision.embedding import DEFAULT_MODEL_DIR, VisualEncoder
from kkot.ml.vision.index import VectorIndex, faiss_available
from kkot.ml.vision.outfit import OutfitItem, colour_harmony, slot_of, suggest_outfit


# ------------------------------------------------------------------ vector index
def _vecs(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("backend", ["exact", "hnsw"])
def test_index_add_remove_replace_search(backend: str, tmp_path) -> None:  # noqa: ANN001
    if backend == "hnsw" and not faiss_available():
        pytest.skip("faiss-cpu not installed")
    v = _vecs(200)
    idx = VectorIndex(16, backend=backend)
    idx.add(np.arange(100, 300), v)
    ids, scores = idx.search(v[:3], k=5)
    assert ids[:, 0].tolist() == [100, 101, 102]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    assert idx.remove([100, 999]) == 1 and len(idx) == 199 and 100 not in idx
    ids, _ = idx.search(v[:1], k=5)
    assert 100 not in ids[0].tolist()
    idx.add([101], -v[1:2])  # replace: the old vector of 101 no longer matches
    ids, scores = idx.search(v[1:2], k=3)
    assert 101 not in ids[0].tolist()
    ids, scores = idx.search(-v[1:2], k=1)
    assert ids[0, 0] == 101 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    idx.save(tmp_path / "ix")
    back = VectorIndex.load(tmp_path / "ix")
    assert len(back) == 199
    assert back.search(-v[1:2], k=1)[0][0, 0] == 101


def test_index_empty_and_short() -> None:
    idx = VectorIndex(4, backend="exact")
    ids, scores = idx.search(np.ones((1, 4)), k=3)
    assert ids.tolist() == [[-1, -1, -1]] and np.isneginf(scores).all()
    idx.add([7], np.ones((1, 4)))
    ids, _ = idx.search(np.ones((1, 4)), k=3)
    assert ids.tolist() == [[7, -1, -1]]
    with pytest.raises(ValueError):
        idx.add([1, 1], np.ones((2, 4)))


@pytest.mark.skipif(not faiss_available(), reason="faiss-cpu not installed")
def test_hnsw_recall_against_exact() -> None:
    v = _vecs(6000, d=32, seed=1)
    q = _vecs(50, d=32, seed=2)
    exact = VectorIndex(32, backend="exact")
    exact.add(np.arange(6000), v)
    hnsw = VectorIndex(32, backend="auto", hnsw_min_items=5000)
    hnsw.add(np.arange(6000), v)
    assert hnsw._hnsw is not None
    a, _ = exact.search(q, k=10)
    b, _ = hnsw.search(q, k=10)
    recall = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, b, strict=True)])
    assert recall >= 0.9


@pytest.mark.skipif(not faiss_available(), reason="faiss-cpu not installed")
def test_hnsw_graph_is_saved_and_read_back_instead_of_rebuilt(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    v = _vecs(300, d=16, seed=3)
    idx = VectorIndex(16, backend="hnsw")
    idx.add(np.arange(300), v)
    idx.save(tmp_path / "ix")
    assert (tmp_path / "ix" / "hnsw.faiss").exists()
    want = idx.search(v[:20], k=5)

    def no_rebuild(self) -> None:  # noqa: ANN001
        raise AssertionError("the graph was rebuilt")

    monkeypatch.setattr(VectorIndex, "_build_hnsw", no_rebuild)
    back = VectorIndex.load(tmp_path / "ix")
    got = back.search(v[:20], k=5)
    assert np.array_equal(got[0], want[0]) and np.allclose(got[1], want[1])
    assert len(back) == 300 and 7 in back
    monkeypatch.undo()
    back.add([7], -v[7:8])  # replacing masks a graph row: the next save has no graph file, load rebuilds it
    back.save(tmp_path / "ix2")
    assert not (tmp_path / "ix2" / "hnsw.faiss").exists()
    assert VectorIndex.load(tmp_path / "ix2").search(-v[7:8], k=1)[0][0, 0] == 7
    (tmp_path / "ix" / "hnsw.faiss").write_bytes(b"garbage")  # unreadable graph: rebuilt from the vectors
    again = VectorIndex.load(tmp_path / "ix")
    assert np.array_equal(again.search(v[:20], k=5)[0][:, 0], want[0][:, 0])


# ------------------------------------------------------------------ CNN export / numpy inference
def _random_cnn(seed: int = 0) -> CnnEmbedder:
    rng = np.random.default_rng(seed)
    ch = (8, 8, 16, 16)
    w = {}
    for i, (cin, cout, _, _) in enumerate(conv_plan(ch)):
        w[f"conv{i}_w"] = rng.normal(0, 0.2, (9 * cin, cout)).astype(np.float32)
        w[f"conv{i}_b"] = rng.normal(0, 0.1, cout).astype(np.float32)
    w["emb_w"] = rng.normal(0, 0.2, (32, 12)).astype(np.float32)
    w["emb_b"] = np.zeros(12, np.float32)
    w["cls_w"] = rng.normal(0, 0.2, (12, 3)).astype(np.float32)
    w["cls_b"] = np.zeros(3, np.float32)
    return CnnEmbedder(weights=w, channels=ch, input_size=32, classes=["a", "b", "c"],
                       mean=np.full(3, 0.5, np.float32), std=np.full(3, 0.25, np.float32), meta={})


def test_cnn_save_load_roundtrip(tmp_path) -> None:  # noqa: ANN001
    m = _random_cnn()
    imgs = np.random.default_rng(3).integers(0, 255, (4, 40, 50, 3), dtype=np.uint8)
    e = m.embed(imgs)
    assert e.shape == (4, 12) and np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    m.save(tmp_path / "m")
    m2 = CnnEmbedder.load(tmp_path / "m")
    assert np.allclose(m2.embed(imgs), e, atol=1e-6)
    p = m2.predict_proba(imgs)
    assert p.shape == (4, 3) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    assert set(m2.predict(imgs)) <= {"a", "b", "c"}


def test_numpy_inference_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    from kkot.ml.vision.train import _build, _export

    net = _build((8, 8, 16, 16), 12, 3)
    with torch.no_grad():
        for bn in net.bns:
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 1.5)
    net.eval()
    mean, std = np.full(3, 0.5, np.float32), np.full(3, 0.25, np.float32)
    m = _export(net, (8, 8, 16, 16), 32, ["a", "b", "c"], mean, std, {})
    imgs = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    x = torch.from_numpy(((imgs / 255.0 - mean) / std).astype(np.float32)).permute(0, 3, 1, 2)
    with torch.no_grad():
        _, logits = net(x)
    _, lg_np = m._run(imgs, 8, tta=False)
    assert np.allclose(lg_np, logits.numpy(), atol=1e-4)


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="model not trained yet")
def test_pooled_features_feed_the_embedding_layer() -> None:
    from kkot.ml.vision.embedding import default_embedder

    m = default_embedder()
    imgs = np.random.default_rng(1).integers(0, 255, (3, 48, 48, 3), dtype=np.uint8)
    pooled = m.pooled_features(imgs, tta=False)
    assert pooled.shape == (3, 2 * m.channels[3]) and (pooled >= 0).all()
    emb = (pooled**2) @ m.weights["emb_w"] + m.weights["emb_b"]
    assert np.allclose(emb / np.linalg.norm(emb, axis=1, keepdims=True), m.embed(imgs, tta=False), atol=1e-5)
    mirrored = m.pooled_features(imgs[:, :, ::-1], tta=False)
    assert np.allclose(m.pooled_features(imgs), np.sqrt((pooled**2 + mirrored**2) / 2), atol=1e-5)


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="model not trained yet")
def test_shipped_model_loads_and_encodes() -> None:
    enc = VisualEncoder()
    imgs = np.full((2, 80, 80, 3), 250, np.uint8)
    imgs[:, 20:60, 25:55] = (200, 30, 30)
    v = enc.encode(imgs)
    assert v.shape == (2, enc.dim) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.allclose(v[0], v[1], atol=1e-5)


# ------------------------------------------------------------------ colours
@pytest.mark.parametrize(
    ("rgb", "name"),
    [((20, 20, 22), "블랙"), ((28, 36, 84), "네이비"), ((200, 30, 35), "레드"), ((30, 130, 60), "그린"),
     ((245, 215, 40), "옐로우"), ((240, 150, 180), "핑크"), ((110, 70, 40), "브라운"), ((120, 120, 122), "그레이")],
)
def test_dominant_colour_of_a_plain_product(rgb, name) -> None:  # noqa: ANN001
    img = np.full((120, 120, 3), 252, np.uint8)
    img[25:95, 30:90] = rgb
    out = dominant_colours(img)
    assert out[0].name == name
    assert out[0].share > 0.95


def test_two_colour_product_reports_both_with_shares() -> None:
    img = np.full((120, 120, 3), 252, np.uint8)
    img[20:100, 20:100] = (28, 36, 84)
    img[20:45, 20:100] = (200, 30, 35)
    out = dominant_colours(img)
    assert [c.name for c in out[:2]] == ["네이비", "레드"]
    assert out[0].share > out[1].share > 0.1


def test_fashion_colour_map_covers_all_labels() -> None:
    assert len(FASHION_COLOUR_MAP) == 43  # 44 labels in the dataset, one is the empty string
    assert set(FASHION_COLOUR_MAP.values()) <= set(COLOUR_NAMES)
    assert set(COLOUR_NAMES) - set(FASHION_COLOUR_MAP.values()) == set()


# ------------------------------------------------------------------ category predictor
def test_category_from_title_and_image(tmp_path) -> None:  # noqa: ANN001
    rng = np.random.default_rng(0)
    cats = ["티셔츠", "청바지", "운동화"]
    words = {"티셔츠": "반팔 면 티셔츠", "청바지": "와이드 데님 청바지", "운동화": "캔버스 운동화 스니커즈"}
    centres = rng.normal(size=(3, 8))
    titles, vecs, ys = [], [], []
    for i in range(150):
        c = i % 3
        titles.append(f"{words[cats[c]]} {rng.integers(100)}")
        vecs.append(centres[c] + 0.3 * rng.normal(size=8))
        ys.append(cats[c])
    m = CategoryPredictor().fit(titles, np.array(vecs), ys)
    top = m.predict_top(["데님 청바지 남성"], centres[1:2] + 0.1)[0]
    assert top[0][0] == "청바지" and len(top) == 3
    assert abs(sum(p for _, p in top) - 1.0) < 1e-4
    # empty title: the image alone decides; no image: the title alone
    assert m.predict_top([""], centres[2:3])[0][0][0] == "운동화"
    assert m.predict_top(["면 티셔츠"], None)[0][0][0] == "티셔츠"
    m.save(tmp_path / "cat")
    m2 = CategoryPredictor.load(tmp_path / "cat")
    assert m2.predict_top(["데님 청바지 남성"], centres[1:2] + 0.1)[0][0][0] == "청바지"

    class Enc:
        def encode(self, images):  # noqa: ANN001, ANN202
            return centres[0:1]

    assert predict_category("", np.zeros((8, 8, 3), np.uint8), encoder=Enc(), model=m2)[0][0] == "티셔츠"


# ------------------------------------------------------------------ outfit rules
def test_slots() -> None:
    assert slot_of("Tshirts") == "top" and slot_of("Track Pants") == "bottom"
    assert slot_of("남성 청바지") == "bottom" and slot_of("Casual Shoes") == "shoes"
    assert slot_of("Handbags") == "bag" and slot_of("냉장고") is None


def test_colour_harmony_rules() -> None:
    assert colour_harmony("네이비", "화이트")[0] == 1.0
    assert colour_harmony("레드", "그린")[0] == -1.0
    assert colour_harmony("화이트", "레드")[0] > 0


def test_suggest_outfit_complementary_and_reasons() -> None:
    anchor = OutfitItem(1, "셔츠", ["네이비"], store_id=10)
    cands = [
        OutfitItem(2, "면바지", ["베이지"], store_id=10),
        OutfitItem(3, "청바지", ["화이트"], store_id=10),
        OutfitItem(4, "티셔츠", ["화이트"], store_id=10),  # same slot: not suggested
        OutfitItem(5, "운동화", ["화이트"], store_id=99),  # other store
        OutfitItem(6, "스니커즈", ["블랙"], store_id=10),
        OutfitItem(7, "스커트", ["오렌지"], store_id=10),
    ]
    out = suggest_outfit(anchor, cands, k=4, co_purchase={6: 1.0})
    # 6: neutral pair + co-purchase; 2, 3, 7 tie on colour (good pairs) and per_slot=2 keeps two bottoms
    assert [s.item_id for s in out] == [6, 2, 3]
    assert out[1].reasons == ["상의에 어울리는 하의", "네이비와 베이지는 차분한 클래식 조합"]
    assert out[0].reasons[-1] == "함께 구매한 고객이 많음"
    assert [s.item_id for s in suggest_outfit(anchor, cands, per_slot=3)] == [2, 3, 7, 6]
    red = OutfitItem(8, "티셔츠", ["레드"], store_id=10)
    assert suggest_outfit(red, [OutfitItem(9, "바지", ["그린"], store_id=10)]) == []
    assert suggest_outfit(OutfitItem(1, "냉장고", ["화이트"]), cands) == []


# ------------------------------------------------------------------ HOG shape features
def test_hog_projector_roundtrip_and_shape_similarity(tmp_path) -> None:  # noqa: ANN001
    from kkot.ml.vision.features import HogProjector, hog

    rng = np.random.default_rng(0)
    imgs = np.full((40, 64, 64, 3), 250, np.uint8)
    for i in range(40):
        if i % 2:
            imgs[i, 10:54, 28:36] = rng.integers(0, 60)  # vertical bar
        else:
            imgs[i, 28:36, 10:54] = rng.integers(0, 60)  # horizontal bar
    assert hog(imgs[:2]).shape == (2, 7 * 7 * 36)
    h = HogProjector(size=64, dim=8).fit(imgs)
    z = h.transform(imgs)
    assert z.shape == (40, 8) and np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert z[0] @ z[2] > z[0] @ z[1]  # same orientation is closer
    h.save(tmp_path / "h.npz")
    # float32 on disk: unit vectors agree to float32 precision (1e-6 was at the edge of summation-order noise)
    assert np.allclose(HogProjector.load(tmp_path / "h.npz").transform(imgs[:3]), z[:3], atol=1e-5)


def test_visual_encoder_combines_parts() -> None:
    enc = VisualEncoder(_random_cnn(), hog=False, weights=(0.5, 0.0, 0.5))
    imgs = np.full((2, 64, 64, 3), 250, np.uint8)
    imgs[0, 16:48, 16:48] = (200, 30, 30)
    imgs[1, 16:48, 16:48] = (30, 30, 200)
    v = enc.encode(imgs)
    assert v.shape == (2, 12 + 32) and enc.dim == 44
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) < 0.99  # different colours -> not identical vectors


def test_colour_head_learns_catalog_names(tmp_path) -> None:  # noqa: ANN001
    from kkot.ml.vision.colour import ColourClassifier, colour_descriptor

    rng = np.random.default_rng(0)
    palette = {"레드": (200, 30, 35), "네이비": (28, 36, 84), "베이지": (222, 204, 176)}
    descs, names = [], []
    for name, rgb in palette.items():
        for _ in range(8):
            img = np.full((80, 80, 3), 252, np.uint8)
            img[15:65, 20:60] = np.clip(np.array(rgb) + rng.integers(-15, 16, 3), 0, 255)
            descs.append(colour_descriptor(img))
            names.append(name)
    assert descs[0].shape == (268,)
    head = ColourClassifier().fit(np.stack(descs), names)
    top = head.predict_top(np.stack(descs[::8]), k=2)
    assert [t[0][0] for t in top] == ["레드", "네이비", "베이지"]
    head.save(str(tmp_path / "h"))
    again = ColourClassifier.load(str(tmp_path / "h"))
    assert np.allclose(again.predict_proba(np.stack(descs[:3])), head.predict_proba(np.stack(descs[:3])))
