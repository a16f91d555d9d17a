"""Running :class:`kkot.ml.reviews.ReviewAnalyzer` over stored reviews and keeping the results.

One function does the work for one review (the task after create/edit) and for many (the demo, a backfill):
reviews are grouped by store and category group, each group is analysed in one batch call with the store's
published category model when there is one (the shipped model otherwise), and the results replace the
review's previous analysis, aspect rows and the product's aspect counts.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kkot.reviews.categories import category_group
from kkot.reviews.models import ProductReviewStats, Review, ReviewAnalysis, ReviewAspect, ReviewModelVersion

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def base_analyzer():
    from kkot.ml.reviews import ReviewAnalyzer

    return ReviewAnalyzer.load()


def load_analyzer(path: str):
    """A model directory's analyzer, loaded once per process."""
    with _lock:
        a = _cache.get(path)
    if a is None:
        from kkot.ml.reviews import ReviewAnalyzer

        a = ReviewAnalyzer.load(path)
        with _lock:
            _cache[path] = a
    return a


def published_model(*, store_id: int, group: str) -> ReviewModelVersion | None:
    v = (
        ReviewModelVersion.objects.filter(store_id=store_id, category_group=group, published=True)
        .order_by("-version")
        .first()
    )
    if v is None or not (Path(v.path) / "model.json").exists():
        return None
    return v


def analyzer_for(*, store_id: int, group: str) -> tuple[Any, str]:
    """``(analyzer, model_key)``: the store-category model when one is published, else the shipped model."""
    v = published_model(store_id=store_id, group=group)
    if v is None:
        return base_analyzer(), "base"
    return load_analyzer(v.path), f"s{store_id}-{group}-v{v.version}"


def to_ml(row: ReviewAnalysis | dict):
    """A stored analysis as the ml core's :class:`ReviewAnalysis` (for summaries, keywords, trends, replies)."""
    from kkot.ml.reviews import AspectMention, ClauseSentiment
    from kkot.ml.reviews import ReviewAnalysis as MLAnalysis

    d = (
        row
        if isinstance(row, dict)
        else {
            "text": row.text,
            "sentiment": row.sentiment,
            "prob": row.prob,
            "clauses": row.clauses,
            "aspects": row.aspects,
            "keywords": row.keywords,
            "status": row.status,
            "message": row.message or None,
        }
    )
    clauses = [
        ClauseSentiment(c["text"], tuple(c["span"]), c["sentiment"], c["prob"])
        for c in d.get("clauses") or []
    ]
    aspects = [
        AspectMention(
            m["aspect"],
            m["polarity"],
            tuple(m["span"]),
            m.get("direction"),
            m.get("score", 0.0),
            m.get("source", "lexicon"),
        )
        for m in d.get("aspects") or []
    ]
    return MLAnalysis(
        d["text"],
        d["sentiment"],
        d["prob"],
        clauses,
        aspects,
        list(d.get("keywords") or []),
        d.get("status") or "ok",
        d.get("message"),
    )


def _clause_of(result, span) -> str:
    for c in result.clauses:
        if c.span[0] <= span[0] < c.span[1]:
            return c.text[:200]
    return result.text[max(0, span[0] - 20) : span[1] + 20][:200]


def reviews_analyze(
    *, review_ids: Iterable[int], progress=None, chunk: int = 2000, refresh: bool = True
) -> int:
    """Analyse the given reviews (batch API per store and category group). Returns how many were written.

    ``refresh=False`` leaves the products' aspect counts to the caller (bulk loads call
    :func:`products_recompute_stats` once at the end)."""
    ids = sorted(set(review_ids))
    done = 0
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        rows = list(
            Review.objects.filter(pk__in=part)
            .select_related("product")
            .only("id", "text", "store_id", "product_id", "created_at", "product__category_id")
        )
        groups: dict[tuple[int, str], list[Review]] = defaultdict(list)
        for r in rows:
            groups[(r.store_id, category_group(r.product.category_id))].append(r)
        for (store_id, group), items in groups.items():
            analyzer, key = analyzer_for(store_id=store_id, group=group)
            results = analyzer.analyze([r.text for r in items], category=group)
            _write(items, results, key)
            done += len(items)
            if progress is not None:
                progress.update(len(items))
        if refresh:
            products_refresh_aspects(product_ids={r.product_id for r in rows})
    return done


