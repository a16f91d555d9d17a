"""P(arrival by date D | order) from past shipments.

Model
-----
arrival = dispatch lead time (order -> 집하) then transit time (집하 -> 배송완료).

* Dispatch lag: business days of the *dispatch calendar* (sellers: weekends + holidays off) from the order date
  to the pickup date. Cells, most specific first: (store, made-to-order, order weekday, slot) -> (store, mto,
  slot) -> (mto, slot) -> (mto) -> all, where slot is ``before``/``after`` the store's same-day cutoff, or
  ``closed`` for an order placed on a day off.
* Transit lag: business days of the *transit calendar* (carriers: Sundays + holidays off) from the pickup date
  to the delivery date; a parcel that never arrived (미배달/반송) is mass at "never". Cells: (carrier, origin
  region, destination region) -> (carrier, dest) -> (dest) -> all.
* Shrinkage: a cell's distribution is ``(counts + m * parent) / (n + m)``, recursively from the pooled root, so a
  cell with 3 samples is mostly its parent and one with 300 is mostly itself (``m = prior_strength``).
* Combination: for every dispatch lag k the pickup date is ``dispatch_cal.add(order_date, k)`` (moved on to the
  next allowed day for cold-chain goods when the next day is a day off), and every transit lag j lands on
  ``transit_cal.add(pickup, j)``: a convolution over real dates, so weekends and holidays fall where they are.
* Calibration: the raw CDF is mapped through an isotonic (pool-adjacent-violators) curve fitted on the last
  ``calibration_share`` of the history (by order time) with a model fitted on the rest; then the distributions
  are refitted on all of it. Probabilities are honest about failures and about the model's own optimism.

All datetimes are local wall-clock times (aware or naive, the same zone throughout); regions are whatever
strings the caller uses, consistently.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from kkot.ml.forecast.calendar import BusinessCalendar

MAX_LAG = 40  # lags at or beyond this count as "never" (the last bucket)
DEFAULT_CUTOFF = time(14, 0)


@dataclass(frozen=True)
class ShipmentRecord:
    """One past shipment. ``picked_up_at`` None: never dispatched (skipped). ``delivered_at`` None and not
    ``failed``: still in transit (used for dispatch only)."""

    ordered_at: datetime
    store: str
    carrier: str
    origin: str
    dest: str
    picked_up_at: datetime | None
    delivered_at: datetime | None = None
    failed: bool = False
    cutoff: time | None = None
    made_to_order: bool = False
    cold: bool = False


@dataclass(frozen=True)
class OrderQuery:
    ordered_at: datetime
    store: str
    carrier: str
    origin: str
    dest: str
    cutoff: time | None = None
    made_to_order: bool = False
    cold: bool = False


@dataclass(frozen=True)
class ArrivalForecast:
    """Arrival dates (ascending) with the calibrated probability of arriving *by* each of them."""

    dates: tuple[date, ...]
    prob_by: tuple[float, ...]
    raw_by: tuple[float, ...]
    support: int  # comparable past shipments (same store, made-to-order flag and destination region)

    def probability_by(self, d: date) -> float:
        p = 0.0
        for day, q in zip(self.dates, self.prob_by, strict=True):
            if day > d:
                break
            p = q
        return p


@dataclass(frozen=True)
class PromiseEstimate:
    date: date | None  # None: no date reaches the threshold within the horizon
    probability: float
    support: int


def _key(*parts) -> str:
    return "\x1f".join(str(p) for p in parts)


def _pav(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool adjacent violators: the non-decreasing fit of y (weights w) over sorted x."""
    blocks: list[list[float]] = []  # [x_sum_w, y_sum_w, w]
    for xi, yi, wi in zip(x, y, w, strict=True):
        blocks.append([xi * wi, yi * wi, wi])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] > blocks[-1][1] / blocks[-1][2]:
            b = blocks.pop()
            blocks[-1] = [blocks[-1][0] + b[0], blocks[-1][1] + b[1], blocks[-1][2] + b[2]]
    return (np.array([b[0] / b[2] for b in blocks]), np.array([b[1] / b[2] for b in blocks]))


