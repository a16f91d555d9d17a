"""The scale store of bench/advisor.py, generated with numpy and written with the DB-API ``executemany`` of the raw
connection (no model instances): the same traffic model as :func:`advisor_gen.generate` (channels, section clicks,
searches, product views, recommendation widgets, cart, paid orders, reviews, ad clicks and spend), drawn a chunk of
days at a time so that memory stays flat. The stores with planted findings keep the row-by-row generator."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

import numpy as np
from advisor_gen import ASPECTS, CHANNELS, EVENT_COLS, KEYWORDS, WIDGETS, Shop, _ad_spend, _sections

# the slots of one visit, in the order the row-by-row generator appends them
SLOT_KIND = ["ad_click", "page_view"] + ["click"] * 5 + ["search", "page_view", "product_view"]
SLOT_KIND += ["impression", "click", "impression", "click", "add_to_cart"]
SLOT_PAGE = ["store"] * 7 + ["search"] + ["product"] * 7
N_SLOTS = len(SLOT_KIND)
CHUNK_DAYS = 7


def _placeholder() -> str:
    from django.db import connection

    return "?" if connection.vendor == "sqlite" else "%s"


def insert_rows(model, columns: Sequence[str], rows: Iterable[tuple], *, batch: int = 20_000) -> int:
    """Insert ``rows`` (values of ``columns``, already adapted) into ``model``'s table; every other concrete column
    gets its default. Runs inside the caller's transaction."""
    from django.db import connection
    from django.utils import timezone

    extra_cols, extra_vals = [], []
    for f in model._meta.concrete_fields:
        if f.column in columns or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        else:
            value = f.get_default()
        extra_cols.append(f.column)
        extra_vals.append(f.get_db_prep_save(value, connection))
    cols = [*columns, *extra_cols]
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
        f"VALUES ({', '.join([_placeholder()] * len(cols))})"
    )
    tail = tuple(extra_vals)
    n = 0
    cur = connection.connection.cursor()
    it = iter(rows)
    while chunk := [r + tail for r in itertools.islice(it, batch)]:
        cur.executemany(sql, chunk)
        n += len(chunk)
    return n


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cur.execute(sql)


class Stamps:
    """UTC epoch seconds -> the text Django's SQLite backend stores for a DateTimeField (naive UTC)."""

    def __init__(self) -> None:
        self.hms = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.days: dict[int, str] = {}

    def __call__(self, epoch: np.ndarray) -> list[str]:
        from django.db import connection

        if connection.vendor != "sqlite":  # other backends bind aware datetimes
            utc = dt.UTC
            return [dt.datetime.fromtimestamp(s, utc) for s in epoch.tolist()]
        day, sod = np.divmod(epoch, 86400)
        for d in np.unique(day).tolist():
            if d not in self.days:
                self.days[d] = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
        days, hms = self.days, self.hms
        return [days[d] + hms[s] for d, s in zip(day.tolist(), sod.tolist(), strict=True)]


def scale_users(n: int, *, seed: int = 5) -> np.ndarray:
    """``n`` shoppers with declared profiles (gender 여성:남성:밝히지 않음 = 6:3:1, a birth year in 9 of 10)."""
    from kkot.accounts.models import User

    rng = np.random.default_rng(seed)
    first = _next_id(User)
    ids = np.arange(first, first + n)
    gender = np.array(["F", "M", "U"])[rng.choice(3, n, p=[0.6, 0.3, 0.1])].tolist()
    born = rng.integers(1965, 2005, n).tolist()
    known = (rng.random(n) < 0.9).tolist()
    rows = (
        (i, "!bench", f"advs{i}@example.com", f"advs{i}@example.com", f"구매자{i}", g, b if k else None)
        for i, g, b, k in zip(ids.tolist(), gender, born, known, strict=True)
    )
    insert_rows(User, ["id", "password", "username", "email", "name", "gender", "birth_year"], rows)
    _reset_sequences(User)
    return ids


