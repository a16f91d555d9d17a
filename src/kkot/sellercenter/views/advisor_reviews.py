"""비즈 어드바이저 · 리뷰·추천: recommendation-widget click-through and sales, rising complaint aspects in reviews
(the charts behind the widget and complaint findings of the insights feed)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kkot.advisor import selectors as adv
from kkot.sellercenter.access import seller_page
from kkot.sellercenter.views.advisor import GREY, PINK, _fig_html, _page


@seller_page(methods=("GET",))
def advisor_reviews(request, membership):
    import plotly.graph_objects as go

    def build(rng):
        res = adv.signals_overview(store_id=rng.store_id, today=rng.end)
        widget_chart = complaint_chart = ""
        shown = [w for w in res["widgets"] if w.impressions]
        if shown:
            fig = go.Figure(
                go.Bar(
                    x=[w.title for w in shown],
                    y=[w.ctr or 0 for w in shown],
                    marker_color=PINK,
                    text=[f"{w.ctr or 0:.2f}%" for w in shown],
                )
            )
            fig.update_layout(yaxis={"title": _("클릭률 (%)")})
            widget_chart = _fig_html(fig, 280)
        if res["complaints"]:
            top = res["complaints"][:8]
            fig = go.Figure()
            fig.add_bar(
                x=[c["aspect"] for c in top],
                y=[c["recent_negative"] for c in top],
                name=_("최근 14일"),
                marker_color=PINK,
            )
            fig.add_bar(
                x=[c["aspect"] for c in top],
                y=[c["baseline_negative"] for c in top],
                name=_("직전 8주 (14일 환산)"),
                marker_color=GREY,
            )
            fig.update_layout(barmode="group", yaxis={"title": _("부정 리뷰 수")})
            complaint_chart = _fig_html(fig, 280)
        return {"res": res, "widget_chart": widget_chart, "complaint_chart": complaint_chart}

    return _page(request, "sellercenter/advisor/reviews.html", "reviews", build)
