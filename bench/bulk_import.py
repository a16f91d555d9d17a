"""Bulk product import benchmark: 10,000 variant rows (2,500 products x 4 options) as CSV and .xlsx.

Runs against a throw-away SQLite database (or PostgreSQL when KKOT_DATABASE_URL is set) and prints rows/s for
kkot.catalog.bulk.import_products beside a naive baseline measured in the same run: the same products written
one by one through catalog.services.product_create (what a loop over the sheet calling the editor service does).
The issue's target: 10,000 rows in under a minute.

    .venv/bin/python bench/bulk_import.py [--rows 10000] [--naive-products 500]

The naive baseline is timed on --naive-products products and scaled to the full row count (it is linear).
Last line: ``RESULT rows=... csv_s=... xlsx_s=... naive_s=...``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def setup_django() -> None:
    if not os.environ.get("KKOT_DATABASE_URL"):
        os.environ["KKOT_VAR_DIR"] = tempfile.mkdtemp(prefix="kkot-bench-bulk-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkot.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


COLORS = ["블랙", "화이트"]
SIZES = ["M", "L"]


def sheet_rows(n_products: int, prefix: str) -> list[list]:
    from kkot.catalog.bulk.columns import FIXED_AFTER, FIXED_BEFORE

    rows = []
    for i in range(n_products):
        base = {
            "상품코드": f"{prefix}{i:05d}", "상품명": f"린넨 오버핏 셔츠 {i}", "카테고리": "패션의류>여성의류>티셔츠",
            "판매가": 39000 + (i % 50) * 100, "할인가": 29000 if i % 3 == 0 else "", "할인시작": "", "할인종료": "",
            "판매상태": "판매중", "브랜드": "꽃상점", "상세설명(HTML)": f"<p>시원한 린넨 셔츠 {i}</p>",
            "태그": f"린넨,여름셔츠,셔츠{i % 40}", "배송비": "", "묶음배송": "Y", "출고소요일": 2, "주문제작": "N",
            "냉장냉동": "N", "옵션1명": "색상", "옵션2명": "사이즈", "옵션3명": "", "옵션3값": "", "추가금액": 0, "옵션사용": "Y",
        }
        for c in COLORS:
            for s in SIZES:
                row = dict(base, 옵션1값=c, 옵션2값=s, SKU=f"{prefix}{i:05d}-{c}-{s}", 재고=(i + len(s)) % 7)
                rows.append([row.get(col.name, "") for col in FIXED_BEFORE] + ["린넨", "오버사이즈"]
                            + [row.get(col.name, "") for col in FIXED_AFTER] + ["린넨 100%"])
    return rows


def header() -> list[str]:
    from kkot.catalog.bulk.columns import header_row

    return header_row([], []).copy()[:11] + ["속성:소재", "속성:핏"] + header_row([], [])[11:] + ["고시:제품 소재"]


def as_csv(rows) -> bytes:
    from kkot.catalog.bulk.exporter import _csv_bytes

    return _csv_bytes(header(), rows)


def as_xlsx(rows) -> bytes:
    from kkot.catalog.bulk.exporter import _xlsx_bytes

    return _xlsx_bytes(header(), [[str(v) if v != "" else None for v in r] for r in rows])


def naive(store, actor, n_products: int) -> float:
    from kkot.catalog.models import Category
    from kkot.catalog.services import OptionInput, ProductInput, VariantInput, product_create

    cat = Category.objects.get(slug="w-tshirt")
    t = time.perf_counter()
    for i in range(n_products):
        product_create(store=store, actor=actor, data=ProductInput(
            name=f"린넨 오버핏 셔츠 {i}", category_id=cat.pk, price=39000 + (i % 50) * 100, code=f"N{i:05d}",
            sale_price=29000 if i % 3 == 0 else None, brand="꽃상점", description_html=f"<p>시원한 린넨 셔츠 {i}</p>",
            tags=["린넨", "여름셔츠", f"셔츠{i % 40}"], attributes={"material": ["린넨"], "fit": "오버사이즈"},
            notice={"제품 소재": "린넨 100%"},
            options=[OptionInput("색상", COLORS), OptionInput("사이즈", SIZES)],
            variants=[VariantInput(option_values={"색상": c, "사이즈": s}, stock=(i + len(s)) % 7, sku=f"N{i:05d}-{c}-{s}")
                      for c in COLORS for s in SIZES]))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--naive-products", type=int, default=500)
    args = ap.parse_args()
    setup_django()
    from kkot.catalog.bulk import import_products
    from kkot.core.testing import make_store

    n_products = args.rows // 4
    rows = args.rows
    csv_data = as_csv(sheet_rows(n_products, "C"))
    xlsx_data = as_xlsx(sheet_rows(n_products, "X"))
    print(f"sheet: {rows:,} rows, {n_products:,} products; csv {len(csv_data) / 1e6:.1f} MB, "
          f"xlsx {len(xlsx_data) / 1e6:.1f} MB")

    results = {}
    for fmt, data in (("csv", csv_data), ("xlsx", xlsx_data)):
        store = make_store(slug=f"bench-{fmt}")
        actor = store.memberships.get().user
        t = time.perf_counter()
        r = import_products(store=store, actor=actor, data=data, filename=f"bench.{fmt}")
        results[fmt] = time.perf_counter() - t
        assert r.created == n_products and r.variants_created == rows, r
        t = time.perf_counter()
        r2 = import_products(store=store, actor=actor, data=data, filename=f"bench.{fmt}")
        results[fmt + "_again"] = time.perf_counter() - t
        assert r2.unchanged == n_products, r2

    store = make_store(slug="bench-naive")
    k = min(args.naive_products, n_products)
    naive_s = naive(store, store.memberships.get().user, k) * n_products / k

    print(f"{'path':<44}{'seconds':>10}{'rows/s':>10}")
    for label, secs in (("import_products CSV (create)", results["csv"]),
                        ("import_products xlsx (create)", results["xlsx"]),
                        ("import_products CSV again (0 changes)", results["csv_again"]),
                        ("import_products xlsx again (0 changes)", results["xlsx_again"]),
                        (f"naive product_create loop (x{n_products / k:.0f} of {k})", naive_s)):
        print(f"{label:<44}{secs:>10.1f}{rows / secs:>10,.0f}")
    print("target: 10,000 rows in under 60 s")
    print(f"RESULT rows={rows} csv_s={results['csv']:.2f} xlsx_s={results['xlsx']:.2f} naive_s={naive_s:.2f}")


if __name__ == "__main__":
    main()
