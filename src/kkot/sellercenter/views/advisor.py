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
        return {"feed": feed}

    return _page(request, "sellercenter/advisor/home.html", "home", build)


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
        return {"res": res, "funnel_chart": _fig_html(funnel, 280), "channel_chart": _fig_html(conv, 280)}

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
        home = [r for r in res.rows if r.page_type == "store"]
        chart = ""
        if home:
            ctr = [round(r.ctr * 100, 2) for r in home]
            fig = go.Figure(go.Heatmap(z=[[v] for v in ctr], y=[r.label for r in home], x=[_("클릭률 (%)")],
                                       colorscale="RdPu", text=[[f"{v:.2f}%"] for v in ctr], texttemplate="%{text}"))
            fig.update_yaxes(autorange="reversed")
            chart = _fig_html(fig, 60 + 40 * len(home))
        return {"res": res, "heatmap": chart}

    return _page(request, "sellercenter/advisor/clicks.html", "clicks", build)


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
