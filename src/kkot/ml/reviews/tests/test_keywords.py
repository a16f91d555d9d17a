from datetime import datetime, timedelta

import pytest

from kkot.ml.reviews.analyzer import ReviewAnalyzer
from kkot.ml.reviews.keywords import detect_trends, distinctive_keywords, suggest_reply, summarize


@pytest.fixture(scope="module")
def analyzer() -> ReviewAnalyzer:
    return ReviewAnalyzer.load(spacing="never")


def test_distinctive_keywords_vs_background(analyzer):
    target = analyzer.analyze(["물빠짐이 심해요"] * 6 + ["핏은 예뻐요"] * 6)
    background = analyzer.analyze(["핏은 예뻐요"] * 30 + ["배송 빨라요"] * 30)
    kws = distinctive_keywords(target, background, min_count=3)
    assert kws[0].phrase in {"물빠짐", "물빠짐 심해"}
    assert kws[0].negative_share == 1.0 and kws[0].examples == ["물빠짐이 심해요"]
    assert all(k.phrase != "핏은" and k.phrase != "배송" for k in kws)


def test_trend_alert_three_times(analyzer):
    now = datetime(2025, 3, 31)
    items = []
    # 8 weeks of history: 1 complaint per 2 weeks among 10 reviews; last 2 weeks: 3 among 10
    for w in range(4):
        start = now - timedelta(days=14 * (w + 1) + 13)
        for i in range(10):
            text = "물빠짐 심해요" if i == 0 else "핏 예뻐요"
            items.append((start + timedelta(days=i), analyzer.analyze_one(text)))
    for i in range(10):
        text = "물빠짐 심해요" if i < 3 else "핏 예뻐요"
        items.append((now - timedelta(days=i), analyzer.analyze_one(text)))
    alerts = {a.key: a for a in detect_trends(items, now=now, min_recent=3)}
    assert "물빠짐" in alerts
    a = alerts["물빠짐"]
    assert (a.recent_count, a.previous_count) == (3, 4)
    assert a.message.startswith("최근 2주 '물빠짐' 불만이 이전 대비")
    assert len(a.review_indices) == 3


def test_summary_needs_20_reviews(analyzer):
    few = summarize(analyzer.analyze(["핏 예뻐요"] * 5))
    assert few.paragraph is None and "20" in (few.message or "")
    many = summarize(analyzer.analyze(["핏 예뻐요 배송 빨라요"] * 15 + ["사이즈가 작아요 아쉬워요"] * 10))
    assert many.paragraph is not None and many.n_reviews == 25
    assert many.bad_points[0].aspect == "사이즈" and many.bad_points[0].directions == {"작아요": 10}
    assert {p.aspect for p in many.good_points} >= {"핏/착용감", "배송"}


def test_reply_suggestion(analyzer):
    reply = suggest_reply(analyzer.analyze_one("배송이 너무 늦어요"))
    assert "배송이 늦어져 정말 죄송합니다" in reply
    assert suggest_reply(analyzer.analyze_one("")).startswith("고객님, 소중한 리뷰 감사합니다")
