from kkot.ml.reviews.data import star_label
from kkot.ml.reviews.domain import StarConfig, adapt_from_stars, parse_star, star_training_set
from kkot.ml.reviews.sentiment import SentimentModel


def test_parse_star_and_labels():
    assert [parse_star(v) for v in ("5", "4.0", "5점", 8, "", None, "0", "x")] == [5, 4, 5, 4, None, None, None, None]
    assert [star_label(v) for v in (1, 2, 3, 4, 5, 10, 0, "n/a")] == [0, 0, None, None, 1, 1, None, None]


def test_star_training_set_weights():
    idx, y, w = star_training_set([5, 1, 3, 4, None, 2], StarConfig(0.5, 0.25, 1.0))
    assert idx.tolist() == [0, 1, 2, 3, 5]
    assert y.tolist() == [1, 0, 0, 0, 0]
    assert w.tolist() == [1.0, 1.0, 0.5, 0.25, 1.0]


def test_adapt_from_stars_records_config():
    prior = SentimentModel.load()
    texts = ["보풀이 너무 생겨요"] * 8 + ["핏 예뻐요 만족"] * 8 + ["그냥 그래요"] * 4
    stars = [1] * 8 + [5] * 8 + [3] * 4
    m = adapt_from_stars(prior, texts, stars)
    assert m.meta["star_config"]["C"] == 0.3
    assert m.predict_proba_raw(["보풀이 너무 생겨요"])[0] < 0.5 < m.predict_proba_raw(["핏 예뻐요 만족"])[0]
