from django import template
from django.utils.translation import gettext_lazy

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ errors|get:"price" }}``: a dict value by a computed key (empty list when absent)."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def is_in(value, container) -> bool:
    return value in (container or ())


EVENT_LABELS = {
    "placed": gettext_lazy("주문 접수"), "partial_cancel": gettext_lazy("부분 취소"), "claim_cancel_requested": gettext_lazy("취소 요청"),
    "claim_return_requested": gettext_lazy("반품 요청"), "claim_exchange_requested": gettext_lazy("교환 요청"),
    "claim_return_approved": gettext_lazy("반품 승인"), "claim_exchange_approved": gettext_lazy("교환 승인"),
    "claim_exchange_completed": gettext_lazy("교환 완료"), "claim_return_rejected": gettext_lazy("반품 거부"),
    "claim_exchange_rejected": gettext_lazy("교환 거부"), "claim_cancel_rejected": gettext_lazy("취소 거부"),
}


@register.filter
def order_status_label(value) -> str:
    """'preparing' -> '상품준비중' (translated)."""
    from kkot.orders.models import OrderStatus

    try:
        return str(OrderStatus(value).label)
    except ValueError:
        return value or ""


@register.filter
def order_event_label(kind) -> str:
    return str(EVENT_LABELS[kind]) if kind in EVENT_LABELS else kind


@register.filter
def carrier_label(code) -> str:
    from kkot.orders.services.lifecycle import CARRIERS

    return CARRIERS[code][0] if code in CARRIERS else (code or "")
