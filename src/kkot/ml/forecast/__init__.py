"""Delivery-date forecasting (no Django): P(arrival by date D | order) learned from past shipments.

``DeliveryEstimator`` splits a delivery into dispatch lead time (order -> 집하; store x made-to-order x weekday x
before/after the same-day cutoff) and transit time (집하 -> 배송완료; carrier x origin region x destination
region), each an empirical distribution in business days of a calendar passed in, shrunk toward pooled
distributions when a cell has few samples, combined by convolution over the calendars, then calibrated with an
isotonic map fitted on a later slice of the history. See ``estimator.py``.
"""

from kkot.ml.forecast.calendar import BusinessCalendar, korean_calendar, korean_holidays
from kkot.ml.forecast.estimator import (
    ArrivalForecast,
    DeliveryEstimator,
    OrderQuery,
    PromiseEstimate,
    ShipmentRecord,
)

__all__ = ["ArrivalForecast", "BusinessCalendar", "DeliveryEstimator", "OrderQuery", "PromiseEstimate",
           "ShipmentRecord", "korean_calendar", "korean_holidays"]
