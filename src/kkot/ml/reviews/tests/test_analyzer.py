import pytest

from kkot.ml.reviews.analyzer import ReviewAnalysis, ReviewAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReviewAnalyzer:
    return ReviewAnalyzer.load(spacing="never")


def test_clause_example(analyzer):
    r = analyzer.analyze_one("사이즈는 딱 맞는데 물빠짐이 심해요")
    assert [c.text for c in r.clauses] == ["사이즈는 딱 맞는데", "물빠짐이 심해요"]
    assert r.clauses[1].sentiment == "negative"
    got = {(m.aspect, m.polarity, m.direction) for m in r.aspects}
    assert got == {("사이즈", "positive", "딱 맞아요"), ("색상", "negative", None)}
    for m in r.aspects:
        assert r.text[m.span[0] : m.span[1]] in r.text


@pytest.mark.parametrize(
    ("text", "status"),
    [("", "empty"), (None, "empty"), ("   ", "empty"), ("ㅋㅋㅋㅋㅋㅋ", "no_text"), ("👍👍👍🔥", "no_text"),
     ("ㅠㅠ", "no_text"), (float("nan"), "empty")],
)
def test_bad_inputs_are_neutral(analyzer, text, status):
    r = analyzer.analyze_one(text)
    assert (r.sentiment, r.prob, r.status) == ("neutral", 0.5, status)
    assert r.message and r.aspects == [] and r.clauses == []


def test_long_html_and_mixed_language(analyzer):
    long = "배송 빠르고 좋아요. " * 1200  # 13,200 chars
    texts = [long, "<script>alert('x')</script><p>핏 좋아요</p>", "Good quality 사이즈 딱 맞아요 👍 最高"]
    res = analyzer.analyze(texts)
    assert len(res) == 3
    assert res[0].status == "truncated" and len(res[0].text) <= 10_000
    assert "script" not in res[1].text and "alert" not in res[1].text
    assert ("핏/착용감", "positive") in {(m.aspect, m.polarity) for m in res[1].aspects}
    assert ("사이즈", "positive", "딱 맞아요") in {(m.aspect, m.polarity, m.direction) for m in res[2].aspects}


def test_batch_order_with_mixed_valid_and_invalid(analyzer):
    res = analyzer.analyze(["", "배송이 너무 늦어요", "ㅋㅋ", "색감 예뻐요"])
    assert [r.status for r in res] == ["empty", "ok", "no_text", "ok"]
    assert res[1].aspects[0].aspect == "배송" and res[1].aspects[0].polarity == "negative"
    assert isinstance(res[3], ReviewAnalysis) and res[3].to_dict()["aspects"][0]["aspect"] == "색상"


def test_category_aspect_sets(analyzer):
    food = analyzer.analyze_one("양도 많고 맛있어요", category="food")
    assert {m.aspect for m in food.aspects} == {"양", "맛"}
    cos = analyzer.analyze_one("끈적임 없고 순해요", category="cosmetics")
    assert {(m.aspect, m.polarity) for m in cos.aspects} == {("발림성", "positive"), ("피부자극", "positive")}


@pytest.mark.parametrize(
    ("text", "direction", "polarity"),
    [("허리가 커서 한 사이즈 작게 사세요", "커요", "negative"), ("사이즈가 작게 나왔어요", "작아요", "negative"),
     ("사이즈 딱 맞아요", "딱 맞아요", "positive"), ("허벅지가 꽉 껴요", "작아요", "negative")],
)
def test_size_direction(analyzer, text, direction, polarity):
    size = [m for m in analyzer.analyze_one(text).aspects if m.aspect == "사이즈"]
    assert [(m.direction, m.polarity) for m in size] == [(direction, polarity)]


def test_negation_flips_cue(analyzer):
    r = analyzer.analyze_one("냄새 안 나고 배송도 빨라요")
    assert {(m.aspect, m.polarity) for m in r.aspects} == {("냄새", "positive"), ("배송", "positive")}
