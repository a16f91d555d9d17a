"""Customers runner: new/returning, 단골, RFM, declared gender/age, estimated life stage; k-anonymity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from kkot.advisor.models import CustomerDaily, RollupDay
from kkot.advisor.queries.base import K_MIN, RUNNERS
from kkot.advisor.queries.types import Cell, CustomersQuery, CustomersResult
from kkot.advisor.rollups.common import ROLLUP_SCHEMA
from kkot.core.timeutil import day_bounds

LIFE_STAGES = {  # category slug (any level) -> life stage
    "kids": "영유아 자녀 가구",
    "pet": "반려동물 가구",
    "furniture-main": "신혼·새 살림 가구",
    "bedding": "신혼·새 살림 가구",
    "kitchen": "신혼·새 살림 가구",
    "meal-kit": "1인 가구",
    "snack": "1인 가구",
}


def _cell(label: str, n: int, total: int, note: str = "") -> Cell:
    if n < K_MIN:
        return Cell(label, None, None, note)
    return Cell(label, n, n / total if total else 0.0, note)


def _stage_of_category() -> dict[int, str]:
    from kkot.catalog.models import Category

    cats = {c.pk: c for c in Category.objects.only("pk", "slug", "parent_id")}
    out = {}
    for pk, c in cats.items():
        node = c
        while node is not None:
            if node.slug in LIFE_STAGES:
                out[pk] = LIFE_STAGES[node.slug]
                break
            node = cats.get(node.parent_id)
    return out


def _raw_inputs(q: CustomersQuery, start, end):
    """From the order tables: buyers of the range, those who bought before it, their last-year stats (orders,
    last payment) and order lines per category."""
    from kkot.orders.models import Order, OrderLine

    paid = Order.objects.filter(store_id=q.store_id, paid_at__isnull=False)
    buyers = set(
        paid.filter(paid_at__gte=start, paid_at__lt=end).values_list("user_id", flat=True).distinct()
    )
    before = set(
        paid.filter(paid_at__lt=start, user_id__in=buyers).values_list("user_id", flat=True).distinct()
    )
    year = paid.filter(paid_at__gte=end - dt.timedelta(days=365), paid_at__lt=end, user_id__in=buyers)
    stats = {
        u: (f, last)
        for u, f, last in year.values("user_id")
        .annotate(f=Count("id"), last=Max("paid_at"))
        .values_list("user_id", "f", "last")
    }
    cats: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for uid, cat in OrderLine.objects.filter(order__in=year).values_list(
        "order__user_id", "product__category_id"
    ):
        cats[uid][cat] += 1
    return buyers, before, stats, cats


def _rollup_ready(q: CustomersQuery) -> bool:
    """True when every day of the store's order history up to ``q.end`` is in ``CustomerDaily``."""
    from kkot.orders.models import Order

    days = RollupDay.objects.filter(day__lte=q.end, schema__gte=ROLLUP_SCHEMA)
    first = days.aggregate(m=Min("day"))["m"]
    if first is None or days.filter(day__gte=first).count() != (q.end - first).days + 1:
        return False
    lo = day_bounds(first)[0]
    older = Order.objects.filter(store_id=q.store_id)
    # paid_at >= created_at: the indexed created_at answers the usual case (nothing that old) at once
    return not (older.filter(created_at__lt=lo).exists() and older.filter(paid_at__lt=lo).exists())


def _rollup_inputs(q: CustomersQuery):
    """The same inputs from the ``CustomerDaily`` rollup."""
    rows = CustomerDaily.objects.filter(store_id=q.store_id)
    in_range = rows.filter(day__gte=q.start, day__lte=q.end).values("user_id")
    year_lo = q.end - dt.timedelta(days=365)
    buyers, before, stats = set(), set(), {}
    for u, first, f, last in (
        rows.filter(user_id__in=in_range, day__lte=q.end)
        .values("user_id")
        .annotate(first=Min("day"), f=Sum("orders", filter=Q(day__gt=year_lo)), last=Max("last_paid_at"))
        .values_list("user_id", "first", "f", "last")
    ):
        buyers.add(u)
        if first < q.start:
            before.add(u)
        stats[u] = (f, last)  # every buyer bought in the range, so the last payment is in the year
    year = rows.filter(day__gt=year_lo, day__lte=q.end, user_id__in=in_range)
    cats: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for uid, by_cat in year.values_list("user_id", "categories"):
        for cat, n in by_cat.items():
            cats[uid][int(cat) if cat.isdigit() else None] += n
    return buyers, before, stats, cats


