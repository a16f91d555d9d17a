import numpy as np

from kkot.ml.reviews.features import HashFeaturizer


def test_deterministic_and_normalised():
    f = HashFeaturizer(n_bits=16)
    a = f.transform(["사이즈 딱 맞아요", "", "사이즈 딱 맞아요"])
    assert a.shape == (3, 1 << 16)
    assert (a[0] != a[2]).nnz == 0
    # " ab ": 11 n-grams (1-grams: space twice, a, b; 2: 3; 3: 2; 4: 1; word: ab) -> count / sqrt(11)
    b = f.transform(["ab"])
    assert b.nnz == 10
    assert abs(float(b.multiply(b).sum()) - 13 / 11) < 1e-5


def test_score_matches_matrix_product():
    f = HashFeaturizer(n_bits=14)
    w = np.random.default_rng(0).normal(size=1 << 14).astype(np.float32)
    texts = ["배송 빨라요", "물빠짐 심해요 ㅠㅠ", "a", ""]
    x = f.transform(texts)
    np.testing.assert_allclose(f.score(texts, w, 0.5), x @ w + 0.5, rtol=1e-5, atol=1e-5)


def test_empty_batch():
    f = HashFeaturizer(n_bits=12)
    assert f.transform([]).shape == (0, 1 << 12)
