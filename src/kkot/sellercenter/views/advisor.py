"""비즈 어드바이저 pages: insights feed, sales, traffic & funnel, customers, store-page clicks, table export.

Views parse the date range, call one advisor selector/query and render; charts are Plotly figures rendered
to HTML here (plotly.js is served offline by :func:`plotly_js`, never from a CDN)."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from kkot.advisor import selectors as adv
from kkot.core.errors import ValidationError
from kkot.orders.selectors.seller import sheet_bytes
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.views.orders import _download, _fmt_or_404

PINK, GREY, GREEN = "#e0457b", "#b9b9c3", "#2e9d6a"


def _fig_html(fig, height: int = 320) -> str:
    fig.update_layout(height=height, margin={"l": 40, "r": 10, "t": 30, "b": 40}, autosize=True,
                      legend={"orientation": "h", "y": -0.2}, font={"family": "sans-serif", "size": 12},
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"responsive": True, "displayModeBar": False, "locale": "ko"})


def _range(request, store, default_days=30):
    return adv.parse_range(store_id=store.pk, start=request.GET.get("from"), end=request.GET.get("to"),
                           default_days=default_days)


def _page(request, template, nav_tab, build, default_days=30):
    """Shared frame: parse the range (Korean error -> 400 with the form), then ``build(rng) -> context``."""
    store = request.store
    try:
        rng = _range(request, store, default_days)
        extra = build(rng)
        status = 200
    except ValidationError as exc:
        rng, extra, status = None, {"error": exc.message}, 400
    qs = request.GET.urlencode()
    return render(request, template, ctx(request, nav="advisor", tab=nav_tab, rng=rng, query=qs,
                                         from_value=request.GET.get("from", rng.start.isoformat() if rng else ""),
                                         to_value=request.GET.get("to", rng.end.isoformat() if rng else ""),
                                         **extra), status=status)


@seller_page(methods=("GET",))
def advisor_home(request, membership):
    def build(rng):
        feed = adv.insights_feed(store_id=rng.store_id, today=rng.end)
        return {"feed": feed, "weekly_report": adv.weekly_report_enabled(store_id=rng.store_id)}

    return _page(request, "sellercenter/advisor/home.html", "home", build)


@seller_page(methods=("POST",))
def advisor_report_settings(request, membership):
    """주간 리포트 메일 on/off (the opt-out of the weekly report)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from kkot.advisor.report import advisor_settings_set

    on = request.POST.get("weekly_report") == "1"
    advisor_settings_set(store=request.store, weekly_report=on)
    messages.success(request, _("주간 리포트 메일을 켰습니다.") if on else _("주간 리포트 메일을 껐습니다."))
    return redirect("sellercenter:advisor", slug=request.store.slug)


@seller_page(methods=("GET",))
def advisor_sales(request, membership):
    import plotly.graph_objects as go

    interval = request.GET.get("interval", "day")
    compare = request.GET.get("compare", "previous") or None

    def build(rng):
        res = adv.run_query(adv.SalesQuery(rng.store_id, rng.start, rng.end, interval=interval, compare=compare))
        x = [p.period.isoformat() for p in res.points]
        fig = go.Figure()
        fig.add_bar(x=x, y=[int(p.totals.net) for p in res.points], name=_("순매출"), marker_color=PINK)
        if res.compare_points:
            fig.add_scatter(x=x[:len(res.compare_points)], y=[int(p.totals.net) for p in res.compare_points],
                            name=_("비교 기간"), mode="lines", line={"color": GREY, "dash": "dot"})
        fig.add_scatter(x=x, y=[p.totals.orders for p in res.points], name=_("주문수"), yaxis="y2",
                        mode="lines+markers", line={"color": GREEN})
        fig.update_layout(yaxis={"title": _("원")}, yaxis2={"overlaying": "y", "side": "right", "showgrid": False})
        return {"res": res, "chart": _fig_html(fig), "interval": interval, "compare": compare or "",
                "changes": {k: res.change(k) for k in ("revenue", "net", "orders", "aov", "refunds")}}

    return _page(request, "sellercenter/advisor/sales.html", "sales", build)


@seller_page(methods=("GET",))
def advisor_traffic(request, membership):
    import plotly.graph_objects as go

    def build(rng):
        res = adv.run_query(adv.FunnelQuery(rng.store_id, rng.start, rng.end))
        funnel = go.Figure(go.Funnel(y=[s.label for s in res.steps], x=[s.count for s in res.steps],
                                     textinfo="value+percent previous", marker={"color": PINK}))
        chans = [c for c in res.channels if c.visits]
        conv = go.Figure(go.Bar(x=[c.label for c in chans], y=[round(c.conversion * 100, 2) for c in chans],
                                marker_color=PINK, text=[f"{c.conversion:.2%}" for c in chans]))
        conv.update_layout(yaxis={"title": _("유입당 결제율 (%)")})
        long_kw = adv.run_query(adv.LongKeywordQuery(rng.store_id, rng.start, rng.end))  # DuckDB over Parquet
        return {"res": res, "funnel_chart": _fig_html(funnel, 280), "channel_chart": _fig_html(conv, 280),
                "long_kw": long_kw}

    return _page(request, "sellercenter/advisor/traffic.html", "traffic", build)