class DeliveryEstimator:
    """``fit(records)`` then ``predict(queries)`` / ``promise(queries)``; ``save``/``load`` as JSON."""

    def __init__(self, *, dispatch_calendar: BusinessCalendar, transit_calendar: BusinessCalendar | None = None,
                 prior_strength: float = 30.0, calibrate: bool = True, calibration_share: float = 0.25,
                 default_cutoff: time = DEFAULT_CUTOFF):
        self.dcal = dispatch_calendar
        self.tcal = transit_calendar or dispatch_calendar
        self.m = float(prior_strength)
        self.calibrate = calibrate
        self.calibration_share = calibration_share
        self.default_cutoff = default_cutoff
        self.dispatch: dict[str, np.ndarray] = {}
        self.transit: dict[str, np.ndarray] = {}
        self.support: Counter[str] = Counter()
        self.cal_x: np.ndarray = np.array([0.0, 1.0])
        self.cal_y: np.ndarray = np.array([0.0, 1.0])
        self.n_records = 0

    # ------------------------------------------------------------------------------------------ cells
    def _slot(self, at: datetime, cutoff: time | None) -> str:
        if not self.dcal.is_open(at.date()):
            return "closed"
        return "after" if at.time().replace(tzinfo=None) >= (cutoff or self.default_cutoff) else "before"

    def _dispatch_chain(self, q) -> list[str]:
        mto, slot = int(bool(q.made_to_order)), self._slot(q.ordered_at, q.cutoff)
        return [_key("D"), _key("D", mto), _key("D", mto, slot), _key("D", q.store, mto, slot),
                _key("D", q.store, mto, q.ordered_at.weekday(), slot)]

    @staticmethod
    def _transit_chain(q) -> list[str]:
        return [_key("T"), _key("T", q.dest), _key("T", q.carrier, q.dest), _key("T", q.carrier, q.origin, q.dest)]

    @staticmethod
    def _support_key(q) -> str:
        return _key(q.store, int(bool(q.made_to_order)), q.dest)

    # ------------------------------------------------------------------------------------------ fit
    def _count(self, records: list[ShipmentRecord]) -> None:
        self.dispatch, self.transit, self.support = {}, {}, Counter()
        for r in records:
            if r.picked_up_at is None:
                continue
            lag = min(self.dcal.lag(r.ordered_at.date(), r.picked_up_at.date()), MAX_LAG)
            for k in self._dispatch_chain(r):
                self.dispatch.setdefault(k, np.zeros(MAX_LAG + 1))[lag] += 1
            if r.failed:
                tl = MAX_LAG
            elif r.delivered_at is not None:
                tl = min(self.tcal.lag(r.picked_up_at.date(), r.delivered_at.date()), MAX_LAG)
            else:
                continue
            for k in self._transit_chain(r):
                self.transit.setdefault(k, np.zeros(MAX_LAG + 1))[tl] += 1
            self.support[self._support_key(r)] += 1
        self.n_records = sum(self.support.values())

    def _pmf(self, table: dict[str, np.ndarray], chain: list[str]) -> np.ndarray | None:
        root = table.get(chain[0])
        if root is None or root.sum() == 0:
            return None
        p = root / root.sum()
        for k in chain[1:]:
            c = table.get(k)
            if c is not None:
                p = (c + self.m * p) / (c.sum() + self.m)
        return p

    def fit(self, records: list[ShipmentRecord]) -> DeliveryEstimator:
        records = sorted(records, key=lambda r: r.ordered_at)
        self.cal_x, self.cal_y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
        n_hold = int(len(records) * self.calibration_share)
        if self.calibrate and n_hold >= 200:
            self._count(records[:-n_hold])
            self._fit_calibration(records[-n_hold:])
        self._count(records)
        return self

    def _fit_calibration(self, holdout: list[ShipmentRecord]) -> None:
        xs, ys = [], []
        for r in holdout:
            if r.picked_up_at is None or (r.delivered_at is None and not r.failed):
                continue
            dates, raw = self._raw(r)
            for d, p in zip(dates, raw, strict=True):
                if p < 0.3:
                    continue
                xs.append(p)
                ys.append(1.0 if (not r.failed and r.delivered_at.date() <= d) else 0.0)
                if p >= 0.999:
                    break
        if len(xs) < 200:
            return
        order = np.argsort(xs, kind="stable")
        x, y = np.asarray(xs)[order], np.asarray(ys)[order]
        nb = int(min(50, max(5, len(x) // 150)))
        bins = np.array_split(np.arange(len(x)), nb)
        bx = np.array([x[b].mean() for b in bins])
        by = np.array([y[b].mean() for b in bins])
        bw = np.array([len(b) for b in bins], dtype=float)
        cx, cy = _pav(bx, by, bw)
        self.cal_x, self.cal_y = np.concatenate([[0.0], cx]), np.concatenate([[0.0], cy])

    # ------------------------------------------------------------------------------------------ predict
    def _raw(self, q) -> tuple[list[date], list[float]]:
        dp = self._pmf(self.dispatch, self._dispatch_chain(q))
        tp = self._pmf(self.transit, self._transit_chain(q))
        if dp is None or tp is None:
            return [], []
        acc: dict[date, float] = {}
        start = q.ordered_at.date()
        for k in np.nonzero(dp[:MAX_LAG] > 1e-6)[0]:
            d = self.dcal.add(start, int(k))
            if q.cold:
                while not (self.dcal.is_open(d) and self.dcal.is_open(d + timedelta(days=1))):
                    d = self.dcal.add(d + timedelta(days=1), 0)
            for j in np.nonzero(tp[:MAX_LAG] > 1e-6)[0]:
                a = self.tcal.add(d, int(j))
                acc[a] = acc.get(a, 0.0) + float(dp[k] * tp[j])
        dates = sorted(acc)
        cdf = np.cumsum([acc[d] for d in dates]) if dates else np.array([])
        return dates, [float(min(1.0, c)) for c in cdf]

    def _cal(self, raw: list[float]) -> list[float]:
        if not raw:
            return []
        out = np.interp(np.asarray(raw), self.cal_x, self.cal_y)
        return [float(v) for v in np.maximum.accumulate(out)]

    def predict(self, queries: list[OrderQuery]) -> list[ArrivalForecast]:
        out = []
        for q in queries:
            dates, raw = self._raw(q)
            out.append(ArrivalForecast(tuple(dates), tuple(self._cal(raw)), tuple(raw),
                                       self.support.get(self._support_key(q), 0)))
        return out

    def promise(self, queries: list[OrderQuery], *, threshold: float = 0.9) -> list[PromiseEstimate]:
        """Per query: the earliest date whose calibrated P(arrival by it) >= ``threshold``."""
        out = []
        for f in self.predict(queries):
            hit = next(((d, p) for d, p in zip(f.dates, f.prob_by, strict=True) if p >= threshold), None)
            if hit is None:
                out.append(PromiseEstimate(None, max(f.prob_by, default=0.0), f.support))
            else:
                out.append(PromiseEstimate(hit[0], hit[1], f.support))
        return out

    # ------------------------------------------------------------------------------------------ save/load
    def to_dict(self) -> dict:
        sparse = lambda t: {k: {str(i): float(v) for i, v in enumerate(a) if v} for k, a in t.items()}  # noqa: E731
        return {"version": 1, "dispatch_calendar": self.dcal.to_dict(), "transit_calendar": self.tcal.to_dict(),
                "prior_strength": self.m, "calibrate": self.calibrate, "calibration_share": self.calibration_share,
                "default_cutoff": self.default_cutoff.isoformat(), "dispatch": sparse(self.dispatch),
                "transit": sparse(self.transit), "support": dict(self.support),
                "cal_x": self.cal_x.tolist(), "cal_y": self.cal_y.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> DeliveryEstimator:
        if data.get("version") != 1:
            raise ValueError("unknown DeliveryEstimator format")
        est = cls(dispatch_calendar=BusinessCalendar.from_dict(data["dispatch_calendar"]),
                  transit_calendar=BusinessCalendar.from_dict(data["transit_calendar"]),
                  prior_strength=data["prior_strength"], calibrate=data["calibrate"],
                  calibration_share=data["calibration_share"],
                  default_cutoff=time.fromisoformat(data["default_cutoff"]))

        def dense(t):
            out = {}
            for k, cells in t.items():
                a = np.zeros(MAX_LAG + 1)
                for i, v in cells.items():
                    a[int(i)] = v
                out[k] = a
            return out

        est.dispatch, est.transit = dense(data["dispatch"]), dense(data["transit"])
        est.support = Counter({k: int(v) for k, v in data["support"].items()})
        est.n_records = sum(est.support.values())
        est.cal_x, est.cal_y = np.asarray(data["cal_x"], float), np.asarray(data["cal_y"], float)
        return est

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> DeliveryEstimator:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
