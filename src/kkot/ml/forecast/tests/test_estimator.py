"""Exact checks of the Django-free delivery estimator on tiny hand-built histories."""

from datetime import date, datetime, time, timedelta

from kkot.ml.forecast import BusinessCalendar, DeliveryEstimator, OrderQuery, ShipmentRecord, korean_calendar

CHUSEOK = {date(2024, 9, 16), date(2024, 9, 17), date(2024, 9, 18)}
SELLER = BusinessCalendar(off_weekdays=(5, 6), holidays=CHUSEOK)
CARRIER = BusinessCalendar(off_weekdays=(6,), holidays=CHUSEOK)


def _hist(n, *, start=date(2024, 5, 6), hour=10, lag_days=0, transit_days=1, cutoff=time(14)):
    """n orders on consecutive seller days at ``hour``; picked up after ``lag_days`` seller days, delivered
    ``transit_days`` carrier days later."""
    out, d = [], start
    while len(out) < n:
        if SELLER.is_open(d):
            pick = SELLER.add(d, lag_days)
            out.append(ShipmentRecord(
                ordered_at=datetime.combine(d, time(hour)), store="s1", carrier="cj", origin="capital",
                dest="capital", picked_up_at=datetime.combine(pick, time(18)),
                delivered_at=datetime.combine(CARRIER.add(pick, transit_days), time(13)), cutoff=cutoff))
        d += timedelta(days=1)
    return out


def _q(at, **kw):
    base = dict(ordered_at=at, store="s1", carrier="cj", origin="capital", dest="capital", cutoff=time(14))
    return OrderQuery(**{**base, **kw})


def _est(records, prior=8.0):
    return DeliveryEstimator(dispatch_calendar=SELLER, transit_calendar=CARRIER, prior_strength=prior,
                             calibrate=False).fit(records)


def test_calendar_skips_weekends_and_holidays():
    assert SELLER.add(date(2024, 9, 13), 1) == date(2024, 9, 19)  # Fri + 1 -> Thu after 추석 (Mon-Wed)
    assert CARRIER.add(date(2024, 9, 13), 1) == date(2024, 9, 14)  # carriers work Saturdays
    assert CARRIER.add(date(2024, 9, 14), 1) == date(2024, 9, 19)
    assert SELLER.lag(date(2024, 9, 13), date(2024, 9, 19)) == 1
    assert SELLER.roll(date(2024, 9, 15)) == date(2024, 9, 19)
    assert SELLER.lag(date(2024, 9, 19), date(2024, 9, 13)) == 0
    kr = korean_calendar()
    assert not kr.is_open(date(2025, 1, 1)) and not kr.is_open(date(2024, 10, 3)) and kr.is_open(date(2024, 10, 4))


def test_support_counts_comparable_shipments_only():
    recs = _hist(30) + [ShipmentRecord(**{**_hist(1)[0].__dict__, "dest": "jeju"})]
    est = _est(recs)
    (f,) = est.predict([_q(datetime(2024, 7, 2, 10))])
    assert f.support == 30
    assert est.predict([_q(datetime(2024, 7, 2, 10), dest="jeju")])[0].support == 1


def test_same_day_dispatch_next_day_delivery_is_certain():
    est = _est(_hist(30))
    (p,) = est.promise([_q(datetime(2024, 7, 2, 10))])  # Tuesday 10:00
    assert p.date == date(2024, 7, 3) and p.probability == 1.0


def test_holiday_skipping_in_the_forecast():
    est = _est(_hist(40, lag_days=1))
    (p,) = est.promise([_q(datetime(2024, 9, 12, 10))])  # Thu: dispatch Fri 13th, delivery Sat 14th
    assert p.date == date(2024, 9, 14)
    (p,) = est.promise([_q(datetime(2024, 9, 13, 10))])  # Fri: dispatch after 추석 (Thu 19th), arrive Fri 20th
    assert p.date == date(2024, 9, 20)


def test_cutoff_before_and_after_14():
    recs = _hist(40, hour=10) + _hist(40, hour=15, lag_days=1)
    est = _est(recs, prior=1.0)
    before, after = est.promise([_q(datetime(2024, 7, 2, 13, 59)), _q(datetime(2024, 7, 2, 14, 0))])
    assert before.date == date(2024, 7, 3)
    assert after.date == date(2024, 7, 4)


def test_cold_chain_not_dispatched_before_a_day_off():
    est = _est(_hist(40))
    thu = datetime(2024, 7, 4, 10)
    (dry, cold) = est.promise([_q(thu), _q(thu, cold=True)])
    assert dry.date == date(2024, 7, 5)  # Thu dispatch, Fri arrival
    assert cold.date == date(2024, 7, 5)  # Thu is fine: Friday is a working day
    fri = datetime(2024, 7, 5, 10)
    (dry, cold) = est.promise([_q(fri), _q(fri, cold=True)])
    assert dry.date == date(2024, 7, 6)  # Saturday delivery for dry goods
    assert cold.date == date(2024, 7, 9)  # cold waits for Monday's dispatch -> Tuesday


def test_failures_lower_the_probability_and_shrinkage_pools_small_cells():
    recs = _hist(90)
    recs += [ShipmentRecord(**{**r.__dict__, "delivered_at": None, "failed": True}) for r in _hist(10)]
    est = _est(recs)
    (f,) = est.predict([_q(datetime(2024, 7, 2, 10))])
    assert f.dates == (date(2024, 7, 3),) and abs(f.prob_by[0] - 0.9) < 1e-9
    # a store with 2 own (slow) shipments is mostly the pooled (fast) distribution
    slow = [ShipmentRecord(**{**r.__dict__, "store": "s2"}) for r in _hist(2, lag_days=3)]
    est = _est(_hist(60) + slow)
    (f,) = est.predict([_q(datetime(2024, 7, 2, 10), store="s2")])
    # (60/62 pooled) -> store cell with 2 slow: 8*p/10 -> Tuesday cell with 1 slow: 8*p/9
    assert f.dates[0] == date(2024, 7, 3) and abs(f.prob_by[0] - 8 * (8 * 60 / 62 / 10) / 9) < 1e-9


def test_save_load_round_trip(tmp_path):
    est = DeliveryEstimator(dispatch_calendar=SELLER, transit_calendar=CARRIER).fit(_hist(300) + _hist(300, hour=16))
    est.save(tmp_path / "m.json")
    again = DeliveryEstimator.load(tmp_path / "m.json")
    qs = [_q(datetime(2024, 7, 2, 10)), _q(datetime(2024, 7, 5, 16), cold=True)]
    assert est.predict(qs) == again.predict(qs)
