"""Checkout and seller order-list benchmark.

1. Orders per second through the real ``checkout_place`` service (test card, approve), one shopper after another,
   on SQLite (a throw-away file) and on PostgreSQL (database ``kkot_bench`` created and dropped by this script on
   the server named by KKOT_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; never ``test``).
2. p50/p99 of the seller order-list page (/seller/<slug>/orders/, Django test client, the whole view + template)
   for a store with 100,000 orders bulk-created directly with valid totals, over a mix of tabs, pages, a date
   range and searches; beside a naive baseline measured in the same run on the same data: the usual ORM listing
   (one COUNT per tab, paginator COUNT, then purchase/user/lines fetched per row: N+1).

    nice -n 10 .venv/bin/python bench/checkout.py [--checkouts 300] [--orders 100000] [--requests 200] [--no-pg]

Last line: ``RESULT sqlite_orders_per_s=... pg_orders_per_s=... order_list_p50_ms=... order_list_p99_ms=...
baseline_p99_ms=...``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkot.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _users(prefix: str, n: int) -> list:
    """Shoppers without password hashing (it would dominate the setup time)."""
    from kkot.accounts.models import User

    users = [User(email=f"{prefix}{i}@example.com", username=f"{prefix}{i}@example.com", name=f"구매자{i}")
             for i in range(n)]
    for u in users:
        u.set_unusable_password()
    return User.objects.bulk_create(users)


def _shop(slug: str, stock: int):
    from kkot.catalog.models import Variant
    from kkot.core.testing import make_product, make_store

    store = make_store(slug=slug, name="벤치 상점", shipping_base_fee=3000, shipping_free_over=None)
    owner = store.memberships.get().user
    product = make_product(store=store, actor=owner)
    Variant.objects.filter(product=product).update(stock=stock)
    product.refresh_from_db()
    return store, owner, product


def phase_checkout(n: int) -> dict:
    """Place n orders one after another through checkout_place; returns orders/s."""
    setup_django()
    from kkot.orders.services.checkout import AddressInput, checkout_place
    from kkot.orders.services.quote import checkout_quote

    _store, _owner, product = _shop("bench-checkout", stock=10 * n + 10)
    variants = list(product.variants.order_by("pk"))
    users = _users("bench", n)
    addr = AddressInput(recipient="김벤치", phone="010-1234-5678", postcode="04001", address1="서울 마포구 1")
    items = [(variants[0].pk, 2), (variants[2].pk, 1)]
    total = checkout_quote(user=users[0], items=items, postcode="04001").grand_total
    # warm-up (imports, caches)
    for u in users[:5]:
        checkout_place(user=u, items=items, address=addr, provider="test_card", idempotency_key=os.urandom(16).hex(),
                       expected_total=total, payment_params={"card_number": "4242424242424242"})
    t0 = time.perf_counter()
    for u in users[5:]:
        p = checkout_place(user=u, items=items, address=addr, provider="test_card",
                           idempotency_key=os.urandom(16).hex(), expected_total=total,
                           payment_params={"card_number": "4242424242424242"})
        assert p.orders.get().status == "paid"
    dt = time.perf_counter() - t0
    return {"orders": n - 5, "seconds": round(dt, 3), "orders_per_s": round((n - 5) / dt, 1)}


def _bulk_orders(store, product, n: int) -> None:
    """n paid-or-later orders with one line each and totals that satisfy every constraint."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kkot.orders.models import Order, OrderLine, Purchase

    rnd = random.Random(7)
    variants = list(product.variants.order_by("pk"))
    buyers = _users("buyer", 200)
    statuses = (["confirmed"] * 60 + ["delivered"] * 12 + ["shipping"] * 10 + ["preparing"] * 6 + ["paid"] * 7
                + ["cancelled"] * 4 + ["pending_payment"] * 1)
    now = timezone.now()
    batch = 5000
    for start in range(0, n, batch):
        purchases, orders, lines = [], [], []
        for i in range(start, min(n, start + batch)):
            at = now - timedelta(minutes=(n - i) * 5)
            v = variants[i % len(variants)]
            qty = 1 + i % 3
            unit = Decimal(29000) + v.price_delta
            items = unit * qty
            disc = Decimal(1000) if i % 5 == 0 else Decimal(0)
            ship = Decimal(3000)
            total = items - disc + ship
            num = f"K{at:%y%m%d}{i:08d}"
            purchases.append(Purchase(number=num, user=buyers[i % 200], recipient=f"받는분{i % 997}",
                                      phone="010-1234-5678", postcode="04001", address1="서울 마포구 1",
                                      items_total=items, discount_total=disc, shipping_total=ship, grand_total=total,
                                      created_at=at))
            orders.append(Order(store=store, user=buyers[i % 200], number=f"{num}-01", status=rnd.choice(statuses),
                                items_total=items, discount_total=disc, shipping_fee=ship, total=total, created_at=at,
                                paid_at=at))
            lines.append((v, unit, qty, disc))
        Purchase.objects.bulk_create(purchases, batch_size=1000)
        for p, o in zip(purchases, orders, strict=True):
            o.purchase = p
        Order.objects.bulk_create(orders, batch_size=1000)
        OrderLine.objects.bulk_create([
            OrderLine(order=o, product=product, variant=v, product_name=product.name, variant_label=v.label, sku=v.sku,
                      unit_price=unit, list_unit_price=unit, quantity=qty, subtotal=unit * qty, discount=disc)
            for o, (v, unit, qty, disc) in zip(orders, lines, strict=True)], batch_size=1000)


