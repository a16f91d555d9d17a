"""Widget rollup (``kkot.recommendations.models.WidgetDaily``): recommendation-widget impressions, clicks and the
carts/orders credited to widget clicks, per store, widget, Seoul day and credited click day.

The cells are :func:`kkot.recommendations.stats.widget_cells` of the days, with clicks read from
``ATTRIBUTION_DAYS + 1`` days earlier, so that a window's sum of cells equals ``widget_stats`` on the raw events
(tested). Days are replaced as a whole.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kkot.core.timeutil import day_bounds
from kkot.events.models import Event
from kkot.recommendations.models import WidgetDaily, WidgetRollupDay
from kkot.recommendations.stats import ATTRIBUTION_DAYS, widget_cells


def rollup_widgets(*, start: dt.date, end: dt.date) -> int:
    """Rebuild the ``WidgetDaily`` rows of ``start..end`` (call inside the rollup's transaction)."""
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    click_lo = lo - dt.timedelta(days=ATTRIBUTION_DAYS + 1)
    WidgetDaily.objects.filter(day__gte=start, day__lte=end).delete()
    stores = (
        Event.objects.filter(
            ts__gte=click_lo, ts__lt=hi, section__startswith="widget:", store_id__isnull=False
        )
        .order_by()
        .values_list("store_id", flat=True)
        .distinct()
    )
    objs = []
    for sid in sorted(stores):
        for (w, day, click_day), (i, c, a, o, r) in widget_cells(
            store_id=sid, lo=lo, hi=hi, click_lo=click_lo
        ).items():
            objs.append(
                WidgetDaily(
                    store_id=sid,
                    widget=w,
                    day=day,
                    click_day=click_day,
                    impressions=i,
                    clicks=c,
                    add_to_carts=a,
                    orders=o,
                    revenue=r,
                )
            )
    WidgetDaily.objects.bulk_create(objs, batch_size=1000)
    now = timezone.now()
    WidgetRollupDay.objects.filter(day__gte=start, day__lte=end).delete()
    WidgetRollupDay.objects.bulk_create(
        [
            WidgetRollupDay(day=start + dt.timedelta(days=i), built_at=now)
            for i in range((end - start).days + 1)
        ]
    )
    return len(objs)
