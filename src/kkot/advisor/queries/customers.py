"""Customers runner: new/returning, 단골, RFM, declared gender/age, estimated life stage; k-anonymity.

Definitions: the buyers of a range paid at least one order in it; returning buyers paid one before it; the
last-year figures of a buyer (orders, recency in days since the last Seoul day with a payment, life stage from
the order lines' categories) cover the 365 days up to the range's end. Two readers give the same tallies (tested):
the order tables, and the customers rollups (``CustomerSummary`` grouped in SQL for buyers whose whole history
lies in the last year, ``CustomerDaily`` for the others)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.utils.translation import gettext as _

from kkot.advisor.life_stage import confidence, dominant_stage, stage_of_category
from kkot.advisor.models import CustomerDaily, CustomerSummary, RollupDay
from kkot.advisor.queries.base import K_MIN, RUNNERS
from kkot.advisor.queries.types import Cell, CustomersQuery, CustomersResult
from kkot.advisor.rollups.common import ROLLUP_SCHEMA
from kkot.advisor.rollups.customers import CHUNK
from kkot.core.timeutil import day_bounds, seoul

RECENCY_EDGES = (30, 60, 90)  # the only recency thresholds of the segments


def _cell(label: str, n: int, total: int, note: str = "") -> Cell:
    if n < K_MIN:
        return Cell(label, None, None, note)
    return Cell(label, n, n / total if total else 0.0, note)


def _segment(f: int, rec: int) -> str:
    if f >= 3 and rec <= 30:
        return "챔피언 (최근·자주 구매)"
    if f >= 3:
        return "충성 고객 (연 3회 이상)"
    if f == 2 and rec <= 60:
        return "성장 고객 (재구매)"
    if f == 1 and rec <= 30:
        return "신규 고객 (최근 첫 구매)"
    if rec > 90:
        return "이탈 위험 (90일 이상 미구매)"
    return "일반 고객"


@dataclasses.dataclass
class Tally:
    """Counts of buyers per segment and life stage (with the order lines behind each estimate)."""

    buyers: int = 0
    returning: int = 0
    regular: int = 0
    segs: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    stages: dict[tuple[str, int], int] = dataclasses.field(default_factory=lambda: defaultdict(int))

    def add(self, *, orders: int, recency: int, stage: str, lines: int, n: int = 1) -> None:
        self.regular += n if orders >= 3 else 0
        self.segs[_segment(orders, recency)] += n
        if stage:
            self.stages[(stage, min(lines, 4))] += n


def _year_figures(tally: Tally, q: CustomersQuery, stats: dict, cats: dict, stage_of: dict[int, str]) -> None:
    for u, (f, last_day) in stats.items():
        stage, lines = dominant_stage(cats.get(u, {}), stage_of)
        tally.add(orders=f, recency=(q.end - last_day).days, stage=stage, lines=lines)


def _raw_tally(q: CustomersQuery, stage_of: dict[int, str]):
    """From the order tables."""
    from kkot.orders.models import Order, OrderLine

    start, end = day_bounds(q.start)[0], day_bounds(q.end)[1]
    paid = Order.objects.filter(store_id=q.store_id, paid_at__isnull=False)
    buyer_ids = paid.filter(paid_at__gte=start, paid_at__lt=end).values("user_id")
    buyers = set(buyer_ids.values_list("user_id", flat=True).distinct())
    tally = Tally(buyers=len(buyers))
    tally.returning = (
        paid.filter(paid_at__lt=start, user_id__in=buyer_ids).values("user_id").distinct().count()
    )
    year = paid.filter(paid_at__gte=end - dt.timedelta(days=365), paid_at__lt=end, user_id__in=buyer_ids)
    stats = {
        u: (f, seoul(last).date())
        for u, f, last in year.values("user_id")
        .annotate(f=Count("id"), last=Max("paid_at"))
        .values_list("user_id", "f", "last")
    }
    cats: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for uid, cat in OrderLine.objects.filter(order__in=year).values_list(
        "order__user_id", "product__category_id"
    ):
        cats[uid][cat] += 1
    _year_figures(tally, q, stats, cats, stage_of)
    return tally, buyer_ids


def _rollup_ready(q: CustomersQuery) -> bool:
    """True when every day of the store's order history up to ``q.end`` is in the customers rollups."""
    from kkot.orders.models import Order

    days = RollupDay.objects.filter(day__lte=q.end, schema__gte=ROLLUP_SCHEMA)
    first = days.aggregate(m=Min("day"))["m"]
    if first is None or days.filter(day__gte=first).count() != (q.end - first).days + 1:
        return False
    lo = day_bounds(first)[0]
    older = Order.objects.filter(store_id=q.store_id)
    # paid_at >= created_at: the indexed created_at answers the usual case (nothing that old) at once
    return not (older.filter(created_at__lt=lo).exists() and older.filter(paid_at__lt=lo).exists())


