"""Carrier adapters and message adapters.

A carrier adapter turns a carrier's data into :class:`TrackingUpdate` rows; the services store them
idempotently. kkot runs offline, so the built-in adapter is :class:`SimulatedCarrier`: a deterministic
(seeded by the tracking number) timeline with realistic delays by region and weekday: pickup the evening of
dispatch (next working day after 18:00), hub scans overnight, delivery next working day in the capital region,
a day more elsewhere, two more to Jeju; no pickup or delivery on Sundays and Korean public holidays; about
2% of parcels are 미배달/반송. Real carrier APIs plug in by implementing the same two methods.
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

import holidays
from django.utils import timezone

log = logging.getLogger("kkot.fulfillment")

_KR = holidays.country_holidays("KR", years=range(2020, 2036))


def is_day_off(d: date) -> bool:
    """Sunday or a Korean public holiday: carriers do not pick up or deliver."""
    return d.weekday() == 6 or d in _KR


def sits_over_day_off(d: date) -> bool:
    """Chilled/frozen goods dispatched on ``d`` would sit in a hub: the next day is Saturday, Sunday or a
    holiday (Saturday deliveries of fresh goods are not guaranteed, so Friday is out too)."""
    nxt = d + timedelta(days=1)
    return nxt.weekday() >= 5 or nxt in _KR or is_day_off(d)


def region(postcode: str) -> str:
    """'capital' (서울·경기·인천), 'jeju', or 'regional' from the first two digits of a 5-digit postcode."""
    p = int(postcode[:2]) if postcode[:2].isdigit() else 0
    if p <= 23:
        return "capital"
    if p == 63:
        return "jeju"
    return "regional"


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    code: str  # picked_up, hub_in, hub_out, out_for_delivery, delivered, failed
    occurred_at: datetime
    location: str = ""


@dataclass(frozen=True)
class PickupReceipt:
    """A carrier's answer to a pickup (회수) request: the tracking number of the reverse parcel."""

    tracking_number: str
    requested_at: datetime


class CarrierAdapter(Protocol):
    code: str

    def timeline(self, *, tracking_number: str, dispatched_at: datetime, origin_postcode: str,
                 dest_postcode: str) -> list[TrackingUpdate]: ...

    def request_pickup(self, *, reference: str, pickup_postcode: str, return_postcode: str,
                       requested_at: datetime) -> PickupReceipt: ...


def _next_working(d: date) -> date:
    while is_day_off(d):
        d += timedelta(days=1)
    return d


class SimulatedCarrier:
    """See module doc. ``timeline`` is pure and deterministic; polling reveals the events already past."""

    HUBS = {"capital": "곤지암 허브", "regional": "대전 허브", "jeju": "제주 허브"}
    EXTRA_DAYS = {"capital": 0, "regional": 1, "jeju": 2}
    FAIL_RATE = 0.02

    def __init__(self, code: str = "cj"):
        self.code = code

    def timeline(self, *, tracking_number, dispatched_at, origin_postcode="", dest_postcode=""):
        tz = timezone.get_current_timezone()
        rng = random.Random(int(hashlib.sha256(f"{self.code}:{tracking_number}".encode()).hexdigest()[:12], 16))
        local = timezone.localtime(dispatched_at, tz)
        day = local.date()
        if local.hour >= 18 or is_day_off(day):
            day = _next_working(day + timedelta(days=1) if local.hour >= 18 else day)
        at = lambda d, h, m=0: timezone.make_aware(datetime.combine(d, time(h % 24, m)), tz)  # noqa: E731
        pick = max(at(day, 18, rng.randint(0, 59)), dispatched_at + timedelta(minutes=30))
        hub_in = pick + timedelta(hours=rng.uniform(2, 4))
        dest = region(dest_postcode)
        deliver_day = day + timedelta(days=1 + self.EXTRA_DAYS[dest] + (1 if rng.random() < 0.12 else 0))
        deliver_day = _next_working(deliver_day)
        hub_out = at(deliver_day, rng.randint(3, 6), rng.randint(0, 59))
        hub_out = max(hub_out, hub_in + timedelta(hours=1))
        out = max(at(deliver_day, rng.randint(7, 9), rng.randint(0, 59)), hub_out + timedelta(minutes=40))
        done = out + timedelta(hours=rng.uniform(1.5, 9))
        loc = self.HUBS[dest]
        events = [TrackingUpdate(tracking_number, "picked_up", pick, "집하점"),
                  TrackingUpdate(tracking_number, "hub_in", hub_in, self.HUBS[region(origin_postcode)]),
                  TrackingUpdate(tracking_number, "hub_out", hub_out, loc),
                  TrackingUpdate(tracking_number, "out_for_delivery", out, "배송지 대리점")]
        if rng.random() < self.FAIL_RATE:
            events.append(TrackingUpdate(tracking_number, "failed", done, "배송지 대리점"))
        else:
            events.append(TrackingUpdate(tracking_number, "delivered", done, "고객 전달"))
        return [TrackingUpdate(e.tracking_number, e.code, e.occurred_at.replace(microsecond=0), e.location)
                for e in events]


    def request_pickup(self, *, reference, pickup_postcode="", return_postcode="", requested_at=None):
        """회수 접수: a tracking number in the carrier's own format, derived from ``reference`` (the caller makes
        it unique, e.g. claim id + attempt). The parcel then follows :meth:`timeline` from the shopper's address
        (pickup the evening of the request or the next working day) to the store's warehouse."""
        h = int(hashlib.sha256(f"pickup:{self.code}:{reference}".encode()).hexdigest()[:15], 16)
        digits = {"lotte": 12, "epost": 13, "logen": 11}.get(self.code, 12)
        if self.code == "fresh":
            tn = "RT" + f"{h % 10**10:010d}"
        else:
            tn = "6" + f"{h % 10 ** (digits - 1):0{digits - 1}d}"
        return PickupReceipt(tn, requested_at or timezone.now())


def carrier_adapter(code: str) -> CarrierAdapter:
    return SimulatedCarrier(code)


# ------------------------------------------------------------------------------------------- messages
class MessageAdapter(Protocol):
    def send(self, *, phone: str, text: str, template: str = "") -> None: ...


class ConsoleMessages:
    """SMS/알림톡 stand-in: writes the message to the log (a real provider implements ``send``)."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str, template: str = "") -> None:
        ConsoleMessages.sent.append((phone, text))
        log.info("알림톡[%s] %s: %s", template, phone, text)


def message_adapter() -> MessageAdapter:
    return ConsoleMessages()
