"""Back-testing the delivery promise on the platform's own shipments (a time split), used by the demo to
record the promises its past orders would have been shown, and by ``bench/delivery.py`` for its demo run.

Split: the estimator is fitted on orders placed before ``split_at - gap_days`` (their outcomes were known at the
split) and asked for the promise of every order placed from ``split_at`` on, with the platform's rule
(>= :data:`~kkot.fulfillment.promise.MIN_SUPPORT` comparable shipments and >= 90% probability, else the
seller's declared range).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q

from kkot.fulfillment.models import PromiseRecord
from kkot.fulfillment.promise import (
    MIN_PROBABILITY,
    MIN_SUPPORT,
    _calendars,
    _date_text,
    declared_range,
    shipment_history_by_order,
)
from kkot.ml.forecast import DeliveryEstimator, OrderQuery, PromiseEstimate, ShipmentRecord


@dataclass(frozen=True)
class BacktestRow:
    order_id: int
    record: ShipmentRecord
    estimate: PromiseEstimate

    @property
    def shown(self) -> bool:
        e = self.estimate
        return e.date is not None and e.support >= MIN_SUPPORT and e.probability >= MIN_PROBABILITY


@dataclass
class Backtest:
    train: list[ShipmentRecord]
    rows: list[BacktestRow]
    split_at: datetime


def query_of(r: ShipmentRecord) -> OrderQuery:
    return OrderQuery(
        ordered_at=r.ordered_at,
        store=r.store,
        carrier=r.carrier,
        origin=r.origin,
        dest=r.dest,
        cutoff=r.cutoff,
        made_to_order=r.made_to_order,
        cold=r.cold,
    )


def promise_backtest(
    *,
    split_at: datetime,
    gap_days: int = 21,
    since: datetime | None = None,
    store_ids: list[int] | None = None,
) -> Backtest:
    pairs = shipment_history_by_order(
        since=since or split_at - timedelta(days=400), limit=10**7, store_ids=store_ids
    )
    train_end = split_at - timedelta(days=gap_days)
    train = [r for _oid, r in pairs if r.ordered_at < train_end]
    test = sorted(
        ((oid, r) for oid, r in pairs if r.ordered_at >= split_at), key=lambda x: (x[1].ordered_at, x[0])
    )
    dcal, tcal = _calendars()
    est = DeliveryEstimator(dispatch_calendar=dcal, transit_calendar=tcal).fit(train)
    promises = est.promise([query_of(r) for _oid, r in test], threshold=MIN_PROBABILITY) if test else []
    return Backtest(
        train, [BacktestRow(oid, r, p) for (oid, r), p in zip(test, promises, strict=True)], split_at
    )


def declared_days_by_order(order_ids) -> dict[int, tuple[int, bool]]:
    """{order id: (longest product dispatch_days, any made-to-order)}."""
    from kkot.orders.models import OrderLine

    out: dict[int, tuple[int, bool]] = {}
    for oid, days, mto in (
        OrderLine.objects.filter(order_id__in=list(order_ids))
        .values("order_id")
        .annotate(d=Max("product__dispatch_days"), m=Count("pk", filter=Q(product__made_to_order=True)))
        .values_list("order_id", "d", "m")
    ):
        out[oid] = (int(days or 1), bool(mto))
    return out


@transaction.atomic
def promise_records_from_backtest(bt: Backtest) -> int:
    """Write the promise each test order would have been shown, with its outcome (the demo's history of
    promises). Orders that already have a record keep it. Returns records written."""
    have = set(
        PromiseRecord.objects.filter(order_id__in=[r.order_id for r in bt.rows]).values_list(
            "order_id", flat=True
        )
    )
    declared = declared_days_by_order(r.order_id for r in bt.rows)
    out = []
    for row in bt.rows:
        if row.order_id in have:
            continue
        r, e = row.record, row.estimate
        delivered = r.delivered_at
        if row.shown:
            day = delivered.date() if delivered else None
            rec = PromiseRecord(
                order_id=row.order_id,
                store_id=int(r.store),
                kind=PromiseRecord.Kind.DATE,
                promised_date=e.date,
                probability=round(e.probability, 4),
                support=e.support,
                text=_date_text(e.date, r.ordered_at.date())[:80],
                created_at=r.ordered_at,
                delivered_at=delivered,
                failed=r.failed,
                on_time=False if r.failed else (day <= e.date if day else None),
                days_late=(day - e.date).days if day else None,
            )
        else:
            days, mto = declared.get(row.order_id, (1, r.made_to_order))
            p = declared_range(dispatch_days=days, made_to_order=mto)
            rec = PromiseRecord(
                order_id=row.order_id,
                store_id=int(r.store),
                kind=PromiseRecord.Kind.RANGE,
                support=e.support,
                text=p.text[:80],
                created_at=r.ordered_at,
                delivered_at=delivered,
                failed=r.failed,
                on_time=False if r.failed else (True if delivered else None),
            )
        out.append(rec)
    PromiseRecord.objects.bulk_create(out, batch_size=2000)
    return len(out)
