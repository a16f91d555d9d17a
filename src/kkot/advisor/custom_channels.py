"""Seller-defined inflow channels in the advisor (issue 8).

Visits through a custom channel link are stored with ``Event.channel = "kin:<id>"``
(:mod:`kkot.events.inflow`); the channel rollups (:mod:`kkot.advisor.rollups`) key ``ChannelDaily`` by that
string unchanged, so a custom channel gets its own visits / product-view sessions / cart sessions / last-touch
orders and revenue per Seoul day like the built-in channels. This module reads those rows for the seller page
and the API and gives the labels (채널 · 그룹 · 이름) the traffic/funnel view shows for ``kin:`` keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from kkot.advisor.models import ChannelDaily
from kkot.events.inflow import KEY_PREFIX, custom_channel_key
from kkot.events.models import InflowChannel


@dataclass(frozen=True)
class CustomChannelStats:
    channel: InflowChannel
    visits: int
    pv_sessions: int
    cart_sessions: int
    orders: int
    revenue: Decimal

    @property
    def key(self) -> str:
        return custom_channel_key(self.channel.pk)

    @property
    def conversion(self) -> float | None:
        """유입당 결제율: last-touch orders per visit (None without visits)."""
        return self.orders / self.visits if self.visits else None

    @property
    def conversion_pct(self) -> str:
        return "-" if self.conversion is None else f"{self.conversion:.1%}"


def channel_label(channel: InflowChannel) -> str:
    return f"{channel.channel} · {channel.group} · {channel.name}"


def custom_channel_labels(*, store_id: int) -> dict[str, str]:
    """``kin:<id>`` -> "채널 · 그룹 · 이름" for the store's custom channels (active or not)."""
    return {
        custom_channel_key(c.pk): channel_label(c) for c in InflowChannel.objects.filter(store_id=store_id)
    }


def custom_channel_stats(*, store_id: int, start: dt.date, end: dt.date) -> list[CustomChannelStats]:
    """Every custom channel of the store (active first) with its numbers for ``start..end`` (inclusive, Seoul
    days); channels without rows have zeros."""
    sums = {
        r["channel"]: r
        for r in ChannelDaily.objects.filter(
            store_id=store_id, day__gte=start, day__lte=end, channel__startswith=KEY_PREFIX
        )
        .values("channel")
        .annotate(
            v=Sum("visits"),
            pv=Sum("pv_sessions"),
            c=Sum("cart_sessions"),
            o=Sum("orders"),
            rev=Sum("revenue"),
        )
    }
    out = []
    for ch in InflowChannel.objects.filter(store_id=store_id).order_by(
        "-is_active", "channel", "group", "name", "pk"
    ):
        r = sums.get(custom_channel_key(ch.pk), {})
        out.append(
            CustomChannelStats(
                ch,
                r.get("v") or 0,
                r.get("pv") or 0,
                r.get("c") or 0,
                r.get("o") or 0,
                Decimal(r.get("rev") or 0),
            )
        )
    return out
