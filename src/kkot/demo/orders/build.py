"""Twelve months of demo orders in one transaction: plan the purchases, write them, update the catalog."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from django.core.management.color import no_style
from django.db import connection, transaction

from kkot.catalog.models import Product, Variant
from kkot.demo.catalog import DemoCatalog
from kkot.demo.order_plans import Planner, PlanResult, event_insert_sql
from kkot.demo.orders.purchases import PurchaseWriter
from kkot.demo.orders.rows import WRITE_ORDER
from kkot.demo.orders.rules import SLOW_STORE
from kkot.demo.orders.writer import OrderWriter
from kkot.orders.models import Coupon
from kkot.stores.models import StoreFollow


def build_orders(
    rnd: random.Random,
    cat: DemoCatalog,
    shoppers: list[tuple[int, str, int]],
    *,
    days: int,
    purchases: int,
    end: datetime,
    progress=None,
) -> dict:
    """Generate about ``purchases`` purchases over the last ``days`` days and write everything in bulk.

    ``rnd`` should not depend on the event simulation's stream (which varies with "now" on the last day), so
    that the old orders are the same for a seed."""
    from kkot.accounts.models import User
    from kkot.demo.catalog import SHOPPER_EMAIL

    tracked = [uid for uid, _g, _y in shoppers]
    private = list(
        User.objects.filter(email__startswith="shopper", email__endswith="@kkot.demo", tracking_opt_out=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    follows: dict[int, set[int]] = {}
    for uid, sid in StoreFollow.objects.values_list("user_id", "store_id").order_by("pk"):
        follows.setdefault(uid, set()).add(sid)
    names = dict(
        User.objects.filter(email__startswith="shopper", email__endswith="@kkot.demo").values_list(
            "pk", "name"
        )
    )
    with transaction.atomic():
        plan_rnd, write_rnd = random.Random(rnd.getrandbits(64)), random.Random(rnd.getrandbits(64))
        writer = PurchaseWriter(write_rnd, cat, end=end, follows=follows, names=names)
        planner = Planner(
            plan_rnd,
            cat,
            visible=set(writer.orders.products),
            tracked=tracked,
            private=private,
            follows={u: min(s) for u, s in follows.items()},
            end=end,
            days=days,
            favourite=User.objects.filter(email=SHOPPER_EMAIL).values_list("pk", flat=True).first(),
        )
        out = PlanResult()
        planner.from_sessions(out)
        from_sessions = len(out.plans)
        planner.visits(out, max(0, purchases - from_sessions))
        sources = Counter(p.source for p in out.plans)
        out.plans.sort(key=lambda p: p.ts)
        if progress is not None:
            progress.reset(total=len(out.plans))
        for i, plan in enumerate(out.plans):
            writer.purchase(plan)
            if progress is not None and i % 500 == 0:
                progress.update(min(500, len(out.plans) - i))
        _write(writer.orders, out.event_rows)
        _update_catalog(writer.orders)
    stats = dict(writer.stats)
    stats.update(
        {
            "session_events": len(out.event_rows),
            "slow_delivery_store": SLOW_STORE,
            "plans": dict(sources),
            "order_events": len(writer.t["event"].rows),
            "settlement_lines": len(writer.t["settlement"].rows),
        }
    )
    return stats


def _write(writer: OrderWriter, event_rows: list[tuple]) -> None:
    sql = event_insert_sql()
    with connection.cursor() as cur:
        for i in range(0, len(event_rows), 5000):
            cur.executemany(sql, event_rows[i : i + 5000])
        for name in WRITE_ORDER:
            writer.t[name].write(cur)
        for stmt in connection.ops.sequence_reset_sql(no_style(), [writer.t[n].model for n in WRITE_ORDER]):
            cur.execute(stmt)
    used = Counter()
    for row in writer.t["redemption"].rows:
        used[row[1]] += 1
    Coupon.objects.bulk_update([Coupon(pk=c, used_count=n) for c, n in used.items()], ["used_count"])


def _update_catalog(writer: OrderWriter) -> None:
    """Stock held by orders still waiting for dispatch, and each product's units sold."""
    variants = {v.id: v for p in writer.products.values() for v in p.variants}
    Variant.objects.bulk_update(
        [Variant(pk=vid, stock=variants[vid].stock) for vid in writer.changed_variants],
        ["stock"],
        batch_size=1000,
    )
    touched = {
        p.id for p in writer.products.values() if any(v.id in writer.changed_variants for v in p.variants)
    }
    products = []
    for p in Product.objects.filter(pk__in=touched):
        p.stock_total = sum(v.stock for v in writer.products[p.pk].variants)
        if p.stock_total == 0 and p.status == Product.Status.ON_SALE:
            p.status = Product.Status.SOLD_OUT
        products.append(p)
    Product.objects.bulk_update(products, ["stock_total", "status"], batch_size=1000)
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {qn(Product._meta.db_table)} SET {qn('sales_count')} = %s WHERE {qn('id')} = %s",
            [(n, pid) for pid, n in writer.sales.items()],
        )
