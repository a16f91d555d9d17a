"""The seller's review analysis (per store or per product): good/bad points with representative sentences,
keywords against the category, trend alerts with the reviews behind them, and weekly negative share per aspect.

Reads stored analyses only (no model runs); the result is cached until the store's reviews change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Max
from django.utils.translation import get_language

from kkot.core.timeutil import day_bounds
from kkot.reviews.analysis import to_ml
from kkot.reviews.categories import categories_in_group, category_group
from kkot.reviews.models import Review, ReviewAnalysis, ReviewAspect

MAX_TARGET = 1500
MAX_BACKGROUND = 1500


@dataclass
class Analysis:
    n_reviews: int
    positive_share: float
    good: list[dict]
    bad: list[dict]
    keywords: list[dict]
    alerts: list[dict]
    weeks: list[str]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    group: str = "default"


def _point(p) -> dict:
    return {
        "aspect": p.aspect,
        "positive": p.positive,
        "negative": p.negative,
        "neutral": p.neutral,
        "directions": p.directions,
        "positive_examples": p.positive_examples,
        "negative_examples": p.negative_examples,
    }


def review_analysis(
    *, store_id: int, today: dt.date, product_id: int | None = None, weeks: int = 12
) -> Analysis:
    base = Review.objects.filter(store_id=store_id, is_hidden=False)
    if product_id is not None:
        base = base.filter(product_id=product_id)
    sig = base.aggregate(n=Max("id"), u=Max("updated_at"), a=Max("analysis__analysed_at"))
    raw = f"{store_id}:{product_id}:{today}:{sig['n']}:{sig['u']}:{sig['a']}:{get_language()}"
    key = "kk:reviews:analysis:" + hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = _build(base, store_id=store_id, product_id=product_id, today=today, weeks=weeks)
    cache.set(key, result, 600)
    return result


def _group_of(store_id: int, product_id: int | None) -> str:
    from kkot.catalog.models import Product

    qs = Product.objects.filter(pk=product_id) if product_id else Product.objects.filter(store_id=store_id)
    cats = Counter(qs.values_list("category_id", flat=True)[:500])
    groups = Counter()
    for c, n in cats.items():
        groups[category_group(c)] += n
    return groups.most_common(1)[0][0] if groups else "default"


def _build(base, *, store_id: int, product_id: int | None, today: dt.date, weeks: int) -> Analysis:
    from kkot.ml.reviews import detect_trends, distinctive_keywords, good_bad_points

    rows = list(
        ReviewAnalysis.objects.filter(review__in=base)
        .select_related(None)
        .order_by("-review__created_at")
        .values_list(
            "review_id",
            "review__created_at",
            "text",
            "sentiment",
            "prob",
            "clauses",
            "aspects",
            "keywords",
            "status",
            "message",
        )[:MAX_TARGET]
    )
    group = _group_of(store_id, product_id)
    if not rows:
        return Analysis(0, 0.0, [], [], [], [], [], {}, group)
    ids = [r[0] for r in rows]
    created = [r[1] for r in rows]
    mls = [
        to_ml(
            {
                "text": r[2],
                "sentiment": r[3],
                "prob": r[4],
                "clauses": r[5],
                "aspects": r[6],
                "keywords": r[7],
                "status": r[8],
                "message": r[9] or None,
            }
        )
        for r in rows
    ]
    ok = [a for a in mls if a.status in ("ok", "truncated")]
    pos_share = round(sum(a.sentiment == "positive" for a in ok) / len(ok), 3) if ok else 0.0
    good, bad, _all = good_bad_points(ok, top_k=5, examples=3)
    # keywords against the category: the same category group's reviews outside this store (or product)
    bg = Review.objects.filter(is_hidden=False, product__category_id__in=categories_in_group(group))
    bg = bg.exclude(product_id=product_id) if product_id else bg.exclude(store_id=store_id)
    background = list(bg.order_by("-created_at").values_list("text", flat=True)[:MAX_BACKGROUND])
    if len(background) < 50:  # a young platform: the whole group, this store included
        background += list(
            Review.objects.filter(product__category_id__in=categories_in_group(group))
            .order_by("-created_at")
            .values_list("text", flat=True)[:MAX_BACKGROUND]
        )
    kws = distinctive_keywords(ok, background, top_k=12) if len(ok) >= 5 else []
    keywords = [
        {
            "phrase": k.phrase,
            "count": k.count,
            "positive_pct": round(100 * k.positive_share),
            "negative_pct": round(100 * k.negative_share),
            "examples": k.examples,
        }
        for k in kws
    ]
    end = day_bounds(today)[1]
    items = [(t, a) for t, a in zip(created, mls, strict=True)]
    alerts = []
    for al in detect_trends(items, now=end)[:6]:
        evidence = [ids[i] for i in al.review_indices][:5]
        alerts.append(
            {
                "key": al.key,
                "kind": al.kind,
                "message": al.message,
                "recent": al.recent_count,
                "previous": al.previous_count,
                "review_ids": evidence,
            }
        )
    if alerts:
        texts = dict(
            Review.objects.filter(pk__in=[i for a in alerts for i in a["review_ids"]]).values_list(
                "pk", "text_masked"
            )
        )
        for a in alerts:
            a["reviews"] = [{"id": i, "text": texts.get(i, "")[:160]} for i in a["review_ids"]]
    week_labels, series = _weekly_negative_share(
        base, store_id=store_id, product_id=product_id, today=today, weeks=weeks
    )
    return Analysis(
        len(ok),
        pos_share,
        [_point(p) for p in good],
        [_point(p) for p in bad],
        keywords,
        alerts,
        week_labels,
        series,
        group,
    )


def _weekly_negative_share(
    base, *, store_id: int, product_id: int | None, today: dt.date, weeks: int
) -> tuple[list[str], dict[str, list[float | None]]]:
    """Per week (Monday start, Seoul) and aspect: % of that week's reviews with a negative mention of it
    (top 5 aspects by negative mentions); ``None`` for a week without reviews."""
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    since = day_bounds(starts[0])[0]
    end = day_bounds(today)[1]
    asp = ReviewAspect.objects.filter(
        store_id=store_id,
        polarity="negative",
        created_at__gte=since,
        created_at__lt=end,
        review__is_hidden=False,
    )
    if product_id is not None:
        asp = asp.filter(product_id=product_id)

    def week_of(t: dt.datetime) -> int:
        from kkot.core.timeutil import seoul

        d = seoul(t).date()
        return (d - starts[0]).days // 7

    totals = Counter(
        week_of(t)
        for t in base.filter(created_at__gte=since, created_at__lt=end).values_list("created_at", flat=True)
    )
    neg: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for aspect, rid, t in asp.values_list("aspect", "review_id", "created_at"):
        neg[aspect][week_of(t)].add(rid)
    top = sorted(neg, key=lambda a: -sum(len(s) for s in neg[a].values()))[:5]
    series = {
        a: [
            round(100 * len(neg[a].get(w, ())) / totals[w], 1) if totals.get(w) else None
            for w in range(weeks)
        ]
        for a in top
    }
    return [s.isoformat() for s in starts], series