def _visits(shop: Shop, rng, n_users: int, n: int, plan: dict) -> dict:
    """The flags of ``n`` visits: one row per visit, one column per slot."""
    chans = np.array([c for c, _ in CHANNELS], dtype=object)
    ch = rng.choice(len(CHANNELS), n, p=[w for _, w in CHANNELS])
    user = np.minimum((rng.random(n) ** 1.6 * n_users).astype(np.int64), n_users - 1)  # some buy often
    k = rng.choice(len(shop.products), n, p=plan["weights"])
    mask = np.zeros((n, N_SLOTS), dtype=bool)
    mask[:, 0] = chans[ch] == "ad"
    mask[:, 1] = True
    mask[:, 2:7] = rng.random((n, 5)) < plan["ctrs"]
    mask[:, 7] = rng.random(n) < 0.2
    browse = rng.random(n) < 0.6
    mask[:, 8:11] = browse[:, None]
    mask[:, 12] = browse
    mask[:, 11] = browse & (rng.random(n) < 0.05)
    mask[:, 13] = browse & (rng.random(n) < 0.05)
    mask[:, 14] = browse & (rng.random(n) < shop.cart_p)
    ordered = mask[:, 14] & (rng.random(n) < shop.order_p)
    return {
        "ch": chans[ch],
        "user": user,
        "k": k,
        "mask": mask,
        "ordered": ordered,
        "camp": np.where(rng.random(n) < 0.5, plan["camps"][1], plan["camps"][0]),
        "kw": rng.integers(0, len(KEYWORDS), n),
    }


def _event_rows(shop: Shop, v: dict, plan: dict, t_slot: np.ndarray, labels: dict, stamps: Stamps):
    s_idx, slot = np.nonzero(v["mask"])  # visit-major, slots in order: the row-by-row order
    e = len(s_idx)
    pids = plan["pids"]
    prod = np.full(e, None, dtype=object)
    own = np.isin(slot, (8, 9, 14))
    prod[own] = pids[v["k"][s_idx[own]]].tolist()
    nxt = np.isin(slot, (11, 13))
    prod[nxt] = pids[(v["k"][s_idx[nxt]] + 1) % len(pids)].tolist()
    query = np.full(e, "", dtype=object)
    srch = slot == 7
    query[srch] = np.array(KEYWORDS, dtype=object)[v["kw"][s_idx[srch]]]
    camp = np.full(e, None, dtype=object)
    ad = slot == 0
    camp[ad] = v["camp"][s_idx[ad]].tolist()
    rep = itertools.repeat
    return zip(
        stamps(t_slot[s_idx, slot]),
        plan["kind"][slot].tolist(),
        labels["visitor"][s_idx].tolist(),
        labels["session"][s_idx].tolist(),
        plan["user_ids"][v["user"][s_idx]].tolist(),
        rep(shop.store.pk),
        prod.tolist(),
        plan["page"][slot].tolist(),
        plan["section"][slot].tolist(),
        rep(None),
        query.tolist(),
        rep(None),
        v["ch"][s_idx].tolist(),
        rep(""),
        rep(""),
        rep(""),
        rep(""),
        rep("m"),
        camp.tolist(),
        strict=False,  # the repeats are endless
    ), e


def _plan(shop: Shop, user_ids: np.ndarray) -> dict:
    secs = _sections(shop)
    w = np.array(shop.weights)
    widget_secs = [f"widget:{x}" for x in WIDGETS for _ in range(2)]
    return {
        "weights": w / w.sum(),
        "ctrs": np.array([c for _, c in secs]),
        "pids": np.array([p.pk for p in shop.products]),
        "prices": np.array([int(p) for p in shop.prices]),
        "camps": np.array([c.pk for c in shop.campaigns]),
        "kind": np.array(SLOT_KIND, dtype=object),
        "page": np.array(SLOT_PAGE, dtype=object),
        "section": np.array(
            ["", ""] + [s for s, _ in secs] + ["", "", ""] + widget_secs + [""], dtype=object
        ),
        "user_ids": user_ids,
    }


