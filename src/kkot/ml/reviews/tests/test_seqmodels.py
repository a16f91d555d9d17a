import json

import numpy as np
import pytest

from kkot.ml.reviews.charcnn import CharCNN
from kkot.ml.reviews.chargru import CharGRU
from kkot.ml.reviews.chars import N_JAMO, build_vocab, encode_chars
from kkot.ml.reviews.features import HashFeaturizer
from kkot.ml.reviews.sentiment import SentimentModel

TEXTS = ["배송 빨라요 만족합니다", "물빠짐 심해요 실망", "사이즈 딱 맞아요", "보풀 생겨요 별로", "", "a",
         "뷁 똠방 쀍쀍 희귀한 글자", "좋아요 " * 40, "ok!! 굿굿"]


def _cnn(widths: tuple[int, ...] = (2, 3, 5), dim: int = 6, filters: int = 4) -> CharCNN:
    rng = np.random.default_rng(0)
    vocab = build_vocab(["배송 빨라요 만족 사이즈 좋아요 별로 ok"], size=12)
    ce = rng.normal(size=(len(vocab) + 2, dim)).astype(np.float32)
    je = rng.normal(size=(N_JAMO, dim)).astype(np.float32)
    ce[0] = 0.0
    je[0] = 0.0
    return CharCNN(
        vocab,
        ce,
        je,
        widths,
        [rng.normal(size=(k, dim, filters)).astype(np.float32) for k in widths],
        [rng.normal(size=filters).astype(np.float32) for _ in widths],
        rng.normal(size=2 * filters * len(widths)).astype(np.float32),
        0.3,
    )


def _gru(dim: int = 6, hidden: int = 5) -> CharGRU:
    rng = np.random.default_rng(4)
    vocab = build_vocab(["배송 빨라요 만족 사이즈 좋아요 별로 ok"], size=12)
    r = lambda *shape: (0.5 * rng.normal(size=shape)).astype(np.float32)  # noqa: E731
    ce, je = r(len(vocab) + 2, dim), r(N_JAMO, dim)
    ce[0] = 0.0
    je[0] = 0.0
    return CharGRU(
        vocab, ce, je,
        [r(dim, 3 * hidden), r(dim, 3 * hidden)], [r(3 * hidden), r(3 * hidden)],
        [r(hidden, 3 * hidden), r(hidden, 3 * hidden)], [r(3 * hidden), r(3 * hidden)],
        r(4 * hidden), -0.2,
    )


def _reference(m: CharCNN, texts: list[str]) -> np.ndarray:
    """Plain loops: embedding, valid convolution positions, max and mean pooling, linear output."""
    out = []
    for t in texts:
        ids, jamo, lens, _ = encode_chars([t], m.vocab, m.max_len)
        x = m.char_emb[ids[0]] + m.jamo_emb[jamo[0]].sum(axis=1)
        x = np.vstack([x, np.zeros((max(m.widths), x.shape[1]), np.float32)])
        mx, mn = [], []
        for k, w, b in zip(m.widths, m.conv_w, m.conv_b, strict=True):
            n_valid = max(int(lens[0]) - k + 1, 1)
            h = np.stack([np.maximum(sum(x[p + s] @ w[s] for s in range(k)) + b, 0) for p in range(n_valid)])
            mx.append(h.max(axis=0))
            mn.append(h.mean(axis=0))
        out.append(float(np.concatenate(mx + mn) @ m.out_w + m.out_b))
    return np.asarray(out)


def test_encode_chars_ids_jamo_and_padding():
    vocab = build_vocab(["가가가 나"], size=2)
    assert sorted(vocab.tolist()) == sorted([ord("가"), ord(" ")])
    ids, jamo, lens, cp = encode_chars(["가 나", ""], vocab)
    assert lens.tolist() == [5, 2]  # " " + text + " "
    assert ids[0, :5].tolist() == [2, 3, 2, 1, 2]  # " ", 가, " ", 나 (unknown), " "
    assert ids[1].tolist() == [2, 2, 0, 0, 0]
    # 나 = ㄴ (initial 2) + ㅏ (medial 0) + no final
    assert jamo[0, 3].tolist() == [1 + 2, 20 + 0, 41 + 0]
    assert jamo[0, 0].tolist() == [0, 0, 0] and cp[1, 2] == 0


def test_numpy_scores_match_loop_reference_and_chunking():
    m = _cnn()
    got = m.score(TEXTS)
    np.testing.assert_allclose(got, _reference(m, TEXTS), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.score(TEXTS, chunk=2), got, rtol=1e-5, atol=1e-5)
    assert m.score([]).shape == (0,)


def test_numpy_equals_torch_network():
    pytest.importorskip("torch")
    from kkot.ml.reviews.seq_train import torch_scores

    m = _cnn()
    np.testing.assert_allclose(m.score(TEXTS), torch_scores(m, TEXTS), rtol=1e-4, atol=1e-4)