@seller_page(methods=("GET",))
def advisor_customers(request, membership):
    import plotly.graph_objects as go

    def build(rng):
        res = adv.run_query(adv.CustomersQuery(rng.store_id, rng.start, rng.end))
        shown = [c for c in res.rfm if not c.hidden]
        chart = ""
        if shown:
            fig = go.Figure(go.Bar(y=[c.label for c in shown], x=[c.customers for c in shown], orientation="h",
                                   marker_color=PINK))
            chart = _fig_html(fig, 260)
        return {"res": res, "rfm_chart": chart, "k_min": adv.K_MIN}

    return _page(request, "sellercenter/advisor/customers.html", "customers", build, default_days=90)


@seller_page(methods=("GET",))
def advisor_clicks(request, membership):
    import plotly.graph_objects as go

    def build(rng):
        res = adv.run_query(adv.SectionClicksQuery(rng.store_id, rng.start, rng.end))
        pages = []
        for page_type, title in (("store", _("스토어 홈")), ("product", _("상품 상세"))):
            rows = [r for r in res.rows if r.page_type == page_type]
            if rows:
                pages.append({"title": title, "chart": _page_picture(go, page_type, rows, res)})
        return {"res": res, "pictures": pages}

    return _page(request, "sellercenter/advisor/clicks.html", "clicks", build)


def _page_picture(go, page_type: str, rows, res) -> str:
    """The page drawn as boxes in their place, each coloured by click-through; click positions inside a section
    (when the tracker recorded them) as a density layer on top."""
    from plotly.colors import sample_colorscale

    from kkot.advisor.layout import page_boxes

    boxes, height = page_boxes(page_type, rows, res.banner_order)
    top = max((b.ctr for b in boxes if b.ctr is not None), default=0) or 1
    fig = go.Figure()
    for b in boxes:
        fill = "#eeeeee" if b.ctr is None else sample_colorscale("RdPu", [0.08 + 0.92 * b.ctr / top])[0]
        fig.add_shape(type="rect", x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1, fillcolor=fill,
                      line={"color": "white", "width": 2}, layer="below")
        text = b.label if b.ctr is None else f"{b.label}<br><b>{b.ctr:.2%}</b>"
        fig.add_annotation(x=(b.x0 + b.x1) / 2, y=(b.y0 + b.y1) / 2, text=text, showarrow=False,
                           font={"size": 11, "color": "#222" if b.ctr is None or b.ctr < 0.6 * top else "white"})
        grid = res.density.get((page_type, b.section))
        if grid and b.section:
            w, h = (b.x1 - b.x0) / 10, (b.y1 - b.y0) / 10
            fig.add_trace(go.Heatmap(z=grid, x0=b.x0 + w / 2, dx=w, y0=b.y0 + h / 2, dy=h, zsmooth="best",
                                     colorscale=[[0, "rgba(255,0,0,0)"], [1, "rgba(255,60,0,0.75)"]],
                                     showscale=False, hovertemplate=_("클릭 %{z}회<extra></extra>")))
    fig.add_scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                    marker={"colorscale": "RdPu", "cmin": 0, "cmax": round(top * 100, 2), "color": [0],
                            "colorbar": {"title": {"text": _("클릭률 %")}, "thickness": 10}})
    fig.update_xaxes(visible=False, range=[0, 100], fixedrange=True)
    fig.update_yaxes(visible=False, range=[height, 0], fixedrange=True)
    return _fig_html(fig, int(120 + 4.2 * height))


@seller_page(methods=("GET",))
def advisor_export(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    table = request.GET.get("table", "sales")
    if table not in adv.EXPORT_TABLES:
        raise Http404(_("내보낼 수 없는 표입니다."))
    try:
        rng = _range(request, request.store)
    except ValidationError as exc:
        raise Http404(exc.message) from exc
    header, rows = adv.export_table(table=table, rng=rng, interval=request.GET.get("interval", "day"))
    data = sheet_bytes(header, rows, fmt=fmt, title=_("비즈 어드바이저"))
    return _download(data, f"{request.store.slug}-advisor-{table}-{rng.start:%Y%m%d}-{rng.end:%Y%m%d}.{fmt}", fmt)


@cache_control(public=True, max_age=86400 * 30)
def plotly_js(request):
    """plotly.min.js from the installed plotly package (MIT), served by us: the pages work offline."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
