"""Delivery-date promise benchmark: kkot.ml.forecast against two baselines on a time split of shipments.

History: 5 stores with different dispatch habits (same-day before 14:00; a slow regional workshop; a
made-to-order 동대문 fashion store; a fresh-food store with an 11:00 cutoff and the cold-chain weekend rule; an
average one), destinations all over the country (capital, regional, Jeju postcodes), 11 months of orders
(2024-01-02 .. 2024-11-30, Korean public holidays incl. 설날 and 추석), every parcel's events from the platform's
own ``SimulatedCarrier`` (weekday/region delays, ~12% one-day slips, ~2% 미배달/반송).

Split: train on orders placed before the split minus 21 days (their outcomes are known at the split), test on
the orders of the last 3 months (which include 추석 and the October holidays).

Promise rule (as on the platform): a date only when the store has >= 30 comparable past shipments (same store,
made-to-order flag, destination region) and the earliest date reaches >= 90% calibrated probability.
Baselines, same test orders: (a) the seller's declared lead time: dispatch within ``dispatch_days`` business
days, arrival the next carrier day; (b) a global median: order date + the median order->delivery business days
of the training history. Both promise every order.

Demo run (beside the synthetic main run, same split rule, metrics and baselines): the demo marketplace's own
shipments (its stores' dispatch habits: 오늘출발, slow, made-to-order; regional transit; weekends and holidays;
lost parcels) with the platform's promise code (:mod:`kkot.fulfillment.promise_eval`). ``--demo auto`` uses the
demo database under var/ when it is built, else builds the demo's catalog, orders and shipments at a medium size
(:data:`DEMO_SIZE`) into a temporary KKOT_VAR_DIR; the output says which. Its figures are the ``demo_*`` keys.

Run: ``.venv/bin/python bench/delivery.py [--seed N] [--per-day N] [--demo auto|var|build|skip]``. Ends with one
``RESULT`` line.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkot.settings")

SEOUL = ZoneInfo("Asia/Seoul")
START, END, SPLIT = date(2024, 1, 2), date(2024, 12, 1), date(2024, 9, 1)
TRAIN_GAP_DAYS = 21
MIN_SUPPORT, THRESHOLD = 30, 0.9


@dataclass(frozen=True)
class StoreSpec:
    slug: str
    origin_postcode: str
    carriers: tuple[str, ...]
    cutoff: time | None
    declared_days: int
    per_day: float  # relative order volume
    before: tuple[float, ...]  # dispatch-lag probabilities (business days) before the cutoff / no cutoff
    after: tuple[float, ...]  # ... after the cutoff and on days off
    made_to_order: bool = False
    cold: bool = False


STORES = [
    StoreSpec("fast", "10881", ("cj",), time(14), 1, 2.5, (0.93, 0.06, 0.01), (0.0, 0.9, 0.08, 0.02)),
    StoreSpec("average", "13487", ("epost",), time(15), 2, 1.0, (0.8, 0.17, 0.03), (0.0, 0.82, 0.15, 0.03)),
    StoreSpec("slow", "34126", ("hanjin", "logen"), None, 3, 0.8, (0.0, 0.3, 0.4, 0.2, 0.1), (0.0, 0.3, 0.4, 0.2, 0.1)),
    StoreSpec("dongdaemun", "02583", ("lotte",), None, 7, 0.6,
              (0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.2, 0.1, 0.06, 0.04), (0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.2, 0.1, 0.06, 0.04),
              made_to_order=True),
    StoreSpec("freshfarm", "52830", ("fresh",), time(11), 1, 0.8, (0.9, 0.1), (0.0, 0.92, 0.08), cold=True),
]
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 2, 2.5, 2.5, 3, 2.5, 2.2, 2, 2, 2, 2.2, 2.5, 3, 3.2, 3, 2]


def _dest_postcode(rng: random.Random) -> str:
    u = rng.random()
    if u < 0.5:
        prefix = rng.randint(1, 23)
    elif u < 0.95:
        prefix = rng.choice([p for p in range(24, 64) if p != 63])
    else:
        prefix = 63
    return f"{prefix:02d}{rng.randint(0, 999):03d}"


def _draw(rng: random.Random, probs: tuple[float, ...]) -> int:
    return rng.choices(range(len(probs)), weights=probs)[0]


def simulate(seed: int, per_day: float):
    """Rows: dict(store spec, ordered_at, carrier, dest, picked_up_at, delivered_at, failed)."""
    from kkot.fulfillment.carriers import SimulatedCarrier
    from kkot.ml.forecast import korean_calendar

    dcal = korean_calendar(off_weekdays=(5, 6))
    rng = random.Random(seed)
    rows, n = [], 0
    day = START
    while day < END:
        for s in STORES:
            lam = per_day * s.per_day * (0.7 if day.weekday() >= 5 or day in dcal.holidays else 1.0)
            k = sum(1 for _ in range(int(lam * 3)) if rng.random() < 1 / 3)
            for _ in range(k):
                h = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
                at = datetime.combine(day, time(h, rng.randint(0, 59)), SEOUL)
                open_day = dcal.is_open(day)
                before = open_day and (s.cutoff is None or at.time() < s.cutoff)
                lag = _draw(rng, s.before if before else s.after)
                d = dcal.add(day, lag)
                if s.cold:
                    while not (dcal.is_open(d) and dcal.is_open(d + timedelta(days=1))):
                        d = dcal.add(d + timedelta(days=1), 0)
                lo = max(datetime.combine(d, time(9), SEOUL), at + timedelta(minutes=20))
                hi = max(lo, datetime.combine(d, time(17, 30), SEOUL))
                dispatched = lo + (hi - lo) * rng.random()
                carrier = rng.choice(s.carriers)
                dest = _dest_postcode(rng)
                n += 1
                events = SimulatedCarrier(carrier).timeline(tracking_number=f"{seed}{n:09d}", dispatched_at=dispatched,
                                                            origin_postcode=s.origin_postcode, dest_postcode=dest)
                by = {e.code: e.occurred_at.astimezone(SEOUL) for e in events}
                rows.append({"s": s, "ordered_at": at, "carrier": carrier, "dest": dest, "picked": by["picked_up"],
                             "delivered": by.get("delivered"), "failed": "failed" in by})
        day += timedelta(days=1)
    return rows


BUCKETS = [(0.90, 0.93), (0.93, 0.96), (0.96, 0.98), (0.98, 1.0001)]


def evaluate(test: list[dict], promises, train_lags: list[int], dcal, tcal) -> dict:
    """Metrics of the promises shown on ``test`` (dicts: ordered_at, delivered, failed, group, declared_days)
    beside the two baselines (declared lead time + 1 carrier day; the global median order->delivery lag)."""

    def outcome(r, promised: date):
        ok = (not r["failed"]) and r["delivered"].date() <= promised
        diff = None if r["failed"] else abs((r["delivered"].date() - promised).days)
        return ok, diff

    shown = []  # (prob, ok, diff, group)
    for r, p in zip(test, promises, strict=True):
        if p.date is not None and p.support >= MIN_SUPPORT and p.probability >= THRESHOLD:
            ok, diff = outcome(r, p.date)
            shown.append((p.probability, ok, diff, r["group"]))
    diffs = [d for _, _, d, _ in shown if d is not None]

    def baseline(promise_of):
        oks, ds = [], []
        for r in test:
            ok, d = outcome(r, promise_of(r))
            oks.append(ok)
            if d is not None:
                ds.append(d)
        return sum(oks) / max(1, len(oks)), statistics.fmean(ds) if ds else float("nan")

    med = int(statistics.median(train_lags)) if train_lags else 2
    cal, max_gap = [], 0.0
    for lo, hi in BUCKETS:
        sel = [(p, ok) for p, ok, _, _ in shown if lo <= p < hi]
        if not sel:
            continue
        pred = statistics.fmean(p for p, _ in sel)
        obs = sum(ok for _, ok in sel) / len(sel)
        gap = abs(pred - obs) * 100
        enough = len(sel) >= 100
        if enough:
            max_gap = max(max_gap, gap)
        cal.append((lo, hi, len(sel), pred, obs, gap, enough))
    groups = sorted({r["group"] for r in test})
    per_group = []
    for g in groups:
        n = sum(1 for r in test if r["group"] == g)
        mine = [ok for _, ok, _, st in shown if st == g]
        per_group.append((g, n, len(mine) / max(1, n), sum(mine) / max(1, len(mine))))
    return {
        "on_time": sum(ok for _, ok, _, _ in shown) / max(1, len(shown)),
        "share": len(shown) / max(1, len(test)),
        "mean_abs": statistics.fmean(diffs) if diffs else float("nan"),
        "max_gap": max_gap, "cal": cal, "per_group": per_group, "n_test": len(test), "n_shown": len(shown),
        "declared": baseline(lambda r: tcal.add(dcal.add(r["ordered_at"].date(), r["declared_days"]), 1)),
        "median": baseline(lambda r: tcal.add(r["ordered_at"].date(), med)), "med": med,
    }


def report(title: str, m: dict) -> None:
    print(f"\n=== {title}")
    print("calibration of promises shown (predicted vs observed on-time rate)")
    print(f"{'bucket':>12} {'n':>6} {'predicted':>10} {'observed':>9} {'gap':>6}")
    for lo, hi, n, pred, obs, gap, enough in m["cal"]:
        print(f"{lo:.2f}-{min(hi, 1):.2f} {n:>6} {pred:>10.3f} {obs:>9.3f} {gap:>5.1f}{'' if enough else ' (few)'}")
    print(f"\n{'store':>11} {'orders':>7} {'promised':>9} {'on_time':>8}")
    for g, n, share, ok in m["per_group"]:
        print(f"{g:>11} {n:>7} {share:>9.1%} {ok:>8.1%}")
    print("\nmethod                        promised_share  on_time  mean_abs_days")
    print(f"{'kkot.ml.forecast (>=90%, n>=30)':<30} {m['share']:>14.1%} {m['on_time']:>8.1%} {m['mean_abs']:>14.2f}")
    print(f"{'declared lead time + 1 day':<30} {1:>14.1%} {m['declared'][0]:>8.1%} {m['declared'][1]:>14.2f}")
    label = f"global median ({m['med']} bdays)"
    print(f"{label:<30} {1:>14.1%} {m['median'][0]:>8.1%} {m['median'][1]:>14.2f}")


def synthetic_run(seed: int, per_day: float) -> tuple[dict, str]:
    from kkot.fulfillment.carriers import region
    from kkot.ml.forecast import DeliveryEstimator, OrderQuery, ShipmentRecord, korean_calendar

    t0 = _time.perf_counter()
    rows = simulate(seed, per_day)
    t_sim = _time.perf_counter() - t0
    dcal = korean_calendar(off_weekdays=(5, 6))
    tcal = korean_calendar(off_weekdays=(6,))

    def query(r):
        s = r["s"]
        return OrderQuery(ordered_at=r["ordered_at"], store=s.slug, carrier=r["carrier"], origin=region(s.origin_postcode),
                          dest=region(r["dest"]), cutoff=s.cutoff, made_to_order=s.made_to_order, cold=s.cold)

    train_end = datetime.combine(SPLIT - timedelta(days=TRAIN_GAP_DAYS), time(0), SEOUL)
    split_at = datetime.combine(SPLIT, time(0), SEOUL)
    train = [r for r in rows if r["ordered_at"] < train_end]
    test = [r for r in rows if r["ordered_at"] >= split_at]
    records = [ShipmentRecord(**{f: getattr(q, f) for f in ("ordered_at", "store", "carrier", "origin", "dest", "cutoff",
                                                              "made_to_order", "cold")},
                              picked_up_at=r["picked"], delivered_at=r["delivered"], failed=r["failed"])
               for r, q in ((r, query(r)) for r in train)]
    t1 = _time.perf_counter()
    est = DeliveryEstimator(dispatch_calendar=dcal, transit_calendar=tcal,
                            prior_strength=float(os.environ.get("KKOT_BENCH_PRIOR", 30))).fit(records)
    t_fit = _time.perf_counter() - t1
    t2 = _time.perf_counter()
    promises = est.promise([query(r) for r in test], threshold=THRESHOLD)
    t_pred = (_time.perf_counter() - t2) / max(1, len(test))
    lags = [tcal.lag(r.ordered_at.date(), r.delivered_at.date()) for r in records if r.delivered_at]
    m = evaluate([{"ordered_at": r["ordered_at"], "delivered": r["delivered"], "failed": r["failed"],
                   "group": r["s"].slug, "declared_days": r["s"].declared_days} for r in test], promises, lags, dcal, tcal)
    head = (f"history: {len(rows)} orders {START}..{END - timedelta(days=1)}, train {len(records)} "
            f"(ordered < {train_end.date()}), test {len(test)} (ordered >= {SPLIT}); simulate {t_sim:.1f}s, "
            f"fit {t_fit:.2f}s, predict {t_pred * 1e3:.2f} ms/order")
    return m, head


DEMO_SIZE = {"products_per_store": 40, "shoppers": 2000, "days": 240, "purchases": 14000}


def demo_prepare(mode: str) -> str:
    """Before django.setup(): use the built demo under var/ (``var``), or point KKOT_VAR_DIR at a temporary
    directory to build the demo's catalog, orders and shipments there (``build``). ``auto``: var when built."""
    import tempfile
    from pathlib import Path

    var = Path(os.environ.get("KKOT_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    if mode == "auto":
        mode = "var" if (var / "demo.json").exists() else "build"
    if mode == "build":
        os.environ["KKOT_VAR_DIR"] = tempfile.mkdtemp(prefix="kkot-bench-delivery-")
    return mode


def demo_build_medium(seed: int) -> dict:
    """The demo's own generators (stores, products, shoppers, orders with their dispatch habits, shipments with
    tracking events, returns) at a medium size, into the temporary database. Storefront events, reviews and
    recommendations are skipped: they do not touch shipments."""
    import random

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from kkot.demo.catalog import DemoCatalog, build_products, build_users_and_stores
    from kkot.demo.fulfillment import build_fulfillment
    from kkot.demo.orders import build_orders
    from kkot.demo.shoppers import build_shoppers

    call_command("migrate", verbosity=0)
    rnd = random.Random(seed)
    cat = DemoCatalog()
    end = timezone.now()
    with transaction.atomic(), tqdm(total=DEMO_SIZE["products_per_store"] * 8, desc="demo products") as bar:
        build_users_and_stores(rnd, cat)
        build_products(rnd, cat, DEMO_SIZE["products_per_store"], bar)
    shoppers = build_shoppers(rnd, DEMO_SIZE["shoppers"])
    with tqdm(total=DEMO_SIZE["purchases"], desc="demo orders") as bar:
        info = build_orders(random.Random(f"{seed}-orders"), cat, shoppers, days=DEMO_SIZE["days"],
                            purchases=DEMO_SIZE["purchases"], end=end, progress=bar)
    info["fulfillment"] = build_fulfillment(random.Random(f"{seed}-fulfillment"), cat, end=end, days=DEMO_SIZE["days"])
    return {"end": end, **info}


def demo_run(mode: str, seed: int) -> tuple[dict, str]:
    """Same split and metrics on the demo's shipments: train on orders placed before the last 91 days minus 21,
    test on orders of the last 91 days whose outcome is known (delivered or failed; parcels still moving are
    left out)."""
    from django.utils import timezone

    from kkot.fulfillment.promise_eval import declared_days_by_order, promise_backtest
    from kkot.ml.forecast import korean_calendar
    from kkot.stores.models import Store

    t0 = _time.perf_counter()
    if mode == "build":
        info = demo_build_medium(seed)
        end, where = info["end"], f"built at medium size {DEMO_SIZE} into a temporary KKOT_VAR_DIR"
    else:
        from kkot.fulfillment.models import Shipment

        end = Shipment.objects.order_by("-created_at").values_list("created_at", flat=True).first() or timezone.now()
        where = "the demo database under var/"
    t_build = _time.perf_counter() - t0
    days = 91
    split_at = end - timedelta(days=days)
    bt = promise_backtest(split_at=split_at, gap_days=TRAIN_GAP_DAYS, since=end - timedelta(days=400))
    dcal = korean_calendar(off_weekdays=(5, 6))
    tcal = korean_calendar(off_weekdays=(6,))
    slugs = dict(Store.objects.values_list("pk", "slug"))
    declared = declared_days_by_order(r.order_id for r in bt.rows)
    rows = [r for r in bt.rows if r.record.failed or r.record.delivered_at is not None]
    test = [{"ordered_at": r.record.ordered_at, "delivered": r.record.delivered_at, "failed": r.record.failed,
             "group": slugs.get(int(r.record.store), r.record.store)[:11],
             "declared_days": declared.get(r.order_id, (2, False))[0]} for r in rows]
    lags = [tcal.lag(r.ordered_at.date(), r.delivered_at.date()) for r in bt.train if r.delivered_at]
    m = evaluate(test, [r.estimate for r in rows], lags, dcal, tcal)
    head = (f"demo: {where}; {len(bt.train)} train shipments (ordered < {(split_at - timedelta(days=TRAIN_GAP_DAYS)).date()}), "
            f"{len(rows)} test orders with a known outcome (ordered >= {split_at.date()}; {len(bt.rows) - len(rows)} "
            f"still in transit left out); prepare {t_build:.0f}s")
    return m, head


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-day", type=float, default=12.0, help="orders per store per day at volume 1.0")
    ap.add_argument("--demo", choices=["auto", "var", "build", "skip"], default="auto",
                    help="the demo run: var/ demo database, a medium demo built into a temp dir, or none")
    args = ap.parse_args()
    mode = demo_prepare(args.demo) if args.demo != "skip" else "skip"

    import django

    django.setup()
    m, head = synthetic_run(args.seed, args.per_day)
    print(head)
    report("synthetic marketplace (main run)", m)
    d = None
    if mode != "skip":
        d, dhead = demo_run(mode, args.seed)
        print("\n" + dhead)
        report("demo marketplace shipments", d)
        if mode == "build":  # the temporary database goes away with the run
            import shutil

            from django.db import connections

            connections.close_all()
            shutil.rmtree(os.environ["KKOT_VAR_DIR"], ignore_errors=True)
    print("\naims: on_time >= 90% with promised_share >= 60%; calibration gap <= 5 points per bucket (n >= 100)")
    result = (f"RESULT on_time_rate={m['on_time']:.4f} promised_share={m['share']:.4f} "
              f"max_calibration_gap={m['max_gap']:.2f} mean_abs_days={m['mean_abs']:.3f} "
              f"baseline_declared_on_time={m['declared'][0]:.4f} baseline_declared_mean_abs_days={m['declared'][1]:.3f} "
              f"baseline_median_on_time={m['median'][0]:.4f} baseline_median_mean_abs_days={m['median'][1]:.3f} "
              f"n_test={m['n_test']} n_promised={m['n_shown']}")
    if d is not None:
        result += (f" demo_source={mode} demo_on_time_rate={d['on_time']:.4f} demo_promised_share={d['share']:.4f} "
                   f"demo_max_calibration_gap={d['max_gap']:.2f} demo_mean_abs_days={d['mean_abs']:.3f} "
                   f"demo_baseline_declared_on_time={d['declared'][0]:.4f} "
                   f"demo_baseline_declared_mean_abs_days={d['declared'][1]:.3f} "
                   f"demo_baseline_median_on_time={d['median'][0]:.4f} "
                   f"demo_baseline_median_mean_abs_days={d['median'][1]:.3f} demo_n_test={d['n_test']} "
                   f"demo_n_promised={d['n_shown']}")
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
