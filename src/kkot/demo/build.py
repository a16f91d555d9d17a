"""`kkot demo`: build the deterministic demo marketplace once; later runs reuse it.

Steps are small functions over a shared :class:`DemoCatalog`, so later capabilities (orders, shipments,
reviews) add their own step to ``STEPS`` without touching the others.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from kkot.advisor.rollups import advisor_rollup
from kkot.demo.ads import build_ads
from kkot.demo.assist import build_assist
from kkot.demo.catalog import (
    DEMO_PASSWORD,
    SELLER_EMAIL,
    SHOPPER_EMAIL,
    DemoCatalog,
    build_products,
    build_users_and_stores,
)
from kkot.demo.events import build_events, refresh_product_counters
from kkot.demo.fulfillment import build_fulfillment
from kkot.demo.orders import build_orders
from kkot.demo.recs_clicks import build_recs_clicks
from kkot.demo.reviews import build_reviews
from kkot.demo.shoppers import build_shoppers
from kkot.recommendations.services import recs_train
from kkot.stores.models import StoreFollow

DEMO_VERSION = 4  # 2: orders, payments, claims and settlement; 3: warehouses, stock ledger, shipments;
# 4: reviews and Q&A, ad campaigns, return pickups, image checks and the visual index, widget clicks


@dataclass(frozen=True)
class DemoSize:
    products_per_store: int = 400  # 8 stores -> 3,200 products
    shoppers: int = 10_000
    days: int = 365
    sessions_per_day: int = 620  # about 1.2 million events
    purchases: int = 52_000  # about 54,000 store orders (a purchase may span stores)


SMALL = DemoSize(products_per_store=12, shoppers=50, days=14, sessions_per_day=30, purchases=400)


def marker_path():
    return settings.VAR_DIR / "demo.json"


def demo_is_built() -> bool:
    path = marker_path()
    if not path.exists():
        return False
    try:
        info = json.loads(path.read_text())
    except ValueError:
        return False
    from kkot.accounts.models import User

    return info.get("version") == DEMO_VERSION and User.objects.filter(email=SELLER_EMAIL).exists()


def demo_build(*, seed: int = 20261121, size: DemoSize = DemoSize(), quiet: bool = False) -> dict:
    """Build everything into an empty database. Deterministic for a seed (timestamps end at 'now')."""
    t0 = time.perf_counter()
    rnd = random.Random(seed)
    cat = DemoCatalog()
    end = timezone.now()
    timings = {}
    with transaction.atomic():
        build_users_and_stores(rnd, cat)
        with tqdm(total=size.products_per_store * len(cat.stores), desc="상품", unit="개", disable=quiet) as bar:
            build_products(rnd, cat, size.products_per_store, bar)
    timings["catalog_s"] = round(time.perf_counter() - t0, 1)
    with transaction.atomic():
        shoppers = build_shoppers(rnd, size.shoppers)
        followers = rnd.sample(shoppers, min(len(shoppers), 1500))
        StoreFollow.objects.bulk_create(
            [StoreFollow(store=rnd.choice(cat.stores), user_id=uid) for uid, _g, _y in followers], ignore_conflicts=True
        )
        for s in cat.stores:
            s.follower_count = StoreFollow.objects.filter(store=s).count()
            s.save(update_fields=["follower_count"])
    timings["shoppers_s"] = round(time.perf_counter() - t0 - timings["catalog_s"], 1)
    t1 = time.perf_counter()
    with tqdm(total=size.days, desc="이벤트(일)", unit="일", disable=quiet) as bar:
        n_events = build_events(rnd, cat, shoppers, days=size.days, sessions_per_day=size.sessions_per_day, end=end,
                                progress=bar)
    timings["events_s"] = round(time.perf_counter() - t1, 1)
    t1, c1 = time.perf_counter(), time.process_time()
    with tqdm(total=size.purchases, desc="주문", unit="건", disable=quiet) as bar:
        orders = build_orders(random.Random(f"{seed}-orders"), cat, shoppers, days=size.days,
                              purchases=size.purchases, end=end, progress=bar)
    n_events += orders["session_events"]
    timings["orders_s"] = round(time.perf_counter() - t1, 1)
    timings["orders_cpu_s"] = round(time.process_time() - c1, 1)  # this process only (the database is in-process)
    t1 = time.perf_counter()
    fulfillment = build_fulfillment(random.Random(f"{seed}-fulfillment"), cat, end=end, days=size.days)
    timings["fulfillment_s"] = round(time.perf_counter() - t1, 1)  # warehouses, opening stock, shipments
    t1 = time.perf_counter()
    refresh_product_counters(end=end)
    timings["counters_s"] = round(time.perf_counter() - t1, 1)
    t1 = time.perf_counter()  # reviews, photo reviews, replies and Q&A, analysed in bulk
    timings["reviews"] = build_reviews(random.Random(f"{seed}-reviews"), end=end, shoppers=shoppers, quiet=quiet)
    timings["reviews_s"] = round(time.perf_counter() - t1, 1)
    t1 = time.perf_counter()  # ad campaigns, spend and ad clicks (Biz Advisor ROAS)
    timings["ads"] = build_ads(random.Random(f"{seed}-ads"), cat, end=end)
    n_events += timings["ads"]["ad_clicks"]
    timings["ads_s"] = round(time.perf_counter() - t1, 1)
    timings["advisor_rollup_s"] = advisor_rollup()["seconds"]  # Biz Advisor daily tables, grouped SQL over the whole range
    t1 = time.perf_counter()  # 함께 본/구매한/비슷한 상품, 맞춤 추천
    recs_run = recs_train(trigger="demo")
    timings["recs_s"] = round(time.perf_counter() - t1, 1)
    timings["recs_status"] = recs_run.status
    t1 = time.perf_counter()
    timings["assist"] = build_assist(cat, quiet=quiet)  # image checks, visual index, assistant models
    timings["assist_s"] = round(time.perf_counter() - t1, 1)
    t1 = time.perf_counter()  # widget impressions and clicks (seller center, advisor)
    recs_clicks = build_recs_clicks(random.Random(f"{seed}-recs-clicks"), end=end)
    n_events += recs_clicks["events"]
    timings["recs_clicks_s"] = round(time.perf_counter() - t1, 1)
    timings["recs_widget_clicks"] = recs_clicks["clicks"]
    info = {
        "version": DEMO_VERSION, "seed": seed, "built_at": end.isoformat(), "stores": len(cat.stores),
        "products": len(cat.products), "shoppers": size.shoppers, "events": n_events,
        "dead_banners": cat.dead_banner, "leaky_products": cat.leaky_products,
        "orders": orders["orders"], "slow_delivery_store": orders["slow_delivery_store"], "fulfillment": fulfillment,
        "seconds": round(time.perf_counter() - t0, 1), **timings,
    }
    marker_path().write_text(json.dumps(info, ensure_ascii=False, indent=2))
    try:
        from kkot.search.tasks import search_index_rebuild  # otherwise built lazily on the first search
    except ImportError:
        search_index_rebuild = None
    if search_index_rebuild is not None:
        search_index_rebuild.call()
    return info


def logins_text() -> str:
    return (
        "\n  꽃 kkot 데모 마켓이 준비되었습니다: http://127.0.0.1:8000\n"
        f"  판매자 로그인:  {SELLER_EMAIL} / {DEMO_PASSWORD}   (판매자센터 http://127.0.0.1:8000/seller/)\n"
        f"  구매자 로그인:  {SHOPPER_EMAIL} / {DEMO_PASSWORD}\n"
        f"  운영자 관리:    admin@kkot.demo / {DEMO_PASSWORD}   (http://127.0.0.1:8000/admin/)\n"
    )