def generate_scale(
    shop: Shop, user_ids: np.ndarray, *, days: int, sessions: int, end_day: dt.date, seed: int
) -> tuple[int, int]:
    """Events, paid orders (purchase, order, line), reviews and ad spend of the scale store; returns (events, orders)."""
    from kkot.events.models import Event

    rng = np.random.default_rng(seed)
    plan = _plan(shop, user_ids)
    stamps = Stamps()
    first = end_day - dt.timedelta(days=days - 1)
    epoch0 = int(
        dt.datetime.combine(first, dt.time.min, tzinfo=dt.timezone(dt.timedelta(hours=9))).timestamp()
    )
    orders: list[dict] = []
    n_events = 0
    for c0 in range(0, days, CHUNK_DAYS):
        day_list = [first + dt.timedelta(days=d) for d in range(c0, min(days, c0 + CHUNK_DAYS))]
        per_day = np.array([int(sessions * (1.2 if d.weekday() >= 5 else 1.0)) for d in day_list])
        n = int(per_day.sum())
        v = _visits(shop, rng, len(user_ids), n, plan)
        dnum = np.repeat(np.arange(c0, c0 + len(day_list)), per_day)
        seq = np.arange(n) - np.repeat(np.cumsum(per_day) - per_day, per_day)
        start = epoch0 + dnum * 86400 + rng.integers(0, 86400 - 1200, n)
        step = rng.integers(5, 40, (n, N_SLOTS)) * v["mask"]
        t_slot = start[:, None] + np.cumsum(step, axis=1) - step
        mmdd = {d: f"{first + dt.timedelta(days=int(d)):%m%d}" for d in np.unique(dnum).tolist()}
        labels = {
            "visitor": np.array([f"v{u}" for u in user_ids[v["user"]].tolist()], dtype=object),
            "session": np.array(
                [f"{shop.store.pk}-{mmdd[d]}-{i}" for d, i in zip(dnum.tolist(), seq.tolist(), strict=True)],
                dtype=object,
            ),
        }
        rows, e = _event_rows(shop, v, plan, t_slot, labels, stamps)
        insert_rows(Event, EVENT_COLS, rows)
        n_events += e
        o = v["ordered"]
        orders.append(
            {
                "day": dnum[o],
                "seq": seq[o],
                "user": user_ids[v["user"][o]],
                "k": v["k"][o],
                "t": start[o] + step[o].sum(axis=1),
                "qty": 1 + (rng.random(int(o.sum())) < 0.2),
                "camp": np.where(v["mask"][o, 0], v["camp"][o], 0),
            }
        )
    cat = {key: np.concatenate([x[key] for x in orders]) for key in orders[0]}
    line_ids = _write_orders(shop, cat, first, stamps)
    _ad_revenue(shop, cat, plan, days)
    _write_reviews(shop, cat, line_ids, plan, rng, epoch0, days, stamps)
    _ad_spend(shop, end_day, days)
    return n_events, len(cat["t"])


