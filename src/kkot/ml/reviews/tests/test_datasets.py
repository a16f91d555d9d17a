from pathlib import Path

from kkot.ml.datasets import require_dataset

LABELS = Path(__file__).resolve().parents[5] / "docs" / "labelling" / "musinsa_aspects_v1.tsv"


def test_labelled_sentences_match_dataset():
    require_dataset("musinsa_denim_reviews_3brands")
    from kkot.ml.reviews.evaluation import load_labelled_sentences

    sents = load_labelled_sentences(LABELS)
    assert len(sents) >= 300
    assert sum(len(s.gold) for s in sents) >= 300


def test_food_absa_reader():
    require_dataset("korean_food_absa_ksc2021")
    from kkot.ml.reviews.data import food_absa

    test = food_absa("test")
    assert len(test) == 1249
    assert {a for _, _, a, _ in test} == {"가격", "맛", "배달", "서비스", "양"}
    assert {p for *_, p in test} == {-1, 0, 1}
