"""Demo: recommendation widget impressions and clicks over the last month, consistent with the demo's browsing.

Runs after the recommender set is trained (``recs_train``). For every product page view of the last
:data:`DAYS` days it writes the ``impression`` events the storefront records (``recs_impressions_record``: one
row per shown item, section ``widget:<name>``, 1-based position) for the product page's widgets -- 함께 본 상품,
함께 구매한 상품, 비슷한 상품 -- with the items the trained models give for that product (same store, on sale with
stock, at most :data:`MAX_PER_CATEGORY` per category, :data:`K` items), and for members' store visits the
맞춤 추천 row from their history.

Clicks are the demo's own navigation, never invented: the browsing generator already labels a move to a product of
the same look ``widget:viewed_together``; that product is put into the page's 함께 본 상품 row if the model did not
rank it (so every widget click has its impression) and the click gets its position. A move labelled ``list`` (or a
store page's best/new click) whose product is in one of the page's rows becomes a click of that widget; on a
member's store visit :data:`FOR_YOU_SHARE` of the home-page product clicks went through the 맞춤 추천 row (the
product takes an unclicked slot of that row, as for 함께 본 상품), so the row's click-through is the demo's own. The carts
and orders that follow these clicks in the demo's sessions are then what the seller center attributes to widgets
(:mod:`kkot.recommendations.stats`). The advisor's daily tables of the period are rebuilt afterwards.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction

from kkot.catalog.models import Product
from kkot.demo.order_plans import event_insert_sql
from kkot.events.models import Event, EventKind
from kkot.recommendations.modelset import ModelSet, current_set, reset
from kkot.stores.models import Store

DAYS = 31
K = 8
MAX_PER_CATEGORY = 3
CANDIDATES = 40
PAGE_WIDGETS = ("viewed_together", "bought_together", "similar")
#: Share of a member's clicks on the store home's product rows that went through the 맞춤 추천 row.
FOR_YOU_SHARE = 0.3


def _into_row(shown: list[int], pid: int, clicked: set[int], rnd: random.Random) -> None:
    """Show ``pid`` in a widget row: in a free place, else instead of a random item nobody clicked."""
    if len(shown) < K:
        shown.append(pid)
        return
    free = [j for j, q in enumerate(shown) if q not in clicked]
    if free:
        shown[free[rnd.randrange(len(free))]] = pid


def _pick(ms: ModelSet, item: int, ids: np.ndarray, visible: set[int]) -> list[int]:
    """Product ids of the first K candidates that the storefront would show on ``item``'s page."""
    store = ms.store_of[item]
    out: list[int] = []
    per_cat: dict[int, int] = {}
    for i in ids.tolist():
        if i < 0 or i == item or ms.store_of[i] != store:
            continue
        pid = int(ms.product_ids[i])
        cat = int(ms.category_of[i])
        if pid not in visible or per_cat.get(cat, 0) >= MAX_PER_CATEGORY:
            continue
        per_cat[cat] = per_cat.get(cat, 0) + 1
        out.append(pid)
        if len(out) >= K:
            break
    return out


def widget_lists(ms: ModelSet, visible: set[int]) -> dict[str, dict[int, list[int]]]:
    """Per product id, the rows of its page's widgets, from the trained models."""
    items = np.arange(ms.n_items)
    out: dict[str, dict[int, list[int]]] = {w: {} for w in PAGE_WIDGETS}
    session, rules, content = ms.model("session"), ms.model("rules"), ms.model("content")
    vt = (
        session.recommend([[i] for i in items], k=CANDIDATES, exclude=[[i] for i in items])[0]
        if session is not None
        else None
    )
    bt = rules.similar_items(items, k=CANDIDATES)[0] if rules is not None else None
    sim = (
        content.similar_items(items, k=CANDIDATES)[0]
        if content is not None and ms.neighbors is None
        else None
    )
    for i in items.tolist():
        pid = int(ms.product_ids[i])
        if vt is not None:
            out["viewed_together"][pid] = _pick(ms, i, vt[i], visible)
        if bt is not None:
            out["bought_together"][pid] = _pick(ms, i, bt[i], visible)
        if ms.neighbors is not None:
            a, b = ms.neighbors.indptr[i], ms.neighbors.indptr[i + 1]
            idx, sc = ms.neighbors.indices[a:b], ms.neighbors.data[a:b]
            out["similar"][pid] = _pick(ms, i, idx[np.lexsort((idx, -sc))].astype(np.int64), visible)
        elif sim is not None:
            out["similar"][pid] = _pick(ms, i, sim[i], visible)
    return out


