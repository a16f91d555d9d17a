"""Catalog-trained heads: colour histograms + colour head, metric head for search vectors."""

from __future__ import annotations

import numpy as np
import pytest

from kkot.ml.vision.colour import COLOUR_NAMES, ColourClassifier
from kkot.ml.vision.colour_learn import DESCRIPTOR_DIM, colour_histograms
from kkot.ml.vision.metric import MetricHead, search_vectors


def _product(rgb: tuple[int, int, int], bg: int = 252, noise: int = 0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((96, 96, 3), bg, np.uint8)
    col = np.clip(np.array(rgb) + rng.integers(-noise, noise + 1, 3), 0, 255)
    img[20:80, 25:70] = col
    return img


def test_colour_histograms_describe_the_product_not_the_background() -> None:
    red_on_white = colour_histograms(_product((200, 30, 35), bg=252))
    red_on_grey = colour_histograms(_product((200, 30, 35), bg=200))
    navy = colour_histograms(_product((28, 36, 84)))
    assert red_on_white.shape == (DESCRIPTOR_DIM,) and red_on_white.dtype == np.float32
    # the soft name shares of the whole product follow the joint Lab (245) + hue (18) + chroma share (1)
    names = red_on_white[264 : 264 + len(COLOUR_NAMES)]
    assert COLOUR_NAMES[int(names.argmax())] == "레드" and names.max() > 0.5
    assert np.abs(red_on_white - red_on_grey).sum() < 0.2 * np.abs(red_on_white - navy).sum()


def test_colour_head_on_histograms_learns_catalog_names(tmp_path) -> None:  # noqa: ANN001
    palette = {
        "레드": (200, 30, 35),
        "네이비": (28, 36, 84),
        "베이지": (222, 204, 176),
        "카키": (110, 110, 62),
    }
    descs, names = [], []
    for name, rgb in palette.items():
        for k in range(6):
            descs.append(colour_histograms(_product(rgb, noise=15, seed=k)))
            names.append(name)
    head = ColourClassifier().fit(np.stack(descs), names)
    top = head.predict_top(np.stack(descs[::6]), k=2)
    assert [t[0][0] for t in top] == ["레드", "네이비", "베이지", "카키"]
    head.save(str(tmp_path / "h"))
    again = ColourClassifier.load(str(tmp_path / "h"))
    assert np.allclose(again.predict_proba(np.stack(descs[:3])), head.predict_proba(np.stack(descs[:3])))


def _clusters(n: int = 120, d: int = 12, k: int = 3, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * 2
    y = np.arange(n) % k
    return (centres[y] + rng.normal(size=(n, d))).astype(np.float32), [f"c{v}" for v in y]


@pytest.mark.parametrize("backend", ["torch", "sklearn"])
def test_metric_head_puts_same_category_together(backend: str, tmp_path) -> None:  # noqa: ANN001
    if backend == "torch":
        pytest.importorskip("torch")
    x, y = _clusters()
    head = MetricHead(hidden=32, dim=8, epochs=30, backend=backend).fit(x[:90], y[:90])
    assert head.classes_ == ["c0", "c1", "c2"]
    e = head.transform(x)
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    sims = e[90:] @ e[:90].T
    nearest = sims.argmax(1)
    assert np.mean([y[90 + i] == y[j] for i, j in enumerate(nearest)]) >= 0.9
    p = head.predict_proba(x[90:])
    assert p.shape == (30, 3) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    assert np.mean([head.classes_[j] == y[90 + i] for i, j in enumerate(p.argmax(1))]) >= 0.9
    head.save(tmp_path / "m")
    back = MetricHead.load(tmp_path / "m")
    assert np.allclose(back.transform(x[:5]), e[:5], atol=1e-5)
    assert np.allclose(back.predict_proba(x[:5]), head.predict_proba(x[:5]), atol=1e-5)


def test_search_vectors_weights_parts() -> None:
    a = np.array([[1.0, 0.0], [1.0, 0.0]])
    b = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = search_vectors([(a, 0.75), (b, 0.25)])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert float(v[0] @ v[1]) == pytest.approx(0.75)  # the parts differ only in b, which counts 25%
    assert search_vectors([(a, 1.0), (b, 0.0)]).shape == (2, 2)  # zero weight drops the part


def test_shade_offers_its_base_hue_as_the_alternative_name() -> None:
    from kkot.ml.vision.colour import dominant_colours

    out = dominant_colours(_product((150, 200, 235)))  # light blue
    assert [c.name for c in out[:2]] == ["스카이블루", "블루"]
    assert out[0].share > 0.9
    assert [c.name for c in dominant_colours(_product((110, 22, 42)))[:2]] == ["와인", "레드"]


def test_refit_classifier_keeps_inference_in_numpy() -> None:
    from kkot.ml.vision.cnn import CnnEmbedder, conv_plan
    from kkot.ml.vision.train import classifier_features, refit_classifier

    rng = np.random.default_rng(0)
    ch = (8, 8, 16, 16)
    w = {}
    for i, (cin, cout, _, _) in enumerate(conv_plan(ch)):
        w[f"conv{i}_w"] = rng.normal(0, 0.3, (9 * cin, cout)).astype(np.float32)
        w[f"conv{i}_b"] = rng.normal(0, 0.1, cout).astype(np.float32)
    w["emb_w"] = rng.normal(0, 0.3, (32, 12)).astype(np.float32)
    w["emb_b"] = np.zeros(12, np.float32)
    w["cls_w"] = np.zeros((12, 2), np.float32)
    w["cls_b"] = np.zeros(2, np.float32)
    m = CnnEmbedder(
        weights=w,
        channels=ch,
        input_size=32,
        classes=["dark", "light"],
        mean=np.full(3, 0.5, np.float32),
        std=np.full(3, 0.25, np.float32),
        meta={},
    )
    imgs = rng.integers(0, 120, (40, 32, 32, 3)).astype(np.uint8)
    imgs[20:] += 120
    y = np.array([0] * 20 + [1] * 20)
    emb_before = m.embed(imgs)
    c = refit_classifier(m, imgs, y, cs=(0.1, 1.0), folds=2)
    assert c in (0.1, 1.0) and m.meta["classifier"]["n"] == 40
    assert (m.predict_proba(imgs).argmax(1) == y).mean() == 1.0
    assert np.allclose(m.embed(imgs), emb_before)  # only the last layer changed
    assert classifier_features(m, imgs[:3]).shape == (3, 12)


def test_catalog_colour_model_joins_two_heads_and_round_trips(tmp_path) -> None:  # noqa: ANN001
    from kkot.ml.vision import CatalogColourModel

    x, names = _clusters(n=90, d=10, k=3, seed=3)
    model = CatalogColourModel(metric={"hidden": 32, "dim": 8, "epochs": 20, "backend": "sklearn"})
    model.fit(x, names)
    p = model.predict_proba(x)
    assert p.shape == (90, 3) and np.allclose(p.sum(1), 1.0)
    assert np.mean(np.array(model.classes_)[p.argmax(1)] == np.array(names)) > 0.95
    # the geometric mean of the two heads, renormalised
    both = np.sqrt(model.lr_.predict_proba(x) * model.head_.predict_proba(x))
    assert np.allclose(p, both / both.sum(1, keepdims=True))
    model.save(str(tmp_path / "m"))
    again = CatalogColourModel.load(str(tmp_path / "m"))
    assert again.classes_ == model.classes_ and np.allclose(again.predict_proba(x), p, atol=1e-6)
    assert again.predict_top(x[:1], k=2)[0][0][0] == names[0]
    with pytest.raises(ValueError, match="expected"):
        again.predict_proba(x[:, :5])
    with pytest.raises(ValueError, match="two colour names"):
        CatalogColourModel().fit(x[:3], ["c0"] * 3)
    (tmp_path / "m" / "catalog_colour.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a kkot catalog colour model"):
        CatalogColourModel.load(str(tmp_path / "m"))


@pytest.mark.parametrize("backend", ["torch", "sklearn"])
def test_catalog_search_head_brings_same_category_and_colour_together(backend: str, tmp_path) -> None:  # noqa: ANN001
    from kkot.ml.vision import CatalogSearchHead

    if backend == "torch":
        pytest.importorskip("torch")
    x, cats = _clusters(n=120, d=12, k=3, seed=5)
    rng = np.random.default_rng(1)
    colour_dir = rng.normal(size=12).astype(np.float32) * 1.5
    colours = ["레드" if i % 2 else "블루" for i in range(len(x))]
    x = x + np.array([colour_dir if c == "레드" else -colour_dir for c in colours], np.float32)
    # plus loud dimensions that mean nothing: the raw vectors' neighbours are mostly noise, the heads learn better
    x = np.concatenate([x, rng.normal(size=(len(x), 40)).astype(np.float32) * 3], 1)
    colours_known = [c if i % 5 else None for i, c in enumerate(colours)]  # some products have no colour
    head = CatalogSearchHead()
    head.CATEGORY_HEAD = {"hidden": 32, "dim": 8, "epochs": 30, "backend": backend}
    head.fit(x, cats, colours_known)
    v = head.transform(x)
    assert v.shape == (120, head.dim) and v.dtype == np.float32 and np.allclose(np.linalg.norm(v, axis=1), 1)
    assert head.colour is not None and head.colour.classes_ == ["레드", "블루"]

    def p_at_5(vecs: np.ndarray, labels: list[str]) -> float:
        sims = vecs @ vecs.T
        np.fill_diagonal(sims, -np.inf)
        top = np.argsort(-sims, axis=1)[:, :5]
        lab = np.array(labels)
        return float((lab[top] == lab[:, None]).mean())

    both = [f"{c}|{k}" for c, k in zip(cats, colours, strict=True)]
    raw = x / np.linalg.norm(x, axis=1, keepdims=True)
    assert p_at_5(v, both) > p_at_5(raw, both)
    head.save(tmp_path / "h")
    again = CatalogSearchHead.load(tmp_path / "h")
    assert again.dim == head.dim and np.allclose(again.transform(x[:7]), v[:7], atol=1e-5)
    with pytest.raises(ValueError, match="expected"):
        again.transform(x[:, :4])
    # without colour names the colour part is left out
    plain = CatalogSearchHead()
    plain.CATEGORY_HEAD = head.CATEGORY_HEAD
    plain.fit(x, cats)
    assert plain.colour is None and plain.transform(x[:2]).shape == (2, plain.dim)