def test_gru_numpy_equals_torch_network_and_chunking():
    pytest.importorskip("torch")
    from kkot.ml.reviews.seq_train import torch_scores

    m = _gru()
    got = m.score(TEXTS)
    np.testing.assert_allclose(got, torch_scores(m, TEXTS), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.score(TEXTS, chunk=3), got, rtol=1e-5, atol=1e-5)
    # the backward direction reads each text from its own end: padding never changes a score
    np.testing.assert_allclose(m.score([TEXTS[0]]), got[:1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [_cnn, _gru], ids=["cnn", "bigru"])
def test_sentiment_model_with_seq_save_load_adapt(tmp_path, make):
    f = HashFeaturizer(n_bits=12)
    w = np.random.default_rng(2).normal(size=1 << 12).astype(np.float32)
    cnn = make().rounded()
    model = SentimentModel(f, w, 0.1, seq=cnn, seq_weight=0.2)
    np.testing.assert_allclose(
        model.decision_function(TEXTS), f.score(TEXTS, w, 0.1) + 0.2 * cnn.score(TEXTS), rtol=1e-6
    )
    model.save(tmp_path / "m")
    doc = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert doc["seq"]["weight"] == 0.2 and doc["seq"]["kind"] == cnn.config()["kind"]
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != np.float64 for k in z.files)
    loaded = SentimentModel.load(tmp_path / "m")
    assert type(loaded.seq) is type(cnn) and loaded.seq_weight == 0.2
    np.testing.assert_allclose(loaded.decision_function(TEXTS), model.decision_function(TEXTS), atol=2e-3)
    # repeated texts (a one-clause review and its clause) are scored once, with the same result
    twice = loaded.decision_function(TEXTS + TEXTS[:3])
    np.testing.assert_allclose(twice[len(TEXTS):], twice[:3], rtol=1e-12)
    adapted = loaded.adapt(["좋아요 최고", "별로 실망", "만족해요", "최악"], [1, 0, 1, 0], calibrate=False,
                           clause_level=False, seq_features=0.0, seq_finetune=0)
    assert adapted.seq is loaded.seq
    assert adapted.seq_weight == pytest.approx(0.2 * adapted.meta["prior"]["alpha"])


def test_unknown_sequence_kind_is_rejected(tmp_path):
    f = HashFeaturizer(n_bits=12)
    SentimentModel(f, np.zeros(1 << 12, np.float32), 0.0, seq=_gru(), seq_weight=0.1).save(tmp_path / "m")
    doc_path = tmp_path / "m" / "model.json"
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    doc["seq"]["kind"] = "transformer"
    doc_path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="transformer"):
        SentimentModel.load(tmp_path / "m")


def test_model_without_seq_still_loads(tmp_path):
    f = HashFeaturizer(n_bits=12)
    w = np.random.default_rng(3).normal(size=1 << 12).astype(np.float32)
    SentimentModel(f, w, 0.0).save(tmp_path / "old")
    doc_path = tmp_path / "old" / "model.json"
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    doc["version"] = 2  # as written before the CNN existed
    doc_path.write_text(json.dumps(doc), encoding="utf-8")
    loaded = SentimentModel.load(tmp_path / "old")
    assert loaded.seq is None and loaded.seq_weight == 0.0
    assert loaded.decision_function(TEXTS).shape == (len(TEXTS),)


def test_shipped_model_loads():
    m = SentimentModel.load()
    assert m.predict_proba(["정말 최고예요 강추합니다"])[0] > 0.5


@pytest.mark.parametrize("kind", ["cnn", "bigru"])
def test_training_learns_a_toy_task(kind):
    pytest.importorskip("torch")
    from kkot.ml.reviews.seq_train import torch_scores, train_char_cnn, train_char_gru

    rng = np.random.default_rng(0)
    good, bad = ["좋아요 최고", "재밌다 강추", "만족 합니다"], ["별로 최악", "지루하다 실망", "돈 아깝다"]
    xs, ys = [], []
    for _ in range(2000):
        y = int(rng.random() < 0.5)
        xs.append(f"이 영화 {rng.choice(good if y else bad)} 진짜" + "ㅋ" * int(rng.integers(0, 4)))
        ys.append(y)
    seen: list[int] = []
    train = train_char_cnn if kind == "cnn" else train_char_gru
    size = {"filters": 8} if kind == "cnn" else {"hidden": 16}
    m = train(xs, ys, dim=16, **size, vocab_size=40, epochs=2, progress=False,
              on_epoch=lambda e, _m: seen.append(e))
    assert seen == [0, 1]
    z = m.score(xs[:300])
    assert float(np.mean((z > 0) == np.asarray(ys[:300]))) > 0.95
    np.testing.assert_allclose(z, torch_scores(m, xs[:300]), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError):
        train(["a", "b"], [1, 1], progress=False)