def build_recs_clicks(rnd: random.Random, *, end: datetime, days: int = DAYS) -> dict:
    """Write the widget impressions and relabel the widget clicks of the last ``days`` days; returns counts."""
    reset()
    ms = current_set()
    counts = {"events": 0, "impressions": 0, "clicks": 0, "pages": 0}
    if ms is None:
        return counts
    visible = set(
        Product.objects.filter(
            status=Product.Status.ON_SALE, stock_total__gt=0, store__status=Store.Status.OPEN
        ).values_list("pk", flat=True)
    )
    lists = widget_lists(ms, visible)
    session_model = ms.model("session")
    since = end - timedelta(days=days)
    cols = (
        "id",
        "ts",
        "kind",
        "visitor",
        "session",
        "user_id",
        "store_id",
        "product_id",
        "page_type",
        "section",
        "channel",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "referrer_host",
        "device",
    )
    rows = (
        Event.objects.filter(
            ts__gte=since, ts__lt=end, kind__in=[EventKind.PRODUCT_VIEW, EventKind.CLICK, EventKind.PAGE_VIEW]
        )
        .order_by("session", "ts", "id")
        .values_list(*cols)
    )
    adapt = connection.ops.adapt_datetimefield_value
    inserts: list[tuple] = []
    updates: list[tuple] = []
    for_you_cache: dict[tuple[int, int], list[int]] = {}
    page: dict | None = None
    last_session = None

    def flush() -> None:
        if page is None:
            return
        r = page["row"]
        for w, shown in page["rows"].items():
            for pos, pid in enumerate(shown, start=1):
                inserts.append(
                    (
                        adapt(r[1]),
                        EventKind.IMPRESSION,
                        r[3],
                        r[4],
                        r[5],
                        page["store_of"][pid],
                        pid,
                        page["page_type"],
                        f"widget:{w}",
                        pos,
                        "",
                        None,
                        *r[10:16],
                    )
                )
        counts["pages"] += 1

    def for_you(uid: int, store_id: int) -> list[int]:
        key = (uid, store_id)
        if key not in for_you_cache:
            hist = ms.history(f"u:{uid}")[0]
            shown: list[int] = []
            if hist.size and session_model is not None:
                ids = session_model.recommend([hist[-20:]], k=CANDIDATES * 3, exclude=[hist])[0][0]
                store_items = ids[(ids >= 0)]
                store_items = (
                    store_items[ms.store_of[store_items] == store_id] if store_items.size else store_items
                )
                if store_items.size:
                    shown = _pick(ms, int(store_items[0]), store_items, visible)
                    first = int(ms.product_ids[store_items[0]])
                    if first in visible and first not in shown:
                        shown = [first, *shown][:K]
            for_you_cache[key] = shown
        return for_you_cache[key]

    store_of = {int(p): int(s) for p, s in zip(ms.product_ids.tolist(), ms.store_of.tolist(), strict=True)}
    for r in rows.iterator(chunk_size=5000):
        _id, _ts, kind, _v, session, uid, store_id, pid, page_type, section = r[:10]
        if session != last_session:
            flush()
            page, last_session = None, session
        if kind == EventKind.PRODUCT_VIEW and pid is not None:
            flush()
            shown = {w: list(lists[w].get(pid, [])) for w in PAGE_WIDGETS}
            page = {
                "row": r,
                "pid": pid,
                "rows": {w: s for w, s in shown.items() if s},
                "page_type": "product",
                "store_of": store_of,
                "clicked": set(),
            }
            continue
        if kind == EventKind.PAGE_VIEW and page_type == "store" and pid is None and uid and store_id:
            flush()
            shown = for_you(uid, store_id)
            page = {
                "row": r,
                "pid": None,
                "rows": {"for_you": list(shown)} if shown else {},
                "page_type": "store",
                "store_of": store_of,
                "clicked": set(),
            }
            continue
        if kind != EventKind.CLICK or pid is None or page is None:
            continue
        widget = None
        if page["page_type"] == "product" and page_type == "product":
            if section == "widget:viewed_together":
                shown = page["rows"].setdefault("viewed_together", [])
                if pid not in shown:  # the shopper clicked it, so it was shown: put it in the row
                    _into_row(shown, pid, page["clicked"], rnd)
                widget = "viewed_together"
            elif section == "list":
                widget = next((w for w in PAGE_WIDGETS if pid in page["rows"].get(w, ())), None)
        elif page["page_type"] == "store" and page_type == "store" and section in ("best", "new"):
            shown = page["rows"].get("for_you")
            if shown and pid not in shown and rnd.random() < FOR_YOU_SHARE:
                _into_row(shown, pid, page["clicked"], rnd)  # the member reached it through the 맞춤 추천 row
            if shown and pid in shown:
                widget = "for_you"
        if widget is not None and pid in page["rows"].get(widget, ()):
            page["clicked"].add(pid)
            updates.append((f"widget:{widget}", page["rows"][widget].index(pid) + 1, r[0]))
    flush()
    table = Event._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(inserts), 20_000):
            cur.executemany(event_insert_sql(), inserts[i : i + 20_000])
        if updates:
            cur.executemany(f"UPDATE {table} SET section = %s, position = %s WHERE id = %s", updates)  # noqa: S608
    counts.update(events=len(inserts), impressions=len(inserts), clicks=len(updates))
    from kkot.advisor.rollups import advisor_rollup

    advisor_rollup(days=min(days + 1, 1100))
    return counts
