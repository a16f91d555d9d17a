"""정산 page: lines by settle date and status, totals over the whole selection, reconciliation, export."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from kkot.orders.models import SettlementLine
from kkot.orders.selectors.seller import sheet_bytes
from kkot.orders.selectors.settlement import (
    settlement_export_rows,
    settlement_filters_from,
    settlement_lines_for_seller,
    settlement_summary,
)
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.views.orders import _download, _fmt_or_404

PAGE_SIZE = 100


def _query(f) -> str:
    params = {"from": f.date_from.isoformat(), "to": f.date_to.isoformat()}
    if f.status:
        params["status"] = f.status
    return urlencode(params)


@seller_page(methods=("GET",))
def settlements(request, membership):
    store = membership.store
    filters = settlement_filters_from(request.GET)
    summary = settlement_summary(store=store, filters=filters)
    paginator = Paginator(settlement_lines_for_seller(store=store, filters=filters), PAGE_SIZE)
    paginator.count = summary.count  # already counted by the summary
    page = paginator.get_page(request.GET.get("page") or 1)
    return render(request, "sellercenter/orders/settlements.html", ctx(
        request, nav="settlements", filters=filters, summary=summary, page=page, query=_query(filters),
        statuses=SettlementLine.Status.choices,
    ))


@seller_page(methods=("GET",))
def settlement_export(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    store = membership.store
    filters = settlement_filters_from(request.GET)
    header, rows = settlement_export_rows(store=store, filters=filters)
    data = sheet_bytes(header, rows, fmt=fmt, title=_("정산"), text_columns=(3,))
    name = f"{store.slug}-settlement-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{fmt}"
    return _download(data, name, fmt)