def _naive_list(store, tab: str, page: int) -> int:
    """What a first version usually does: a COUNT per tab, the paginator's COUNT, then N+1 per row."""
    from kkot.orders.models import Order, OrderStatus

    counts = {s: Order.objects.filter(store=store, status=s).count() for s in OrderStatus.values}
    qs = Order.objects.filter(store=store).order_by("-created_at")
    if tab != "all":
        qs = qs.filter(status=tab)
    total = qs.count()
    out = 0
    for o in qs[(page - 1) * 50: page * 50]:
        out += len(o.purchase.recipient) + len(o.user.email)
        for ln in o.lines.all():
            out += ln.quantity
        out += o.claims.filter(status__in=["requested", "approved"]).count()
    return out + total + sum(counts.values())


def phase_list(n_orders: int, n_requests: int) -> dict:
    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    store, owner, product = _shop("bench-list", stock=1000)
    t0 = time.perf_counter()
    _bulk_orders(store, product, n_orders)
    build_s = time.perf_counter() - t0
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    client = Client()
    client.force_login(owner)
    url = f"/seller/{store.slug}/orders/"
    mix = [{}, {"status": "paid"}, {"status": "preparing"}, {"status": "shipping"}, {"status": "claim_return"},
           {"status": "confirmed", "page": "40"}, {"page": "3"}, {"status": "delivered", "page": "2"},
           {"from": "2020-01-01", "to": "2100-01-01"}, {"q": "받는분12"}]
    for params in mix:  # warm-up and check
        r = client.get(url, params)
        assert r.status_code == 200, r.status_code
    times = []
    for i in range(n_requests):
        params = mix[i % len(mix)]
        t = time.perf_counter()
        r = client.get(url, params)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    naive = []
    naive_mix = [("all", 1), ("paid", 1), ("preparing", 1), ("shipping", 1), ("confirmed", 40), ("all", 3)]
    for i in range(max(30, n_requests // 4)):
        tab, page = naive_mix[i % len(naive_mix)]
        t = time.perf_counter()
        _naive_list(store, tab, page)
        naive.append((time.perf_counter() - t) * 1000)

    def pct(xs, q):
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))], 1)

    by_kind = {}
    for i, ms in enumerate(times):
        key = json.dumps(mix[i % len(mix)], ensure_ascii=False)
        by_kind.setdefault(key, []).append(ms)
    return {
        "orders": n_orders, "build_s": round(build_s, 1), "requests": n_requests,
        "p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "baseline_p50_ms": pct(naive, 50),
        "baseline_p99_ms": pct(naive, 99),
        "by_params_median_ms": {k: round(statistics.median(v), 1) for k, v in by_kind.items()},
    }


