import json

import numpy as np
import pytest

from kkot.ml.reviews.sentiment import SentimentModel

POS = ["배송 빨라요", "사이즈 딱 맞아요", "색감 예뻐요", "너무 좋아요", "만족합니다", "핏 예뻐요"] * 5
NEG = ["배송 느려요", "물빠짐 심해요", "보풀 생겨요", "너무 별로예요", "실망했어요", "사이즈 작아요"] * 5


def _tiny() -> SentimentModel:
    from kkot.ml.reviews.features import HashFeaturizer

    return SentimentModel(HashFeaturizer(n_bits=14)).fit(POS + NEG, [1] * len(POS) + [0] * len(NEG))


def test_fit_predict_and_roundtrip(tmp_path):
    m = _tiny()
    p = m.predict_proba_raw(["배송 빨라요 만족합니다", "물빠짐 심해요 실망했어요"])
    assert p[0] > 0.5 > p[1]
    m.save(tmp_path / "m")
    m2 = SentimentModel.load(tmp_path / "m")
    np.testing.assert_allclose(m2.predict_proba_raw(["배송 빨라요"]), m.predict_proba_raw(["배송 빨라요"]),
                               atol=2e-3)
    assert m2.predict(["너무 좋아요", "너무 별로예요"]) == ["positive", "negative"]


def test_adapt_learns_domain_words():
    prior = _tiny()
    xs = ["보풀 없어요 좋아요"] * 10 + ["끈적임 심해요"] * 10 + ["좋아요"] * 10 + ["별로예요"] * 10
    ys = [1] * 10 + [0] * 10 + [1] * 10 + [0] * 10
    m = prior.adapt(xs, ys, C=1.0, clause_level=True, calibrate=True)
    assert m.predict_proba_raw(["끈적임 심해요"])[0] < 0.5
    assert "prior" in m.meta and "out_of_fold" in m.meta


def test_adapt_needs_both_classes():
    with pytest.raises(ValueError):
        _tiny().adapt(["좋아요", "최고"], [1, 1])


def test_load_rejects_other_files(tmp_path):
    (tmp_path / "model.json").write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ValueError):
        SentimentModel.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        SentimentModel.load(tmp_path / "missing")


def test_unfitted_raises():
    with pytest.raises(RuntimeError):
        SentimentModel().predict_proba(["x"])
