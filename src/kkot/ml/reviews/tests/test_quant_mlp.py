import numpy as np
import pytest

from kkot.ml.reviews.features import HashFeaturizer
from kkot.ml.reviews.mlp import HashMLP
from kkot.ml.reviews.quant import dequantize, quantize
from kkot.ml.reviews.sentiment import SentimentModel

TEXTS = ["배송 빨라요 만족합니다", "물빠짐 심해요 실망", "사이즈 딱 맞아요", "보풀 생겨요 별로", "", "a"]


def test_quantize_roundtrip_is_close_and_idempotent():
    w = np.random.default_rng(0).standard_t(3, size=50_000).astype(np.float32)
    codes, book = quantize(w)
    assert codes.dtype == np.uint8 and book.shape == (256,)
    w2 = dequantize(codes, book)
    assert float(np.sqrt(np.mean((w - w2) ** 2))) < 0.03 * float(w.std())
    # quantising quantised weights changes nothing (what save() does after training quantised them)
    np.testing.assert_array_equal(dequantize(*quantize(w2)), w2)
    # 2-D arrays keep their shape; few distinct values are kept exactly
    e = np.asarray([[0.0, 1.5], [-2.0, 0.0]], np.float32)
    np.testing.assert_array_equal(dequantize(*quantize(e)), e)


def test_quantize_rejects_too_many_levels():
    with pytest.raises(ValueError):
        quantize(np.zeros(3), levels=300)


def _mlp(bits: int = 10, dim: int = 4, hidden: int = 3) -> HashMLP:
    rng = np.random.default_rng(1)
    return HashMLP(
        bits,
        rng.normal(size=(1 << bits, dim)).astype(np.float32),
        rng.normal(size=(dim, hidden)).astype(np.float32),
        rng.normal(size=hidden).astype(np.float32),
        rng.normal(size=hidden).astype(np.float32),
        0.25,
    )


def test_mlp_score_matches_dense_formula():
    f = HashFeaturizer(n_bits=12)
    m = _mlp()
    r, c, v = f.coo(TEXTS)
    got = m.score_coo(r, c, v, len(TEXTS), 12)
    x = np.zeros((len(TEXTS), 1 << 10))
    np.add.at(x, (r, c >> 2), v)
    want = np.maximum(x @ m.emb @ m.w1 + m.b1, 0) @ m.w2 + m.b2
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert m.score_coo(r[:0], c[:0], v[:0], 0, 12).shape == (0,)


def test_model_with_mlp_save_load_and_adapt(tmp_path):
    f = HashFeaturizer(n_bits=12)
    w = np.random.default_rng(2).normal(size=1 << 12).astype(np.float32)
    model = SentimentModel(f, w, 0.1, mlp=_mlp(), mlp_weight=0.5)
    z = model.decision_function(TEXTS)
    lin = f.score(TEXTS, w, 0.1)
    r, c, v = f.coo(TEXTS)
    np.testing.assert_allclose(z, lin + 0.5 * model.mlp.score_coo(r, c, v, len(TEXTS), 12), rtol=1e-6)
    model.save(tmp_path / "m", quantized=True)
    loaded = SentimentModel.load(tmp_path / "m")
    assert loaded.mlp is not None and loaded.mlp_weight == 0.5
    np.testing.assert_allclose(loaded.decision_function(TEXTS), z, atol=0.35)
    # adapting keeps the MLP (scaled by the prior's weight alpha) and still saves/loads
    xs = ["보풀 없어요 좋아요"] * 8 + ["끈적임 심해요"] * 8
    adapted = loaded.adapt(xs, [1] * 8 + [0] * 8, C=1.0, clause_level=False, calibrate=False)
    assert adapted.mlp is loaded.mlp
    assert adapted.mlp_weight == pytest.approx(0.5 * adapted.meta["prior"]["alpha"])
    assert adapted.predict_proba_raw(["끈적임 심해요"])[0] < 0.5


def test_train_hash_mlp_learns_a_toy_task():
    pytest.importorskip("torch")
    from kkot.ml.reviews.mlp import train_hash_mlp

    f = HashFeaturizer(n_bits=14)
    xs = ["정말 좋아요 최고", "배송 빨라요 만족", "별로예요 실망", "물빠짐 심해요 최악"] * 50
    ys = np.asarray([1, 1, 0, 0] * 50)
    m = train_hash_mlp(
        f.coo, xs, ys, 14, n_bits=12, dim=8, hidden=8, epochs=10, lr=1e-2, batch_size=16, progress=False
    )
    r, c, v = f.coo(["정말 좋아요 최고", "물빠짐 심해요 최악"])
    s = m.score_coo(r, c, v, 2, 14)
    assert s[0] > 0 > s[1]