def _daily_tally(tally: Tally, q: CustomersQuery, users: list[int], stage_of: dict[int, str]) -> None:
    """The last-year figures of ``users`` from their ``CustomerDaily`` rows."""
    year_lo = q.end - dt.timedelta(days=365)
    stats, cats = {}, defaultdict(lambda: defaultdict(int))
    for a in range(0, len(users), CHUNK):
        rows = CustomerDaily.objects.filter(
            store_id=q.store_id, user_id__in=users[a : a + CHUNK], day__lte=q.end
        )
        for u, f, last in (
            rows.values("user_id")
            .annotate(f=Sum("orders", filter=Q(day__gt=year_lo)), last=Max("day"))
            .values_list("user_id", "f", "last")
        ):
            stats[u] = (f, last)  # every buyer bought in the range, so the last payment is in the year
        for uid, by_cat in rows.filter(day__gt=year_lo).values_list("user_id", "categories"):
            for cat, n in by_cat.items():
                cats[uid][int(cat) if cat.isdigit() else None] += n
    _year_figures(tally, q, stats, cats, stage_of)


def _bucket(edges: list[tuple[Q, int]], default) -> Case:
    return Case(
        *[When(cond, then=Value(v)) for cond, v in edges], default=default, output_field=IntegerField()
    )


def _rollup_tally(q: CustomersQuery, stage_of: dict[int, str]):
    """From the customers rollups: buyers whose whole history lies in the last year are tallied in SQL from
    ``CustomerSummary`` (grouped by orders, recency bucket and life stage); the others from ``CustomerDaily``."""
    in_range = CustomerDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
    buyer_ids = in_range.values("user_id")
    year_lo = q.end - dt.timedelta(days=365)
    rows = CustomerSummary.objects.filter(store_id=q.store_id, user_id__in=buyer_ids)
    head = rows.aggregate(
        n=Count("pk"),
        back=Count("pk", filter=Q(first_day__lt=q.start)),
        exact=Count("pk", filter=Q(first_day__gt=year_lo, last_day__lte=q.end)),
    )
    buyers = in_range.values("user_id").distinct().count()
    tally = Tally(buyers=buyers, returning=head["back"])
    rec = _bucket([(Q(last_day__gte=q.end - dt.timedelta(days=d)), d) for d in RECENCY_EDGES], Value(91))
    f = _bucket([(Q(orders__gte=3), 3)], F("orders"))
    lines = _bucket([(Q(life_stage_lines__gte=4), 4)], F("life_stage_lines"))
    for orders, recency, stage, n_lines, n in (
        rows.filter(first_day__gt=year_lo, last_day__lte=q.end)
        .annotate(fb=f, rb=rec, lb=lines)
        .values("fb", "rb", "life_stage", "lb")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("fb", "rb", "life_stage", "lb", "n")
    ):
        tally.add(orders=orders, recency=recency, stage=stage, lines=n_lines, n=n)
    if head["exact"] < buyers:
        exact = rows.filter(first_day__gt=year_lo, last_day__lte=q.end).values("user_id")
        others = sorted(set(buyer_ids.exclude(user_id__in=exact).values_list("user_id", flat=True)))
        _daily_tally(tally, q, others, stage_of)
        if head["n"] < buyers:  # not summarised (should not happen): "bought before" from the daily rows
            missing = buyer_ids.exclude(user_id__in=rows.values("user_id"))
            tally.returning += (
                CustomerDaily.objects.filter(store_id=q.store_id, day__lt=q.start, user_id__in=missing)
                .values("user_id")
                .distinct()
                .count()
            )
    return tally, buyer_ids


def _profiles(q: CustomersQuery, buyer_ids) -> tuple[dict[str, int], dict[str, int]]:
    """Declared gender and age band of the buyers (read at query time: a profile edit shows at once)."""
    from kkot.accounts.models import User

    gender: dict[str, int] = defaultdict(int)
    age: dict[str, int] = defaultdict(int)
    for g, by, n in (
        User.objects.filter(pk__in=buyer_ids)
        .values("gender", "birth_year")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("gender", "birth_year", "n")
    ):
        gender[{"F": "여성", "M": "남성"}.get(g, "밝히지 않음")] += n
        if by is None:
            age["밝히지 않음"] += n
        else:
            band = max(10, min(60, (q.end.year - by) // 10 * 10))
            age[f"{band}대" + (" 이상" if band == 60 else "")] += n
    return gender, age


def _life_stage_cells(tally: Tally, total: int) -> list[Cell]:
    stage_n: dict[str, int] = defaultdict(int)
    conf: dict[str, float] = defaultdict(float)
    for (st, lines), n in tally.stages.items():
        stage_n[st] += n
        conf[st] += n * confidence(lines)
    return [
        _cell(k, v, total, _("추정 신뢰도 {p:.0%}").format(p=conf[k] / v))
        for k, v in sorted(stage_n.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def run_customers(q: CustomersQuery, *, use_rollup: bool = True) -> CustomersResult:
    stage_of = stage_of_category()
    if use_rollup and _rollup_ready(q):
        tally, buyer_ids = _rollup_tally(q, stage_of)
    else:
        tally, buyer_ids = _raw_tally(q, stage_of)
    total = tally.buyers
    gender, age = _profiles(q, buyer_ids)
    cells_rfm = [_cell(k, v, total) for k, v in sorted(tally.segs.items(), key=lambda kv: (-kv[1], kv[0]))]
    cells_g = [_cell(k, v, total) for k, v in sorted(gender.items())]
    cells_a = [_cell(k, v, total) for k, v in sorted(age.items())]
    cells_l = _life_stage_cells(tally, total)
    res = CustomersResult(
        q,
        total,
        _cell(_("신규 고객"), total - tally.returning, total),
        _cell(_("재구매 고객"), tally.returning, total),
        _cell(_("단골 (최근 1년 3회 이상)"), tally.regular, total),
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