def _write_orders(shop: Shop, o: dict, first: dt.date, stamps: Stamps) -> np.ndarray:
    from kkot.orders.models import Order, OrderLine, Purchase

    n = len(o["t"])
    sid = shop.store.pk
    unit = np.array([int(p) for p in shop.prices])[o["k"]]
    total = (unit * o["qty"]).tolist()
    at = stamps(o["t"])
    day = [f"{first + dt.timedelta(days=d):%y%m%d}" for d in range(int(o["day"].max()) + 1)]
    num = [f"A{sid}{day[d]}{i:05d}" for d, i in zip(o["day"].tolist(), o["seq"].tolist(), strict=True)]
    users = o["user"].tolist()
    p0, o0, l0 = _next_id(Purchase), _next_id(Order), _next_id(OrderLine)
    pid, oid, lid = range(p0, p0 + n), range(o0, o0 + n), np.arange(l0, l0 + n)
    insert_rows(
        Purchase,
        [
            "id",
            "number",
            "user_id",
            "recipient",
            "phone",
            "postcode",
            "address1",
            "items_total",
            "grand_total",
            "created_at",
        ],  # fmt: skip
        (
            (p, nm, u, "김벤치", "010-1234-5678", "04001", "서울 마포구 1", t, t, a)
            for p, nm, u, t, a in zip(pid, num, users, total, at, strict=True)
        ),
    )
    insert_rows(
        Order,
        [
            "id",
            "purchase_id",
            "store_id",
            "user_id",
            "number",
            "status",
            "items_total",
            "total",
            "created_at",
            "paid_at",
        ],  # fmt: skip
        (
            (i, p, sid, u, f"{nm}-1", "paid", t, t, a, a)
            for i, p, nm, u, t, a in zip(oid, pid, num, users, total, at, strict=True)
        ),
    )
    prods = [p.pk for p in shop.products]
    names = [p.name for p in shop.products]
    insert_rows(
        OrderLine,
        [
            "id",
            "order_id",
            "product_id",
            "variant_id",
            "product_name",
            "sku",
            "unit_price",
            "list_unit_price",
            "quantity",
            "subtotal",
        ],  # fmt: skip
        (
            (ln, i, prods[k], shop.variants[k], names[k], "s", u, u, q, t)
            for ln, i, k, u, q, t in zip(
                lid.tolist(), oid, o["k"].tolist(), unit.tolist(), o["qty"].tolist(), total, strict=True
            )
        ),
    )
    _reset_sequences(Purchase, Order, OrderLine)
    return lid


def _ad_revenue(shop: Shop, o: dict, plan: dict, days: int) -> None:
    """Revenue of the orders that landed through an ad in the last 30 days (sets the planted-ROAS spend)."""
    unit = plan["prices"][o["k"]]
    recent = o["day"] >= days - 30
    for c in plan["camps"].tolist():
        sel = recent & (o["camp"] == c)
        shop.ad_revenue[c] += Decimal(int((unit[sel] * o["qty"][sel]).sum()))


def _write_reviews(shop, o: dict, line_ids, plan, rng, epoch0: int, days: int, stamps: Stamps) -> None:
    """A review for 3 in 10 orders, 2..6 days later (up to 20:00 of the end day); each aspect criticised in 4%."""
    from kkot.reviews.models import Review, ReviewAspect

    sel = np.nonzero(rng.random(len(o["t"])) < 0.3)[0]
    at = np.minimum(
        o["t"][sel] + 86400 * rng.integers(2, 7, len(sel)), epoch0 + (days - 1) * 86400 + 20 * 3600
    )
    r0 = _next_id(Review)
    rid = np.arange(r0, r0 + len(sel))
    prod = plan["pids"][o["k"][sel]].tolist()
    stamp = stamps(at)
    sid = shop.store.pk
    insert_rows(
        Review,
        [
            "id",
            "store_id",
            "product_id",
            "order_line_id",
            "user_id",
            "stars",
            "text",
            "text_masked",
            "sentiment",
            "created_at",
        ],  # fmt: skip
        (
            (r, sid, p, ln, u, 4, "좋아요", "좋아요", "positive", a)
            for r, p, ln, u, a in zip(
                rid.tolist(), prod, line_ids[sel].tolist(), o["user"][sel].tolist(), stamp, strict=True
            )
        ),
    )
    hit = rng.random((len(sel), len(ASPECTS))) < 0.04
    ri, ai = np.nonzero(hit)
    insert_rows(
        ReviewAspect,
        ["review_id", "store_id", "product_id", "aspect", "polarity", "created_at"],
        (
            (int(rid[r]), sid, prod[r], ASPECTS[a], "negative", stamp[r])
            for r, a in zip(ri.tolist(), ai.tolist(), strict=True)
        ),
    )
    _reset_sequences(Review, ReviewAspect)
