"""Synthetic stores for bench/advisor.py, written straight into the raw tables (events, purchases, orders, order
lines, reviews, ad campaigns and spend): the scale store and the stores with planted findings."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

CHANNELS = [("direct", 0.30), ("search", 0.30), ("social", 0.16), ("ad", 0.14), ("referral", 0.10)]
KEYWORDS = ["린넨 셔츠", "원피스", "가디건", "니트", "청바지", "운동화", "에코백", "모자"]
PLANTS = [
    "sales_drop",
    "dead_banner",
    "product_conversion",
    "channel_poor",
    "channel_good",
    "funnel_step",
    "stock_risk",
    "ad_below_target",
    "ad_budget_limited",
    "widget_low_ctr",
    "complaint_rising",
]
EVENT_COLS = [
    "ts",
    "kind",
    "visitor",
    "session",
    "user_id",
    "store_id",
    "product_id",
    "page_type",
    "section",
    "position",
    "query",
    "result_count",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer_host",
    "device",
    "campaign_id",
]
EVENTS_PER_SESSION_SCALE = 4.3  # measured: page views, clicks, widget impressions, searches, ad clicks
WIDGETS = ("viewed_together", "similar")
ASPECTS = ("사이즈", "배송", "품질", "색상")


def _users(n: int) -> list:
    from kkot.accounts.models import User

    rnd = random.Random(3)
    users = [
        User(
            email=f"adv{i}@example.com",
            username=f"adv{i}@example.com",
            name=f"구매자{i}",
            gender=rnd.choice("FFM"),
            birth_year=rnd.randint(1965, 2004),
        )
        for i in range(n)
    ]
    for u in users:
        u.set_unusable_password()
    return User.objects.bulk_create(users, batch_size=2000)


class Shop:
    """One synthetic store: its products, banners and the knobs of its traffic."""

    def __init__(self, name: str, n_products: int, plant: str | None):
        from kkot.core.testing import make_product, make_store
        from kkot.stores.models import StoreBanner

        self.plant = plant
        self.store = make_store(name=name, slug=f"adv-{name}")
        owner = self.store.memberships.get().user
        self.products = [
            make_product(store=self.store, actor=owner, name=f"{name} 상품 {i + 1}")
            for i in range(n_products)
        ]
        self.prices = [Decimal(19000 + 1000 * (i % 20)) for i in range(n_products)]
        self.variants = [p.variants.order_by("pk").first().pk for p in self.products]
        from kkot.catalog.models import Product

        Product.objects.filter(store=self.store).update(stock_total=10_000)  # nothing runs out unless planted
        self.banners = [
            StoreBanner.objects.create(store=self.store, title=f"배너 {k + 1}", position=k).pk
            for k in range(3)
        ]
        self.weights = [1 / (i + 1) ** 0.8 for i in range(n_products)]  # popularity, Zipf-like
        from collections import defaultdict

        from kkot.advisor.ads.services import campaign_create

        start = dt.date(2020, 1, 1)
        self.campaigns = [
            campaign_create(store=self.store, name=f"{name} 검색광고", start_date=start),
            campaign_create(store=self.store, name=f"{name} SNS 광고", channel="meta", start_date=start),
        ]
        self.ad_revenue: dict[int, Decimal] = defaultdict(Decimal)
        self.cart_p, self.order_p = 0.3, 0.35
        if plant == "product_conversion":  # the 3rd product is viewed as much as the best seller ...
            self.weights[2] = self.weights[0]


def _sections(shop: Shop) -> list[tuple[str, float]]:
    dead = shop.plant == "dead_banner"
    return [("best", 0.08), ("new", 0.05)] + [
        (f"banner:{pk}", 0.0004 if dead and k == 0 else 0.03) for k, pk in enumerate(shop.banners)
    ]


def generate(
    shop: Shop,
    users: list,
    *,
    days: int,
    sessions: int,
    end_day: dt.date,
    seed: int,
    cur,
    insert_sql: str,
    adapt,
) -> tuple[int, int]:
    """Raw events + paid orders of one store; returns (events, orders)."""
    from kkot.core.timeutil import SEOUL
    from kkot.orders.models import Order, OrderLine, Purchase

    rnd = random.Random(seed)
    sid = shop.store.pk
    chans, cw = [c for c, _ in CHANNELS], [w for _, w in CHANNELS]
    sections = _sections(shop)
    n_events = n_orders = 0
    rows: list[tuple] = []
    purchases, orders, lines, reviews = [], [], [], []
    pidx = list(range(len(shop.products)))
    for dd in range(days):
        day = end_day - dt.timedelta(days=days - 1 - dd)
        recent = (end_day - day).days < 7
        n = sessions * (1.2 if day.weekday() >= 5 else 1.0)
        if shop.plant == "sales_drop" and recent:
            n *= 0.4
        weights = shop.weights
        if shop.plant == "stock_risk" and recent:  # demand for the 2nd product triples in the last week
            weights = list(weights)
            weights[1] *= 3
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)
        for i in range(int(n)):
            u = users[rnd.randrange(len(users))]
            ch = rnd.choices(chans, cw)[0]
            sess = f"{sid}-{day:%m%d}-{i}"
            vis = f"v{u.pk}"
            t = midnight + dt.timedelta(seconds=rnd.randrange(86400 - 1200))

            def add(
                kind,
                *,
                product=None,
                page="",
                section="",
                query="",
                camp=None,
                _u=u,
                _ch=ch,
                _s=sess,
                _v=vis,
                _r=rows,
            ):
                nonlocal t
                _r.append(
                    (
                        adapt(t),
                        kind,
                        _v,
                        _s,
                        _u.pk,
                        sid,
                        product,
                        page,
                        section,
                        None,
                        query,
                        None,
                        _ch,
                        "",
                        "",
                        "",
                        "",
                        "m",
                        camp,
                    )
                )
                t += dt.timedelta(seconds=rnd.randrange(5, 40))

            camp = None
            if ch == "ad":  # landed through an ad link (?kc=<campaign>)
                camp = shop.campaigns[rnd.random() < 0.5]
                add("ad_click", page="store", camp=camp.pk)
            add("page_view", page="store")
            for sec, ctr in sections:
                if rnd.random() < ctr:
                    add("click", page="store", section=sec)
            if rnd.random() < 0.2:
                add("search", page="search", query=rnd.choice(KEYWORDS))
            if rnd.random() >= 0.6:
                continue
            k = rnd.choices(pidx, weights)[0]
            pid = shop.products[k].pk
            add("page_view", product=pid, page="product")
            add("product_view", product=pid, page="product")
            for w in WIDGETS:  # recommendation widgets under the product
                add("impression", page="product", section=f"widget:{w}")
                wctr = 0.004 if shop.plant == "widget_low_ctr" and w == "viewed_together" else 0.05
                if rnd.random() < wctr:
                    add(
                        "click",
                        product=shop.products[(k + 1) % len(pidx)].pk,
                        page="product",
                        section=f"widget:{w}",
                    )
            cart_p = shop.cart_p * (0.06 if shop.plant == "product_conversion" and k == 2 else 1)
            if rnd.random() >= cart_p:
                continue
            add("add_to_cart", product=pid, page="product")
            order_p = 0.08 if shop.plant == "funnel_step" else shop.order_p
            if shop.plant == "channel_poor" and ch == "social":
                order_p *= 0.3
            if shop.plant == "channel_good" and ch == "referral":
                order_p = min(1.0, order_p * 2.5)
            if rnd.random() >= order_p:
                continue
            qty = 1 + (rnd.random() < 0.2)
            unit = shop.prices[k]
            total = unit * qty
            num = f"A{sid}{day:%y%m%d}{i:05d}"
            purchases.append(
                Purchase(
                    number=num,
                    user=u,
                    recipient="김벤치",
                    phone="010-1234-5678",
                    postcode="04001",
                    address1="서울 마포구 1",
                    items_total=total,
                    grand_total=total,
                    created_at=t,
                )
            )
            orders.append(
                Order(
                    store_id=sid,
                    user=u,
                    number=f"{num}-1",
                    status="paid",
                    items_total=total,
                    total=total,
                    created_at=t,
                    paid_at=t,
                )
            )
            lines.append((shop.products[k], shop.variants[k], unit, qty))
            if camp is not None and (end_day - day).days < 30:
                shop.ad_revenue[camp.pk] += total
            if rnd.random() < 0.3:  # a review some days later (written at most up to the end day)
                reviews.append(
                    (
                        len(lines) - 1,
                        min(
                            t + dt.timedelta(days=rnd.randint(2, 6)),
                            midnight + dt.timedelta(days=(end_day - day).days, hours=20),
                        ),
                    )
                )
        if len(rows) > 50_000 or dd == days - 1:
            cur.executemany(insert_sql, rows)
            n_events += len(rows)
            rows.clear()
    for a in range(0, len(purchases), 2000):
        ps, os_, ls = purchases[a : a + 2000], orders[a : a + 2000], lines[a : a + 2000]
        Purchase.objects.bulk_create(ps)
        for p, o in zip(ps, os_, strict=True):
            o.purchase = p
        Order.objects.bulk_create(os_)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=o,
                    product=prod,
                    variant_id=vid,
                    product_name=prod.name,
                    sku="s",
                    unit_price=unit,
                    list_unit_price=unit,
                    quantity=qty,
                    subtotal=unit * qty,
                )
                for o, (prod, vid, unit, qty) in zip(os_, ls, strict=True)
            ]
        )
        n_orders += len(os_)
        line_ids = list(
            OrderLine.objects.filter(order__in=os_).order_by("order_id").values_list("pk", flat=True)
        )
        for o, lid in zip(os_, line_ids, strict=True):
            o.line_id = lid
    _reviews(shop, users, orders, lines, reviews, end_day, rnd)
    _ad_spend(shop, end_day, days)
    if shop.plant == "stock_risk":  # ... and only a few days of stock are left
        from kkot.catalog.models import Product

        Product.objects.filter(pk=shop.products[1].pk).update(stock_total=12)
    return n_events, n_orders


def _reviews(
    shop: Shop, users: list, orders: list, lines: list, reviews: list, end_day: dt.date, rnd
) -> None:
    """Review rows (and their aspect mentions) straight into the tables: each aspect is criticised in 4% of the
    reviews; in the complaint_rising store '사이즈' is criticised in 45% of the last 14 days' reviews."""
    from kkot.reviews.models import Review, ReviewAspect

    recent = end_day - dt.timedelta(days=13)
    objs, aspects = [], []
    for idx, at in reviews:
        o = orders[idx]
        prod = lines[idx][0]
        objs.append(
            Review(
                store_id=shop.store.pk,
                product=prod,
                order_line_id=o.line_id,
                user_id=o.user_id,
                stars=4,
                text="좋아요",
                text_masked="좋아요",
                sentiment="positive",
                created_at=at,
            )
        )
    Review.objects.bulk_create(objs, batch_size=2000)
    for r in objs:
        rising = shop.plant == "complaint_rising" and r.created_at.date() >= recent
        for a in ASPECTS:
            if rnd.random() < (0.45 if rising and a == "사이즈" else 0.04):
                aspects.append(
                    ReviewAspect(
                        review=r,
                        store_id=shop.store.pk,
                        product_id=r.product_id,
                        aspect=a,
                        polarity="negative",
                        created_at=r.created_at,
                    )
                )
    ReviewAspect.objects.bulk_create(aspects, batch_size=2000)


def _ad_spend(shop: Shop, end_day: dt.date, days: int) -> None:
    """Daily spend of the two campaigns, set from the revenue the ads brought in the last 30 days so that the
    ROAS is what the store plants: 330% / 360% against targets of 300% normally (no finding); 120% for campaign A
    in ad_below_target; 700% for B in ad_budget_limited, whose daily budget it spends in full every day."""
    from kkot.advisor.models import AdSpend, Campaign

    a, b = shop.campaigns
    roas = {a.pk: 3.3, b.pk: 3.6}
    if shop.plant == "ad_below_target":
        roas[a.pk] = 1.2
    if shop.plant == "ad_budget_limited":
        roas[b.pk] = 7.0
    rows = []
    for c in (a, b):
        daily = (shop.ad_revenue[c.pk] / 30 / Decimal(str(roas[c.pk]))).quantize(Decimal(1))
        if shop.plant == "ad_budget_limited" and c is b:
            Campaign.objects.filter(pk=c.pk).update(daily_budget=daily)
        rows += [
            AdSpend(campaign=c, store_id=shop.store.pk, day=end_day - dt.timedelta(days=i), amount=daily)
            for i in range(min(days, 60))
        ]
    AdSpend.objects.bulk_create(rows, batch_size=2000)