@transaction.atomic
def _write(items: Sequence[Review], results: Sequence[Any], model_key: str) -> None:
    now = timezone.now()
    ids = [r.pk for r in items]
    ReviewAnalysis.objects.filter(review_id__in=ids).delete()
    ReviewAspect.objects.filter(review_id__in=ids).delete()
    analyses, aspects = [], []
    for r, res in zip(items, results, strict=True):
        d = res.to_dict()
        analyses.append(
            ReviewAnalysis(
                review_id=r.pk,
                sentiment=res.sentiment,
                prob=float(res.prob),
                status=res.status,
                message=(res.message or "")[:200],
                text=res.text,
                clauses=d["clauses"],
                aspects=d["aspects"],
                keywords=d["keywords"],
                model_key=model_key,
                text_hash=text_hash(r.text),
                analysed_at=now,
            )
        )
        for m in res.aspects:
            aspects.append(
                ReviewAspect(
                    review_id=r.pk,
                    store_id=r.store_id,
                    product_id=r.product_id,
                    aspect=m.aspect[:20],
                    polarity=m.polarity,
                    direction=(m.direction or "")[:10],
                    clause=_clause_of(res, m.span),
                    created_at=r.created_at,
                )
            )
        r.sentiment = res.sentiment
    ReviewAnalysis.objects.bulk_create(analyses, batch_size=1000)
    ReviewAspect.objects.bulk_create(aspects, batch_size=2000)
    by_sentiment: dict[str, list[int]] = defaultdict(list)
    for r in items:
        by_sentiment[r.sentiment].append(r.pk)
    for value, pks in by_sentiment.items():  # three plain UPDATEs instead of a CASE per row
        for k in range(0, len(pks), 1000):
            Review.objects.filter(pk__in=pks[k : k + 1000]).update(sentiment=value)


def review_analyze(*, review_id: int) -> bool:
    """The task's work: analyse one review unless its current text was analysed already (idempotent)."""
    r = Review.objects.filter(pk=review_id).only("id", "text").first()
    if r is None:
        return False
    a = ReviewAnalysis.objects.filter(review_id=review_id).only("text_hash").first()
    if a is not None and a.text_hash == text_hash(r.text):
        return False
    return reviews_analyze(review_ids=[review_id]) == 1


def _aspect_counts(pids: list[int]) -> tuple[dict, dict]:
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ReviewAspect.objects.filter(product_id__in=pids, review__is_hidden=False)
        .values("product_id", "aspect", "polarity")
        .annotate(n=Count("review_id", distinct=True))
    )
    for row in rows:
        d = counts[row["product_id"]].setdefault(row["aspect"], {"positive": 0, "negative": 0, "neutral": 0})
        d[row["polarity"]] = row["n"]
    for row in (
        ReviewAspect.objects.filter(product_id__in=pids, aspect="사이즈", review__is_hidden=False)
        .exclude(direction="")
        .values("product_id", "direction")
        .annotate(n=Count("review_id", distinct=True))
    ):
        sizes[row["product_id"]][row["direction"]] = row["n"]
    return counts, sizes


def products_refresh_aspects(*, product_ids: Iterable[int]) -> None:
    """Recompute the aspect and size-direction counts of products from their aspect rows."""
    pids = list(product_ids)
    if not pids:
        return
    counts, sizes = _aspect_counts(pids)
    stores = dict(Review.objects.filter(product_id__in=pids).values_list("product_id", "store_id").distinct())
    now = timezone.now()
    for pid in pids:
        if pid not in stores:
            continue
        ProductReviewStats.objects.get_or_create(product_id=pid, defaults={"store_id": stores[pid]})
        ProductReviewStats.objects.filter(pk=pid).update(
            aspect_counts=counts.get(pid, {}), size_counts=sizes.get(pid, {}), updated_at=now
        )


def products_recompute_stats(*, product_ids: Iterable[int] | None = None) -> int:
    """Repair or bulk load: every counter of the products' stats (and ``Product.review_count``/``rating_sum``)
    from the rows, in a few grouped queries (``None``: every product with reviews or stats)."""
    from kkot.catalog.models import Product

    if product_ids is None:
        pids = sorted(
            set(Review.objects.values_list("product_id", flat=True).distinct())
            | set(ProductReviewStats.objects.values_list("product_id", flat=True))
        )
    else:
        pids = list(product_ids)
    now = timezone.now()
    n = 0
    for i in range(0, len(pids), 2000):
        part = pids[i : i + 2000]
        agg = {
            r["product_id"]: r
            for r in Review.objects.filter(product_id__in=part, is_hidden=False)
            .values("product_id", "store_id")
            .annotate(
                n=Count("id"),
                s=Sum("stars"),
                photos=Count("id", filter=Q(photo_count__gt=0)),
                **{f"s{k}": Count("id", filter=Q(stars=k)) for k in range(1, 6)},
            )
        }
        counts, sizes = _aspect_counts(part)
        stats = [
            ProductReviewStats(
                product_id=pid,
                store_id=a["store_id"],
                review_count=a["n"],
                rating_sum=a["s"] or 0,
                photo_review_count=a["photos"],
                aspect_counts=counts.get(pid, {}),
                size_counts=sizes.get(pid, {}),
                updated_at=now,
                **{f"star_{k}": a[f"s{k}"] for k in range(1, 6)},
            )
            for pid, a in agg.items()
        ]
        products = [
            Product(
                pk=pid,
                review_count=agg[pid]["n"] if pid in agg else 0,
                rating_sum=(agg[pid]["s"] or 0) if pid in agg else 0,
            )
            for pid in part
        ]
        with transaction.atomic():
            ProductReviewStats.objects.filter(product_id__in=part).delete()
            ProductReviewStats.objects.bulk_create(stats, batch_size=1000)
            Product.objects.bulk_update(products, ["review_count", "rating_sum"], batch_size=1000)
        n += len(stats)
    return n


__all__ = [
    "analyzer_for",
    "products_recompute_stats",
    "products_refresh_aspects",
    "review_analyze",
    "reviews_analyze",
    "to_ml",
]