def _run_phase(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-6000:])
        raise SystemExit(f"phase {args} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg_admin_url() -> str:
    return os.environ.get("KKOT_PG_ADMIN_URL") or "postgres://postgres@127.0.0.1:5432/postgres"


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkouts", type=int, default=300)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--pg-list", action="store_true", help="also measure the order list on PostgreSQL")
    ap.add_argument("--phase", choices=["checkout", "list"])
    a = ap.parse_args()
    if a.phase == "checkout":
        print(json.dumps(phase_checkout(a.checkouts)))
        return
    if a.phase == "list":
        print(json.dumps(phase_list(a.orders, a.requests), ensure_ascii=False))
        return

    base_env = {k: v for k, v in os.environ.items() if k != "KKOT_DATABASE_URL"}
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="kkot-bench-checkout-") as d:
        results["sqlite_checkout"] = _run_phase(["--phase", "checkout", "--checkouts", str(a.checkouts)],
                                                dict(base_env, KKOT_VAR_DIR=d))
    print("sqlite checkout", results["sqlite_checkout"], flush=True)
    with tempfile.TemporaryDirectory(prefix="kkot-bench-list-") as d:
        results["sqlite_list"] = _run_phase(["--phase", "list", "--orders", str(a.orders), "--requests",
                                             str(a.requests)], dict(base_env, KKOT_VAR_DIR=d))
    print("sqlite order list", json.dumps(results["sqlite_list"], ensure_ascii=False), flush=True)
    pg = None
    if not a.no_pg:
        admin = _pg_admin_url()
        bench_url = admin.rsplit("/", 1)[0] + "/kkot_bench"
        _pg_exec("DROP DATABASE IF EXISTS kkot_bench")
        _pg_exec("CREATE DATABASE kkot_bench")
        try:
            with tempfile.TemporaryDirectory(prefix="kkot-bench-pg-") as d:
                env = dict(base_env, KKOT_DATABASE_URL=bench_url, KKOT_VAR_DIR=d)
                pg = _run_phase(["--phase", "checkout", "--checkouts", str(a.checkouts)], env)
                print("postgresql checkout", pg, flush=True)
                if a.pg_list:
                    results["pg_list"] = _run_phase(["--phase", "list", "--orders", str(a.orders), "--requests",
                                                     str(a.requests)], env)
                    print("postgresql order list", json.dumps(results["pg_list"], ensure_ascii=False), flush=True)
        finally:
            _pg_exec("DROP DATABASE IF EXISTS kkot_bench")
    sl = results["sqlite_list"]
    print()
    print(f"{'measure':44} {'kkot':>12} {'baseline':>12}")
    print(f"{'checkout orders/s SQLite':44} {results['sqlite_checkout']['orders_per_s']:>12}")
    if pg:
        print(f"{'checkout orders/s PostgreSQL':44} {pg['orders_per_s']:>12}")
    print(f"{'order list p50 ms (' + str(sl['orders']) + ' orders, SQLite)':44} {sl['p50_ms']:>12} "
          f"{sl['baseline_p50_ms']:>12}")
    print(f"{'order list p99 ms':44} {sl['p99_ms']:>12} {sl['baseline_p99_ms']:>12}")
    if "pg_list" in results:
        pl = results["pg_list"]
        print(f"{'order list p50/p99 ms PostgreSQL':44} {pl['p50_ms']:>5}/{pl['p99_ms']:<6} "
              f"{pl['baseline_p50_ms']:>5}/{pl['baseline_p99_ms']}")
    print("(baseline = naive ORM listing: COUNT per tab + paginator COUNT + per-row purchase/user/lines/claims)")
    print(f"RESULT sqlite_orders_per_s={results['sqlite_checkout']['orders_per_s']} "
          f"pg_orders_per_s={pg['orders_per_s'] if pg else 'nan'} order_list_p50_ms={sl['p50_ms']} "
          f"order_list_p99_ms={sl['p99_ms']} baseline_p99_ms={sl['baseline_p99_ms']}")


if __name__ == "__main__":
    main()