def run_customers(q: CustomersQuery, *, use_rollup: bool = True) -> CustomersResult:
    from kkot.accounts.models import User

    start, _e = day_bounds(q.start)
    _s, end = day_bounds(q.end)
    if use_rollup and _rollup_ready(q):
        buyers, before, stats, cats = _rollup_inputs(q)
    else:
        buyers, before, stats, cats = _raw_inputs(q, start, end)
    total = len(buyers)
    regular = sum(1 for f, _last in stats.values() if f >= 3)
    segs: dict[str, int] = defaultdict(int)
    for f, last in stats.values():
        rec = (end - last).days
        if f >= 3 and rec <= 30:
            segs["챔피언 (최근·자주 구매)"] += 1
        elif f >= 3:
            segs["충성 고객 (연 3회 이상)"] += 1
        elif f == 2 and rec <= 60:
            segs["성장 고객 (재구매)"] += 1
        elif f == 1 and rec <= 30:
            segs["신규 고객 (최근 첫 구매)"] += 1
        elif rec > 90:
            segs["이탈 위험 (90일 이상 미구매)"] += 1
        else:
            segs["일반 고객"] += 1
    profiles = User.objects.filter(pk__in=buyers).values_list("gender", "birth_year")
    gender: dict[str, int] = defaultdict(int)
    age: dict[str, int] = defaultdict(int)
    this_year = q.end.year
    for g, by in profiles:
        gender[{"F": "여성", "M": "남성"}.get(g, "밝히지 않음")] += 1
        if by is None:
            age["밝히지 않음"] += 1
        else:
            band = max(10, min(60, (this_year - by) // 10 * 10))
            age[f"{band}대" + (" 이상" if band == 60 else "")] += 1
    stage_of = _stage_of_category()
    per_user: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for uid, by_cat in cats.items():
        for cat, n in by_cat.items():
            st = stage_of.get(cat)
            if st:
                per_user[uid][st] += n
    stage_n: dict[str, int] = defaultdict(int)
    stage_conf: dict[str, list] = defaultdict(list)
    for counts in per_user.values():
        st, n = max(counts.items(), key=lambda kv: kv[1])
        stage_n[st] += 1
        stage_conf[st].append(min(0.9, 0.4 + 0.2 * (n - 1)))  # 1 purchase 40%, 2: 60%, 3: 80%, cap 90%
    cells_rfm = [_cell(k, v, total) for k, v in sorted(segs.items(), key=lambda kv: -kv[1])]
    cells_g = [_cell(k, v, total) for k, v in sorted(gender.items())]
    cells_a = [_cell(k, v, total) for k, v in sorted(age.items())]
    cells_l = [
        _cell(k, v, total, _("추정 신뢰도 {p:.0%}").format(p=sum(stage_conf[k]) / len(stage_conf[k])))
        for k, v in sorted(stage_n.items(), key=lambda kv: -kv[1])
    ]
    returning = sum(1 for u in buyers if u in before)
    res = CustomersResult(
        q,
        total,
        _cell(_("신규 고객"), total - returning, total),
        _cell(_("재구매 고객"), returning, total),
        _cell(_("단골 (최근 1년 3회 이상)"), regular, total),
        cells_rfm,
        cells_g,
        cells_a,
        cells_l,
    )
    res.hidden_cells = sum(
        c.hidden for c in [res.new, res.returning, res.regulars, *cells_rfm, *cells_g, *cells_a, *cells_l]
    )
    if total < K_MIN:  # a total under k is itself a small cell
        res.customers = 0
    return res


RUNNERS[CustomersQuery] = run_customers
