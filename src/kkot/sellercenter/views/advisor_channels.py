"""비즈 어드바이저 · 맞춤 유입 채널 (issue 8): list / create / edit / deactivate the store's own inflow channels,
the tracking link to copy (``<store url>?kin=<code>``), and each channel's visits, orders and 유입당 결제율 for
the chosen period. Writes go through :mod:`kkot.events.inflow`; numbers from :mod:`kkot.advisor.custom_channels`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kkot.advisor.custom_channels import custom_channel_stats
from kkot.core.errors import KkotError
from kkot.events import inflow
from kkot.sellercenter.access import seller_page
from kkot.sellercenter.views.advisor import _page

FIELDS = ("code", "channel", "group", "name", "detail")


def _post(request) -> tuple[str, dict, dict]:
    """Run one POST action; returns (error message, field errors, the submitted values to show again)."""
    store, p = request.store, request.POST
    action = p.get("action")
    values = {f: p.get(f, "") for f in FIELDS}
    try:
        if action == "create":
            c = inflow.inflow_channel_create(store=store, **values)
            messages.success(
                request, _("유입 채널 '{n}'을 만들었습니다. 추적 링크를 복사해 쓰세요.").format(n=c.name)
            )
        elif action == "update":
            c = inflow.inflow_channel_update(store=store, channel_id=p.get("id"), **values)
            messages.success(request, _("유입 채널 '{n}'을 고쳤습니다.").format(n=c.name))
        elif action in ("deactivate", "activate"):
            c = inflow.inflow_channel_set_active(
                store=store, channel_id=p.get("id"), active=action == "activate"
            )
            messages.success(
                request,
                (
                    _("'{n}' 채널을 다시 켰습니다.")
                    if c.is_active
                    else _("'{n}' 채널을 껐습니다. 링크로 들어온 방문은 더 이상 이 채널로 세지 않습니다.")
                ).format(n=c.name),
            )
        else:
            return _("알 수 없는 요청입니다."), {}, {}
    except KkotError as exc:
        errors = exc.details if isinstance(exc.details, dict) else {}
        return exc.message, errors, {"action": action, "id": p.get("id", ""), **values}
    return "", {}, {}


@seller_page()
def advisor_channels(request, membership):
    form_error, field_errors, submitted = "", {}, {}
    if request.method == "POST":
        form_error, field_errors, submitted = _post(request)
        if not form_error:
            return redirect(request.get_full_path())
    store_url = request.build_absolute_uri(reverse("storefront:store", args=[request.store.slug]))

    def build(rng):
        rows = custom_channel_stats(store_id=rng.store_id, start=rng.start, end=rng.end)
        return {
            "rows": [(r, inflow.tracking_link(store_url=store_url, code=r.channel.code)) for r in rows],
            "link_example": inflow.tracking_link(store_url=store_url, code="code"),
            "form_error": form_error,
            "field_errors": field_errors,
            "submitted": submitted,
            "limits": inflow.LIMITS,
        }

    resp = _page(request, "sellercenter/advisor/channels.html", "channels", build)
    if form_error and resp.status_code == 200:
        resp.status_code = 400
    return resp
