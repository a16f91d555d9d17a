"""비즈 어드바이저 · 광고: campaigns, daily spend (form, CSV/Excel upload), ROAS per campaign/keyword/product,
budget advice, Plotly charts. Writes go through :mod:`kkot.advisor.ads.services`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kkot.advisor.ads import services as ads
from kkot.advisor.models import Campaign
from kkot.advisor.selectors import AdsQuery, run_query
from kkot.core.errors import KkotError
from kkot.orders.selectors.seller import sheet_bytes
from kkot.sellercenter.access import seller_page
from kkot.sellercenter.views.advisor import GREEN, GREY, PINK, _fig_html, _page
from kkot.sellercenter.views.orders import _download, _fmt_or_404


def _int_or_none(v: str | None) -> int | None:
    v = (v or "").strip().replace(",", "")
    return int(v) if v.isdigit() and len(v) < 19 else None


def _post(request) -> tuple[str, list[dict]]:
    """Run one POST action; returns (error message, cell errors)."""
    store, p = request.store, request.POST
    action = p.get("action")
    try:
        if action == "campaign":
            try:
                start = dt.date.fromisoformat(p.get("start_date") or "")
                end = dt.date.fromisoformat(p["end_date"]) if p.get("end_date") else None
                budget = Decimal(p["daily_budget"].replace(",", "")) if p.get("daily_budget") else None
            except (ValueError, InvalidOperation):
                return _("날짜나 예산 형식이 올바르지 않습니다."), []
            target = _int_or_none(p.get("target_roas"))
            c = ads.campaign_create(
                store=store,
                name=p.get("name", ""),
                channel=p.get("channel", ""),
                target_roas=target if target is not None else -1,
                keyword=p.get("keyword", ""),
                product_id=_int_or_none(p.get("product_id")),
                daily_budget=budget,
                start_date=start,
                end_date=end,
            )
            messages.success(
                request,
                _("캠페인 '{n}'을 만들었습니다. 광고 링크 끝에 ?kc={id} 를 붙이세요.").format(
                    n=c.name, id=c.pk
                ),
            )
        elif action == "spend":
            r = ads.adspend_record(
                store=store,
                rows=[
                    ads.SpendInput(
                        campaign=p.get("campaign", ""),
                        day=p.get("day", ""),
                        amount=p.get("amount", ""),
                        keyword=p.get("keyword", ""),
                        product_id=p.get("product_id") or None,
                    )
                ],
            )
            messages.success(request, _("광고비 {n}건을 저장했습니다.").format(n=r["rows"]))
        elif action == "upload":
            f = request.FILES.get("file")
            if f is None:
                return _("파일을 골라 주세요."), []
            r = ads.adspend_import(store=store, data=f.read(), filename=f.name)
            messages.success(
                request,
                _("광고비 {n}행을 저장했습니다 (새로 {c}행, 수정 {u}행).").format(
                    n=r["rows"], c=r["created"], u=r["updated"]
                ),
            )
        else:
            return _("알 수 없는 요청입니다."), []
    except KkotError as exc:
        return exc.message, exc.details if isinstance(exc.details, list) else []
    return "", []


@seller_page()
def advisor_ads(request, membership):
    import plotly.graph_objects as go

    form_error, cell_errors = "", []
    if request.method == "POST":
        form_error, cell_errors = _post(request)
        if not form_error:
            return redirect(request.get_full_path())

    def build(rng):
        res = run_query(AdsQuery(rng.store_id, rng.start, rng.end))
        spent = [c for c in res.campaigns if c.spend]
        roas_chart = daily_chart = ""
        if spent:
            fig = go.Figure()
            fig.add_bar(
                x=[c.label for c in spent],
                y=[round(c.roas or 0) for c in spent],
                name="ROAS (%)",
                marker_color=[PINK if c.status == "below" else GREEN for c in spent],
                text=[c.roas_pct for c in spent],
            )
            fig.add_scatter(
                x=[c.label for c in spent],
                y=[c.target_roas for c in spent],
                name=_("목표 ROAS"),
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 28, "color": "#333"},
            )
            fig.update_layout(yaxis={"title": "ROAS (%)"})
            roas_chart = _fig_html(fig, 300)
            d = go.Figure()
            x = [day.isoformat() for day, _s, _r in res.days]
            d.add_bar(x=x, y=[int(s) for _d, s, _r in res.days], name=_("광고비"), marker_color=GREY)
            d.add_scatter(
                x=x,
                y=[int(r) for _d, _s, r in res.days],
                name=_("광고 기여 매출"),
                mode="lines+markers",
                line={"color": PINK},
            )
            d.update_layout(yaxis={"title": _("원")})
            daily_chart = _fig_html(d, 300)
        return {
            "res": res,
            "roas_chart": roas_chart,
            "daily_chart": daily_chart,
            "campaign_list": Campaign.objects.filter(store_id=rng.store_id).order_by("name"),
            "channels": Campaign.Channel.choices,
            "form_error": form_error,
            "cell_errors": cell_errors,
            "today": rng.end,
        }

    resp = _page(request, "sellercenter/advisor/ads.html", "ads", build)
    if form_error and resp.status_code == 200:
        resp.status_code = 400
    return resp


@seller_page(methods=("GET",))
def advisor_ads_template(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    camps = list(Campaign.objects.filter(store=request.store).order_by("name")[:3])
    today = dt.date.today().isoformat()
    rows = [[today, c.pk, 50000, c.keyword, c.product_id or "", "", ""] for c in camps] or [
        [today, 1, 50000, "", "", "", ""]
    ]
    data = sheet_bytes(ads.TEMPLATE_HEADER, rows, fmt=fmt, title=_("광고비"))
    return _download(data, f"{request.store.slug}-ad-spend-template.{fmt}", fmt)
